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
	em.SetScenario(&scenario.Scenario{Capacity: &scenario.Capacity{Zones: []scenario.Zone{{Name: "a", Instances: 1, CPU: 4096, Memory: 8192}}}})
	got := statuses()
	if got["ACTIVE"] != 1 || got["ACTIVE"]+got["DRAINING"] > 2 {
		t.Fatalf("after shrinking: %v", got)
	}
	desc, _ := client.DescribeClusters(ctx, &ecs.DescribeClustersInput{})
	if desc.Clusters[0].RunningTasksCount != 1 {
		t.Fatalf("the running task was lost: %+v", desc.Clusters[0])
	}
}
