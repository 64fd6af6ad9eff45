package emulator

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

func intp(v int) *int { return &v }

func secs(n int) scenario.Duration { return scenario.Duration(time.Duration(n) * time.Second) }

// runOne runs a standalone Fargate task of image and advances d.
func runOne(t *testing.T, em *Emulator, client *ecs.Client, image string, d time.Duration, healthCheck bool) types.Task {
	t.Helper()
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	def := types.ContainerDefinition{Name: aws.String("app"), Image: aws.String(image)}
	if healthCheck {
		def.HealthCheck = &types.HealthCheck{Command: []string{"CMD-SHELL", "true"}, Interval: aws.Int32(10), Retries: aws.Int32(2)}
	}
	td, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("job"), NetworkMode: types.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate}, ContainerDefinitions: []types.ContainerDefinition{def},
	})
	if err != nil {
		t.Fatal(err)
	}
	run, err := client.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: td.TaskDefinition.TaskDefinitionArn,
		LaunchType: types.LaunchTypeFargate, NetworkConfiguration: awsvpc("subnet-a")})
	if err != nil || len(run.Tasks) != 1 {
		t.Fatalf("run task: %v %+v", err, run)
	}
	if got := aws.ToString(run.Tasks[0].LastStatus); got != "PROVISIONING" {
		t.Fatalf("new task is %s, want PROVISIONING", got)
	}
	em.Advance(d)
	desc, err := client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{aws.ToString(run.Tasks[0].TaskArn)}})
	if err != nil || len(desc.Tasks) != 1 {
		t.Fatalf("describe: %v %+v", err, desc)
	}
	return desc.Tasks[0]
}

func TestCrashingContainerStopsTask(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "*:crash", ExitCode: intp(3), ExitAfter: secs(5)}}}); err != nil {
		t.Fatal(err)
	}
	task := runOne(t, em, client, "app:crash", 2*time.Minute, false)
	if aws.ToString(task.LastStatus) != "STOPPED" || task.StopCode != types.TaskStopCodeEssentialContainerExited ||
		aws.ToString(task.StoppedReason) != "Essential container in task exited" || aws.ToInt32(task.Containers[0].ExitCode) != 3 {
		t.Fatalf("task: %s %s %q exit %v", aws.ToString(task.LastStatus), task.StopCode, aws.ToString(task.StoppedReason), task.Containers[0].ExitCode)
	}
	if task.StartedAt == nil || task.StoppedAt == nil || !task.StoppedAt.After(*task.StartedAt) || task.ExecutionStoppedAt == nil {
		t.Fatalf("timestamps: started %v stopped %v", task.StartedAt, task.StoppedAt)
	}
}

func TestPullFailureFailsToStart(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "ghost:*", PullFailure: "pull access denied for ghost, repository does not exist"}}}); err != nil {
		t.Fatal(err)
	}
	task := runOne(t, em, client, "ghost:1", time.Minute, false)
	if task.StopCode != types.TaskStopCodeTaskFailedToStart || !strings.HasPrefix(aws.ToString(task.Containers[0].Reason), "CannotPullContainerError: ") {
		t.Fatalf("task: %s %q container reason %q", task.StopCode, aws.ToString(task.StoppedReason), aws.ToString(task.Containers[0].Reason))
	}
	if task.StartedAt != nil || task.Containers[0].ExitCode != nil {
		t.Fatalf("a task that never started has no startedAt or exit code: %v %v", task.StartedAt, task.Containers[0].ExitCode)
	}
}

func TestOutOfMemoryKill(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "hog", OOMAfter: secs(20)}}}); err != nil {
		t.Fatal(err)
	}
	task := runOne(t, em, client, "hog", 2*time.Minute, false)
	c := task.Containers[0]
	if aws.ToInt32(c.ExitCode) != 137 || aws.ToString(c.Reason) != "OutOfMemoryError: Container killed due to memory usage" ||
		task.StopCode != types.TaskStopCodeEssentialContainerExited {
		t.Fatalf("container: exit %v reason %q; task %s", c.ExitCode, aws.ToString(c.Reason), task.StopCode)
	}
}

func TestStandaloneTaskReportsUnhealthyButKeepsRunning(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "sick", Health: scenario.HealthUnhealthy}}}); err != nil {
		t.Fatal(err)
	}
	task := runOne(t, em, client, "sick", 2*time.Minute, true)
	if task.HealthStatus != types.HealthStatusUnhealthy || aws.ToString(task.LastStatus) != "RUNNING" {
		t.Fatalf("task: %s %s", task.HealthStatus, aws.ToString(task.LastStatus))
	}
}

func TestSIGKILLAfterStopTimeout(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "stubborn", IgnoreSIGTERM: true}}}); err != nil {
		t.Fatal(err)
	}
	task := runOne(t, em, client, "stubborn", time.Minute, false)
	ctx := context.Background()
	if _, err := client.StopTask(ctx, &ecs.StopTaskInput{Task: task.TaskArn}); err != nil {
		t.Fatal(err)
	}
	em.Advance(20 * time.Second)
	desc, _ := client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{aws.ToString(task.TaskArn)}})
	if got := aws.ToString(desc.Tasks[0].LastStatus); got != "STOPPING" {
		t.Fatalf("20s after StopTask the task is %s; it should wait for the 30s stopTimeout", got)
	}
	em.Advance(30 * time.Second)
	desc, _ = client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{aws.ToString(task.TaskArn)}})
	got := desc.Tasks[0]
	if aws.ToString(got.LastStatus) != "STOPPED" || aws.ToInt32(got.Containers[0].ExitCode) != 137 ||
		got.StopCode != types.TaskStopCodeUserInitiated || aws.ToString(got.StoppedReason) != "Task stopped by user" {
		t.Fatalf("task: %s exit %v %s %q", aws.ToString(got.LastStatus), got.Containers[0].ExitCode, got.StopCode, aws.ToString(got.StoppedReason))
	}
}

// createFargateService creates a service of image with the circuit breaker on and waits.
func createFargateService(t *testing.T, em *Emulator, client *ecs.Client, image string, desired int32, healthCheck bool) {
	t.Helper()
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerWebHC(t, client, image, healthCheck)
	_, err := client.CreateService(ctx, &ecs.CreateServiceInput{
		ServiceName: aws.String("web"), TaskDefinition: aws.String(td), DesiredCount: aws.Int32(desired),
		LaunchType: types.LaunchTypeFargate, NetworkConfiguration: awsvpc("subnet-1", "subnet-2"),
		DeploymentConfiguration: &types.DeploymentConfiguration{
			DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	em.Advance(3 * time.Minute)
}

func registerWebHC(t *testing.T, client *ecs.Client, image string, healthCheck bool) string {
	t.Helper()
	def := types.ContainerDefinition{Name: aws.String("web"), Image: aws.String(image)}
	if healthCheck {
		def.HealthCheck = &types.HealthCheck{Command: []string{"CMD-SHELL", "curl -f localhost"}, Interval: aws.Int32(10), Retries: aws.Int32(3)}
	}
	out, err := client.RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"), NetworkMode: types.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate}, ContainerDefinitions: []types.ContainerDefinition{def},
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

func TestCircuitBreakerRollsBackCrashingDeployment(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "*:bad", ExitCode: intp(1), ExitAfter: secs(3)}}}); err != nil {
		t.Fatal(err)
	}
	createFargateService(t, em, client, "web:good", 2, false)
	first := describeService(t, client, "default", "web").Deployments[0]
	if first.RolloutState != types.DeploymentRolloutStateCompleted {
		t.Fatalf("first deployment: %s", first.RolloutState)
	}
	bad := registerWebHC(t, client, "web:bad", false)
	up, err := client.UpdateService(context.Background(), &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(bad)})
	if err != nil {
		t.Fatal(err)
	}
	badID := aws.ToString(up.Service.Deployments[0].Id)
	var svc types.Service
	for i := 0; i < 60; i++ { // stop right after the breaker trips
		em.Advance(5 * time.Second)
		svc = describeService(t, client, "default", "web")
		if len(svc.Deployments) > 1 && svc.Deployments[1].RolloutState == types.DeploymentRolloutStateFailed {
			break
		}
	}
	if len(svc.Deployments) != 2 {
		t.Fatalf("after the breaker: deployments %+v; events %s", svc.Deployments, eventMessages(svc))
	}
	primary, failed := svc.Deployments[0], svc.Deployments[1]
	if aws.ToString(failed.Id) != badID || failed.RolloutState != types.DeploymentRolloutStateFailed ||
		aws.ToString(failed.Status) != "ACTIVE" || failed.FailedTasks < 3 {
		t.Fatalf("failed deployment: %s %s %s failed=%d", aws.ToString(failed.Id), aws.ToString(failed.Status), failed.RolloutState, failed.FailedTasks)
	}
	wantReason := "ECS deployment circuit breaker: rolling back to deploymentId " + aws.ToString(first.Id) + "."
	if aws.ToString(primary.RolloutStateReason) != wantReason || aws.ToString(primary.TaskDefinition) != aws.ToString(first.TaskDefinition) {
		t.Fatalf("rollback deployment: %q %s", aws.ToString(primary.RolloutStateReason), aws.ToString(primary.TaskDefinition))
	}
	events := eventMessages(svc)
	for _, want := range []string{
		"(service web) (deployment " + badID + ") deployment failed: tasks failed to start.",
		"(service web) rolling back to deployment " + aws.ToString(first.Id) + ".",
	} {
		if !strings.Contains(events, want) {
			t.Errorf("missing event %q in %s", want, events)
		}
	}
	em.Advance(5 * time.Minute)
	svc = describeService(t, client, "default", "web")
	if len(svc.Deployments) != 1 || svc.Deployments[0].RolloutState != types.DeploymentRolloutStateCompleted || svc.RunningCount != 2 {
		t.Fatalf("rollback did not complete: %+v", svc.Deployments)
	}
}

func TestFailingHealthChecksReplaceTasks(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "web:sick", Health: scenario.HealthUnhealthy}}}); err != nil {
		t.Fatal(err)
	}
	createFargateService(t, em, client, "web:good", 2, true)
	sick := registerWebHC(t, client, "web:sick", true)
	if _, err := client.UpdateService(context.Background(), &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(sick)}); err != nil {
		t.Fatal(err)
	}
	em.Advance(5 * time.Minute)
	svc := describeService(t, client, "default", "web")
	events := eventMessages(svc)
	if !strings.Contains(events, ") failed container health checks.") || !strings.Contains(events, "tasks due to an unhealthy status.") {
		t.Fatalf("no health-check events: %s", events)
	}
	stopped, err := client.ListTasks(context.Background(), &ecs.ListTasksInput{ServiceName: aws.String("web"), DesiredStatus: types.DesiredStatusStopped})
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := client.DescribeTasks(context.Background(), &ecs.DescribeTasksInput{Tasks: stopped.TaskArns})
	unhealthy := 0
	for _, task := range desc.Tasks {
		if aws.ToString(task.StoppedReason) == "Task failed container health checks" && task.HealthStatus == types.HealthStatusUnhealthy {
			unhealthy++
		}
	}
	if unhealthy == 0 {
		t.Fatalf("no task stopped for failed container health checks among %d stopped", len(desc.Tasks))
	}
	if svc.Deployments[0].RolloutState == types.DeploymentRolloutStateCompleted && aws.ToString(svc.Deployments[0].TaskDefinition) == sick {
		t.Fatalf("an unhealthy deployment must not complete")
	}
}

func TestNoCapacityEmitsUnablePlaceEvent(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Capacity: &scenario.Capacity{Zones: []scenario.Zone{{Name: "a", Instances: 1, CPU: 1024, Memory: 1024}}}}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerEC2(t, client, "big", "big:1") // 256 MiB each: 4 fit in 1 GiB
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("big"), TaskDefinition: aws.String(td), DesiredCount: aws.Int32(6)}); err != nil {
		t.Fatal(err)
	}
	em.Advance(2 * time.Minute)
	svc := describeService(t, client, "default", "big")
	if svc.RunningCount != 4 {
		t.Fatalf("running %d, want 4 (capacity for 4)", svc.RunningCount)
	}
	if msg := eventMessages(svc); !strings.Contains(msg, "was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ") ||
		!strings.Contains(msg, "has insufficient memory available.") {
		t.Fatalf("events: %s", msg)
	}
	run, err := client.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String(td)})
	if err != nil || len(run.Failures) != 1 || aws.ToString(run.Failures[0].Reason) != "RESOURCE:MEMORY" {
		t.Fatalf("run task on a full cluster: %v %+v", err, run)
	}
}

func TestCrashLoopWithoutBreakerBacksOff(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "*:bad", ExitCode: intp(1), ExitAfter: secs(1)}}}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerWebHC(t, client, "web:bad", false)
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String(td),
		DesiredCount: aws.Int32(1), LaunchType: types.LaunchTypeFargate, NetworkConfiguration: awsvpc("s-1")}); err != nil {
		t.Fatal(err)
	}
	em.Advance(20 * time.Minute)
	svc := describeService(t, client, "default", "web")
	if !strings.Contains(eventMessages(svc), "is unable to consistently start tasks successfully") {
		t.Fatalf("events: %s", eventMessages(svc))
	}
	stopped, _ := client.ListTasks(ctx, &ecs.ListTasksInput{DesiredStatus: types.DesiredStatusStopped, MaxResults: aws.Int32(100)})
	// Without backoff a task crashing ~35 s after launch would be replaced ~34 times in 20 minutes.
	if n := len(stopped.TaskArns); n < 5 || n > 15 {
		t.Fatalf("%d failed launches in 20 minutes; the backoff should space them out", n)
	}
	if svc.Deployments[0].RolloutState != types.DeploymentRolloutStateInProgress || svc.Deployments[0].FailedTasks < 5 {
		t.Fatalf("without a circuit breaker the deployment stays IN_PROGRESS: %+v", svc.Deployments[0])
	}
}

func TestStartFailureFailsToStart(t *testing.T) {
	em, client := newTestEmulator(t)
	reason := "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed"
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "needs-secret", StartFailure: reason}}}); err != nil {
		t.Fatal(err)
	}
	task := runOne(t, em, client, "needs-secret", time.Minute, false)
	if task.StopCode != types.TaskStopCodeTaskFailedToStart || aws.ToString(task.StoppedReason) != reason ||
		task.StartedAt != nil || aws.ToString(task.LastStatus) != "STOPPED" {
		t.Fatalf("task: %s %q started %v %s", task.StopCode, aws.ToString(task.StoppedReason), task.StartedAt, aws.ToString(task.LastStatus))
	}
}
