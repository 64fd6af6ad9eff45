package bluegreen

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
)

// The operator commands act on a blue/green deployment already under way
// (or just finished), whichever controller runs it: promote continues it,
// rollback stops it and sends traffic back (or deploys the previous
// revision once it is over), abort stops it where it stands. Each then
// follows the deployment like deploy does and reports where traffic is.

// Operation is the report of promote, rollback or abort.
type Operation struct {
	*Result
	// Action is what was asked of the controller, for example
	// "ContinueDeployment READY_WAIT".
	Action string `json:"action"`
	// Expected is the task definition that serves production when the
	// operation succeeds.
	Expected string `json:"expectedTaskDefinition,omitempty"`
	// Redeployed says a rollback deployed the previous revision anew,
	// because no deployment was in progress.
	Redeployed bool `json:"redeployed,omitempty"`
	// Note says how a redeployed rollback chose its revision when it had
	// to guess.
	Note string `json:"note,omitempty"`
	// State is the service's task sets, traffic and target health at the end.
	State *State `json:"state,omitempty"`
}

// Request names the service an operator command acts on.
type Request struct {
	Cluster, Service string
	// Application and DeploymentGroup name a CODE_DEPLOY service's group
	// when it cannot be found by its ecsServices alone.
	Application, DeploymentGroup string
	// NoWait returns once the controller has the request.
	NoWait bool
	// Origins says where the request's fields were given (a flag, a file
	// and line), and where to give those a message suggests: messages name
	// a field at Origins.Of(field), its own name when none is recorded
	// ("noWait", "application", "deploymentGroup").
	Origins exitcode.Origins
}

func newOperation(c *Current) *Operation {
	op := &Operation{Result: &Result{Strategy: c.Strategy}}
	if c.Group != nil {
		op.Application, op.DeploymentGroup = c.Group.Application, c.Group.Name
	}
	if c.Deployment != nil {
		op.DeploymentID = aws.ToString(c.Deployment.DeploymentId)
	}
	if c.ServiceDeployment != nil {
		op.DeploymentID = aws.ToString(c.ServiceDeployment.ServiceDeploymentArn)
	}
	return op
}

// Situation says in words what state the service's deployment is in, for
// a command that has nothing to act on.
func (c *Current) Situation() string {
	svc := aws.ToString(c.Service.ServiceName)
	switch c.Strategy {
	case Rolling:
		return fmt.Sprintf("service %s deploys with ECS rolling updates (no traffic shifting)", svc)
	case CodeDeploy:
		d := c.Deployment
		if d == nil {
			return fmt.Sprintf("CodeDeploy deployment group %s/%s of service %s has no deployment", c.Group.Application, c.Group.Name, svc)
		}
		s := fmt.Sprintf("CodeDeploy deployment %s of service %s is %s", aws.ToString(d.DeploymentId), svc, d.Status)
		if at := codeDeployAt(c); at.Event != "" && !cdDone(d.Status) {
			s += fmt.Sprintf(" (lifecycle event %s %s)", at.Event, at.EventStatus)
		}
		return s
	}
	sd := c.ServiceDeployment
	if sd == nil {
		return fmt.Sprintf("service %s (%s) has no service deployment", svc, c.Strategy)
	}
	s := fmt.Sprintf("service deployment %s of service %s is %s", ecsref.Short(aws.ToString(sd.ServiceDeploymentArn)), svc, sd.Status)
	if sd.LifecycleStage != "" && sdInProgress(sd.Status) {
		s += " at stage " + string(sd.LifecycleStage)
	}
	return s
}

func say(o FollowOptions, format string, args ...any) {
	if o.Reporter == nil {
		return
	}
	at := time.Now()
	if o.Clock != nil {
		at = o.Clock.Now()
	}
	o.Reporter.Report(progress.Step{At: at, Message: fmt.Sprintf(format, args...)})
}

// Promote continues a deployment that waits for an operator: a CodeDeploy
// deployment Ready for production traffic (ContinueDeployment
// READY_WAIT) or in its termination wait (TERMINATION_WAIT), or an ECS
// service deployment paused at a PAUSE lifecycle hook
// (ContinueServiceDeployment). It then follows the deployment as deploy
// does, to the point o.Until names. A service with nothing waiting is
// invalid input (exit 2) naming its state.
func Promote(ctx context.Context, apis APIs, req Request, o FollowOptions) (*Operation, error) {
	c, op, err := inProgress(ctx, apis, req, "promote",
		"there is nothing to promote; promote continues a CodeDeploy or ECS blue/green, linear or canary deployment")
	switch {
	case err != nil:
		return op, err
	case c.Strategy == CodeDeploy:
		return promoteCodeDeploy(ctx, apis, c, op, req, o)
	}
	return promoteNative(ctx, apis, c, op, req, o)
}

func promoteCodeDeploy(ctx context.Context, apis APIs, c *Current, op *Operation, req Request, o FollowOptions) (*Operation, error) {
	d := c.Deployment
	var wait cdtypes.DeploymentWaitType
	switch {
	case d.Status == cdtypes.DeploymentStatusReady:
		wait, op.Action = cdtypes.DeploymentWaitTypeReadyWait, "ContinueDeployment READY_WAIT"
	case codeDeployAt(c).TerminationWait:
		wait, op.Action = cdtypes.DeploymentWaitTypeTerminationWait, "ContinueDeployment TERMINATION_WAIT"
	default:
		return op, exitcode.Invalidf("%s: it is not waiting for promote, which continues a deployment that is Ready for production traffic or in its termination wait", c.Situation())
	}
	op.Expected = replacementTaskDefinition(c)
	if _, err := apis.CodeDeploy.ContinueDeployment(ctx, &codedeploy.ContinueDeploymentInput{DeploymentId: d.DeploymentId, DeploymentWaitType: wait}); err != nil {
		return op, err
	}
	if wait == cdtypes.DeploymentWaitTypeReadyWait {
		say(o, "continued CodeDeploy deployment %s: production traffic moves to the replacement task set", op.DeploymentID)
	} else {
		say(o, "ended the termination wait of CodeDeploy deployment %s: the original task set is removed now", op.DeploymentID)
	}
	if req.NoWait {
		return finishNoWait(ctx, apis, c, op, req), nil
	}
	if bg := c.Group.Info.BlueGreenDeploymentConfiguration; bg != nil && bg.TerminateBlueInstancesOnDeploymentSuccess != nil && o.TerminationWait == 0 {
		o.TerminationWait = time.Duration(bg.TerminateBlueInstancesOnDeploymentSuccess.TerminationWaitTimeInMinutes) * time.Minute
	}
	fr, err := Follow(ctx, apis.CodeDeploy, op.DeploymentID, o)
	if err == nil {
		// As deploy does: tasks of the replacement that stopped for a
		// failure overturn CodeDeploy's success, which does not look at them.
		op.Traffic = trafficText(trafficOf(fr.Last))
		if op.Failure = stoppedTasks(ctx, apis.ECS, c.Cluster, replacementTaskSet(fr.Last)); op.Failure != nil && fr.Verdict.Outcome == progress.Succeeded {
			fr.Verdict.Outcome = progress.Failed
			fr.Verdict.Reason = fmt.Sprintf("%s, but %d task(s) of the replacement task set stopped for a failure since it started (`ecsdeploy rollback` deploys the previous revision)",
				fr.Verdict.Reason, len(op.Failure.StoppedTasks))
		}
	}
	return op.followed(ctx, apis, req, o.Until, fr.Verdict, fr.Reads, err)
}

// followed takes the verdict of the follow that ended with err into the
// report and confirms it.
func (op *Operation) followed(ctx context.Context, apis APIs, req Request, until WaitUntil, v Verdict, reads int, err error) (*Operation, error) {
	op.Reads += reads
	op.Outcome, op.Reason, op.Remaining = v.Outcome, v.Reason, v.Remaining
	if err != nil {
		return op, err
	}
	return op, confirm(ctx, apis, op, req, until)
}

// replacementTaskDefinition is the task definition of the task set the
// deployment in progress created.
func replacementTaskDefinition(c *Current) string {
	for _, ts := range c.Service.TaskSets {
		if c.Deployment != nil && aws.ToString(ts.ExternalId) == aws.ToString(c.Deployment.DeploymentId) {
			return aws.ToString(ts.TaskDefinition)
		}
	}
	return ""
}

// originalTaskDefinition is what served before the deployment in
// progress: the task set it did not create (CodeDeploy), or the service's
// deployment that is not PRIMARY (ECS).
func originalTaskDefinition(c *Current) string {
	if c.Strategy == CodeDeploy {
		var found string
		for _, ts := range c.Service.TaskSets {
			if c.Deployment != nil && aws.ToString(ts.ExternalId) == aws.ToString(c.Deployment.DeploymentId) {
				continue
			}
			if found == "" || aws.ToString(ts.Status) == "PRIMARY" {
				found = aws.ToString(ts.TaskDefinition)
			}
		}
		return found
	}
	for _, d := range c.Service.Deployments {
		if aws.ToString(d.Status) != "PRIMARY" {
			return aws.ToString(d.TaskDefinition)
		}
	}
	return ""
}

func promoteNative(ctx context.Context, apis APIs, c *Current, op *Operation, req Request, o FollowOptions) (*Operation, error) {
	sd := c.ServiceDeployment
	hooks := pausedHooks(*sd)
	if len(hooks) == 0 {
		return op, exitcode.Invalidf("%s, not paused: promote resumes a deployment paused at a PAUSE lifecycle hook (ECS does not end a bake time or a traffic-shift step early)", c.Situation())
	}
	if d, ok := ecsref.PrimaryDeployment(c.Service); ok {
		op.Expected = aws.ToString(d.TaskDefinition)
	}
	var ids []string
	for _, h := range hooks {
		if _, err := apis.ECS.ContinueServiceDeployment(ctx, &ecs.ContinueServiceDeploymentInput{ServiceDeploymentArn: sd.ServiceDeploymentArn,
			HookId: h.HookId, Action: types.DeploymentLifecycleHookActionContinue}); err != nil {
			return op, err
		}
		ids = append(ids, aws.ToString(h.HookId))
	}
	op.Action = "ContinueServiceDeployment CONTINUE (hook " + strings.Join(ids, ", ") + ")"
	say(o, "resumed service deployment %s paused at %s", ecsref.Short(op.DeploymentID), sd.LifecycleStage)
	if req.NoWait {
		return finishNoWait(ctx, apis, c, op, req), nil
	}
	fr, err := FollowServiceDeployment(ctx, apis.ECS, c.Cluster, op.DeploymentID, o)
	return op.followed(ctx, apis, req, o.Until, fr.Verdict, fr.Reads, err)
}

// finishNoWait ends an operation that does not wait: the request is made.
func finishNoWait(ctx context.Context, apis APIs, c *Current, op *Operation, req Request) *Operation {
	op.Outcome, op.Reason = progress.Succeeded, op.Action+" accepted"
	op.Remaining = "not waiting (" + req.Origins.Of("noWait").Name() + "): `ecsdeploy status` shows where the deployment is"
	if now, err := Locate(ctx, apis, c.Cluster, req.Service, op.Application, op.DeploymentGroup); err == nil {
		op.State = Look(ctx, apis, now)
		op.PrimaryTaskDefinition = serving(now)
	}
	return op
}

// confirm reads the service once the follow is over: its state goes into
// the report, and a success of the whole deployment also needs production
// served by the expected revision. Only an error reading nothing at all
// is returned.
func confirm(ctx context.Context, apis APIs, op *Operation, req Request, until WaitUntil) error {
	now, err := Locate(ctx, apis, req.Cluster, req.Service, op.Application, op.DeploymentGroup)
	if err != nil {
		if op.Outcome == progress.Succeeded && until == UntilDone {
			op.Outcome, op.Reason = progress.Failed, op.Reason+", but the service could not be read to confirm it: "+err.Error()
		}
		return nil
	}
	op.State = Look(ctx, apis, now)
	op.PrimaryTaskDefinition = serving(now)
	if op.Outcome == progress.Succeeded && until == UntilDone && op.Expected != "" && op.PrimaryTaskDefinition != op.Expected {
		op.Outcome = progress.Failed
		op.Reason = fmt.Sprintf("%s, but production is served by %s, not %s", op.Reason, ecsref.Short(op.PrimaryTaskDefinition), ecsref.Short(op.Expected))
	}
	return nil
}

// serving is the task definition on the production side: the PRIMARY
// task set (CodeDeploy) or the PRIMARY deployment (ECS).
func serving(c *Current) string {
	if c.Strategy == CodeDeploy {
		for _, ts := range c.Service.TaskSets {
			if aws.ToString(ts.Status) == "PRIMARY" {
				return aws.ToString(ts.TaskDefinition)
			}
		}
		return ""
	}
	if d, ok := ecsref.PrimaryDeployment(c.Service); ok {
		return aws.ToString(d.TaskDefinition)
	}
	return aws.ToString(c.Service.TaskDefinition)
}

// locateError makes a deployment group that cannot be found invalid input,
// saying how to name one as req's origins name its fields.
func locateError(err error, req Request) error {
	var ng *NotFoundError
	if errors.As(err, &ng) {
		ng.Naming = [2]string{req.Origins.Of("application").Name(), req.Origins.Of("deploymentGroup").Name()}
		return exitcode.With(exitcode.Invalid, err)
	}
	return err
}

// Abort stops the deployment in progress without rolling back, where the
// controller allows it: CodeDeploy's StopDeployment with
// autoRollbackEnabled false, ECS's StopServiceDeployment ABORT. The report
// says what that leaves: which task set or deployment serves production
// and what else still runs. A rolling service cannot be stopped without a
// rollback (ECS's StopServiceDeployment rolls it back), which is invalid
// input naming `rollback`.
func Abort(ctx context.Context, apis APIs, req Request, o FollowOptions) (*Operation, error) {
	c, op, err := inProgress(ctx, apis, req, "abort",
		"ECS stops a rolling deployment only by rolling it back, so it cannot be aborted; `ecsdeploy rollback` returns it to the previous revision")
	if err != nil {
		return op, err
	}
	return stop(ctx, apis, c, op, req, false, o)
}

// inProgress locates the service of a command that acts on a deployment in
// progress; a rolling service (the error says onRolling) or one with no
// deployment in progress is invalid input naming its state.
func inProgress(ctx context.Context, apis APIs, req Request, command, onRolling string) (*Current, *Operation, error) {
	c, err := Locate(ctx, apis, req.Cluster, req.Service, req.Application, req.DeploymentGroup)
	if err != nil {
		return nil, nil, locateError(err, req)
	}
	op := newOperation(c)
	switch {
	case c.Strategy == Rolling:
		return c, op, exitcode.Invalidf("%s: %s", c.Situation(), onRolling)
	case !c.InProgress():
		return c, op, exitcode.Invalidf("%s: no deployment is in progress, nothing to %s", c.Situation(), command)
	}
	return c, op, nil
}

// Rollback returns a blue/green service to where it was before its newest
// deployment. A deployment in progress is stopped with a rollback
// (StopDeployment with autoRollbackEnabled, StopServiceDeployment
// ROLLBACK) and followed until traffic is back; once a deployment is over,
// the revision previous returns is deployed anew through the same
// controller (a CodeDeploy deployment, or UpdateService and the service
// deployment it starts). ok is false, with nothing done, for a service
// that is not blue/green (or cannot be read): package rollout rolls those
// back.
func Rollback(ctx context.Context, apis APIs, req Request, previous func(ctx context.Context) (taskDefinition, note string, err error), o FollowOptions) (op *Operation, ok bool, err error) {
	c, err := Locate(ctx, apis, req.Cluster, req.Service, req.Application, req.DeploymentGroup)
	if c == nil || c.Strategy == Rolling {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, locateError(err, req)
	}
	op = newOperation(c)
	if c.InProgress() {
		op, err = stop(ctx, apis, c, op, req, true, o)
		return op, true, err
	}
	if req.NoWait {
		noWait := req.Origins.Of("noWait")
		return op, true, exitcode.Invalidf("%s: %s, so rollback deploys the previous revision as a new deployment and follows it; drop %s", noWait, c.Situation(), noWait.Name())
	}
	target, note, err := previous(ctx)
	if err != nil {
		return op, true, err
	}
	op.Expected, op.Redeployed, op.Note = target, true, note
	say(o, "%s: deploying %s again%s", c.Situation(), ecsref.Short(target), noteText(note))
	var res *Result
	if c.Strategy == CodeDeploy {
		op.Action = "CreateDeployment of " + ecsref.Short(target)
		res, err = DeployCodeDeploy(ctx, apis.ECS, apis.CodeDeploy, CodeDeployRequest{Cluster: c.Cluster, Service: c.Service, TaskDefinition: target,
			Application: c.Group.Application, DeploymentGroup: c.Group.Name, Description: "ecsdeploy rollback to " + ecsref.Short(target)}, o)
	} else {
		op.Action = "UpdateService to " + ecsref.Short(target)
		res, err = DeployNative(ctx, apis.ECS, NativeRequest{Cluster: c.Cluster, Service: req.Service, TaskDefinition: target,
			Update: &ecs.UpdateServiceInput{Cluster: aws.String(c.Cluster), Service: aws.String(req.Service), TaskDefinition: aws.String(target)}}, o)
	}
	if res != nil {
		op.Result = res // the new deployment's report
	}
	if err != nil {
		return op, true, err
	}
	if now, lerr := Locate(ctx, apis, c.Cluster, req.Service, op.Application, op.DeploymentGroup); lerr == nil {
		op.State = Look(ctx, apis, now)
	}
	return op, true, nil
}

func noteText(note string) string {
	if note == "" {
		return ""
	}
	return " (" + note + ")"
}

// stop stops the deployment in progress, with or without a rollback, and
// waits until the controller says it is over.
func stop(ctx context.Context, apis APIs, c *Current, op *Operation, req Request, rollback bool, o FollowOptions) (*Operation, error) {
	o.Until = UntilDone
	original := originalTaskDefinition(c)
	if rollback {
		op.Expected = original
	}
	if c.Strategy == CodeDeploy {
		return stopCodeDeploy(ctx, apis, c, op, req, rollback, original, o)
	}
	return stopNative(ctx, apis, c, op, req, rollback, o)
}

func stopCodeDeploy(ctx context.Context, apis APIs, c *Current, op *Operation, req Request, rollback bool, original string, o FollowOptions) (*Operation, error) {
	op.Action = fmt.Sprintf("StopDeployment autoRollbackEnabled=%t", rollback)
	out, err := apis.CodeDeploy.StopDeployment(ctx, &codedeploy.StopDeploymentInput{DeploymentId: aws.String(op.DeploymentID), AutoRollbackEnabled: aws.Bool(rollback)})
	if err != nil {
		return op, err
	}
	say(o, "asked CodeDeploy to stop deployment %s (%s)%s", op.DeploymentID, map[bool]string{true: "with rollback", false: "without rollback"}[rollback], stopMessage(out))
	if req.NoWait {
		return finishNoWait(ctx, apis, c, op, req), nil
	}
	fr, err := Follow(ctx, apis.CodeDeploy, op.DeploymentID, o)
	if fr != nil {
		op.Reads += fr.Reads
	}
	if err != nil {
		return op, err
	}
	info := fr.Last.Info
	switch {
	case fr.Verdict.Outcome == progress.TimedOut:
		op.Outcome, op.Reason = progress.TimedOut, "the deployment did not stop in time: "+fr.Verdict.Reason
		return op, confirm(ctx, apis, op, req, UntilDone)
	case info.Status == cdtypes.DeploymentStatusSucceeded:
		op.Outcome, op.Reason = progress.Failed, fmt.Sprintf("CodeDeploy deployment %s succeeded before it could be stopped", op.DeploymentID)
		if rollback {
			op.Reason += ": run rollback again to deploy the previous revision"
		}
		op.Expected = ""
		return op, confirm(ctx, apis, op, req, UntilDone)
	}
	op.Outcome, op.Reason = progress.Succeeded, fmt.Sprintf("CodeDeploy deployment %s %s", op.DeploymentID, strings.ToLower(string(info.Status)))
	if !rollback {
		op.Reason += " without rollback"
		if err := confirm(ctx, apis, op, req, UntilDone); err != nil {
			return op, err
		}
		op.Remaining = leftText(op.State)
		return op, nil
	}
	if rb := info.RollbackInfo; rb != nil && aws.ToString(rb.RollbackDeploymentId) != "" {
		op.RollbackDeploymentID = aws.ToString(rb.RollbackDeploymentId)
		say(o, "CodeDeploy rolls back with deployment %s", op.RollbackDeploymentID)
		rfr, err := Follow(ctx, apis.CodeDeploy, op.RollbackDeploymentID, o)
		if rfr != nil {
			op.Reads += rfr.Reads
		}
		if err != nil {
			return op, err
		}
		if rfr.Verdict.Outcome != progress.Succeeded {
			op.Outcome, op.Reason = rfr.Verdict.Outcome, "the rollback did not finish: "+rfr.Verdict.Reason
			return op, confirm(ctx, apis, op, req, UntilDone)
		}
		op.Reason += " and rolled back by deployment " + op.RollbackDeploymentID
	} else {
		op.Reason += "; CodeDeploy names no rollback deployment"
	}
	if err := confirm(ctx, apis, op, req, UntilDone); err != nil {
		return op, err
	}
	checkTrafficBack(op, original)
	return op, nil
}

func stopMessage(out *codedeploy.StopDeploymentOutput) string {
	if out == nil || out.Status == "" {
		return ""
	}
	return fmt.Sprintf(": %s %s", out.Status, aws.ToString(out.StatusMessage))
}

// checkTrafficBack fails a rollback whose production traffic is not all on
// the original side: the target group of the task set running original.
func checkTrafficBack(op *Operation, original string) {
	if op.Outcome != progress.Succeeded || op.State == nil {
		return
	}
	var tg string
	for _, ts := range op.State.TaskSets {
		if ts.TaskDefinition == original && ts.Status == "PRIMARY" {
			tg = ts.TargetGroup
		}
	}
	if tg == "" {
		return // an ECS-native service: its PRIMARY deployment was checked
	}
	for _, r := range op.State.Traffic {
		if !strings.HasPrefix(r.Role, "production") {
			continue
		}
		for _, w := range r.Weights {
			if w.TargetGroup != tg && w.Percent > 0 {
				op.Outcome = progress.Failed
				op.Reason = fmt.Sprintf("%s, but the %s still sends %s%% of production traffic to %s", op.Reason, r.Role, formatPercent(w.Percent), w.TargetGroup)
				return
			}
		}
	}
}

func stopNative(ctx context.Context, apis APIs, c *Current, op *Operation, req Request, rollback bool, o FollowOptions) (*Operation, error) {
	stopType := types.StopServiceDeploymentStopTypeAbort
	if rollback {
		stopType = types.StopServiceDeploymentStopTypeRollback
	}
	op.Action = "StopServiceDeployment " + string(stopType)
	if _, err := apis.ECS.StopServiceDeployment(ctx, &ecs.StopServiceDeploymentInput{ServiceDeploymentArn: aws.String(op.DeploymentID), StopType: stopType}); err != nil {
		if !rollback && isInvalid(err) {
			return op, exitcode.With(exitcode.Invalid, fmt.Errorf("ECS refused to stop service deployment %s without a rollback (%w); `ecsdeploy rollback` stops it and sends traffic back", ecsref.Short(op.DeploymentID), err))
		}
		return op, err
	}
	say(o, "asked ECS to stop service deployment %s (%s)", ecsref.Short(op.DeploymentID), stopType)
	if req.NoWait {
		return finishNoWait(ctx, apis, c, op, req), nil
	}
	fr, err := FollowServiceDeployment(ctx, apis.ECS, c.Cluster, op.DeploymentID, o)
	if fr != nil {
		op.Reads += fr.Reads
	}
	if err != nil {
		return op, err
	}
	sd := fr.Last
	want := types.ServiceDeploymentStatusStopped
	if rollback {
		want = types.ServiceDeploymentStatusRollbackSuccessful
	}
	switch {
	case fr.Verdict.Outcome == progress.TimedOut:
		op.Outcome, op.Reason = progress.TimedOut, "the service deployment did not stop in time: "+fr.Verdict.Reason
	case sd.Status == want:
		op.Outcome, op.Reason = progress.Succeeded, fmt.Sprintf("service deployment %s ended %s", ecsref.Short(op.DeploymentID), sd.Status)
	default:
		op.Outcome, op.Reason, op.Expected = progress.Failed, fr.Verdict.Reason, ""
	}
	if err := confirm(ctx, apis, op, req, UntilDone); err != nil {
		return op, err
	}
	if !rollback && op.Outcome == progress.Succeeded {
		op.Remaining = leftText(op.State)
	}
	return op, nil
}

// isInvalid reports an AWS error that refuses the request's parameters.
func isInvalid(err error) bool {
	var ae interface{ ErrorCode() string }
	if !errors.As(err, &ae) {
		return false
	}
	return slices.Contains([]string{"InvalidParameterException", "UnsupportedFeatureException", "ClientException"}, ae.ErrorCode())
}

// leftText says what an abort leaves: where production traffic goes and
// which task sets still run.
func leftText(st *State) string {
	if st == nil {
		return ""
	}
	var parts []string
	if p := st.Production(); p != "" {
		parts = append(parts, "production traffic: "+p)
	}
	for _, ts := range st.TaskSets {
		parts = append(parts, fmt.Sprintf("task set %s %s runs %s (%d running)", ts.ID, ts.Status, ecsref.Short(ts.TaskDefinition), ts.Running))
	}
	for _, d := range st.Deployments {
		parts = append(parts, fmt.Sprintf("deployment %s %s runs %s (%d running)", d.ID, d.Status, ecsref.Short(d.TaskDefinition), d.Running))
	}
	return strings.Join(parts, "; ")
}
