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

	"github.com/ecsdeploy/ecsdeploy/awsconfig/transient"
	"github.com/ecsdeploy/ecsdeploy/progress"
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
		parts = append(parts, "CodeDeploy rolled back with deployment "+aws.ToString(rb.RollbackDeploymentId))
	}
	return strings.Join(parts, "; ")
}

// FollowOptions tune Follow.
type FollowOptions struct {
	Until    WaitUntil
	Timeout  time.Duration
	Reporter progress.Reporter
	// Poll is how often the deployment is read (default 1.25 s); its ECS
	// target, which holds the lifecycle events and the traffic split, is
	// read every fourth poll and whenever the deployment changes, so the
	// wait averages about one read a second.
	Poll time.Duration
	// TerminationWait is the group's wait before the original task set is
	// removed, to say when it ends.
	TerminationWait time.Duration
	// Clock measures the timeout and the pauses between polls; nil is the
	// wall clock. Tests on the local ECS pass one that moves its time.
	Clock Clock
}

// Clock is the time a follow runs on.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

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
	if o.Poll <= 0 {
		o.Poll = 1250 * time.Millisecond
	}
	if o.Reporter == nil {
		o.Reporter = progress.Discard
	}
	if o.Clock == nil {
		o.Clock = wallClock{}
	}
	f := &follower{api: api, id: deploymentID, o: o, events: map[string]cdtypes.LifecycleEventStatus{}}
	res := &FollowResult{DeploymentID: deploymentID}
	deadline := o.Clock.Now().Add(o.Timeout)
	for i := 0; ; i++ {
		changed, err := f.read(ctx, i%4 == 0)
		res.Reads = f.reads
		if err != nil {
			if ctx.Err() != nil {
				return res, err
			}
			if !transient.Is(err) {
				return res, err
			}
		}
		if changed {
			if _, err := f.readTarget(ctx); err != nil && !transient.Is(err) {
				return res, err
			}
		}
		res.Last = f.snap
		f.report()
		if v := Judge(f.snap, o.Until); v.Done {
			res.Verdict = v
			return res, nil
		}
		if o.Timeout > 0 && o.Clock.Now().After(deadline) {
			res.Verdict = Verdict{Done: true, Outcome: progress.TimedOut, Reason: f.waitingFor()}
			return res, nil
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-o.Clock.After(o.Poll):
		}
	}
}

type follower struct {
	api      CodeDeployAPI
	id       string
	o        FollowOptions
	snap     Snapshot
	targetID string
	reads    int

	status   cdtypes.DeploymentStatus
	events   map[string]cdtypes.LifecycleEventStatus
	traffic  string
	waitSaid bool
}

// read reads the deployment, and its target when withTarget; changed says
// the deployment's status or overview moved since the last read.
func (f *follower) read(ctx context.Context, withTarget bool) (changed bool, err error) {
	out, err := f.api.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(f.id)})
	f.reads++
	if err != nil {
		return false, err
	}
	if out.DeploymentInfo != nil {
		prev := f.snap.Info
		f.snap.Info = *out.DeploymentInfo
		changed = prev.Status != f.snap.Info.Status || fmt.Sprint(prev.DeploymentOverview) != fmt.Sprint(f.snap.Info.DeploymentOverview)
	}
	if withTarget && !changed {
		_, err = f.readTarget(ctx)
	}
	return changed, err
}

func (f *follower) readTarget(ctx context.Context) (bool, error) {
	if f.targetID == "" {
		out, err := f.api.ListDeploymentTargets(ctx, &codedeploy.ListDeploymentTargetsInput{DeploymentId: aws.String(f.id)})
		f.reads++
		var notStarted *cdtypes.DeploymentNotStartedException
		if errors.As(err, &notStarted) {
			// A deployment has no target until it starts: read it later.
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if len(out.TargetIds) == 0 {
			return false, nil
		}
		f.targetID = out.TargetIds[0]
	}
	out, err := f.api.GetDeploymentTarget(ctx, &codedeploy.GetDeploymentTargetInput{DeploymentId: aws.String(f.id), TargetId: aws.String(f.targetID)})
	f.reads++
	if err != nil {
		return false, err
	}
	if out.DeploymentTarget != nil && out.DeploymentTarget.EcsTarget != nil {
		f.snap.Target = out.DeploymentTarget.EcsTarget
	}
	return true, nil
}

// report sends what changed since the last report.
func (f *follower) report() {
	now := f.o.Clock.Now()
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
	}
	if tr := trafficText(t.TaskSetsInfo); tr != "" && tr != f.traffic {
		f.traffic = tr
		step("traffic: %s", tr)
	}
	if !f.waitSaid && t.Status == cdtypes.TargetStatusSucceeded && f.snap.Info.Status == cdtypes.DeploymentStatusInProgress {
		f.waitSaid = true
		end := "when the deployment group's termination wait ends"
		if f.o.TerminationWait > 0 {
			end = "at " + now.Add(f.o.TerminationWait).UTC().Format("15:04:05Z")
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
				return "timed out during lifecycle event " + aws.ToString(e.LifecycleEventName)
			}
		}
		if t.Status == cdtypes.TargetStatusSucceeded {
			return "timed out in the termination wait: traffic is on the replacement tasks, the original task set is not removed yet"
		}
	}
	return fmt.Sprintf("timed out with the deployment %s", strings.ToLower(string(s.Info.Status)))
}
