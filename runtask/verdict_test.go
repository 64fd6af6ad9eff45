package runtask

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func container(name string, code int32, reason string) types.Container {
	c := types.Container{Name: aws.String(name), LastStatus: aws.String("STOPPED"), ExitCode: aws.Int32(code)}
	if reason != "" {
		c.Reason = aws.String(reason)
	}
	return c
}

func noExit(name, reason string) types.Container {
	return types.Container{Name: aws.String(name), LastStatus: aws.String("STOPPED"), Reason: aws.String(reason)}
}

func stoppedTask(started bool, code types.TaskStopCode, reason string, cs ...types.Container) types.Task {
	t := types.Task{TaskArn: aws.String("arn:aws:ecs:us-east-1:123456789012:task/default/abc123"),
		LastStatus: aws.String("STOPPED"), StopCode: code, StoppedReason: aws.String(reason), Containers: cs}
	if started {
		t.StartedAt = aws.Time(time.Unix(1700000000, 0))
	}
	return t
}

func TestJudge(t *testing.T) {
	essential := map[string]bool{"app": true, "sidecar": false, "proxy": true}
	tests := []struct {
		name          string
		task          types.Task
		from          string
		wantOutcome   Outcome
		wantCode      int
		wantContainer string
		wantInMessage string
	}{
		{"success", stoppedTask(true, types.TaskStopCodeEssentialContainerExited, "Essential container in task exited",
			container("app", 0, ""), container("sidecar", 0, ""), container("proxy", 143, "")),
			"", Succeeded, 0, "app", "exited 0"},
		{"exit code 42 propagates", stoppedTask(true, types.TaskStopCodeEssentialContainerExited, "Essential container in task exited",
			container("app", 42, ""), container("sidecar", 0, ""), container("proxy", 143, "")),
			"", Failed, 42, "app", "exited 42"},
		{"failing non-essential sidecar does not fail the run", stoppedTask(true, types.TaskStopCodeEssentialContainerExited, "",
			container("app", 0, ""), container("sidecar", 3, ""), container("proxy", 0, "")),
			"", Succeeded, 0, "app", ""},
		{"failing essential second container fails the run", stoppedTask(true, types.TaskStopCodeEssentialContainerExited, "",
			container("app", 0, ""), container("sidecar", 0, ""), container("proxy", 7, "")),
			"", Failed, 7, "proxy", "proxy exited 7"},
		{"SIGTERM of the others does not hide the real failure", stoppedTask(true, types.TaskStopCodeEssentialContainerExited, "",
			container("proxy", 143, ""), container("app", 1, "")),
			"", Failed, 1, "app", ""},
		{"out of memory counts as the container's own failure", stoppedTask(true, types.TaskStopCodeEssentialContainerExited, "",
			container("app", 137, "OutOfMemoryError: Container killed due to memory usage"), container("proxy", 143, "")),
			"", Failed, 137, "app", "OutOfMemoryError"},
		{"stopped by user: only signal codes", stoppedTask(true, types.TaskStopCodeUserInitiated, "Task stopped by user",
			container("app", 143, ""), container("proxy", 143, "")),
			"", Failed, 143, "app", ""},
		{"exit-code-from picks a non-essential container", stoppedTask(true, types.TaskStopCodeEssentialContainerExited, "",
			container("app", 0, ""), container("sidecar", 9, "")),
			"sidecar", Failed, 9, "sidecar", ""},
		{"exit-code-from a container that succeeded", stoppedTask(true, types.TaskStopCodeEssentialContainerExited, "",
			container("app", 1, ""), container("sidecar", 0, "")),
			"sidecar", Succeeded, 0, "sidecar", ""},
		{"pull failure never started", stoppedTask(false, types.TaskStopCodeTaskFailedToStart, "Task failed to start",
			noExit("app", "CannotPullContainerError: pull image manifest has been retried 5 time(s)"), noExit("proxy", "")),
			"", NotStarted, ExitNotStarted, "", "CannotPullContainerError"},
		{"never started with exit-code-from", stoppedTask(false, types.TaskStopCodeTaskFailedToStart, "Task failed to start",
			noExit("app", "ResourceInitializationError: unable to pull secrets")),
			"app", NotStarted, ExitNotStarted, "app", "ResourceInitializationError"},
		{"started but no essential exit code", stoppedTask(true, types.TaskStopCodeEssentialContainerExited, "Essential container in task exited",
			noExit("app", "lost"), container("sidecar", 0, "")),
			"", Failed, 1, "", "no essential container reported an exit code"},
		{"exit code that is not a process exit code", stoppedTask(true, types.TaskStopCodeEssentialContainerExited, "",
			container("app", 256, "")),
			"", Failed, 1, "app", "256"},
		{"container unknown to the task definition is essential", stoppedTask(true, types.TaskStopCodeEssentialContainerExited, "",
			container("extra", 5, "")),
			"", Failed, 5, "extra", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Judge(tt.task, essential, tt.from)
			if v.Outcome != tt.wantOutcome || v.ExitCode != tt.wantCode || v.Container != tt.wantContainer {
				t.Fatalf("Judge = %s exit %d by %q (%s); want %s exit %d by %q",
					v.Outcome, v.ExitCode, v.Container, v.Message, tt.wantOutcome, tt.wantCode, tt.wantContainer)
			}
			if !strings.Contains(v.Message, tt.wantInMessage) {
				t.Fatalf("message %q does not mention %q", v.Message, tt.wantInMessage)
			}
			if len(v.Containers) != len(tt.task.Containers) {
				t.Fatalf("verdict lists %d containers, task has %d", len(v.Containers), len(tt.task.Containers))
			}
		})
	}
}

func TestEssentialsDefaultsToTrue(t *testing.T) {
	td := &types.TaskDefinition{ContainerDefinitions: []types.ContainerDefinition{
		{Name: aws.String("a")},
		{Name: aws.String("b"), Essential: aws.Bool(false)},
		{Name: aws.String("c"), Essential: aws.Bool(true)},
	}}
	got := Essentials(td)
	if !got["a"] || got["b"] || !got["c"] {
		t.Fatalf("Essentials = %v", got)
	}
}

func TestCombine(t *testing.T) {
	ok := TaskVerdict{TaskARN: "arn/t1", Outcome: Succeeded, Message: "container app exited 0"}
	bad := TaskVerdict{TaskARN: "arn/t2", Outcome: Failed, ExitCode: 42, Message: "container app exited 42"}
	never := TaskVerdict{TaskARN: "arn/t3", Outcome: NotStarted, ExitCode: ExitNotStarted, Message: "task never started: x"}
	launch := []LaunchFailure{{Reason: "RESOURCE:MEMORY", Arn: "arn:instance"}}

	if r := Combine([]string{"arn/t1"}, []TaskVerdict{ok}, nil); r.ExitCode != 0 || r.Outcome != Succeeded {
		t.Fatalf("one success: %+v", r)
	}
	if r := Combine(nil, []TaskVerdict{ok, bad, never}, nil); r.ExitCode != 42 || !strings.Contains(r.Message, "t2") {
		t.Fatalf("first failure decides: %+v", r)
	}
	if r := Combine(nil, []TaskVerdict{ok, never, bad}, nil); r.ExitCode != ExitNotStarted {
		t.Fatalf("order decides: %+v", r)
	}
	r := Combine(nil, []TaskVerdict{ok}, launch)
	if r.ExitCode != ExitNotStarted || !strings.Contains(r.Message, "RESOURCE:MEMORY") {
		t.Fatalf("launch failure: %+v", r)
	}
	if r := Combine(nil, nil, nil); r.ExitCode != ExitNotStarted {
		t.Fatalf("nothing launched: %+v", r)
	}
	if err := Combine(nil, []TaskVerdict{bad}, nil).Err(); err == nil || !strings.Contains(err.Error(), "42") {
		t.Fatalf("Err = %v", err)
	}
	if err := Combine(nil, []TaskVerdict{ok}, nil).Err(); err != nil {
		t.Fatalf("success Err = %v", err)
	}
}

func TestTaskID(t *testing.T) {
	if got := TaskID("arn:aws:ecs:us-east-1:1:task/default/0123abcd"); got != "0123abcd" {
		t.Fatalf("TaskID = %q", got)
	}
	if got := TaskID("plain"); got != "plain" {
		t.Fatalf("TaskID = %q", got)
	}
}

// TestStartFailureReasonSaysEachReasonOnce: ECS often gives the task the
// reason of the container that failed; the message names it once, with the
// container.
func TestStartFailureReasonSaysEachReasonOnce(t *testing.T) {
	const pull = "CannotPullContainerError: pull access denied"
	v := Judge(stoppedTask(false, types.TaskStopCodeTaskFailedToStart, pull, noExit("app", pull), noExit("proxy", "")), nil, "")
	if v.Message != "task never started: app: "+pull {
		t.Fatalf("message %q", v.Message)
	}
	v = Judge(stoppedTask(false, types.TaskStopCodeTaskFailedToStart, "Task failed to start", noExit("app", pull)), nil, "")
	if v.Message != "task never started: Task failed to start; app: "+pull {
		t.Fatalf("a different task reason is kept: %q", v.Message)
	}
}
