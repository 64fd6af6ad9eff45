package emulator

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// registerWeb registers a small Fargate task definition with image.
func registerWeb(t *testing.T, client *ecs.Client, family, image string) string {
	t.Helper()
	out, err := client.RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(family), NetworkMode: types.NetworkModeAwsvpc,
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu:                     aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []types.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String(image),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(8080)}},
		}},
	})
	if err != nil {
		t.Fatalf("register %s: %v", family, err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

func awsvpc(subnets ...string) *types.NetworkConfiguration {
	return &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: subnets}}
}

func describeService(t *testing.T, client *ecs.Client, cluster, name string) types.Service {
	t.Helper()
	out, err := client.DescribeServices(context.Background(), &ecs.DescribeServicesInput{
		Cluster: aws.String(cluster), Services: []string{name}})
	if err != nil {
		t.Fatalf("describe %s: %v", name, err)
	}
	if len(out.Services) != 1 {
		t.Fatalf("describe %s: %d services, failures %+v", name, len(out.Services), out.Failures)
	}
	return out.Services[0]
}

func TestFargateServiceRollsOutAndCompletes(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td1 := registerWeb(t, client, "web", "app:1")
	_, err := client.CreateService(ctx, &ecs.CreateServiceInput{
		ServiceName: aws.String("web"), TaskDefinition: aws.String(td1), DesiredCount: aws.Int32(3),
		LaunchType: types.LaunchTypeFargate, NetworkConfiguration: awsvpc("subnet-1", "subnet-2", "subnet-3"),
	})
	if err != nil {
		t.Fatal(err)
	}
	em.Advance(40 * time.Second)
	svc := describeService(t, client, "default", "web")
	if svc.RunningCount != 3 || len(svc.Deployments) != 1 || svc.Deployments[0].RolloutState != types.DeploymentRolloutStateInProgress {
		t.Fatalf("after 40s: running %d, deployments %+v", svc.RunningCount, svc.Deployments)
	}
	em.Advance(60 * time.Second)
	svc = describeService(t, client, "default", "web")
	if svc.Deployments[0].RolloutState != types.DeploymentRolloutStateCompleted {
		t.Fatalf("after 100s: rollout %s (%s)", svc.Deployments[0].RolloutState, aws.ToString(svc.Deployments[0].RolloutStateReason))
	}
	if msg := aws.ToString(svc.Events[0].Message); msg != "(service web) has reached a steady state." {
		t.Fatalf("newest event %q", msg)
	}

	td2 := registerWeb(t, client, "web", "app:2")
	up, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(td2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(up.Service.Deployments) != 2 || aws.ToString(up.Service.Deployments[0].Status) != "PRIMARY" {
		t.Fatalf("update: deployments %+v", up.Service.Deployments)
	}
	em.Advance(3 * time.Minute)
	svc = describeService(t, client, "default", "web")
	if len(svc.Deployments) != 1 || aws.ToString(svc.Deployments[0].TaskDefinition) != td2 || svc.RunningCount != 3 {
		t.Fatalf("after update: %+v", svc.Deployments)
	}
	tasks, err := client.ListTasks(ctx, &ecs.ListTasksInput{ServiceName: aws.String("web")})
	if err != nil || len(tasks.TaskArns) != 3 {
		t.Fatalf("list tasks: %v %v", tasks, err)
	}
	stopped, err := client.ListTasks(ctx, &ecs.ListTasksInput{ServiceName: aws.String("web"), DesiredStatus: types.DesiredStatusStopped})
	if err != nil || len(stopped.TaskArns) != 3 {
		t.Fatalf("stopped tasks: %v %v", stopped, err)
	}
	desc, err := client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: stopped.TaskArns})
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range desc.Tasks {
		if task.StopCode != types.TaskStopCodeServiceSchedulerInitiated || aws.ToInt32(task.Containers[0].ExitCode) != 143 {
			t.Errorf("old task stop: %s %q exit %v", task.StopCode, aws.ToString(task.StoppedReason), task.Containers[0].ExitCode)
		}
	}
}

// TestOnStepHooksMayCallInvokeECS is the contract an emulated
// CloudFormation relies on: a hook reads ECS in-process on every step.
func TestOnStepHooksMayCallInvokeECS(t *testing.T) {
	em, client := newTestEmulator(t)
	if _, err := client.CreateCluster(context.Background(), &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	var seen []time.Time
	em.OnStep(func(now time.Time) {
		if _, err := em.InvokeECS(context.Background(), "us-east-1", "ListClusters", []byte(`{}`)); err != nil {
			t.Errorf("InvokeECS from a hook: %v", err)
		}
		seen = append(seen, now)
	})
	em.Advance(5 * time.Second)
	if len(seen) != 5 || !seen[4].Equal(em.Now()) {
		t.Fatalf("hooks saw %v", seen)
	}
}

func TestLoadBalancedServiceReportsTargets(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	createFargateService(t, em, client, "web:1", 2, false)
	tg := "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef"
	reg, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"), NetworkMode: types.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("web:2"),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(8080)}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	td := aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
	if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(td),
		LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String(tg), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}}}); err != nil {
		t.Fatal(err)
	}
	em.Advance(3 * time.Minute)
	events := eventMessages(describeService(t, client, "default", "web"))
	if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(registerWebHC(t, client, "web:3", false))}); err == nil ||
		!strings.Contains(err.Error(), "The container web did not have a container port 8080 defined.") {
		t.Errorf("a task definition without the load balancer's port: %v", err)
	}
	for _, want := range []string{
		"(service web) registered 2 targets in (target-group " + tg + ")",
		"(service web) has begun draining connections on 2 tasks.",
		"(service web) deregistered 2 targets in (target-group " + tg + ")",
	} {
		if !strings.Contains(events, want) {
			t.Errorf("missing %q in %s", want, events)
		}
	}
}

func TestCreateReplicaServiceRequiresDesiredCount(t *testing.T) {
	_, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerWeb(t, client, "web", "app:1")
	_, err := client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String(td),
		LaunchType: types.LaunchTypeFargate, NetworkConfiguration: awsvpc("subnet-1")})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) || !strings.Contains(ipe.ErrorMessage(), "desiredCount") {
		t.Fatalf("create without desiredCount: %v, want InvalidParameterException naming desiredCount", err)
	}
	if out, _ := client.ListServices(ctx, &ecs.ListServicesInput{}); len(out.ServiceArns) != 0 {
		t.Fatalf("a rejected service was created: %v", out.ServiceArns)
	}
}

// TestTaskWithoutHealthCheckCountsAsHealthy40sAfterRunning pins the rule for
// tasks with neither a container health check nor a load balancer: the
// deployment completes 40 s after its task reached RUNNING, not before.
func TestTaskWithoutHealthCheckCountsAsHealthy40sAfterRunning(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerWeb(t, client, "web", "app:1")
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String(td),
		DesiredCount: aws.Int32(1), LaunchType: types.LaunchTypeFargate, NetworkConfiguration: awsvpc("subnet-1")}); err != nil {
		t.Fatal(err)
	}
	var startedAt time.Time
	for i := 0; i < 120 && startedAt.IsZero(); i++ {
		em.Advance(time.Second)
		list, _ := client.ListTasks(ctx, &ecs.ListTasksInput{ServiceName: aws.String("web")})
		desc, _ := client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: list.TaskArns})
		if len(desc.Tasks) == 1 && aws.ToString(desc.Tasks[0].LastStatus) == "RUNNING" {
			startedAt = aws.ToTime(desc.Tasks[0].StartedAt)
		}
	}
	if startedAt.IsZero() {
		t.Fatal("the task never reached RUNNING")
	}
	em.Advance(startedAt.Add(39 * time.Second).Sub(em.Now()))
	if s := describeService(t, client, "default", "web"); s.Deployments[0].RolloutState != types.DeploymentRolloutStateInProgress {
		t.Fatalf("39 s after RUNNING the deployment is %s, want IN_PROGRESS", s.Deployments[0].RolloutState)
	}
	em.Advance(2 * time.Second)
	if s := describeService(t, client, "default", "web"); s.Deployments[0].RolloutState != types.DeploymentRolloutStateCompleted {
		t.Fatalf("41 s after RUNNING the deployment is %s, want COMPLETED", s.Deployments[0].RolloutState)
	}
}
