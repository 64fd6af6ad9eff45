package emulator

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

func TestCapacityFollowsScenarioWhileRunning(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerEC2(t, client, "app", "app:1")
	if _, err := client.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String(td)}); err != nil {
		t.Fatal(err)
	}
	em.Advance(time.Minute)
	statuses := func() map[string]int {
		list, err := client.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{})
		if err != nil {
			t.Fatal(err)
		}
		desc, err := client.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{ContainerInstances: list.ContainerInstanceArns})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, ci := range desc.ContainerInstances {
			out[aws.ToString(ci.Status)]++
		}
		return out
	}
	if got := statuses(); got["ACTIVE"] != 6 {
		t.Fatalf("default capacity: %v", got)
	}
	// Down to one instance in one zone: the idle instances go, the busy
	// one (unless it is the one kept) drains.
	if err := em.SetScenario(&scenario.Scenario{Capacity: &scenario.Capacity{Zones: []scenario.Zone{{Name: "a", Instances: 1, CPU: 4096, Memory: 8192}}}}); err != nil {
		t.Fatal(err)
	}
	got := statuses()
	if got["ACTIVE"] != 1 || got["ACTIVE"]+got["DRAINING"] > 2 {
		t.Fatalf("after shrinking: %v", got)
	}
	desc, _ := client.DescribeClusters(ctx, &ecs.DescribeClustersInput{})
	if desc.Clusters[0].RunningTasksCount != 1 {
		t.Fatalf("the running task was lost: %+v", desc.Clusters[0])
	}
}

func TestDrainingInstanceMovesServiceTasks(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerEC2(t, client, "api", "api:1")
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("api"), TaskDefinition: aws.String(td),
		DesiredCount: aws.Int32(6)}); err != nil {
		t.Fatal(err)
	}
	em.Advance(2 * time.Minute)
	tasks, _ := client.ListTasks(ctx, &ecs.ListTasksInput{ServiceName: aws.String("api")})
	desc, _ := client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: tasks.TaskArns[:1]})
	victim := aws.ToString(desc.Tasks[0].ContainerInstanceArn)
	if _, err := client.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{
		ContainerInstances: []string{victim}, Status: "DRAINING"}); err != nil {
		t.Fatal(err)
	}
	var minHealthy = 6
	em.OnStep(func(time.Time) { minHealthy = min(minHealthy, sampleService(em, "default", "api").healthy) })
	em.Advance(3 * time.Minute)
	ci, _ := client.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{ContainerInstances: []string{victim}})
	if n := ci.ContainerInstances[0].RunningTasksCount + ci.ContainerInstances[0].PendingTasksCount; n != 0 {
		t.Fatalf("%d tasks left on the draining instance", n)
	}
	if svc := describeService(t, client, "default", "api"); svc.RunningCount != 6 {
		t.Fatalf("running %d after draining", svc.RunningCount)
	}
	if minHealthy < 6 {
		t.Fatalf("healthy tasks fell to %d while draining with minimumHealthyPercent 100", minHealthy)
	}
}
