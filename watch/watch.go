package watch

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/transient"
)

// Options tune the poller. The zero value polls about once a second.
type Options struct {
	// Interval is the pause between polls while the deployment changes (default 1 s).
	Interval time.Duration
	// IdleInterval is the pause once nothing changed for a few polls
	// (default 2 s), and half as long again after twice as many when the
	// schedule can poll when changes are due: long waits cost fewer calls.
	IdleInterval time.Duration
	// FastInterval is the pause between polls while a change is due: just
	// after the time ECS's rules give for it (a task reaching the 40 s
	// mark, its health-check grace ending, its siblings' start), and while
	// old tasks finish stopping before the verdict (default Interval/4).
	// See schedule.go.
	FastInterval time.Duration
	// ReadsPerSecond is the average number of reads (DescribeServices,
	// ListTasks, DescribeTasks) a second that the quick polls may bring the
	// wait up to (default 1): they are paid from a budget that fills at
	// this rate and that every read spends.
	ReadsPerSecond float64
	// MaxInterval caps the backoff when AWS throttles (default 20 s).
	MaxInterval time.Duration
	// TaskInterval is the least time between two task listings for progress
	// (default 10 s); a rising failure count lists tasks after two polls.
	TaskInterval time.Duration
	// PlacementGrace is how long "unable to place a task" may go on without
	// our deployment gaining a running task before it is a failure (default 30 s).
	PlacementGrace time.Duration
	// Timeout ends the wait with outcome TimedOut; 0 waits until ctx ends.
	Timeout time.Duration
	// TimeoutTotal, when more than Timeout, is the caller's whole time
	// limit, of which Timeout is what is left for this wait (a deploy's
	// timeout also covers registering and updating): the timeout message
	// then states the limit the user gave, not what was left of it.
	TimeoutTotal time.Duration
	// StableFor, after a success verdict, keeps watching that long and turns
	// the verdict into a failure if a task of our deployment stops for a
	// failure meanwhile (0: the verdict is final at once). It is not part of
	// Timeout.
	StableFor time.Duration
	// Reporter receives progress events; nil discards them.
	Reporter progress.Reporter
	// Events, when shared by several waits, keeps them from reporting the
	// same service event twice; nil reports every event this wait sees.
	Events *EventLog
	// Clock gives the time and the pauses between polls; nil is the wall clock.
	Clock Clock
}

func (o *Options) defaults() {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.IdleInterval < o.Interval {
		o.IdleInterval = max(2*time.Second, o.Interval)
		if o.Interval < time.Second {
			o.IdleInterval = 2 * o.Interval
		}
	}
	if o.MaxInterval < o.IdleInterval {
		o.MaxInterval = max(20*o.Interval, o.IdleInterval)
	}
	if o.TaskInterval <= 0 {
		o.TaskInterval = 10 * o.Interval
	}
	if o.FastInterval <= 0 || o.FastInterval > o.Interval {
		o.FastInterval = o.Interval / 4
	}
	if o.ReadsPerSecond <= 0 {
		o.ReadsPerSecond = 1
	}
	if o.PlacementGrace <= 0 {
		o.PlacementGrace = 30 * o.Interval
	}
	if o.Reporter == nil {
		o.Reporter = progress.Discard
	}
	if o.Clock == nil {
		o.Clock = WallClock{}
	}
}

// idlePolls is how many unchanged polls switch to the idle interval.
const idlePolls = 3

// Result is how the wait ended and what the watcher saw.
type Result struct {
	DeploymentID       string
	Outcome            progress.Outcome
	Reason             string
	TaskDefinition     string
	RolloutState       string
	RolloutStateReason string
	// RollbackDeploymentID is the deployment ECS started to roll ours back.
	RollbackDeploymentID string
	// ReplacedBy is the deployment that someone else started over ours.
	ReplacedBy string
	// Diagnosis is set when the deployment failed or timed out.
	Diagnosis *Diagnosis
	Started   time.Time
	Finished  time.Time
	// VerdictSeen is when the poll that decided the outcome returned.
	VerdictSeen time.Time
	Polls       int
	Throttled   int
}

// watcher is the state of one wait.
type watcher struct {
	api    ECSAPI
	target Target
	opts   Options

	deployments map[string]progress.Deployment
	tasks       map[string]progress.Task
	failedTasks map[string]progress.Task // ours, stopped because they failed
	stopped     map[string]progress.Task // ours, stopped for any reason
	seenEvents  map[string]bool
	events      []progress.ServiceEvent // since our deployment began, oldest first
	obs         observation
	deadline    time.Time // when the wait times out; zero: never
	lastFetch   time.Time
	lastFailed  int32

	// For the poll schedule (schedule.go).
	timings      map[string]taskTiming // our tasks, as last listed
	lastRunning  int32                 // our running count at the last poll
	runningSince time.Time             // ECS's time of the last rise of that count
	skewed       bool                  // ECS's timestamps run ahead of our clock
	reads        int                   // API calls made by this wait (countReads)
	spent        int                   // reads already taken from budget
	budget       readBudget
}

// Wait polls the service until the target deployment succeeds, fails or the
// timeout passes. A failed or timed-out deployment is a Result, not an
// error; the error is for AWS refusing to answer (not throttling, which is
// waited out) or ctx ending.
func Wait(ctx context.Context, api ECSAPI, target Target, opts Options) (*Result, error) {
	opts.defaults()
	w := &watcher{
		target: target, opts: opts,
		deployments: map[string]progress.Deployment{},
		tasks:       map[string]progress.Task{},
		failedTasks: map[string]progress.Task{},
		stopped:     map[string]progress.Task{},
		seenEvents:  map[string]bool{},
		timings:     map[string]taskTiming{},
	}
	w.api = countReads{api: api, n: &w.reads}
	w.budget = readBudget{at: opts.Clock.Now(), rate: opts.ReadsPerSecond}
	w.obs.placementGrace = opts.PlacementGrace
	// The first listing waits a TaskInterval: at the start our deployment has no tasks yet.
	w.lastFetch = w.opts.Clock.Now()
	return w.run(ctx)
}

func (w *watcher) run(ctx context.Context) (*Result, error) {
	res := &Result{DeploymentID: w.target.DeploymentID, Started: w.opts.Clock.Now()}
	var deadline time.Time
	if w.opts.Timeout > 0 {
		deadline = res.Started.Add(w.opts.Timeout)
	}
	w.deadline = deadline
	interval := w.opts.Interval
	backedOff := false // interval is a backoff from throttling or errors
	unchanged := 0
	for {
		res.Polls++
		svc, err := w.describe(ctx)
		steady := false
		if err == nil {
			var changed bool
			// The service alone can decide the verdict: judge it even when
			// the task listing that follows it was throttled.
			changed, err = w.observe(ctx, svc)
			j := judge(w.target, svc, w.obs)
			if j.checkTasks && (err == nil || transient.Is(err)) {
				// A throttled progress listing must not hold up a verdict
				// that needs only the listing of our stopped tasks.
				j, err = w.judgeWithTasks(ctx, svc)
			}
			w.note(res, svc)
			if j.done && j.outcome == progress.Succeeded && w.opts.StableFor > 0 {
				j, err = w.hold(ctx, res, j)
				if err != nil {
					return nil, err
				}
			}
			if j.done {
				res.VerdictSeen = w.opts.Clock.Now()
				res.ReplacedBy = j.replacedBy
				if j.rolloutState != "" {
					res.RolloutState, res.RolloutStateReason = j.rolloutState, j.rolloutStateReason
				}
				return w.finish(ctx, res, j.outcome, j.reason, j.rollbackID), nil
			}
			if err == nil {
				want := w.opts.Interval
				if changed {
					unchanged = 0
				} else if unchanged++; unchanged >= 2*idlePolls && !w.skewed {
					// Long quiet: the schedule polls when a change is due.
					want = w.opts.IdleInterval * 3 / 2
				} else if unchanged >= idlePolls {
					want = w.opts.IdleInterval
				}
				// After a throttling backoff, come back down gradually: the
				// next burst of polls would only be throttled again.
				if backedOff {
					interval = max(want, interval/2)
					backedOff = interval > want
				} else {
					interval = want
				}
				steady = !backedOff
				if !changed {
					w.opts.Reporter.Report(progress.Polled{At: w.opts.Clock.Now()})
				}
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if !transient.Is(err) {
				return nil, err
			}
			interval = min(max(interval, w.opts.Interval)*2, w.opts.MaxInterval)
			backedOff = true
			if transient.Throttled(err) {
				res.Throttled++
				w.opts.Reporter.Report(progress.Throttled{At: w.opts.Clock.Now(), Interval: interval})
			} else {
				w.opts.Reporter.Report(progress.Warning{At: w.opts.Clock.Now(), Message: fmt.Sprintf("AWS failed to answer (%v); polling again in %s", err, interval)})
			}
		}
		pause := interval
		if steady {
			// Not backing off from throttling or errors: poll when a
			// change is due.
			pause = w.schedule(svc, interval)
		}
		if !deadline.IsZero() {
			left := deadline.Sub(w.opts.Clock.Now())
			if left <= 0 {
				res.VerdictSeen = w.opts.Clock.Now()
				return w.finish(ctx, res, progress.TimedOut, w.timeoutReason(), ""), nil
			}
			pause = min(pause, left)
		}
		if err := sleep(ctx, w.opts.Clock, pause); err != nil {
			return nil, err
		}
	}
}

// judgeWithTasks lists our deployment's stopped tasks (one ListTasks, and
// DescribeTasks for any found) and judges the service again knowing them:
// the check that success asks for.
//
// Like the polls, this listing has a small retry budget of its own (the
// SDK's backoff would outlast a short timeout); when it fails, the next
// poll tries again.
func (w *watcher) judgeWithTasks(ctx context.Context, svc types.Service) (judgement, error) {
	if err := w.observeTaskList(ctx, w.opts.Clock.Now(), false, limitRetries); err != nil {
		return judgement{}, err
	}
	w.obs.failedTasks = len(w.failedTasks)
	obs := w.obs
	obs.tasksChecked = true
	return judge(w.target, svc, obs), nil
}

// hold keeps watching for Options.StableFor after a success verdict: the
// success stands only if, all that time, none of our tasks stops for a
// failure and nothing else ends our deployment (a rollback, a replacement).
// Each poll reads the service and lists our stopped tasks. The hold does not
// count against Timeout, which bounds the wait for the verdict.
func (w *watcher) hold(ctx context.Context, res *Result, verdict judgement) (judgement, error) {
	end := w.opts.Clock.Now().Add(w.opts.StableFor)
	w.opts.Reporter.Report(progress.Step{At: w.opts.Clock.Now(), Message: fmt.Sprintf("%s; watching the deployment's tasks for %s more (stable-for)", verdict.reason, roundDuration(w.opts.StableFor))})
	interval := w.opts.Interval
	last := verdict
	for {
		pause := min(interval, end.Sub(w.opts.Clock.Now()))
		if pause <= 0 {
			break
		}
		if err := sleep(ctx, w.opts.Clock, pause); err != nil {
			return judgement{}, err
		}
		res.Polls++
		svc, err := w.describe(ctx)
		var j judgement
		if err == nil {
			_, err = w.observe(ctx, svc)
		}
		if err == nil {
			j, err = w.judgeWithTasks(ctx, svc)
		}
		if err != nil {
			if ctx.Err() != nil {
				return judgement{}, ctx.Err()
			}
			if !transient.Is(err) {
				return judgement{}, err
			}
			interval = min(max(interval, w.opts.Interval)*2, w.opts.MaxInterval)
			continue
		}
		interval = w.opts.IdleInterval
		w.note(res, svc)
		if j.done && j.outcome != progress.Succeeded {
			j.reason = fmt.Sprintf("within %s of the verdict (%s): %s", roundDuration(w.opts.StableFor), verdict.reason, j.reason)
			return j, nil
		}
		last = j
	}
	if !last.done {
		// The service no longer looks done (a task is being replaced) and
		// no stopped task explains it yet: not stable.
		return judgement{done: true, outcome: progress.Failed, reason: fmt.Sprintf("not stable %s after the verdict: %s", roundDuration(w.opts.StableFor), w.state())}, nil
	}
	verdict.reason += fmt.Sprintf("; stable for %s", roundDuration(w.opts.StableFor))
	return verdict, nil
}

func sleep(ctx context.Context, clock Clock, d time.Duration) error { return Sleep(ctx, clock, d) }

// schedule returns the pause before the next poll after svc was read,
// given the pause the steady pace asks for (see schedule.go).
func (w *watcher) schedule(svc types.Service, steady time.Duration) time.Duration {
	now := w.opts.Clock.Now()
	w.budget.refill(now)
	w.budget.spend(w.reads - w.spent)
	w.spent = w.reads
	o := outlook{svc: svc, deploymentID: w.target.DeploymentID, runningSince: w.runningSince, startDecides: w.target.SkipDeploymentsCheck}
	for _, t := range w.timings {
		o.tasks = append(o.tasks, t)
	}
	dues, draining := expectChanges(o)
	if w.skewed {
		// ECS's times cannot be placed on our clock.
		dues = nil
	}
	return nextPause(cadence{now: now, steady: steady, fast: w.opts.FastInterval, warm: w.opts.Interval, dues: dues, draining: draining,
		budget: w.budget.tokens, rate: w.opts.ReadsPerSecond})
}

// noteTimes keeps what the schedule needs from a read of the service: when
// our running count last rose (in ECS's clock), and whether ECS's clock
// runs ahead of ours.
func (w *watcher) noteTimes(svc types.Service, now time.Time) {
	ours, ok := findDeployment(svc, w.target.DeploymentID)
	if ok {
		if ours.RunningCount > w.lastRunning {
			w.runningSince = aws.ToTime(ours.UpdatedAt)
			if ours.UpdatedAt == nil {
				w.runningSince = now
			}
		}
		w.lastRunning = ours.RunningCount
	}
	limit := now.Add(skewTolerance)
	for _, d := range svc.Deployments {
		if aws.ToTime(d.UpdatedAt).After(limit) || aws.ToTime(d.CreatedAt).After(limit) {
			w.skewed = true
		}
	}
	for _, e := range svc.Events {
		if aws.ToTime(e.CreatedAt).After(limit) {
			w.skewed = true
		}
	}
}

// describe reads the service, in one call.
func (w *watcher) describe(ctx context.Context) (types.Service, error) {
	out, err := w.api.DescribeServices(ctx, &ecs.DescribeServicesInput{
		Cluster: aws.String(w.target.Cluster), Services: []string{w.target.Service},
	}, limitRetries)
	if err != nil {
		return types.Service{}, err
	}
	if len(out.Services) == 0 {
		reason := "MISSING"
		if len(out.Failures) > 0 {
			reason = aws.ToString(out.Failures[0].Reason)
		}
		return types.Service{}, &serviceGone{service: w.target.Service, reason: reason}
	}
	return out.Services[0], nil
}

// serviceGone is the error for a service DescribeServices does not return.
type serviceGone struct{ service, reason string }

func (e *serviceGone) Error() string {
	return fmt.Sprintf("service %s not found (%s)", e.service, e.reason)
}

// IsServiceGone reports whether err says the watched service does not exist.
func IsServiceGone(err error) bool {
	var g *serviceGone
	return errors.As(err, &g)
}

// observe reports what changed since the last poll and lists tasks when it
// is worth a call. It returns whether anything changed.
func (w *watcher) observe(ctx context.Context, svc types.Service) (bool, error) {
	now := w.opts.Clock.Now()
	w.noteTimes(svc, now)
	changed := w.observeDeployments(svc, now)
	if w.target.Since.IsZero() {
		if d, ok := findDeployment(svc, w.target.DeploymentID); ok && d.CreatedAt != nil {
			w.target.Since = *d.CreatedAt
		}
	}
	if w.observeEvents(svc, now) {
		changed = true
	}
	ours, _ := findDeployment(svc, w.target.DeploymentID)
	failedRose := ours.FailedTasks > w.lastFailed
	w.lastFailed = ours.FailedTasks
	// Task listings cost three calls; they serve the progress view and the
	// failure count of services without the circuit breaker, so they are
	// spaced out to keep the wait near one read a second: soon (not more
	// than every two polls) when our failure count rises on a service that
	// ECS's circuit breaker does not judge, at most every TaskInterval while
	// something changes, and every three TaskIntervals in any case, since a
	// task can fail and be replaced between two polls without a count moving.
	w.obs.now = now
	if w.obs.placementFailures > 0 && ours.RunningCount > w.obs.runningAtPlacement {
		// Tasks are being placed after all: the failure was transient.
		w.obs.placementFailures = 0
	}
	sinceFetch := now.Sub(w.lastFetch)
	if (failedRose && !breakerEnabled(svc) && sinceFetch >= 2*w.opts.Interval) ||
		(changed && sinceFetch >= w.opts.TaskInterval) || sinceFetch >= 3*w.opts.TaskInterval {
		if err := w.observeTasks(ctx, now); err != nil {
			return changed, err
		}
	}
	w.obs.failedTasks = len(w.failedTasks)
	return changed, nil
}

func deploymentView(d types.Deployment, t Target) progress.Deployment {
	ours := aws.ToString(d.Id) == t.DeploymentID
	return progress.Deployment{
		ID:                 aws.ToString(d.Id),
		Status:             aws.ToString(d.Status),
		TaskDefinition:     aws.ToString(d.TaskDefinition),
		RolloutState:       string(d.RolloutState),
		RolloutStateReason: aws.ToString(d.RolloutStateReason),
		Desired:            d.DesiredCount,
		Pending:            d.PendingCount,
		Running:            d.RunningCount,
		Failed:             d.FailedTasks,
		Ours:               ours,
		Awaited:            ours && t.Awaited,
	}
}

func (w *watcher) observeDeployments(svc types.Service, now time.Time) bool {
	changed := false
	present := map[string]bool{}
	for _, d := range svc.Deployments {
		v := deploymentView(d, w.target)
		present[v.ID] = true
		if old, ok := w.deployments[v.ID]; ok && old == v {
			continue
		}
		w.deployments[v.ID] = v
		changed = true
		w.opts.Reporter.Report(progress.DeploymentChanged{At: now, Deployment: v})
	}
	ids := make([]string, 0, len(w.deployments))
	for id := range w.deployments {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if !present[id] {
			v := w.deployments[id]
			v.Status = progress.Gone
			delete(w.deployments, id)
			changed = true
			w.opts.Reporter.Report(progress.DeploymentChanged{At: now, Deployment: v})
		}
	}
	return changed
}

const placementFailure = "unable to place a task"

func (w *watcher) observeEvents(svc types.Service, now time.Time) bool {
	var fresh []progress.ServiceEvent
	for _, e := range svc.Events {
		id := aws.ToString(e.Id)
		at := aws.ToTime(e.CreatedAt)
		if id == "" {
			id = at.String() + aws.ToString(e.Message)
		}
		if w.seenEvents[id] {
			continue
		}
		w.seenEvents[id] = true
		if at.Before(w.target.Since) {
			continue // an older deployment's story, not ours
		}
		fresh = append(fresh, progress.ServiceEvent{At: now, Created: at, ID: id, Message: aws.ToString(e.Message)})
	}
	// DescribeServices lists the newest first; report in the order they happened.
	sort.SliceStable(fresh, func(i, j int) bool { return fresh[i].Created.Before(fresh[j].Created) })
	ours, _ := findDeployment(svc, w.target.DeploymentID)
	for _, e := range fresh {
		w.events = append(w.events, e)
		if w.opts.Events.first(e.ID) {
			w.opts.Reporter.Report(e)
		}
		if strings.Contains(strings.ToLower(e.Message), placementFailure) {
			if w.obs.placementFailures == 0 {
				w.obs.firstPlacementFail = now
				w.obs.runningAtPlacement = ours.RunningCount
			}
			w.obs.placementFailures++
			w.obs.lastPlacementMsg = e.Message
		}
		if strings.Contains(e.Message, "(deployment "+w.target.DeploymentID+") deployment failed") {
			w.obs.breakerFailure = e.Message
		}
	}
	return len(fresh) > 0
}

func (w *watcher) observeTasks(ctx context.Context, now time.Time) error {
	return w.observeTaskList(ctx, now, true, limitRetries)
}

// observeStopped lists only our deployment's stopped tasks: what a diagnosis needs.
func (w *watcher) observeStopped(ctx context.Context, now time.Time) error {
	return w.observeTaskList(ctx, now, false, limitRetries)
}

func (w *watcher) observeTaskList(ctx context.Context, now time.Time, running bool, opt func(*ecs.Options)) error {
	tasks, err := fetchTasks(ctx, w.api, w.target, running, opt)
	if err != nil {
		return err
	}
	w.lastFetch = now
	for _, t := range tasks {
		v := taskView(t, w.target.DeploymentID)
		if v.Ours {
			w.timings[v.ID] = timingOf(t)
		}
		old, ok := w.tasks[v.ID]
		if ok && old.LastStatus == v.LastStatus && old.HealthStatus == v.HealthStatus && old.StopCode == v.StopCode {
			continue
		}
		w.tasks[v.ID] = v
		if v.Stopped() && v.Ours {
			w.stopped[v.ID] = v
			// A failure before the wait's Since (a scale of a deployment
			// that had a crash an hour ago) is not this wait's to judge.
			if taskFailed(v) && (v.StoppedAt == nil || !v.StoppedAt.Before(w.target.Since)) {
				w.failedTasks[v.ID] = v
			}
		}
		// Old tasks are reported while they run and drain; their stop
		// reasons belong to an older deployment, ours are diagnosed.
		w.opts.Reporter.Report(progress.TaskChanged{At: now, Task: v})
	}
	return nil
}

// note copies our deployment's latest state into the result.
func (w *watcher) note(res *Result, svc types.Service) {
	if d, ok := findDeployment(svc, w.target.DeploymentID); ok {
		res.TaskDefinition = aws.ToString(d.TaskDefinition)
		res.RolloutState = string(d.RolloutState)
		res.RolloutStateReason = aws.ToString(d.RolloutStateReason)
	}
}

// state describes our deployment's last known counts, for a timeout message.
func (w *watcher) state() string {
	d, ok := w.deployments[w.target.DeploymentID]
	if !ok {
		return "the deployment was not seen"
	}
	s := fmt.Sprintf("%d of %d tasks running, %d pending", d.Running, d.Desired, d.Pending)
	if others := len(w.deployments) - 1; others > 0 {
		s += fmt.Sprintf(", %d older deployment(s) still active", others)
	}
	if d.RolloutState != "" {
		s += ", rolloutState " + d.RolloutState
	}
	return s
}

// finish records the verdict, diagnoses a failure with one last look at our
// stopped tasks, and reports the verdict.
func (w *watcher) finish(ctx context.Context, res *Result, outcome progress.Outcome, reason, rollbackID string) *Result {
	res.Outcome = outcome
	res.Reason = reason
	res.RollbackDeploymentID = rollbackID
	if outcome != progress.Succeeded {
		// Best effort: the verdict stands even if this last listing fails.
		_ = w.observeStopped(ctx, w.opts.Clock.Now())
		var stopped []progress.Task
		for _, t := range w.stopped {
			stopped = append(stopped, t)
		}
		d := diagnose(stopped, w.events)
		res.Diagnosis = &d
	}
	res.Finished = w.opts.Clock.Now()
	w.opts.Reporter.Report(progress.Verdict{At: res.Finished, DeploymentID: res.DeploymentID, Outcome: outcome, Reason: reason, Awaited: w.target.Awaited})
	return res
}

// timeoutReason says how long was waited and what the deployment looked like.
func (w *watcher) timeoutReason() string {
	if total := w.opts.TimeoutTotal; total > w.opts.Timeout {
		return fmt.Sprintf("timed out after %s (counted from the start of the command; %s of it waiting for the deployment); %s",
			roundDuration(total), roundDuration(w.opts.Timeout), w.state())
	}
	return fmt.Sprintf("timed out after %s; %s", roundDuration(w.opts.Timeout), w.state())
}

// roundDuration rounds d for messages: whole seconds, or milliseconds below one.
func roundDuration(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}
