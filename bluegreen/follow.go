package bluegreen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// WaitUntil says how far a deploy follows a blue/green deployment before
// it returns.
type WaitUntil string

// How far to wait.
const (
	// UntilDone waits for the deployment's end: traffic shifted, the
	// termination wait (or bake time) over, the original tasks gone.
	UntilDone WaitUntil = "done"
	// UntilTrafficShifted returns once production traffic is on the
	// replacement tasks, before the termination wait ends.
	UntilTrafficShifted WaitUntil = "traffic-shifted"
	// UntilTestTraffic returns once the test listener reaches the
	// replacement tasks and its hooks passed, before production traffic moves.
	UntilTestTraffic WaitUntil = "test-traffic"
)

// ParseWaitUntil reads a --wait-until value.
func ParseWaitUntil(s string) (WaitUntil, error) {
	switch w := WaitUntil(s); w {
	case "":
		return UntilDone, nil
	case UntilDone, UntilTrafficShifted, UntilTestTraffic:
		return w, nil
	}
	return "", fmt.Errorf("%q: use test-traffic, traffic-shifted or done", s)
}

// Snapshot is one reading of a CodeDeploy deployment and its ECS target.
type Snapshot struct {
	Info   cdtypes.DeploymentInfo
	Target *cdtypes.ECSTarget // nil until CodeDeploy lists it
}

// Verdict is what a snapshot means for the wait.
type Verdict struct {
	Done    bool
	Outcome progress.Outcome
	Reason  string
	// Remaining says what the deployment still does after an early return.
	Remaining string
}

// Judge decides from one snapshot whether the wait is over. It is pure:
// the follower polls, Judge decides. Success comes only from CodeDeploy's
// own Succeeded (or, with an earlier WaitUntil, from the lifecycle event
// that marks that point having Succeeded); Failed and Stopped are failures
// whatever happened before.
func Judge(s Snapshot, until WaitUntil) Verdict {
	switch s.Info.Status {
	case cdtypes.DeploymentStatusSucceeded:
		return Verdict{Done: true, Outcome: progress.Succeeded, Reason: "CodeDeploy deployment " + aws.ToString(s.Info.DeploymentId) + " succeeded"}
	case cdtypes.DeploymentStatusFailed:
		return Verdict{Done: true, Outcome: progress.Failed, Reason: failureReason(s, "failed")}
	case cdtypes.DeploymentStatusStopped:
		return Verdict{Done: true, Outcome: progress.Failed, Reason: failureReason(s, "was stopped")}
	}
	switch until {
	case UntilTestTraffic:
		if passed(s.Target, "AfterAllowTestTraffic") {
			return Verdict{Done: true, Outcome: progress.Succeeded, Reason: "test traffic reaches the replacement tasks and its hooks passed",
				Remaining: "production traffic has not moved yet: `ecsdeploy promote` continues a deployment waiting for it, or CodeDeploy shifts it by the deployment configuration"}
		}
	case UntilTrafficShifted:
		if passed(s.Target, "AfterAllowTraffic") {
			return Verdict{Done: true, Outcome: progress.Succeeded, Reason: "production traffic is on the replacement tasks",
				Remaining: "the original task set is removed after the termination wait (`ecsdeploy promote` ends it early)"}
		}
	}
	return Verdict{}
}

// passed reports whether event succeeded (or was skipped, as CodeDeploy
// skips a hook event that has no hook).
func passed(t *cdtypes.ECSTarget, event string) bool {
	if t == nil {
		return false
	}
	for _, e := range t.LifecycleEvents {
		if aws.ToString(e.LifecycleEventName) == event {
			return e.Status == cdtypes.LifecycleEventStatusSucceeded || e.Status == cdtypes.LifecycleEventStatusSkipped
		}
	}
	return false
}

// failureReason names the lifecycle event that failed, its diagnostics,
// CodeDeploy's error, and whether CodeDeploy rolled back.
func failureReason(s Snapshot, verb string) string {
	parts := []string{fmt.Sprintf("CodeDeploy deployment %s %s", aws.ToString(s.Info.DeploymentId), verb)}
	if s.Target != nil {
		for _, e := range s.Target.LifecycleEvents {
			if e.Status != cdtypes.LifecycleEventStatusFailed {
				continue
			}
			p := "lifecycle event " + aws.ToString(e.LifecycleEventName) + " failed"
			if d := e.Diagnostics; d != nil {
				if msg := strings.TrimSpace(aws.ToString(d.Message)); msg != "" {
					p += ": " + msg
				}
				if d.ErrorCode != "" {
					p += " (" + string(d.ErrorCode) + ")"
				}
			}
			parts = append(parts, p)
			break
		}
	}
	if ei := s.Info.ErrorInformation; ei != nil && (ei.Code != "" || aws.ToString(ei.Message) != "") {
		parts = append(parts, strings.TrimSpace(string(ei.Code)+" "+aws.ToString(ei.Message)))
	}
	if rb := s.Info.RollbackInfo; rb != nil && aws.ToString(rb.RollbackDeploymentId) != "" {
		p := "CodeDeploy rolled back with deployment " + aws.ToString(rb.RollbackDeploymentId)
		if msg := strings.TrimSpace(aws.ToString(rb.RollbackMessage)); msg != "" {
			p += ": " + msg
		}
		parts = append(parts, p)
	} else if s.Info.Status == cdtypes.DeploymentStatusFailed || s.Info.Status == cdtypes.DeploymentStatusStopped {
		parts = append(parts, "no rollback: traffic stays where the deployment left it")
	}
	return strings.Join(parts, "; ")
}

// FollowOptions tune Follow and FollowServiceDeployment.
type FollowOptions struct {
	Until    WaitUntil
	Timeout  time.Duration
	Reporter progress.Reporter
	// Poll is the quiet beat (default 1.25 s): how often the deployment is
	// read while no change is due. Reads come sooner when one is due (the
	// end of a termination wait, bake time or canary interval, a hook
	// running); the ECS target of a CodeDeploy deployment, which holds the
	// lifecycle events and the traffic split, is read only when the
	// deployment changed or one of those is due.
	Poll time.Duration
	// TerminationWait is the group's wait before the original task set is
	// removed, to say when it ends and to read right then.
	TerminationWait time.Duration
	// Clock measures the timeout and the pauses between polls; nil is the
	// wall clock. Tests on the local ECS pass one that moves its time.
	Clock Clock
}

func (o *FollowOptions) defaults() {
	if o.Poll <= 0 {
		o.Poll = defaultBeat
	}
	if o.Reporter == nil {
		o.Reporter = progress.Discard
	}
	if o.Clock == nil {
		o.Clock = watch.WallClock{}
	}
}

// FollowResult is how the wait ended and what was seen last.
type FollowResult struct {
	DeploymentID string
	Verdict      Verdict
	Last         Snapshot
	Reads        int
}

// Follow reads the deployment until Judge says it is over or the timeout
// passes, reporting each lifecycle event as it starts, succeeds or fails,
// the traffic split as it moves, and the termination wait with its end.
func Follow(ctx context.Context, api CodeDeployAPI, deploymentID string, o FollowOptions) (*FollowResult, error) {
	return follow(ctx, api, deploymentID, o, nil)
}

// crashCheck watches the replacement task set's tasks while CodeDeploy
// runs: CodeDeploy waits an hour for a task set whose tasks keep crashing.
type crashCheck struct {
	api     watch.ECSAPI
	cluster string
	next    time.Time
}

// crashEvery is how often the replacement's stopped tasks are listed.
const crashEvery = 20 * time.Second

// check lists the replacement task set's failed tasks when due, and says
// whether they reach the circuit breaker's threshold.
func (c *crashCheck) check(ctx context.Context, f *follower, now time.Time) (Verdict, bool) {
	if c == nil || now.Before(c.next) || f.snap.Info.Status != cdtypes.DeploymentStatusInProgress {
		return Verdict{}, false
	}
	green := replacementSet(f.snap)
	if green == nil || aws.ToString(green.Identifer) == "" {
		return Verdict{}, false
	}
	c.next = now.Add(crashEvery)
	d, err := watch.DiagnoseStopped(ctx, c.api, c.cluster, aws.ToString(green.Identifer))
	f.reads++ // the listing; descriptions only come with failed tasks
	if err != nil {
		return Verdict{}, false // evidence only: the next check tries again
	}
	threshold := watch.FailureThreshold(int32(green.DesiredCount))
	if len(d.StoppedTasks) < threshold {
		return Verdict{}, false
	}
	goesOn := "CodeDeploy does not look at tasks and goes on"
	if ev, running := currentEvent(f.snap.Target); running && aws.ToString(ev.LifecycleEventName) == "Install" {
		goesOn = "CodeDeploy waits up to an hour in Install for a steady task set, then fails"
	}
	traffic := trafficText(trafficOf(f.snap))
	if traffic == "" {
		traffic = "unknown"
	}
	return Verdict{Done: true, Outcome: progress.Failed, Reason: fmt.Sprintf(
		"%d tasks of the replacement task set stopped for a failure (threshold %d) while CodeDeploy deployment %s was %s; production traffic: %s; %s; `ecsdeploy rollback` stops it (traffic goes back to the original)",
		len(d.StoppedTasks), threshold, f.id, f.stage(), traffic, goesOn)}, true
}

// stage names where the deployment is, for a message.
func (f *follower) stage() string {
	if ev, running := currentEvent(f.snap.Target); running {
		return "in " + aws.ToString(ev.LifecycleEventName)
	}
	if t := f.snap.Target; t != nil && t.Status == cdtypes.TargetStatusSucceeded {
		return "in its termination wait"
	}
	return "between lifecycle events"
}

func follow(ctx context.Context, api CodeDeployAPI, deploymentID string, o FollowOptions, crash *crashCheck) (*FollowResult, error) {
	o.defaults()
	f := &follower{api: api, id: deploymentID, o: o, events: map[string]cdtypes.LifecycleEventStatus{}}
	res := &FollowResult{DeploymentID: deploymentID}
	timedOut, err := pollUntil(ctx, o.Clock, o.Timeout, func(ctx context.Context, now time.Time) (bool, time.Time, error) {
		err := f.read(ctx, now)
		res.Reads, res.Last = f.reads, f.snap
		if err != nil {
			return false, time.Time{}, err
		}
		f.report(now)
		if v := Judge(f.snap, o.Until); v.Done {
			res.Verdict = v
			return true, time.Time{}, nil
		}
		if v, done := crash.check(ctx, f, now); done {
			res.Verdict, res.Reads = v, f.reads
			return true, time.Time{}, nil
		}
		return false, f.schedule(now), nil
	})
	if err != nil {
		return res, err
	}
	if timedOut {
		res.Verdict = Verdict{Done: true, Outcome: progress.TimedOut, Reason: f.waitingFor()}
	}
	return res, nil
}

type follower struct {
	api      CodeDeployAPI
	id       string
	o        FollowOptions
	snap     Snapshot
	targetID string
	reads    int
	// targetAt is when the target is next read although the deployment did
	// not change (zero: only on a change); targetRead is when it was last
	// read, trafficAt when the split last moved.
	targetAt, targetRead, trafficAt time.Time
	// config says when production traffic moves during AllowTraffic (nil:
	// unknown), from the deployment configuration, read once.
	config      *cdtypes.TrafficRoutingConfig
	configTried bool

	status   cdtypes.DeploymentStatus
	events   map[string]cdtypes.LifecycleEventStatus
	traffic  string
	running  string // the replacement's running tasks, as last reported
	waitSaid bool
	canSaid  bool
}

// read reads the deployment, and its target when the deployment changed or
// a read of the target is due.
func (f *follower) read(ctx context.Context, now time.Time) error {
	out, err := f.api.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(f.id)})
	f.reads++
	if err != nil {
		return err
	}
	changed := false
	if out.DeploymentInfo != nil {
		prev := f.snap.Info
		f.snap.Info = *out.DeploymentInfo
		changed = prev.Status != f.snap.Info.Status || fmt.Sprint(prev.DeploymentOverview) != fmt.Sprint(f.snap.Info.DeploymentOverview)
	}
	if f.snap.Info.Status == cdtypes.DeploymentStatusCreated || f.snap.Info.Status == cdtypes.DeploymentStatusQueued {
		return nil // no target yet
	}
	if changed || f.snap.Target == nil || (!f.targetAt.IsZero() && !now.Before(f.targetAt)) {
		if err := f.readTarget(ctx); err != nil {
			return err
		}
		f.targetRead = now
	}
	if ev, running := currentEvent(f.snap.Target); running && aws.ToString(ev.LifecycleEventName) == "AllowTraffic" {
		f.trafficRouting(ctx)
	}
	return nil
}

func (f *follower) readTarget(ctx context.Context) error {
	if f.targetID == "" {
		out, err := f.api.ListDeploymentTargets(ctx, &codedeploy.ListDeploymentTargetsInput{DeploymentId: aws.String(f.id)})
		f.reads++
		var notStarted *cdtypes.DeploymentNotStartedException
		if errors.As(err, &notStarted) {
			// A deployment has no target until it starts: read it later.
			return nil
		}
		if err != nil {
			return err
		}
		if len(out.TargetIds) == 0 {
			return nil
		}
		f.targetID = out.TargetIds[0]
	}
	out, err := f.api.GetDeploymentTarget(ctx, &codedeploy.GetDeploymentTargetInput{DeploymentId: aws.String(f.id), TargetId: aws.String(f.targetID)})
	f.reads++
	if err != nil {
		return err
	}
	if out.DeploymentTarget != nil && out.DeploymentTarget.EcsTarget != nil {
		f.snap.Target = out.DeploymentTarget.EcsTarget
	}
	return nil
}

// deploymentConfigGetter is GetDeploymentConfig, which *codedeploy.Client
// has; a follower without it does not know when traffic shifts.
type deploymentConfigGetter interface {
	GetDeploymentConfig(ctx context.Context, in *codedeploy.GetDeploymentConfigInput, optFns ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentConfigOutput, error)
}

// trafficRouting reads, once, how the deployment's configuration shifts
// traffic; nil when it cannot be read.
func (f *follower) trafficRouting(ctx context.Context) *cdtypes.TrafficRoutingConfig {
	if f.configTried {
		return f.config
	}
	name := aws.ToString(f.snap.Info.DeploymentConfigName)
	g, ok := f.api.(deploymentConfigGetter)
	if name == "" || !ok {
		return nil
	}
	f.configTried = true
	out, err := g.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: aws.String(name)})
	f.reads++
	if err == nil && out.DeploymentConfigInfo != nil {
		f.config = out.DeploymentConfigInfo.TrafficRoutingConfig
	}
	return f.config
}

// hookEvents are the lifecycle events that run a Lambda hook.
var hookEvents = map[string]bool{"BeforeInstall": true, "AfterInstall": true, "AfterAllowTestTraffic": true, "BeforeAllowTraffic": true, "AfterAllowTraffic": true}

// schedule says when to read next from the last snapshot, and sets when
// the target is read next although the deployment did not change.
func (f *follower) schedule(now time.Time) time.Time {
	beat := f.o.Poll
	f.targetAt = time.Time{}
	switch f.snap.Info.Status {
	case cdtypes.DeploymentStatusInProgress, cdtypes.DeploymentStatusBaking:
	case cdtypes.DeploymentStatusReady:
		return now.Add(beat) // waits for someone: nothing is due
	default: // created, queued: starts soon
		return now.Add(busyBeat)
	}
	t := f.snap.Target
	if t == nil {
		return now.Add(busyBeat)
	}
	if t.Status == cdtypes.TargetStatusSucceeded {
		// The termination wait: the verdict is due at its end.
		return nextRead(now, f.terminationEnd(now), beat)
	}
	ev, running := currentEvent(t)
	switch {
	case !running, hookEvents[aws.ToString(ev.LifecycleEventName)]:
		// Between two events (the next starts at once) or a hook running.
		f.targetAt = f.targetRead.Add(busyBeat)
		return now.Add(busyBeat)
	case aws.ToString(ev.LifecycleEventName) == "AllowTraffic":
		// The split moves at known times when the configuration was read:
		// the target is read then, and now and then for its task sets.
		due := f.shiftDue(now, ev)
		f.targetAt = f.targetRead.Add(5 * beat)
		switch {
		case due.IsZero():
		case now.Before(due):
			f.targetAt = f.targetRead.Add(30 * time.Second)
			f.targetAt = minTime(f.targetAt, due)
		case now.Sub(due) < dueWindow && f.trafficAt.Before(due):
			f.targetAt = now // due, and the split has not moved yet
		default:
			f.targetAt = f.targetRead.Add(30 * time.Second)
		}
		return nextRead(now, due, beat)
	default: // Install, AllowTestTraffic: ECS moves; read its task sets now and then
		f.targetAt = f.targetRead.Add(2 * beat)
		return now.Add(beat)
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// currentEvent is the lifecycle event in progress, or the first pending one
// (running false).
func currentEvent(t *cdtypes.ECSTarget) (cdtypes.LifecycleEvent, bool) {
	if t == nil {
		return cdtypes.LifecycleEvent{}, false
	}
	for _, e := range t.LifecycleEvents {
		if e.Status == cdtypes.LifecycleEventStatusInProgress {
			return e, true
		}
	}
	for _, e := range t.LifecycleEvents {
		if e.Status == cdtypes.LifecycleEventStatusPending || e.Status == "" {
			return e, false
		}
	}
	return cdtypes.LifecycleEvent{}, false
}

// terminationEnd is when the termination wait ends: the group's wait after
// the target succeeded.
func (f *follower) terminationEnd(now time.Time) time.Time {
	t := f.snap.Target
	if t == nil || t.LastUpdatedAt == nil || !onOurClock(*t.LastUpdatedAt, now) {
		return time.Time{}
	}
	return t.LastUpdatedAt.Add(f.o.TerminationWait)
}

// onOurClock reports whether a time AWS stamped can be compared with our
// clock: not in our future (beyond a minute's skew) nor a day old. A local
// ECS that runs faster than real time stamps times ahead of ours; its
// waits are then followed at the quiet beat, without predictions.
func onOurClock(stamp, now time.Time) bool {
	return !stamp.After(now.Add(time.Minute)) && now.Sub(stamp) < 24*time.Hour
}

// shiftDue is when production traffic moves next during AllowTraffic (or
// last moved, within the window in which a read should show it), from the
// event's start and the configuration's canary or linear interval; zero
// when unknown or all at once.
func (f *follower) shiftDue(now time.Time, ev cdtypes.LifecycleEvent) time.Time {
	c := f.config
	if ev.StartTime == nil || c == nil || !onOurClock(*ev.StartTime, now) {
		return time.Time{}
	}
	start := *ev.StartTime
	switch {
	case c.TimeBasedCanary != nil && c.TimeBasedCanary.CanaryInterval > 0:
		return start.Add(time.Duration(c.TimeBasedCanary.CanaryInterval) * time.Minute)
	case c.TimeBasedLinear != nil && c.TimeBasedLinear.LinearInterval > 0:
		step := time.Duration(c.TimeBasedLinear.LinearInterval) * time.Minute
		k := now.Sub(start) / step // shifts passed
		if last := start.Add(k * step); k > 0 && now.Sub(last) < dueWindow {
			return last
		}
		return start.Add((k + 1) * step)
	}
	return time.Time{}
}

// report sends what changed since the last report.
func (f *follower) report(now time.Time) {
	step := func(format string, args ...any) {
		f.o.Reporter.Report(progress.Step{At: now, Message: fmt.Sprintf(format, args...)})
	}
	if s := f.snap.Info.Status; s != f.status && s != "" {
		f.status = s
		if s == cdtypes.DeploymentStatusReady {
			step("deployment %s is Ready: the replacement tasks wait for production traffic (`ecsdeploy promote` continues it)", f.id)
		} else {
			step("deployment %s: %s", f.id, s)
		}
	}
	t := f.snap.Target
	if t == nil {
		return
	}
	for _, e := range t.LifecycleEvents {
		name := aws.ToString(e.LifecycleEventName)
		if e.Status == "" || f.events[name] == e.Status || e.Status == cdtypes.LifecycleEventStatusPending {
			continue
		}
		f.events[name] = e.Status
		msg := fmt.Sprintf("%s: %s", name, e.Status)
		if e.Status == cdtypes.LifecycleEventStatusFailed && e.Diagnostics != nil && aws.ToString(e.Diagnostics.Message) != "" {
			msg += " — " + aws.ToString(e.Diagnostics.Message)
		}
		step("%s", msg)
		if name == "AllowTraffic" && e.Status == cdtypes.LifecycleEventStatusInProgress && !f.canSaid {
			f.canSaid = true
			if due := f.shiftDue(now, e); !due.IsZero() {
				step("production traffic moves next at %s (deployment configuration %s)", due.UTC().Format("15:04:05Z"), aws.ToString(f.snap.Info.DeploymentConfigName))
			}
		}
	}
	if g := replacementSet(f.snap); g != nil && g.DesiredCount > 0 {
		if n := fmt.Sprintf("%d of %d", g.RunningCount, g.DesiredCount); n != f.running {
			f.running = n
			step("replacement task set %s: %s tasks running", aws.ToString(g.Identifer), n)
		}
	}
	if tr := trafficText(t.TaskSetsInfo); tr != "" && tr != f.traffic {
		f.traffic, f.trafficAt = tr, now
		step("traffic: %s", tr)
	}
	if !f.waitSaid && t.Status == cdtypes.TargetStatusSucceeded && f.snap.Info.Status == cdtypes.DeploymentStatusInProgress {
		f.waitSaid = true
		end := "when the deployment group's termination wait ends"
		if e := f.terminationEnd(now); f.o.TerminationWait > 0 && !e.IsZero() {
			end = "at " + e.UTC().Format("15:04:05Z")
		} else if f.o.TerminationWait > 0 {
			end = fmt.Sprintf("when the deployment group's termination wait of %s ends", f.o.TerminationWait)
		}
		step("traffic shifted; termination wait: the original task set is removed %s (`ecsdeploy promote` ends the wait early)", end)
	}
}

// trafficText renders the split, for example "original (blue) 90%, replacement (green) 10%".
func trafficText(sets []cdtypes.ECSTaskSet) string {
	var parts []string
	for _, s := range sets {
		role := "original"
		if s.TaskSetLabel == cdtypes.TargetLabelGreen {
			role = "replacement"
		}
		parts = append(parts, fmt.Sprintf("%s (%s) %s%%", role, strings.ToLower(string(s.TaskSetLabel)), formatPercent(s.TrafficWeight)))
	}
	return strings.Join(parts, ", ")
}

func formatPercent(w float64) string {
	if w == math.Trunc(w) {
		return fmt.Sprintf("%.0f", w)
	}
	return fmt.Sprintf("%.1f", w)
}

// waitingFor says, on a timeout, what the deployment was waiting for.
func (f *follower) waitingFor() string {
	s := f.snap
	if s.Info.Status == cdtypes.DeploymentStatusReady {
		return "timed out while the deployment waited to be continued (Ready): production traffic never moved"
	}
	if t := s.Target; t != nil {
		for _, e := range t.LifecycleEvents {
			if e.Status == cdtypes.LifecycleEventStatusInProgress {
				msg := "timed out during lifecycle event " + aws.ToString(e.LifecycleEventName)
				if g := replacementSet(s); g != nil && aws.ToString(e.LifecycleEventName) == "Install" {
					msg += fmt.Sprintf(": the replacement task set runs %d of %d tasks (%d pending)", g.RunningCount, g.DesiredCount, g.PendingCount)
				} else if hookEvents[aws.ToString(e.LifecycleEventName)] {
					msg += ": its hook has not reported yet"
				}
				return msg
			}
		}
		if t.Status == cdtypes.TargetStatusSucceeded {
			end := ""
			if e := f.terminationEnd(f.o.Clock.Now()); f.o.TerminationWait > 0 && !e.IsZero() {
				end = " (it ends at " + e.UTC().Format("15:04:05Z") + ")"
			}
			return "timed out in the termination wait" + end + ": traffic is on the replacement tasks, the original task set is not removed yet"
		}
	}
	return fmt.Sprintf("timed out with the deployment %s", strings.ToLower(string(s.Info.Status)))
}
