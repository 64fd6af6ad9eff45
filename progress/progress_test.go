package progress

import (
	"strings"
	"testing"
	"time"
)

var at = time.Date(2026, 11, 21, 10, 0, 5, 0, time.UTC)

func exit(n int32) *int32 { return &n }

func TestLinesOnePerEventWithUTCTimestamps(t *testing.T) {
	var b strings.Builder
	l := NewLines(&b)
	l.Report(Step{At: at, Message: "registered web:7"})
	l.Report(DeploymentChanged{At: at, Deployment: Deployment{ID: "ecs-svc/1", Status: "PRIMARY", Ours: true,
		TaskDefinition: "arn:aws:ecs:us-east-1:1:task-definition/web:7", RolloutState: "IN_PROGRESS", Desired: 3, Running: 1, Pending: 2}})
	l.Report(TaskChanged{At: at, Task: Task{ID: "abc", Ours: true, LastStatus: "STOPPED", StopCode: "EssentialContainerExited",
		StoppedReason: "Essential container in task exited", Containers: []Container{{Name: "app", ExitCode: exit(3), Reason: "boom"}}}})
	l.Report(Verdict{At: at, DeploymentID: "ecs-svc/1", Outcome: Failed, Reason: "rolloutState FAILED"})
	want := []string{
		"2026-11-21T10:00:05Z registered web:7",
		"2026-11-21T10:00:05Z deployment ecs-svc/1 (ours) PRIMARY web:7 IN_PROGRESS: desired 3, pending 2, running 1",
		"2026-11-21T10:00:05Z task abc (new) STOPPED EssentialContainerExited: Essential container in task exited; container app exit 3 (boom)",
		"2026-11-21T10:00:05Z deployment ecs-svc/1 failed: rolloutState FAILED",
	}
	if got := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLiveRedrawsItsBlockAndKeepsMilestonesAbove(t *testing.T) {
	var b strings.Builder
	now := at
	l := &Live{W: &b, Width: 60, Now: func() time.Time { return now }}
	l.Report(DeploymentChanged{At: at, Deployment: Deployment{ID: "ecs-svc/1", Status: "PRIMARY", Ours: true, TaskDefinition: "web:7", Desired: 2}})
	first := b.String()
	if strings.Contains(first, "\x1b[") {
		t.Fatalf("the first draw must not move the cursor: %q", first)
	}
	now = now.Add(3 * time.Second)
	l.Report(TaskChanged{At: at, Task: Task{ID: "0123456789abcdef", Ours: true, LastStatus: "RUNNING", HealthStatus: "HEALTHY"}})
	l.Report(Step{At: at, Message: "a milestone that stays in the scrollback"})
	l.Report(ServiceEvent{At: at, Message: strings.Repeat("x", 200)})
	out := b.String()
	for _, want := range []string{"\x1b[2A\x1b[J", "new tasks: 01234567 RUNNING/HEALTHY", "elapsed 3s", "a milestone that stays"} {
		if !strings.Contains(out, want) {
			t.Errorf("live output lacks %q:\n%q", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		clean := line[strings.LastIndex(line, "\x1b[J")+1:]
		if n := len([]rune(clean)); n > 60 {
			t.Errorf("line of %d columns would wrap and break the redraw: %q", n, clean)
		}
	}
	l.Report(Verdict{At: at, DeploymentID: "ecs-svc/1", Outcome: Succeeded, Reason: "done"})
	if !strings.HasSuffix(b.String(), "deployment ecs-svc/1 succeeded: done\n") {
		t.Fatalf("the verdict must end the output:\n%q", b.String())
	}
}

func TestMultiAndDiscard(t *testing.T) {
	var a, c []Event
	r := Multi(ReporterFunc(func(e Event) { a = append(a, e) }), nil, Discard, ReporterFunc(func(e Event) { c = append(c, e) }))
	r.Report(Warning{At: at, Message: "w"})
	if len(a) != 1 || len(c) != 1 {
		t.Fatalf("Multi delivered %d and %d events, want 1 each", len(a), len(c))
	}
}

func TestPolledMovesTheLiveClockAndPrintsNoLine(t *testing.T) {
	var lines strings.Builder
	NewLines(&lines).Report(Polled{At: at})
	if lines.Len() != 0 {
		t.Fatalf("Lines printed %q for a poll without change", lines.String())
	}
	var b strings.Builder
	now := at
	l := &Live{W: &b, Now: func() time.Time { return now }}
	l.Report(DeploymentChanged{At: at, Deployment: Deployment{ID: "ecs-svc/1", Status: "PRIMARY"}})
	now = now.Add(42 * time.Second)
	l.Report(Polled{At: now})
	if !strings.Contains(b.String(), "elapsed 42s") {
		t.Fatalf("the live view did not move its clock:\n%q", b.String())
	}
}

// Every line is stamped with the time it was observed, so a log reads in
// order even when ECS's clock runs ahead (the local ECS at a speed factor) or
// behind; a service event shows its own createdAt inline.
func TestLinesStampServiceEventsWhenSeenAndShowTheirOwnTime(t *testing.T) {
	var b strings.Builder
	l := NewLines(&b)
	ecsTime := at.Add(7 * time.Minute)
	l.Report(Step{At: at, Message: "updated service web"})
	l.Report(ServiceEvent{At: at.Add(time.Second), Created: ecsTime, Message: "(service web) has started 1 tasks: (task a)."})
	l.Report(DeploymentChanged{At: at.Add(2 * time.Second), Deployment: Deployment{ID: "ecs-svc/1", Status: Gone, Ours: true,
		TaskDefinition: "arn:aws:ecs:us-east-1:1:task-definition/web:7", RolloutState: "IN_PROGRESS", Desired: 3, Running: 1}})
	want := []string{
		"2026-11-21T10:00:05Z updated service web",
		"2026-11-21T10:00:06Z event (created 10:07:05Z): (service web) has started 1 tasks: (task a).",
		"2026-11-21T10:00:07Z deployment ecs-svc/1 (ours) web:7 is no longer listed by the service (last seen IN_PROGRESS, 1 of 3 running)",
	}
	if got := strings.TrimSuffix(b.String(), "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("lines:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}

	var live strings.Builder
	lv := &Live{W: &live, Width: 120, Now: func() time.Time { return at }}
	lv.Report(ServiceEvent{At: at, Created: ecsTime, Message: "(service web) has reached a steady state."})
	if wantLive := ecsTime.Local().Format("15:04:05") + " (service web) has reached a steady state."; !strings.Contains(live.String(), wantLive) {
		t.Fatalf("live view %q lacks the event with its own time %q", live.String(), wantLive)
	}
}

// Lines printed above the live block stay in the scrollback and are printed
// whole, however narrow the terminal: a stopped task's exit codes come last.
func TestLivePrintsStoppedTasksWhole(t *testing.T) {
	var b strings.Builder
	l := &Live{W: &b, Width: 60, Now: func() time.Time { return at }}
	l.Report(DeploymentChanged{At: at, Deployment: Deployment{ID: "ecs-svc/1", Status: "PRIMARY", Ours: true, TaskDefinition: "web:7", Desired: 2}})
	l.Report(TaskChanged{At: at, Task: Task{ID: "0123456789abcdef0123456789abcdef", Ours: true, LastStatus: "STOPPED",
		StopCode: "EssentialContainerExited", StoppedReason: "Essential container in task exited",
		Containers: []Container{{Name: "app", ExitCode: exit(3)}}}})
	if !strings.Contains(b.String(), "container app exit 3\n") {
		t.Fatalf("the stopped task's line was cut:\n%q", b.String())
	}
}

// While nothing changes, the CI log says every Heartbeat that the wait goes
// on, with our deployment's counts; polls print nothing in between.
func TestLinesHeartbeatWhileNothingChanges(t *testing.T) {
	var b strings.Builder
	l := NewLines(&b)
	l.Report(DeploymentChanged{At: at, Deployment: Deployment{ID: "ecs-svc/1", Status: "PRIMARY", Ours: true,
		TaskDefinition: "web:7", RolloutState: "IN_PROGRESS", Desired: 4, Running: 1, Pending: 3}})
	for s := 1; s <= 65; s++ {
		l.Report(Polled{At: at.Add(time.Duration(s) * time.Second)})
	}
	want := []string{
		"2026-11-21T10:00:05Z deployment ecs-svc/1 (ours) PRIMARY web:7 IN_PROGRESS: desired 4, pending 3, running 1",
		"2026-11-21T10:00:35Z still waiting for deployment ecs-svc/1: IN_PROGRESS, 1 of 4 running, 3 pending",
		"2026-11-21T10:01:05Z still waiting for deployment ecs-svc/1: IN_PROGRESS, 1 of 4 running, 3 pending",
	}
	if got := strings.TrimSuffix(b.String(), "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("lines:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}
