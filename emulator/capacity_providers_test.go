package emulator

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

func TestCapacityProviderStrategyChoosesWhereTasksRun(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerWeb(t, client, "web", "app:1")
	// Two tasks on FARGATE first (its base), then the rest 1:3.
	spot := []types.CapacityProviderStrategyItem{
		{CapacityProvider: aws.String("FARGATE"), Base: 2, Weight: 1},
		{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 3},
	}
	out, err := client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String(td),
		DesiredCount: aws.Int32(6), CapacityProviderStrategy: spot, NetworkConfiguration: awsvpc("subnet-1", "subnet-2")})
	if err != nil {
		t.Fatal(err)
	}
	if out.Service.LaunchType != "" || len(out.Service.CapacityProviderStrategy) != 2 {
		t.Fatalf("a capacity-provider service has no launch type: %q %+v", out.Service.LaunchType, out.Service.CapacityProviderStrategy)
	}
	em.Advance(2 * time.Minute)
	list, err := client.ListTasks(ctx, &ecs.ListTasksInput{ServiceName: aws.String("web")})
	if err != nil || len(list.TaskArns) != 6 {
		t.Fatalf("list: %v %v", err, list)
	}
	desc, _ := client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: list.TaskArns})
	perProvider := map[string]int{}
	for _, task := range desc.Tasks {
		if task.LaunchType != types.LaunchTypeFargate || task.ContainerInstanceArn != nil || aws.ToString(task.LastStatus) != "RUNNING" {
			t.Fatalf("task: %s instance %v %s", task.LaunchType, task.ContainerInstanceArn, aws.ToString(task.LastStatus))
		}
		perProvider[aws.ToString(task.CapacityProviderName)]++
	}
	// The base's 2, then 4 split 1:3 (rounded to the provider listed first).
	if perProvider["FARGATE"] != 3 || perProvider["FARGATE_SPOT"] != 3 {
		t.Fatalf("tasks per provider: %v, want FARGATE 3 and FARGATE_SPOT 3", perProvider)
	}

	_, err = client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("both"), TaskDefinition: aws.String(td),
		DesiredCount: aws.Int32(1), LaunchType: types.LaunchTypeFargate, CapacityProviderStrategy: spot,
		NetworkConfiguration: awsvpc("subnet-1")})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Fatalf("launchType and capacityProviderStrategy together: %v, want InvalidParameterException", err)
	}
	_, err = client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("bases"), TaskDefinition: aws.String(td),
		DesiredCount: aws.Int32(1), NetworkConfiguration: awsvpc("subnet-1"), CapacityProviderStrategy: []types.CapacityProviderStrategyItem{
			{CapacityProvider: aws.String("FARGATE"), Base: 1}, {CapacityProvider: aws.String("FARGATE_SPOT"), Base: 1}}})
	if !errors.As(err, &ipe) {
		t.Fatalf("two bases: %v, want InvalidParameterException", err)
	}
	_, err = client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("mix"), TaskDefinition: aws.String(td),
		DesiredCount: aws.Int32(1), NetworkConfiguration: awsvpc("subnet-1"), CapacityProviderStrategy: []types.CapacityProviderStrategyItem{
			{CapacityProvider: aws.String("FARGATE"), Weight: 1}, {CapacityProvider: aws.String("my-asg"), Weight: 1}}})
	if !errors.As(err, &ipe) {
		t.Fatalf("Fargate and Auto Scaling group providers mixed: %v, want InvalidParameterException", err)
	}
}

func TestAutoScalingProviderRunsOnContainerInstances(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	if err := em.SetScenario(&scenario.Scenario{Capacity: &scenario.Capacity{Zones: []scenario.Zone{{Name: "a", Instances: 1}}}}); err != nil {
		t.Fatal(err)
	}
	reg, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("job"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("app:1"), Memory: aws.Int32(128)}}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := client.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: reg.TaskDefinition.TaskDefinitionArn,
		CapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("my-asg"), Weight: 1}}})
	if err != nil || len(run.Tasks) != 1 {
		t.Fatalf("run: %v %+v", err, run)
	}
	task := run.Tasks[0]
	if task.LaunchType != types.LaunchTypeEc2 || aws.ToString(task.CapacityProviderName) != "my-asg" || task.ContainerInstanceArn == nil {
		t.Fatalf("task: %s %q instance %v", task.LaunchType, aws.ToString(task.CapacityProviderName), task.ContainerInstanceArn)
	}
}

func TestServiceMovesBetweenLaunchTypeAndCapacityProviders(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	spot := []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 1}}
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("spot"),
		CapacityProviders: []string{"FARGATE", "FARGATE_SPOT"}, DefaultCapacityProviderStrategy: spot}); err != nil {
		t.Fatal(err)
	}
	td := registerWeb(t, client, "web", "app:1")
	providersOfTasks := func() []string {
		t.Helper()
		em.Advance(2 * time.Minute)
		list, _ := client.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("spot"), ServiceName: aws.String("web")})
		desc, _ := client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("spot"), Tasks: list.TaskArns})
		var names []string
		for _, task := range desc.Tasks {
			if task.LaunchType != types.LaunchTypeFargate {
				t.Fatalf("task launch type %s, want FARGATE", task.LaunchType)
			}
			names = append(names, aws.ToString(task.CapacityProviderName))
		}
		return names
	}
	// Neither a launch type nor a strategy: the cluster's default strategy.
	out, err := client.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("spot"), ServiceName: aws.String("web"),
		TaskDefinition: aws.String(td), DesiredCount: aws.Int32(1), NetworkConfiguration: awsvpc("subnet-1")})
	if err != nil {
		t.Fatal(err)
	}
	if out.Service.LaunchType != "" || len(out.Service.CapacityProviderStrategy) != 1 {
		t.Fatalf("the cluster default should apply: %q %+v", out.Service.LaunchType, out.Service.CapacityProviderStrategy)
	}
	if got := providersOfTasks(); len(got) != 1 || got[0] != "FARGATE_SPOT" {
		t.Fatalf("tasks under the cluster default: %v", got)
	}
	// An empty list returns to the launch type, from the next deployment.
	up, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("spot"), Service: aws.String("web"),
		CapacityProviderStrategy: []types.CapacityProviderStrategyItem{}, ForceNewDeployment: true})
	if err != nil {
		t.Fatal(err)
	}
	if up.Service.LaunchType != types.LaunchTypeFargate || len(up.Service.CapacityProviderStrategy) != 0 {
		t.Fatalf("after an empty strategy: %q %+v", up.Service.LaunchType, up.Service.CapacityProviderStrategy)
	}
	if got := providersOfTasks(); len(got) != 1 || got[0] != "" {
		t.Fatalf("tasks on the launch type name no provider: %v", got)
	}
	// And back to a strategy.
	if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("spot"), Service: aws.String("web"),
		CapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE"), Weight: 1}},
		ForceNewDeployment:       true}); err != nil {
		t.Fatal(err)
	}
	if got := providersOfTasks(); len(got) != 1 || got[0] != "FARGATE" {
		t.Fatalf("tasks after moving to FARGATE: %v", got)
	}
}

// TestPlatformFamilyFollowsWhereTasksRun: ECS names the platform family of
// Fargate tasks, whether FARGATE is the launch type or the first capacity
// provider, on the service, its deployment and its service revision alike.
func TestPlatformFamilyFollowsWhereTasksRun(t *testing.T) {
	_, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerWeb(t, client, "web", "app:1")
	cases := []struct {
		name   string
		in     ecs.CreateServiceInput
		family string
	}{
		{"spot", ecs.CreateServiceInput{CapacityProviderStrategy: []types.CapacityProviderStrategyItem{
			{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 1}}, NetworkConfiguration: awsvpc("subnet-1")}, "Linux"},
		{"fargate", ecs.CreateServiceInput{LaunchType: types.LaunchTypeFargate, NetworkConfiguration: awsvpc("subnet-1")}, "Linux"},
		{"ec2", ecs.CreateServiceInput{LaunchType: types.LaunchTypeEc2, NetworkConfiguration: awsvpc("subnet-1")}, ""},
	}
	for _, c := range cases {
		in := c.in
		in.ServiceName, in.TaskDefinition, in.DesiredCount = aws.String(c.name), aws.String(td), aws.Int32(0)
		out, err := client.CreateService(ctx, &in)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := aws.ToString(out.Service.PlatformFamily); got != c.family {
			t.Errorf("%s: service platformFamily %q, want %q", c.name, got, c.family)
		}
		if got := aws.ToString(out.Service.Deployments[0].PlatformFamily); got != c.family {
			t.Errorf("%s: deployment platformFamily %q, want %q", c.name, got, c.family)
		}
		list, err := client.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Service: aws.String(c.name)})
		if err != nil || len(list.ServiceDeployments) != 1 {
			t.Fatalf("%s: list deployments: %v %+v", c.name, err, list)
		}
		revs, err := client.DescribeServiceRevisions(ctx, &ecs.DescribeServiceRevisionsInput{
			ServiceRevisionArns: []string{aws.ToString(list.ServiceDeployments[0].TargetServiceRevisionArn)}})
		if err != nil || len(revs.ServiceRevisions) != 1 {
			t.Fatalf("%s: describe revision: %v %+v", c.name, err, revs)
		}
		if got := aws.ToString(revs.ServiceRevisions[0].PlatformFamily); got != c.family {
			t.Errorf("%s: service revision platformFamily %q, want %q", c.name, got, c.family)
		}
	}
}
