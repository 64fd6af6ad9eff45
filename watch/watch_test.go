package watch

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ecsdeploy/ecsdeploy/progress"
)

// recorder keeps every event reported.
type recorder struct{ events []progress.Event }

func (r *recorder) Report(e progress.Event) { r.events = append(r.events, e) }

func (r *recorder) messages() []string {
	var out []string
	for _, e := range r.events {
		if se, ok := e.(progress.ServiceEvent); ok {
			out = append(out, se.Message)
		}
	}
	return out
}

func fastOptions(rep progress.Reporter) Options {
	return Options{Interval: time.Millisecond, TaskInterval: time.Millisecond, Reporter: rep, Timeout: 5 * time.Second}
}

var ourTarget = Target{Cluster: "c", Service: "web", DeploymentID: "ecs-svc/2", TaskDefinition: newTD}

func TestWaitSucceedsOnOurCompletedDeploymentAndReportsOnlyNewEvents(t *testing.T) {
	inProgress := service(true, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateInProgress, 2, 1, 0), dep("ecs-svc/1", "ACTIVE", oldTD, types.DeploymentRolloutStateCompleted, 2, 2, 0))
	done := service(true, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateCompleted, 2, 2, 0))
	older := event("e0", t0.Add(-time.Hour), "(service web) has reached a steady state.")
	started := event("e1", t0.Add(61*time.Second), "(service web) has started 1 tasks: (task a).")
	steady := event("e2", t0.Add(90*time.Second), "(service web) has reached a steady state.")
	f := &fakeECS{script: []step{
		{svc: withEvents(inProgress, older)},
		{svc: withEvents(inProgress, started, older)},
		{svc: withEvents(done, steady, started, older)},
	}}
	rec := &recorder{}
	res, err := Wait(context.Background(), f, ourTarget, fastOptions(rec))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != progress.Succeeded || res.Diagnosis != nil {
		t.Fatalf("outcome %q (%s), diagnosis %v", res.Outcome, res.Reason, res.Diagnosis)
	}
	got := strings.Join(rec.messages(), "|")
	want := *started.Message + "|" + *steady.Message
	if got != want {
		t.Fatalf("service events reported %q, want %q (only those since our deployment began, in order)", got, want)
	}
	last, ok := rec.events[len(rec.events)-1].(progress.Verdict)
	if !ok || last.Outcome != progress.Succeeded || last.DeploymentID != "ecs-svc/2" {
		t.Fatalf("last event %#v is not our success verdict", rec.events[len(rec.events)-1])
	}
}

func TestWaitRidesOutThrottling(t *testing.T) {
	done := service(true, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateCompleted, 1, 1, 0))
	f := &fakeECS{script: []step{{err: throttle()}, {err: throttle()}, {err: throttle()}, {svc: done}}}
	rec := &recorder{}
	res, err := Wait(context.Background(), f, ourTarget, fastOptions(rec))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != progress.Succeeded || res.Throttled != 3 {
		t.Fatalf("outcome %q, throttled %d; want succeeded after 3 throttles", res.Outcome, res.Throttled)
	}
	var backoffs []time.Duration
	for _, e := range rec.events {
		if th, ok := e.(progress.Throttled); ok {
			backoffs = append(backoffs, th.Interval)
		}
	}
	if len(backoffs) != 3 || !(backoffs[0] < backoffs[1] && backoffs[1] < backoffs[2]) {
		t.Fatalf("backoff intervals %v should grow", backoffs)
	}
}

func TestWaitReturnsNonTransientErrors(t *testing.T) {
	f := &fakeECS{script: []step{{err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}}}}
	_, err := Wait(context.Background(), f, ourTarget, fastOptions(nil))
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "AccessDeniedException" {
		t.Fatalf("err = %v, want the AccessDeniedException", err)
	}
}

func TestWaitTimesOutWithState(t *testing.T) {
	stuck := service(true, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateInProgress, 3, 1, 0), dep("ecs-svc/1", "ACTIVE", oldTD, types.DeploymentRolloutStateCompleted, 3, 3, 0))
	f := &fakeECS{script: []step{{svc: stuck}}}
	opts := fastOptions(nil)
	opts.Timeout = 30 * time.Millisecond
	res, err := Wait(context.Background(), f, ourTarget, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != progress.TimedOut || !strings.Contains(res.Reason, "1 of 3 tasks running") || res.Diagnosis == nil {
		t.Fatalf("outcome %q reason %q diagnosis %v", res.Outcome, res.Reason, res.Diagnosis)
	}
}

func TestWaitFailsOnRepeatedTaskFailuresAndDiagnosesOnlyOurTasks(t *testing.T) {
	running := service(false, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateInProgress, 2, 0, 0), dep("ecs-svc/1", "ACTIVE", oldTD, types.DeploymentRolloutStateCompleted, 2, 2, 0))
	f := &fakeECS{script: []step{{svc: running}}}
	f.tasks = []types.Task{
		stoppedTask("a1", "ecs-svc/2", "EssentialContainerExited", "Essential container in task exited", "app", 1, ""),
		stoppedTask("a2", "ecs-svc/2", "EssentialContainerExited", "Essential container in task exited", "app", 137, "OutOfMemoryError: Container killed due to memory usage"),
		stoppedTask("a3", "ecs-svc/2", "TaskFailedToStart", "CannotPullContainerError: pull image manifest has been retried 5 time(s)", "app", 0, ""),
		stoppedTask("old", "ecs-svc/1", "EssentialContainerExited", "Essential container in task exited", "app", 2, "should not be diagnosed"),
	}
	res, err := Wait(context.Background(), f, ourTarget, fastOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != progress.Failed || !strings.Contains(res.Reason, "3 tasks") {
		t.Fatalf("outcome %q reason %q", res.Outcome, res.Reason)
	}
	if len(res.Diagnosis.StoppedTasks) != 3 {
		t.Fatalf("diagnosed %d stopped tasks, want our 3", len(res.Diagnosis.StoppedTasks))
	}
	text := strings.Join(res.Diagnosis.Lines(), "\n")
	for _, want := range []string{"exit 137", "OutOfMemoryError", "CannotPullContainerError", "hint: the image could not be pulled", "hint: a container ran out of memory"} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnosis lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "should not be diagnosed") {
		t.Errorf("diagnosis includes another deployment's task:\n%s", text)
	}
}

func TestWaitPlacementFailure(t *testing.T) {
	svc := service(true, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateInProgress, 2, 0, 0), dep("ecs-svc/1", "ACTIVE", oldTD, types.DeploymentRolloutStateCompleted, 2, 2, 0))
	svc = withEvents(svc, event("p1", t0.Add(70*time.Second), "(service web) was unable to place a task because no container instance met all of its requirements."))
	f := &fakeECS{script: []step{{svc: svc}}}
	opts := fastOptions(nil)
	opts.PlacementGrace = 10 * time.Millisecond
	res, err := Wait(context.Background(), f, ourTarget, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != progress.Failed || !strings.Contains(res.Reason, "cannot be placed") {
		t.Fatalf("outcome %q reason %q", res.Outcome, res.Reason)
	}
	if h := strings.Join(res.Diagnosis.Hints, "\n"); !strings.Contains(h, "no capacity") {
		t.Fatalf("hints %q lack the capacity hint", h)
	}
}

func TestWaitBacksOffWhenIdle(t *testing.T) {
	stuck := service(true, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateInProgress, 3, 1, 0))
	f := &fakeECS{script: []step{{svc: stuck}}}
	opts := Options{Interval: 10 * time.Millisecond, IdleInterval: 40 * time.Millisecond, Timeout: 400 * time.Millisecond}
	res, err := Wait(context.Background(), f, ourTarget, opts)
	if err != nil {
		t.Fatal(err)
	}
	// At a constant 10 ms there would be ~40 polls; idling at 40 ms after 3
	// unchanged polls leaves about 12.
	if res.Polls > 20 {
		t.Fatalf("%d polls in 400 ms: the idle interval did not apply", res.Polls)
	}
}

func TestWaitJudgesTheServiceEvenWhenTaskListingsAreThrottled(t *testing.T) {
	going := service(true, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateInProgress, 2, 1, 0))
	done := service(true, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateCompleted, 2, 2, 0))
	// Every poll after the first lists tasks (they change, and TaskInterval
	// is 1 ms), and the first four listings are throttled. Success needs one
	// listing of our stopped tasks, so it comes once a listing goes through.
	f := &fakeECS{script: []step{{svc: going}, {svc: going}, {svc: done}}, listErr: throttle(), listErrs: 4}
	opts := fastOptions(nil)
	opts.Timeout = 5 * time.Second
	res, err := Wait(context.Background(), f, ourTarget, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != progress.Succeeded || len(f.listed) <= 4 {
		t.Fatalf("outcome %q (%s), %d listings: a throttled task listing must not hide the verdict", res.Outcome, res.Reason, len(f.listed))
	}
}

func TestWaitFailsACompletedRolloutWhoseTaskDiedAfterRunning(t *testing.T) {
	// No circuit breaker; a task of ours ran, passed, and was then killed
	// for memory. ECS's failedTasks stays 0 and the rollout reaches COMPLETED
	// with its replacement running: the first poll already shows it.
	done := service(false, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateCompleted, 4, 4, 0))
	f := &fakeECS{script: []step{{svc: done}}}
	f.tasks = []types.Task{stoppedTask("k1", "ecs-svc/2", "EssentialContainerExited", "Essential container in task exited", "app", 137, "OutOfMemoryError: Container killed due to memory usage")}
	res, err := Wait(context.Background(), f, ourTarget, fastOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != progress.Failed || !strings.Contains(res.Reason, "1 task of this deployment stopped for a failure") {
		t.Fatalf("outcome %q (%s); want a failure naming the dead task", res.Outcome, res.Reason)
	}
	if res.Diagnosis == nil || len(res.Diagnosis.StoppedTasks) != 1 || !strings.Contains(strings.Join(res.Diagnosis.Hints, " "), "out of memory") {
		t.Fatalf("diagnosis %+v lacks the dead task and its hint", res.Diagnosis)
	}
	if f.calls != 1 {
		t.Fatalf("%d DescribeServices calls; the verdict needs one poll and one task listing, not faster polling", f.calls)
	}
}

func TestWaitStableForFailsWhenOurTaskStopsAfterTheVerdict(t *testing.T) {
	done := service(false, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateCompleted, 2, 2, 0))
	f := &fakeECS{script: []step{{svc: done}}}
	opts := fastOptions(nil)
	opts.StableFor = 200 * time.Millisecond
	var once sync.Once
	// The task dies after the verdict: the fake's task list gains it on the
	// third DescribeServices call.
	f.onDescribe = func(n int) {
		if n == 3 {
			once.Do(func() {
				f.tasks = append(f.tasks, stoppedTask("d1", "ecs-svc/2", "EssentialContainerExited", "Essential container in task exited", "app", 1, ""))
			})
		}
	}
	res, err := Wait(context.Background(), f, ourTarget, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != progress.Failed || !strings.Contains(res.Reason, "within 200ms of the verdict") || !strings.Contains(res.Reason, "stopped for a failure") {
		t.Fatalf("outcome %q (%s); want a failure during the stable period", res.Outcome, res.Reason)
	}

	quiet := &fakeECS{script: []step{{svc: done}}}
	start := time.Now()
	res, err = Wait(context.Background(), quiet, ourTarget, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != progress.Succeeded || !strings.Contains(res.Reason, "stable for 200ms") || time.Since(start) < opts.StableFor || quiet.calls < 3 {
		t.Fatalf("outcome %q (%s) after %s and %d polls; want success after watching 200ms", res.Outcome, res.Reason, time.Since(start), quiet.calls)
	}
}

func TestWaitRetriesServerFaultsWithAWarning(t *testing.T) {
	done := service(true, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateCompleted, 1, 1, 0))
	f := &fakeECS{script: []step{{err: &smithy.GenericAPIError{Code: "ServerException", Message: "Service unavailable"}}, {svc: done}}}
	rec := &recorder{}
	res, err := Wait(context.Background(), f, ourTarget, fastOptions(rec))
	if err != nil || res.Outcome != progress.Succeeded || res.Throttled != 0 {
		t.Fatalf("err %v, result %+v", err, res)
	}
	var warned bool
	for _, e := range rec.events {
		if w, ok := e.(progress.Warning); ok && strings.Contains(w.Message, "ServerException") {
			warned = true
		}
	}
	if !warned {
		t.Fatalf("the server fault was not reported")
	}
}

// ECS can fail our deployment, roll back and finish the rollback between two
// polls: the next poll shows only the completed rollback deployment, whose
// reason no longer says "rolling back". The wait must still fail, name the
// circuit breaker (not "replaced by"), and report rolloutState FAILED rather
// than the IN_PROGRESS it last saw.
func TestWaitRollbackCompletedBetweenTwoPollsIsAFailure(t *testing.T) {
	inProgress := service(true, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateInProgress, 2, 0, 0),
		dep("ecs-svc/1", "ACTIVE", oldTD, types.DeploymentRolloutStateCompleted, 2, 2, 0))
	rolledBack := dep("ecs-svc/3", "PRIMARY", oldTD, types.DeploymentRolloutStateCompleted, 2, 2, 0)
	rolledBack.RolloutStateReason = aws.String("ECS deployment ecs-svc/3 completed.")
	after := withEvents(service(true, rolledBack),
		event("e4", t0.Add(95*time.Second), "(service web) (deployment ecs-svc/3) deployment completed."),
		event("e3", t0.Add(90*time.Second), "(service web) (deployment ecs-svc/2) deployment failed: tasks failed to start."),
		event("e2", t0.Add(90*time.Second), "(service web) rolling back to deployment ecs-svc/1."))
	f := &fakeECS{script: []step{{svc: inProgress}, {svc: after}}}
	rec := &recorder{}
	res, err := Wait(context.Background(), f, ourTarget, fastOptions(rec))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != progress.Failed {
		t.Fatalf("outcome %q (%s): a circuit-breaker rollback is never a success", res.Outcome, res.Reason)
	}
	if want := "the deployment circuit breaker failed it (tasks failed to start); ECS rolled the service back to web:1 (deployment ecs-svc/3)"; res.Reason != want {
		t.Fatalf("reason %q, want %q", res.Reason, want)
	}
	if res.RolloutState != "FAILED" || res.RolloutStateReason != "tasks failed to start" || res.RollbackDeploymentID != "ecs-svc/3" || res.ReplacedBy != "" {
		t.Fatalf("rolloutState %q (%q), rollback %q, replacedBy %q", res.RolloutState, res.RolloutStateReason, res.RollbackDeploymentID, res.ReplacedBy)
	}
	// Our deployment left the list; its last line must not pass the stale
	// IN_PROGRESS off as its current state.
	for _, e := range rec.events {
		if d, ok := e.(progress.DeploymentChanged); ok && d.Deployment.ID == "ecs-svc/2" && d.Deployment.Status == progress.Gone {
			if line := progress.DescribeDeployment(d.Deployment); !strings.Contains(line, "no longer listed") || strings.Contains(line, " GONE ") {
				t.Fatalf("gone deployment rendered as %q", line)
			}
			return
		}
	}
	t.Fatal("our deployment leaving the service was not reported")
}

// Waits that share an EventLog (a deploy's own wait, then its rollback's)
// report each service event once between them; the second still diagnoses
// with every event since its deployment began.
func TestWaitsSharingAnEventLogReportEachEventOnce(t *testing.T) {
	started := event("e1", t0.Add(61*time.Second), "(service web) has started 1 tasks: (task a).")
	done := withEvents(service(true, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateCompleted, 2, 2, 0)), started)
	failed := withEvents(service(true, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateFailed, 2, 0, 2)), started)
	log := &EventLog{}
	first, second := &recorder{}, &recorder{}
	opts := fastOptions(first)
	opts.Events = log
	if _, err := Wait(context.Background(), &fakeECS{script: []step{{svc: done}}}, ourTarget, opts); err != nil {
		t.Fatal(err)
	}
	opts.Reporter = second
	res, err := Wait(context.Background(), &fakeECS{script: []step{{svc: failed}}}, ourTarget, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(first.messages()) + len(second.messages()); got != 1 || len(first.messages()) != 1 {
		t.Fatalf("event reported by the first wait %v and the second %v; want once, by the first", first.messages(), second.messages())
	}
	if res.Diagnosis == nil || len(res.Diagnosis.Events) != 1 {
		t.Fatalf("the second wait's diagnosis lost the event: %+v", res.Diagnosis)
	}
}

func TestWaitDiagnosesTasksStillBeingStoppedAtTheVerdict(t *testing.T) {
	// A pull failure fails fast: at the breaker's verdict our tasks are
	// still DEPROVISIONING, with their stop code and reason already set.
	failed := dep("ecs-svc/2", "ACTIVE", newTD, types.DeploymentRolloutStateFailed, 2, 0, 3)
	failed.RolloutStateReason = aws.String("ECS deployment circuit breaker: tasks failed to start.")
	rollback := dep("ecs-svc/3", "PRIMARY", oldTD, types.DeploymentRolloutStateInProgress, 2, 2, 0)
	rollback.RolloutStateReason = aws.String("ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1")
	f := &fakeECS{script: []step{{svc: service(true, rollback, failed)}}}
	pulling := stoppedTask("p1", "ecs-svc/2", "TaskFailedToStart", "CannotPullContainerError: pull image manifest has been retried 5 time(s): manifest unknown", "app", 0, "")
	pulling.LastStatus = aws.String("DEPROVISIONING")
	pulling.StoppedAt = nil
	f.tasks = []types.Task{pulling}
	res, err := Wait(context.Background(), f, ourTarget, fastOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != progress.Failed || res.Diagnosis == nil {
		t.Fatalf("outcome %q, diagnosis %v", res.Outcome, res.Diagnosis)
	}
	if len(res.Diagnosis.StoppedTasks) != 1 {
		t.Fatalf("diagnosed %d stopped tasks, want the DEPROVISIONING one with its stop code", len(res.Diagnosis.StoppedTasks))
	}
	text := strings.Join(res.Diagnosis.Lines(), "\n")
	for _, want := range []string{"CannotPullContainerError", "hint: the image could not be pulled"} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnosis lacks %q:\n%s", want, text)
		}
	}
}

func TestWaitRidesOutDroppedConnections(t *testing.T) {
	done := service(true, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateCompleted, 1, 1, 0))
	reset := &smithyhttp.RequestSendError{Err: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}}
	cut := &smithy.DeserializationError{Err: io.ErrUnexpectedEOF}
	f := &fakeECS{script: []step{{err: reset}, {err: reset}, {err: cut}, {svc: done}}}
	res, err := Wait(context.Background(), f, ourTarget, fastOptions(nil))
	if err != nil {
		t.Fatalf("dropped connections ended the wait: %v", err)
	}
	if res.Outcome != progress.Succeeded {
		t.Fatalf("outcome %q (%s)", res.Outcome, res.Reason)
	}
}
