package rollout

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/transient"
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
// code (exitcode.Of): 1 failed, 3 timed out, 4 AWS refused a call.
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
	res := &Result{Cluster: plan.Request.Cluster, Service: plan.Request.Service, Strategy: StrategyRolling, Timings: Timings{Started: d.now().UTC()}}
	err := d.run(ctx, plan, res)
	res.Timings.Finished = d.now().UTC()
	res.Timings.DurationSeconds = res.Timings.Finished.Sub(res.Timings.Started).Seconds()
	return res, err
}

// RegisterRevision registers the plan's new revision, as Deploy does, and
// updates nothing: for a deploy whose traffic another controller moves
// (CodeDeploy). The Result names the revision (registered, existing or
// current) and is returned even with an error.
func RegisterRevision(ctx context.Context, api ECSAPI, plan *Plan, opts Options) (*Result, error) {
	if opts.Watch.Clock == nil {
		opts.Watch.Clock = watch.WallClock{}
	}
	rep := opts.Reporter
	if rep == nil {
		rep = progress.Discard
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	d := &deployer{api: api, opts: opts, rep: rep, deadline: opts.Watch.Clock.Now().Add(opts.Timeout)}
	res := &Result{Cluster: plan.Request.Cluster, Service: plan.Request.Service, Timings: Timings{Started: d.now().UTC()}}
	d.reportPlan(plan, res)
	_, err := d.register(ctx, plan, res)
	return res, err
}

// reportPlan records in res what the plan changes and reports its warnings.
func (d *deployer) reportPlan(plan *Plan, res *Result) {
	res.PreviousTaskDefinition = aws.ToString(plan.Service.TaskDefinition)
	if plan.New != nil {
		summary := plan.Summary
		res.Changes = &summary
	}
	for _, w := range plan.Summary.Warnings {
		d.warn(res, "%s", w)
	}
	for _, w := range plan.Warnings {
		d.warn(res, "%s", w)
	}
}

type deployer struct {
	api      ECSAPI
	opts     Options
	rep      progress.Reporter
	deadline time.Time
	lastRead *types.Service // the service as last read while checking an update
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

// watchOptions are the options of a wait within the deploy's deadline. Only
// the wait for our own deployment holds its verdict for Watch.StableFor
// (see oursWatchOptions); a deployment awaited before ours does not.
func (d *deployer) watchOptions() watch.Options {
	w := d.opts.Watch
	w.Reporter = d.rep
	w.Timeout = max(d.deadline.Sub(d.now()), time.Millisecond)
	w.TimeoutTotal = d.opts.Timeout
	w.StableFor = 0
	return w
}

func (d *deployer) oursWatchOptions() watch.Options {
	w := d.watchOptions()
	w.StableFor = d.opts.Watch.StableFor
	return w
}

func (d *deployer) run(ctx context.Context, plan *Plan, res *Result) error {
	plan, err := d.awaitInProgress(ctx, plan, res)
	if err != nil || res.Outcome != "" {
		return err
	}
	res.ServiceChanges = plan.SettingChanges
	d.reportPlan(plan, res)
	if plan.Existing != nil && plan.New == nil {
		for _, n := range plan.Notes {
			d.step("%s", n)
		}
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
		return exitcode.Failedf("%s", res.Reason)
	}
	d.step("waiting for deployment %s (timeout %s)", aws.ToString(ours.Id), d.deadline.Sub(d.now()).Round(time.Second))
	wr, err := watch.Wait(ctx, d.api, watch.Target{
		Cluster: plan.Request.Cluster, Service: plan.Request.Service,
		DeploymentID: aws.ToString(ours.Id), TaskDefinition: aws.ToString(ours.TaskDefinition),
		Since: aws.ToTime(ours.CreatedAt), SkipDeploymentsCheck: d.opts.SkipDeploymentsCheck,
		FailureThreshold: d.opts.FailureThreshold,
	}, d.oursWatchOptions())
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
		return exitcode.TimedOutf("deployment %s timed out: %s", res.DeploymentID, wr.Reason)
	}
	return exitcode.Failedf("deployment %s failed: %s", res.DeploymentID, wr.Reason)
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
		d.warn(res, "deployment %s (%s) is still in progress; ours supersedes it (not waiting)", id, ecsref.Short(aws.ToString(ip.TaskDefinition)))
		return plan, nil
	}
	d.step("deployment %s (%s) is already in progress; waiting for it before ours", id, ecsref.Short(aws.ToString(ip.TaskDefinition)))
	wr, err := watch.Wait(ctx, d.api, watch.Target{Cluster: plan.Request.Cluster, Service: plan.Request.Service, DeploymentID: id, Awaited: true}, d.watchOptions())
	if err != nil {
		return nil, fmt.Errorf("wait for deployment %s: %w", id, err)
	}
	res.WaitedFor = &WaitedDeployment{DeploymentID: id, TaskDefinition: aws.ToString(ip.TaskDefinition), Outcome: wr.Outcome, Reason: wr.Reason}
	if wr.Outcome == progress.TimedOut {
		res.Outcome = NotStarted
		res.Reason = fmt.Sprintf("deployment %s, already in progress, did not finish in time; nothing was changed", id)
		res.PreviousTaskDefinition = aws.ToString(plan.Service.TaskDefinition)
		return nil, exitcode.TimedOutf("%s", res.Reason)
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
		var err error
		td, err = d.registerNew(ctx, plan, res)
		if err != nil {
			return "", fmt.Errorf("register task definition %s: %w", aws.ToString(plan.New.Family), err)
		}
		res.Registered = true
		now := d.now().UTC()
		res.Timings.Registered = &now
		d.step("registered %s", ecsref.Short(aws.ToString(td.TaskDefinitionArn)))
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

// update updates the service and returns our (PRIMARY) deployment.
//
// UpdateService is never repeated blindly: when a call fails on the wire or
// with a transient fault, the update may have been applied all the same (its
// reply lost), so the service is read first. If it shows our update (a new
// PRIMARY deployment of our task definition), that is the answer; if not,
// the same input is sent again, which is safe: it was not applied. When the
// update finally fails, the service is read once more before any undo, and
// the revision just registered is deregistered only if the service does not
// use it.
func (d *deployer) update(ctx context.Context, plan *Plan, tdARN string, res *Result) (*types.Deployment, error) {
	in := *plan.Update
	in.TaskDefinition = aws.String(tdARN)
	before := map[string]bool{}
	for _, dep := range plan.Service.Deployments {
		before[aws.ToString(dep.Id)] = true
	}
	var svc *types.Service
	var err error
	pause := updateRetryPause
	for attempt := 1; ; attempt++ {
		var out *ecs.UpdateServiceOutput
		out, err = d.api.UpdateService(ctx, &in, noSDKRetries)
		if err == nil {
			svc = out.Service
			break
		}
		if !transient.Is(err) || ctx.Err() != nil {
			break
		}
		if applied, ok := d.appliedUpdate(ctx, plan, tdARN, before); ok {
			d.warn(res, "UpdateService's reply was lost (%v), but the service shows the update applied: following deployment %s", err, aws.ToString(applied.Id))
			svc, err = d.lastRead, nil
			break
		}
		if attempt >= updateAttempts || d.deadline.Sub(d.now()) < pause {
			break
		}
		d.step("UpdateService failed (%v) and the service shows no update; sending it again in %s", err, pause)
		if !d.pause(ctx, &pause) {
			break
		}
	}
	if err != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if applied, ok := d.appliedUpdate(cctx, plan, tdARN, before); ok {
			d.warn(res, "UpdateService failed (%v), but the service shows the update applied: following deployment %s", err, aws.ToString(applied.Id))
			svc, err = d.lastRead, nil
		}
	}
	if err != nil {
		res.Outcome = progress.Failed
		res.Reason = "UpdateService failed: " + err.Error()
		if res.Registered {
			d.deregisterOrphan(ctx, plan, tdARN, res)
		}
		return nil, fmt.Errorf("update service %s: %w", plan.Request.Service, err)
	}
	now := d.now().UTC()
	res.Timings.ServiceUpdated = &now
	var ours *types.Deployment
	if svc != nil {
		if p, ok := ecsref.PrimaryDeployment(*svc); ok {
			ours = &p
		}
	}
	if ours != nil {
		res.DeploymentID = aws.ToString(ours.Id)
		d.step("updated service %s: deployment %s", plan.Request.Service, res.DeploymentID)
	} else {
		d.step("updated service %s", plan.Request.Service)
	}
	if tags := plan.Request.Changes.Tags; len(tags) > 0 && svc != nil {
		if _, err := d.api.TagResource(ctx, &ecs.TagResourceInput{ResourceArn: svc.ServiceArn, Tags: tags}); err != nil {
			d.warn(res, "tagging the service failed (the deployment goes on): %v", err)
		}
	}
	return ours, nil
}

// registerNew registers plan.New. Like UpdateService, the call is not
// repeated blindly: after a failure on the wire or a server fault, the
// family's newest revision is read, and if it is the one this call
// registered (identical, newer than the service's, unused), its reply was
// lost and it is the result; otherwise the same input is sent again.
func (d *deployer) registerNew(ctx context.Context, plan *Plan, res *Result) (*types.TaskDefinition, error) {
	pause := updateRetryPause
	for attempt := 1; ; attempt++ {
		out, err := d.api.RegisterTaskDefinition(ctx, plan.New, noSDKRetries)
		if err == nil {
			return out.TaskDefinition, nil
		}
		if !transient.Is(err) || ctx.Err() != nil {
			return nil, err
		}
		if !transient.Throttled(err) {
			check := &Plan{Service: plan.Service, Current: plan.Current, New: plan.New}
			if e := check.checkNewestRevision(ctx, d.api); e == nil && check.Existing != nil {
				d.warn(res, "RegisterTaskDefinition's reply was lost (%v), but %s:%d, identical, was registered: using it", err, aws.ToString(check.Existing.Family), check.Existing.Revision)
				return check.Existing, nil
			}
		}
		if attempt >= updateAttempts || d.deadline.Sub(d.now()) < pause {
			return nil, err
		}
		d.step("RegisterTaskDefinition failed (%v); sending it again in %s", err, pause)
		if !d.pause(ctx, &pause) {
			return nil, err
		}
	}
}

// pause waits *p (or until ctx ends, then reports false) and doubles *p for
// the next time, up to 20 s.
func (d *deployer) pause(ctx context.Context, p *time.Duration) bool {
	wait := *p
	*p = min(2**p, 20*time.Second)
	return sleep(ctx, d.opts.Watch.Clock, wait) == nil
}

// updateAttempts and updateRetryPause bound the deploy's own retries of
// UpdateService (the SDK's are turned off for it), within the deadline.
const updateAttempts = 8

var updateRetryPause = 250 * time.Millisecond

func noSDKRetries(o *ecs.Options) {
	o.Retryer = retry.AddWithMaxAttempts(o.Retryer, 1)
}

// appliedUpdate reads the service and reports the deployment our update
// started, if the service shows one: a PRIMARY deployment that was not there
// before, running tdARN. The service read is kept in d.lastRead.
func (d *deployer) appliedUpdate(ctx context.Context, plan *Plan, tdARN string, before map[string]bool) (types.Deployment, bool) {
	svc, err := d.readService(ctx, plan)
	if err != nil {
		return types.Deployment{}, false
	}
	p, ok := ecsref.PrimaryDeployment(svc)
	if !ok || before[aws.ToString(p.Id)] || aws.ToString(p.TaskDefinition) != tdARN {
		return types.Deployment{}, false
	}
	return p, true
}

// readService reads the service (with the client's retries) and keeps it in d.lastRead.
func (d *deployer) readService(ctx context.Context, plan *Plan) (types.Service, error) {
	out, err := d.api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(plan.Request.Cluster), Services: []string{plan.Request.Service}})
	if err != nil {
		return types.Service{}, err
	}
	if len(out.Services) == 0 {
		return types.Service{}, fmt.Errorf("service %s not found", plan.Request.Service)
	}
	svc := out.Services[0]
	d.lastRead = &svc
	return svc, nil
}

// usesTaskDefinition reports whether the service runs arn or deploys it.
func usesTaskDefinition(svc types.Service, arn string) bool {
	if aws.ToString(svc.TaskDefinition) == arn {
		return true
	}
	for _, dep := range svc.Deployments {
		if aws.ToString(dep.TaskDefinition) == arn {
			return true
		}
	}
	return false
}

// deregisterOrphan deregisters the revision registered for an update that
// failed, after reading the service: never one the service uses, and not
// when the service cannot be read to check.
func (d *deployer) deregisterOrphan(ctx context.Context, plan *Plan, arn string, res *Result) {
	// Clean up even if the caller's context is being cancelled.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	svc, err := d.readService(cctx, plan)
	if err != nil {
		d.warn(res, "revision %s was registered for the update; it is left ACTIVE because the service could not be read to check that it does not use it: %v", ecsref.Short(arn), err)
		return
	}
	if usesTaskDefinition(svc, arn) {
		d.warn(res, "revision %s is used by the service although UpdateService failed; it is left ACTIVE", ecsref.Short(arn))
		return
	}
	if _, err := d.api.DeregisterTaskDefinition(cctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err != nil {
		d.warn(res, "revision %s was registered but the service update failed, and deregistering it failed too: %v", ecsref.Short(arn), err)
		return
	}
	res.OrphanDeregistered = arn
	d.step("the service update failed; deregistered the revision registered for it, %s", ecsref.Short(arn))
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
	wopts.StableFor = 0
	prevCount := previousDesiredCount(plan)
	if wr.RollbackDeploymentID != "" {
		res.Rollback = &RollbackResult{TaskDefinition: res.PreviousTaskDefinition, DeploymentID: wr.RollbackDeploymentID, ByECS: true}
		follow := wr.RollbackDeploymentID
		if prevCount != nil {
			// ECS's rollback restores the task definition only; the desired
			// count we changed stays. Set it back first, so that the one wait
			// below covers both (a count alone starts no new deployment).
			id, err := d.restoreDesiredCount(ctx, plan, *prevCount)
			if err != nil {
				res.Rollback.Outcome = progress.Failed
				res.Rollback.Reason = fmt.Sprintf("ECS is rolling the task definition back, but restoring the desired count to %d failed: %v", *prevCount, err)
				d.warn(res, "%s", res.Rollback.Reason)
				return
			}
			res.Rollback.DesiredCount = prevCount
			if id != "" && id != follow {
				follow, res.Rollback.DeploymentID = id, id
			}
		}
		d.step("ECS is rolling back (deployment %s); waiting for it", follow)
		rr, err := watch.Wait(ctx, d.api, watch.Target{Cluster: plan.Request.Cluster, Service: plan.Request.Service, DeploymentID: follow}, wopts)
		fillRollback(res.Rollback, rr, err)
		if prevCount != nil && res.Rollback.Outcome == progress.Succeeded {
			res.Rollback.Reason += fmt.Sprintf("; desired count restored to %d", *prevCount)
		}
		return
	}
	req := RollbackRequest{Cluster: plan.Request.Cluster, Service: plan.Request.Service, TaskDefinition: res.PreviousTaskDefinition, DesiredCount: prevCount}
	if req.TaskDefinition == res.TaskDefinition && req.DesiredCount == nil {
		d.warn(res, "nothing to roll back to: the service ran %s before this deployment too", ecsref.Short(res.TaskDefinition))
		return
	}
	rb, err := Rollback(ctx, d.api, req, RollbackOptions{Watch: wopts})
	if err != nil && rb == nil {
		d.warn(res, "rollback failed: %v", err)
		return
	}
	res.Rollback = rb
}

// previousDesiredCount is the desired count to restore on rollback: the
// service's count before the deploy, when the deploy changed it.
func previousDesiredCount(plan *Plan) *int32 {
	if plan.Update.DesiredCount == nil || *plan.Update.DesiredCount == plan.Service.DesiredCount {
		return nil
	}
	prev := plan.Service.DesiredCount
	return &prev
}

// restoreDesiredCount sets the service's desired count back, alone (ECS
// starts no deployment for it), and returns the PRIMARY deployment then.
func (d *deployer) restoreDesiredCount(ctx context.Context, plan *Plan, count int32) (string, error) {
	d.step("restoring the desired count of service %s to %d", plan.Request.Service, count)
	out, err := d.api.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster: aws.String(plan.Request.Cluster), Service: aws.String(plan.Request.Service), DesiredCount: aws.Int32(count),
	})
	if err != nil {
		return "", err
	}
	if out.Service != nil {
		if p, ok := ecsref.PrimaryDeployment(*out.Service); ok {
			return aws.ToString(p.Id), nil
		}
	}
	return "", nil
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

// sleep pauses for d on clock, or returns ctx's error if it ends first.
func sleep(ctx context.Context, clock watch.Clock, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-clock.After(d):
		return nil
	}
}
