package watch

import (
	"strings"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/progress"
)

func TestHintsRecogniseCommonCauses(t *testing.T) {
	cases := []struct {
		name    string
		task    progress.Task
		event   string
		hint    string
		notHint string
	}{
		{name: "image pull", task: progress.Task{LastStatus: "STOPPED", StopCode: "TaskFailedToStart",
			StoppedReason: "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref"}, hint: "could not be pulled"},
		{name: "out of memory", task: progress.Task{LastStatus: "STOPPED", StopCode: "EssentialContainerExited",
			Containers: []progress.Container{{Name: "app", ExitCode: exitCode(137), Reason: "OutOfMemoryError: Container killed due to memory usage"}}}, hint: "out of memory"},
		{name: "health check", task: progress.Task{LastStatus: "STOPPED", StopCode: "ServiceSchedulerInitiated",
			StoppedReason: "Task failed container health checks"}, hint: "health checks"},
		{name: "no capacity", event: "(service web) was unable to place a task because no container instance met all of its requirements.", hint: "no capacity"},
		{name: "execution role", task: progress.Task{LastStatus: "STOPPED", StopCode: "TaskFailedToStart",
			StoppedReason: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed"}, hint: "execution role", notHint: "could not be pulled"},
		{name: "plain crash", task: progress.Task{LastStatus: "STOPPED", StopCode: "EssentialContainerExited", StoppedReason: "Essential container in task exited",
			Containers: []progress.Container{{Name: "app", ExitCode: exitCode(1)}}}, hint: "essential container exited", notHint: "memory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tasks []progress.Task
			if c.task.LastStatus != "" {
				tasks = append(tasks, c.task)
			}
			var events []progress.ServiceEvent
			if c.event != "" {
				events = append(events, progress.ServiceEvent{At: time.Now(), Message: c.event})
			}
			hints := strings.Join(diagnose(tasks, events).Hints, "\n")
			if !strings.Contains(hints, c.hint) {
				t.Errorf("hints %q lack %q", hints, c.hint)
			}
			if c.notHint != "" && strings.Contains(hints, c.notHint) {
				t.Errorf("hints %q wrongly mention %q", hints, c.notHint)
			}
		})
	}
}

func TestEventsAreDeduplicatedIgnoringTaskIDs(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	events := []progress.ServiceEvent{
		{At: t0, Message: "(service web) has started 1 tasks: (task a)."},
		{At: t0.Add(time.Minute), Message: "(service web) has started 1 tasks: (task b)."},
		{At: t0.Add(2 * time.Minute), Message: "(service web) has reached a steady state."},
	}
	got := summarizeEvents(events)
	if len(got) != 2 || got[0].Count != 2 || got[1].Count != 1 {
		t.Fatalf("summary %+v", got)
	}
}

func exitCode(n int32) *int32 { return &n }
