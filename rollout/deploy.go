package rollout

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/internal/failure"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// DefaultTimeout is how long a deploy waits for its deployment.
const DefaultTimeout = 10 * time.Minute

// Options say how to apply a plan.
type Options struct {
	// NoWait returns once the service is updated. It also skips waiting for
	// a deployment already in progress (ours supersedes it).
	NoWait bool
	// SkipDeploymentsCheck counts success once our tasks run, without
	// waiting for old tasks to drain.
	SkipDeploymentsCheck bool
	// Timeout bounds the wait for a deployment already in progress plus
	// ours (default 10 minutes). A rollback gets the same time again.
	Timeout time.Duration
	// Rollback returns the service to the previous task definition (and
	// desired count, if we changed it) when the deployment fails or times out.
	Rollback bool
	// KeepRevisions, after success, deregisters ACTIVE revisions of the
	// family beyond the newest N (see Prune for what is never deregistered).
	KeepRevisions int
	// FailureThreshold overrides how many failed tasks fail a deployment of
	// a service without the circuit breaker (see watch.Target).
	FailureThreshold int
	// Watch tunes the poller; its Timeout and Reporter are set by Deploy.
	Watch watch.Options
	// Reporter receives progress; nil discards it.
	Reporter progress.Reporter
}

// Deploy applies the plan: waits for a deployment already in progress,
// registers the new revision, updates the service, and (unless NoWait)
// follows our deployment to its verdict, then rolls back or prunes as asked.
// The Result is returned even with an error; the error carries the exit
// code (failure.CodeOf): 1 failed, 3 timed out, 4 AWS refused a call.
func Deploy(ctx context.Context, api ECSAPI, plan *Plan, opts Options) (*Result, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	rep := opts.Reporter
	if rep == nil {
		rep = progress.Discard
	}
	if opts.Watch.Events == nil {
		// The waits of this deploy (one in progress, ours, a rollback)
		// report each service event once between them.
		opts.Watch.Events = &watch.EventLog{}
	}
	if opts.Watch.Clock == nil {
		opts.Watch.Clock = watch.WallClock{}
	}
	d := &deployer{api: api, opts: opts, rep: rep, deadline: opts.Watch.Clock.Now().Add(opts.Timeout)}
	res := &Result{Cluster: plan.Request.Cluster, Service: plan.Request.Service, Timings: Timings{Started: d.now().UTC()}}
	err := d.run(ctx, plan, res)
	res.Timings.Finished = d.now().UTC()
	res.Timings.DurationSeconds = res.Timings.Finished.Sub(res.Timings.Started).Seconds()
	return res, err
}

type deployer struct {
	api      ECSAPI
	opts     Options
	rep      progress.Reporter
	deadline time.Time
}

// now is the time on the deploy's clock (the watcher's).
func (d *deployer) now() time.Time { return d.opts.Watch.Clock.Now() }

func (d *deployer) step(format string, args ...any) {
	d.rep.Report(progress.Step{At: d.now(), Message: fmt.Sprintf(format, args...)})
}

func (d *deployer) warn(res *Result, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	res.Warnings = append(res.Warnings, msg)
	d.rep.Report(progress.Warning{At: d.now(), Message: msg})
}

func (d *deployer) watchOptions() watch.Options {
	w := d.opts.Watch
	w.Reporter = d.rep
	w.Timeout = max(d.deadline.Sub(d.now()), time.Millisecond)
	return w
}

func (d *deployer) run(ctx context.Context, plan *Plan, res *Result) error {
	plan, err := d.awaitInProgress(ctx, plan, res)
	if err != nil || res.Outcome != "" {
		return err
	}
	res.PreviousTaskDefinition = aws.ToString(plan.Service.TaskDefinition)
	res.ServiceChanges = plan.SettingChanges
	if plan.New != nil {
		summary := plan.Summary
		res.Changes = &summary
	}
	for _, w := range plan.Summary.Warnings {
		d.warn(res, "%s", w)
	}
	tdARN, err := d.register(ctx, plan, res)
	if err != nil {
		res.Outcome = progress.Failed
		res.Reason = err.Error()
		return err
	}
	ours, err := d.update(ctx, plan, tdARN, res)
	if err != nil {
		return err
	}
	if d.opts.NoWait {
		res.Outcome = Updated
		res.Reason = "the service was updated; not waiting"
		return nil
	}
	if ours == nil {
		res.Outcome = progress.Failed
		res.Reason = "UpdateService returned no PRIMARY deployment to follow"
		return failure.Failedf("%s", res.Reason)
	}
	d.step("waiting for deployment %s (timeout %s)", aws.ToString(ours.Id), d.deadline.Sub(d.now()).Round(time.Second))
	wr, err := watch.Wait(ctx, d.api, watch.Target{
		Cluster: plan.Request.Cluster, Service: plan.Request.Service,
		DeploymentID: aws.ToString(ours.Id), TaskDefinition: aws.ToString(ours.TaskDefinition),
		Since: aws.ToTime(ours.CreatedAt), SkipDeploymentsCheck: d.opts.SkipDeploymentsCheck,
		FailureThreshold: d.opts.FailureThreshold,
	}, d.watchOptions())
	if err != nil {
		res.Outcome = progress.Failed
		res.Reason = "watching the deployment: " + err.Error()
		if ctx.Err() != nil {
			res.Reason = fmt.Sprintf("interrupted while waiting; deployment %s goes on in ECS (follow it with ecsdeploy status)", res.DeploymentID)
		}
		return fmt.Errorf("watch deployment %s: %w", aws.ToString(ours.Id), err)
	}
	res.Outcome, res.Reason = wr.Outcome, wr.Reason
	res.RolloutState, res.RolloutStateReason = wr.RolloutState, wr.RolloutStateReason
	res.Failure = wr.Diagnosis
	res.VerdictSeen = wr.VerdictSeen
	res.ThrottledPolls = wr.Throttled
	if wr.Outcome == progress.Succeeded {
		if d.opts.KeepRevisions > 0 {
			d.prune(ctx, plan, res)
		}
		return nil
	}
	switch {
	case d.opts.Rollback && wr.ReplacedBy != "":
		// Someone deployed over us; rolling back would undo their deployment.
		d.warn(res, "not rolling back: deployment %s replaced ours and is left alone", wr.ReplacedBy)
	case d.opts.Rollback:
		d.rollback(ctx, plan, wr, res)
	}
	if wr.Outcome == progress.TimedOut {
		return failure.TimedOutf("deployment %s timed out: %s", res.DeploymentID, wr.Reason)
	}
	return failure.Failedf("deployment %s failed: %s", res.DeploymentID, wr.Reason)
}

// awaitInProgress waits for a deployment that was already rolling out, then
// plans again, since the service may have changed meanwhile.
func (d *deployer) awaitInProgress(ctx context.Context, plan *Plan, res *Result) (*Plan, error) {
	ip := plan.InProgress
	if ip == nil {
		return plan, nil
	}
	id := aws.ToString(ip.Id)
	if d.opts.NoWait {
		d.warn(res, "deployment %s (%s) is still in progress; ours supersedes it (not waiting)", id, shortARN(aws.ToString(ip.TaskDefinition)))
		return plan, nil
	}
	d.step("deployment %s (%s) is already in progress; waiting for it before ours", id, shortARN(aws.ToString(ip.TaskDefinition)))
	wr, err := watch.Wait(ctx, d.api, watch.Target{Cluster: plan.Request.Cluster, Service: plan.Request.Service, DeploymentID: id, Awaited: true}, d.watchOptions())
	if err != nil {
		return nil, fmt.Errorf("wait for deployment %s: %w", id, err)
	}
	res.WaitedFor = &WaitedDeployment{DeploymentID: id, TaskDefinition: aws.ToString(ip.TaskDefinition), Outcome: wr.Outcome, Reason: wr.Reason}
	if wr.Outcome == progress.TimedOut {
		res.Outcome = NotStarted
		res.Reason = fmt.Sprintf("deployment %s, already in progress, did not finish in time; nothing was changed", id)
		res.PreviousTaskDefinition = aws.ToString(plan.Service.TaskDefinition)
		return nil, failure.TimedOutf("%s", res.Reason)
	}
	next, err := MakePlan(ctx, d.api, plan.Request)
	if err != nil {
		return nil, err
	}
	if next.InProgress != nil && aws.ToString(next.InProgress.Id) != id {
		d.warn(res, "another deployment, %s, started meanwhile; ours supersedes it", aws.ToString(next.InProgress.Id))
	}
	return next, nil
}

// register registers the new revision when there is one and returns the
// ARN to deploy.
func (d *deployer) register(ctx context.Context, plan *Plan, res *Result) (string, error) {
	var td *types.TaskDefinition
	switch {
	case plan.New != nil:
		out, err := d.api.RegisterTaskDefinition(ctx, plan.New)
		if err != nil {
			return "", fmt.Errorf("register task definition %s: %w", aws.ToString(plan.New.Family), err)
		}
		td = out.TaskDefinition
		res.Registered = true
		now := d.now().UTC()
		res.Timings.Registered = &now
		d.step("registered %s", shortARN(aws.ToString(td.TaskDefinitionArn)))
	case plan.Existing != nil:
		td = plan.Existing
	default:
		td = plan.Current
	}
	res.TaskDefinition = aws.ToString(td.TaskDefinitionArn)
	res.Family = aws.ToString(td.Family)
	res.Revision = td.Revision
	return res.TaskDefinition, nil
}

// update updates the service and returns our (PRIMARY) deployment. When the
// update fails, the revision just registered is deregistered again so that
// no orphan is left behind.
func (d *deployer) update(ctx context.Context, plan *Plan, tdARN string, res *Result) (*types.Deployment, error) {
	in := *plan.Update
	in.TaskDefinition = aws.String(tdARN)
	out, err := d.api.UpdateService(ctx, &in)
	if err != nil {
		res.Outcome = progress.Failed
		res.Reason = "UpdateService failed: " + err.Error()
		if res.Registered {
			d.deregisterOrphan(ctx, tdARN, res)
		}
		return nil, fmt.Errorf("update service %s: %w", plan.Request.Service, err)
	}
	now := d.now().UTC()
	res.Timings.ServiceUpdated = &now
	svc := *out.Service
	var ours *types.Deployment
	for _, dep := range svc.Deployments {
		if aws.ToString(dep.Status) == "PRIMARY" {
			dep := dep
			ours = &dep
		}
	}
	if ours != nil {
		res.DeploymentID = aws.ToString(ours.Id)
		d.step("updated service %s: deployment %s", plan.Request.Service, res.DeploymentID)
	} else {
		d.step("updated service %s", plan.Request.Service)
	}
	if tags := plan.Request.Changes.Tags; len(tags) > 0 {
		if _, err := d.api.TagResource(ctx, &ecs.TagResourceInput{ResourceArn: svc.ServiceArn, Tags: tags}); err != nil {
			d.warn(res, "tagging the service failed (the deployment goes on): %v", err)
		}
	}
	return ours, nil
}

func (d *deployer) deregisterOrphan(ctx context.Context, arn string, res *Result) {
	// Clean up even if the caller's context is being cancelled.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := d.api.DeregisterTaskDefinition(cctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err != nil {
		d.warn(res, "revision %s was registered but the service update failed, and deregistering it failed too: %v", shortARN(arn), err)
		return
	}
	res.OrphanDeregistered = arn
	d.step("the service update failed; deregistered the revision registered for it, %s", shortARN(arn))
}

func (d *deployer) prune(ctx context.Context, plan *Plan, res *Result) {
	pr, err := Prune(ctx, d.api, PruneRequest{
		Cluster: plan.Request.Cluster, Family: res.Family, Keep: d.opts.KeepRevisions,
		Protect: []string{res.TaskDefinition, res.PreviousTaskDefinition},
	}, d.rep)
	if err != nil {
		d.warn(res, "pruning old revisions failed (the deployment succeeded): %v", err)
		return
	}
	res.Pruned = pr.Deregistered
}

// rollback returns the service to what ran before: it follows ECS's own
// rollback when the circuit breaker started one, and otherwise updates the
// service back itself.
func (d *deployer) rollback(ctx context.Context, plan *Plan, wr *watch.Result, res *Result) {
	wopts := d.opts.Watch
	wopts.Reporter = d.rep
	wopts.Timeout = d.opts.Timeout
	if wr.RollbackDeploymentID != "" {
		d.step("ECS is rolling back (deployment %s); waiting for it", wr.RollbackDeploymentID)
		rr, err := watch.Wait(ctx, d.api, watch.Target{Cluster: plan.Request.Cluster, Service: plan.Request.Service, DeploymentID: wr.RollbackDeploymentID}, wopts)
		res.Rollback = &RollbackResult{TaskDefinition: res.PreviousTaskDefinition, DeploymentID: wr.RollbackDeploymentID, ByECS: true}
		fillRollback(res.Rollback, rr, err)
		return
	}
	req := RollbackRequest{Cluster: plan.Request.Cluster, Service: plan.Request.Service, TaskDefinition: res.PreviousTaskDefinition}
	if plan.Update.DesiredCount != nil {
		prev := plan.Service.DesiredCount
		req.DesiredCount = &prev
	}
	if req.TaskDefinition == res.TaskDefinition && req.DesiredCount == nil {
		d.warn(res, "nothing to roll back to: the service ran %s before this deployment too", shortARN(res.TaskDefinition))
		return
	}
	rb, err := Rollback(ctx, d.api, req, RollbackOptions{Watch: wopts})
	if err != nil && rb == nil {
		d.warn(res, "rollback failed: %v", err)
		return
	}
	res.Rollback = rb
}

func fillRollback(rb *RollbackResult, wr *watch.Result, err error) {
	if err != nil {
		rb.Outcome = progress.Failed
		rb.Reason = err.Error()
		return
	}
	rb.Outcome, rb.Reason, rb.Failure = wr.Outcome, wr.Reason, wr.Diagnosis
	if wr.TaskDefinition != "" {
		rb.TaskDefinition = wr.TaskDefinition
	}
}

func shortARN(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}
