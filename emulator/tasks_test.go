package emulator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

func TestTaskLifecycleTimestampsAndListing(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	task := runOne(t, em, client, "app:1", 2*time.Minute, false)
	if aws.ToString(task.LastStatus) != "RUNNING" || task.PullStartedAt == nil || task.PullStoppedAt == nil ||
		task.StartedAt == nil || !task.StartedAt.After(*task.PullStoppedAt) || !task.PullStartedAt.After(*task.CreatedAt) {
		t.Fatalf("running task timestamps: created %v pull %v-%v started %v", task.CreatedAt, task.PullStartedAt, task.PullStoppedAt, task.StartedAt)
	}
	if len(task.Attachments) != 1 || task.AvailabilityZone == nil || aws.ToString(task.Group) != "family:job" {
		t.Fatalf("task: %+v", task)
	}
	list := func(in *ecs.ListTasksInput) int {
		out, err := client.ListTasks(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return len(out.TaskArns)
	}
	if n := list(&ecs.ListTasksInput{}); n != 1 {
		t.Fatalf("default RUNNING listing: %d", n)
	}
	if n := list(&ecs.ListTasksInput{Family: aws.String("other")}); n != 0 {
		t.Fatalf("family filter: %d", n)
	}
	if n := list(&ecs.ListTasksInput{DesiredStatus: types.DesiredStatusPending}); n != 0 {
		t.Fatalf("PENDING matches nothing: %d", n)
	}
	if _, err := client.StopTask(ctx, &ecs.StopTaskInput{Task: task.TaskArn, Reason: aws.String("maintenance")}); err != nil {
		t.Fatal(err)
	}
	if n := list(&ecs.ListTasksInput{}); n != 0 {
		t.Fatalf("a stopping task is listed only under STOPPED: %d", n)
	}
	if n := list(&ecs.ListTasksInput{DesiredStatus: types.DesiredStatusStopped, LaunchType: types.LaunchTypeFargate}); n != 1 {
		t.Fatalf("stopped listing: %d", n)
	}
	em.Advance(time.Minute)
	desc, _ := client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{aws.ToString(task.TaskArn)}})
	got := desc.Tasks[0]
	if aws.ToString(got.StoppedReason) != "maintenance" || got.StopCode != types.TaskStopCodeUserInitiated ||
		got.StoppingAt == nil || got.ExecutionStoppedAt == nil || got.StoppedAt == nil || aws.ToInt32(got.Containers[0].ExitCode) != 143 {
		t.Fatalf("stopped task: %+v", got)
	}
	em.Advance(61 * time.Minute)
	desc, _ = client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{aws.ToString(task.TaskArn)}})
	if len(desc.Tasks) != 0 || len(desc.Failures) != 1 || aws.ToString(desc.Failures[0].Reason) != "MISSING" {
		t.Fatalf("an hour after stopping the task should be gone: %+v", desc)
	}
}

func TestContainerLogsFollowScenario(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "talker", Logs: []string{"one", "two", "three"}, ExitCode: intp(0), ExitAfter: secs(1)}}}); err != nil {
		t.Fatal(err)
	}
	task := runOne(t, em, client, "talker", 2*time.Minute, false)
	logs := em.ContainerLogs("us-east-1")
	if len(logs) != 1 || logs[0].TaskARN != aws.ToString(task.TaskArn) || logs[0].Container != "app" {
		t.Fatalf("logs: %+v", logs)
	}
	// The container exited one second after it started: it printed two lines.
	if len(logs[0].Lines) != 2 || logs[0].Lines[0].Message != "one" || logs[0].Lines[1].Time.Sub(logs[0].Lines[0].Time) != time.Second {
		t.Fatalf("lines: %+v", logs[0].Lines)
	}
}

func TestDeleteServiceDrainsThenGoesInactive(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	createFargateService(t, em, client, "web:1", 2, false)
	if _, err := client.DeleteService(ctx, &ecs.DeleteServiceInput{Service: aws.String("web")}); apiCode(err) != "InvalidParameterException" {
		t.Fatalf("delete without force while scaled up: %v", err)
	}
	out, err := client.DeleteService(ctx, &ecs.DeleteServiceInput{Service: aws.String("web"), Force: aws.Bool(true)})
	if err != nil || aws.ToString(out.Service.Status) != "DRAINING" {
		t.Fatalf("delete: %v %+v", err, out)
	}
	if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), DesiredCount: aws.Int32(1)}); apiCode(err) != "ServiceNotActiveException" {
		t.Fatalf("update while draining: %v", err)
	}
	em.Advance(time.Minute)
	if svc := describeService(t, client, "default", "web"); aws.ToString(svc.Status) != "INACTIVE" {
		t.Fatalf("status %s", aws.ToString(svc.Status))
	}
	list, _ := client.ListServices(ctx, &ecs.ListServicesInput{})
	if len(list.ServiceArns) != 0 {
		t.Fatalf("inactive services are not listed: %v", list.ServiceArns)
	}
}

func TestEventsKeepNewestHundred(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	createFargateService(t, em, client, "web:1", 1, false)
	for i := 0; i < 60; i++ {
		if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), ForceNewDeployment: true}); err != nil {
			t.Fatal(err)
		}
		em.Advance(90 * time.Second)
	}
	svc := describeService(t, client, "default", "web")
	if len(svc.Events) != 100 {
		t.Fatalf("%d events, want the newest 100", len(svc.Events))
	}
	for i := 1; i < len(svc.Events); i++ {
		if svc.Events[i].CreatedAt.After(*svc.Events[i-1].CreatedAt) {
			t.Fatalf("events not newest first at %d", i)
		}
	}
	if msg := aws.ToString(svc.Events[0].Message); msg != fmt.Sprintf("(service %s) has reached a steady state.", "web") {
		t.Fatalf("newest event %q", msg)
	}
}

func TestListTasksStartedByMustBeTheOnlyFilter(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	runOne(t, em, client, "app:1", time.Minute, false)
	_, err := client.ListTasks(ctx, &ecs.ListTasksInput{StartedBy: aws.String("me"), Family: aws.String("job")})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) || !strings.Contains(ipe.ErrorMessage(), "family") {
		t.Fatalf("startedBy with family: %v, want InvalidParameterException naming family", err)
	}
	// cluster and desiredStatus are not filters of the task set.
	out, err := client.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("default"), StartedBy: aws.String("me"),
		DesiredStatus: types.DesiredStatusStopped})
	if err != nil || len(out.TaskArns) != 0 {
		t.Fatalf("startedBy with desiredStatus: %v %v", err, out)
	}
}

// TestRunTaskClientTokenMakesItSafeToRetry: RunTask repeated with the same
// clientToken and input (an SDK retry after a lost reply) starts nothing
// more and answers the same tasks; with another input it is a conflict.
func TestRunTaskClientTokenMakesItSafeToRetry(t *testing.T) {
	em, client := newTestEmulator(t)
	createFargateService(t, em, client, "web:1", 1, false)
	ctx := context.Background()
	in := &ecs.RunTaskInput{TaskDefinition: aws.String("web"), LaunchType: types.LaunchTypeFargate, Count: aws.Int32(2),
		NetworkConfiguration: awsvpc("subnet-1"), ClientToken: aws.String("run-1234")}
	first, err := client.RunTask(ctx, in)
	if err != nil || len(first.Tasks) != 2 {
		t.Fatalf("first: %v %+v", err, first)
	}
	again, err := client.RunTask(ctx, in)
	if err != nil || len(again.Tasks) != 2 || aws.ToString(again.Tasks[0].TaskArn) != aws.ToString(first.Tasks[0].TaskArn) {
		t.Fatalf("repeated: %v %+v", err, again)
	}
	list, _ := client.ListTasks(ctx, &ecs.ListTasksInput{StartedBy: nil, Family: aws.String("web")})
	if n := len(list.TaskArns); n != 3 { // the service's task and the two run
		t.Fatalf("%d tasks of family web, want 3: the repeated call started more", n)
	}
	other := *in
	other.Count = aws.Int32(1)
	if _, err := client.RunTask(ctx, &other); apiCode(err) != "ConflictException" {
		t.Fatalf("same token, other input: %v, want ConflictException", err)
	}
	bad := *in
	bad.ClientToken = aws.String("has space")
	if _, err := client.RunTask(ctx, &bad); apiCode(err) != "InvalidParameterException" {
		t.Fatalf("token with a space: %v", err)
	}
}
