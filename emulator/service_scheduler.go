package emulator

import (
	"fmt"
	"strings"
	"time"
)

// maxLaunchesPerStep bounds how many tasks one service starts per emulated
// second, like ECS's launch rate limits (Fargate: burst 100, 20 per second).
const maxLaunchesPerStep = 20

// drainingKey groups, in a serviceView, the tasks on DRAINING instances.
const drainingKey = "draining-instances"

// serviceView is one step's picture of a service's tasks.
type serviceView struct {
	s        *service
	now      time.Time
	all      []*task            // every task not yet STOPPED
	alive    map[string][]*task // per deployment: wanted (desiredStatus RUNNING)
	counts   groupCounts
	healthyF func(*task) bool
	holdOld  bool // a blue/green deployment keeps the old tasks until clean-up
}

func (v *serviceView) healthy(t *task) bool { return v.healthyF(t) }

// stepService runs the rolling-update scheduler for one service, as the ECS
// documentation describes it: replace unhealthy tasks, start primary tasks
// within maximumPercent, stop old tasks as new ones turn healthy while
// keeping minimumHealthyPercent, trip the circuit breaker, complete.
func (e *Emulator) stepService(r *regionState, c *cluster, s *service, tasks []*task, now time.Time) {
	if s.usesTaskSets() {
		e.stepTaskSets(r, c, s, tasks, now)
		return
	}
	if len(s.Deployments) == 0 {
		return
	}
	e.countTaskFailures(s, tasks, now)
	e.loadBalancerEvents(s, tasks, now)
	e.syncTargets(c, s, tasks, now)
	e.replaceUnhealthy(s, tasks, now)
	e.replaceUnhealthyTargets(s, tasks, now)
	holdOld := e.stepBlueGreen(c, s, tasks, now)
	e.checkCircuitBreaker(s, tasks, now)
	e.checkDeploymentAlarms(s, tasks, now)
	v := newServiceView(c, s, tasks, now)
	v.holdOld = holdOld
	e.noteHealthyTasks(v)
	e.scale(r, c, v)
	e.refreshDeployments(s, tasks, now)
	if s.Status == "DRAINING" && len(v.all) == 0 {
		s.Status, s.InactiveAt = "INACTIVE", now
		return
	}
	e.completeDeployment(s, tasks, now)
}

func newServiceView(c *cluster, s *service, tasks []*task, now time.Time) *serviceView {
	v := &serviceView{s: s, now: now, alive: map[string][]*task{},
		healthyF: func(t *task) bool { return healthyForService(t, now) }}
	draining := map[string]bool{}
	for _, ci := range c.Instances {
		if ci.Status == "DRAINING" {
			draining[ci.ARN] = true
		}
	}
	for _, t := range tasks {
		if t.LastStatus == "STOPPED" {
			continue
		}
		v.all = append(v.all, t)
		if t.DesiredStatus != "RUNNING" {
			continue
		}
		key := t.DeploymentID
		if draining[t.InstanceARN] {
			// Tasks on a draining instance are replaced like an old
			// deployment's, within the same percent bounds.
			key = drainingKey
		}
		v.alive[key] = append(v.alive[key], t)
	}
	// Service tasks all carry the group "service:NAME", so counting the
	// service's own tasks is counting its placement group.
	v.counts = groupCounts{byAZ: map[string]int{}, byInstance: map[string]int{}}
	for _, t := range v.all {
		if t.DesiredStatus == "RUNNING" {
			v.counts.byAZ[t.AZ]++
			v.counts.byInstance[t.InstanceARN]++
		}
	}
	return v
}

// countTaskFailures adds tasks that failed to start, or exited before they
// ever became healthy, to their deployment's failedTasks (once each). Such
// repeated failures also make the scheduler back off from launching, as ECS
// does, with the "unable to consistently start tasks" event.
func (e *Emulator) countTaskFailures(s *service, tasks []*task, now time.Time) {
	for _, t := range tasks {
		if t.Counted || t.DesiredStatus != "STOPPED" || t.WasHealthy {
			continue
		}
		if t.StopCode != stopTaskFailedToStart && t.StopCode != stopEssentialExited {
			continue
		}
		t.Counted = true
		if d := s.deployment(t.DeploymentID); d != nil && d.RolloutState == "IN_PROGRESS" {
			d.FailedTasks++
		}
		s.StartFailures++
		if s.StartFailures >= backoffAfterFailures {
			delay := min(maxLaunchBackoff, launchBackoffBase<<min(s.StartFailures-backoffAfterFailures, 10))
			s.BackoffUntil = now.Add(delay)
			e.addEventDedup(s, now, fmt.Sprintf("(service %s) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.", s.Name))
		}
	}
}

// Launch backoff after repeated start failures: from the fifth failure in a
// row, launches pause for 10 s, doubling up to 15 minutes.
const (
	backoffAfterFailures = 5
	launchBackoffBase    = 10 * time.Second
	maxLaunchBackoff     = 15 * time.Minute
)

// replaceUnhealthy stops tasks whose container health checks failed, once
// the grace period since they started has passed.
func (e *Emulator) replaceUnhealthy(s *service, tasks []*task, now time.Time) {
	grace := s.healthCheckGrace()
	for _, t := range tasks {
		if t.DesiredStatus != "RUNNING" || t.LastStatus != "RUNNING" || t.HealthStatus != "UNHEALTHY" {
			continue
		}
		if now.Before(t.StartedAt.Add(grace)) {
			continue
		}
		e.replaceFailedTask(s, t, now, "Task failed container health checks",
			fmt.Sprintf("(service %s) (task %s) failed container health checks.", s.Name, t.ID))
	}
}

// healthCheckGrace is how long after a task starts its failed health
// checks are ignored (the service's healthCheckGracePeriodSeconds).
func (s *service) healthCheckGrace() time.Duration {
	if s.GracePeriod == nil {
		return 0
	}
	return time.Duration(*s.GracePeriod) * time.Second
}

// replaceFailedTask stops t, which failed its health checks, for the
// scheduler to replace, records event, and counts the failure against its
// deployment's circuit breaker while that deployment is in progress.
func (e *Emulator) replaceFailedTask(s *service, t *task, now time.Time, stopReason, event string) {
	requestStop(t, stopScheduler, stopReason)
	t.HealthFailed, t.Counted = true, true
	s.UnhealthyToReplace++
	e.addEvent(s, now, event)
	if d := s.deployment(t.DeploymentID); d != nil && d.RolloutState == "IN_PROGRESS" {
		d.FailedTasks++
	}
}

// noteHealthyTasks ends the breaker's first stage for deployments that
// have a task running healthily: failedTasks resets to 0.
func (e *Emulator) noteHealthyTasks(v *serviceView) {
	for _, d := range v.s.Deployments {
		if d.HadHealthyTask {
			continue
		}
		for _, t := range v.alive[d.ID] {
			if v.healthy(t) {
				d.HadHealthyTask, d.FailedTasks = true, 0
				break
			}
		}
	}
	for _, ts := range v.alive {
		for _, t := range ts {
			if !t.WasHealthy && v.healthy(t) {
				t.WasHealthy = true
				v.s.StartFailures, v.s.BackoffUntil = 0, time.Time{}
			}
		}
	}
}

// scale starts and stops tasks for this step.
func (e *Emulator) scale(r *regionState, c *cluster, v *serviceView) {
	s := v.s
	primary := s.Deployments[0]
	desired := s.DesiredCount
	minHealthy := ceilDiv(desired*s.Config.MinimumHealthyPercent, 100)
	maxTotal := desired * s.Config.MaximumPercent / 100
	occupying := len(v.all)
	if v.holdOld {
		maxTotal = max(maxTotal, occupying+desired) // green starts in full beside blue
	}
	scaling := "Scaling activity initiated by (deployment " + primary.ID + ")"

	// Scale in the primary when desiredCount went down.
	primaryAlive := v.alive[primary.ID]
	if len(primaryAlive) > desired {
		victims := pickTasksToStop(primaryAlive, len(primaryAlive)-desired, v.counts, v.healthy)
		e.stopForService(s, victims, scaling, v.now)
		primaryAlive = without(primaryAlive, victims)
	}

	// Start primary tasks within maximumPercent.
	need := 0
	if primary.RolloutState != "FAILED" {
		need = desired - len(primaryAlive)
	}
	backingOff := v.now.Before(s.BackoffUntil)
	var started []*task
	placeFailed := false
	if need > 0 && !backingOff {
		td := e.taskDefByARN(r, primary.TaskDefinition)
		launchType := primary.runLaunchType()
		providers, byProvider := primary.providers(), map[string]int{}
		for _, t := range primaryAlive {
			byProvider[t.CapacityProvider]++
		}
		var rules placementRules
		if td != nil {
			rules, _ = placementFor(launchType, s.PlacementStrategy, s.PlacementConstraints, td) // checked when set
		}
		for i := 0; i < min(need, maxTotal-occupying, maxLaunchesPerStep) && td != nil; i++ {
			where, fail := e.placeTask(r, c, td, launchType, primary.Network, v.counts, rules)
			if fail != nil {
				placeFailed = true
				e.addEventDedup(s, v.now, fmt.Sprintf("(service %s) %s", s.Name, fail.message))
				break
			}
			provider := providers.next(byProvider)
			byProvider[provider]++
			started = append(started, e.startServiceTask(r, c, s, v, launch{td: td, launchType: launchType, provider: provider,
				network: primary.Network, platformVersion: s.PlatformVersion, deploymentID: primary.ID, where: where}))
		}
		need -= len(started)
	}
	e.noteStarted(s, "service "+s.Name, started, v.now)

	// Stop old tasks: the ones not (yet) healthy at once, healthy ones as
	// new ones turn healthy, and down to minimumHealthyPercent when the
	// primary cannot start its tasks otherwise.
	if primary.RolloutState == "FAILED" || v.holdOld {
		return
	}
	var oldUnhealthy, oldHealthy []*task
	totalHealthy := 0
	for id, ts := range v.alive {
		for _, t := range ts {
			h := v.healthy(t)
			if h {
				totalHealthy++
			}
			if id == primary.ID {
				continue
			}
			if h {
				oldHealthy = append(oldHealthy, t)
			} else {
				oldUnhealthy = append(oldUnhealthy, t)
			}
		}
	}
	sortBySeq(oldUnhealthy)
	sortBySeq(oldHealthy)
	victims := oldUnhealthy
	k := max(0, totalHealthy-desired)
	if need > 0 && !backingOff {
		k += max(0, min(need, totalHealthy-k-minHealthy))
	}
	k = min(k, len(oldHealthy))
	victims = append(victims, pickTasksToStop(oldHealthy, k, v.counts, v.healthy)...)
	e.stopForService(s, victims, scaling, v.now)

	if need > 0 && !placeFailed && !backingOff && len(started) == 0 && len(victims) == 0 && len(oldHealthy) > 0 && occupying == countAlive(v) {
		if s.StuckEventAt.IsZero() {
			s.StuckEventAt = v.now
			e.addEvent(s, v.now, fmt.Sprintf("(service %s) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.", s.Name))
		}
	}
}

func countAlive(v *serviceView) int {
	n := 0
	for _, ts := range v.alive {
		n += len(ts)
	}
	return n
}

// stopForService stops tasks on the scheduler's initiative, with ECS's event.
// startServiceTask starts a task of s for the deployment (or task set)
// l.deploymentID, where l.where placed it, and counts it in v.
func (e *Emulator) startServiceTask(r *regionState, c *cluster, s *service, v *serviceView, l launch) *task {
	l.group, l.service, l.startedBy, l.tags = "service:"+s.Name, s.Name, l.deploymentID, propagatedTags(s, l.td)
	t := e.newTask(r, c, l, v.now)
	v.counts.byAZ[t.AZ]++
	v.counts.byInstance[t.InstanceARN]++
	return t
}

// noteStarted records the service event for the tasks one step started
// (none: no event); who is "service NAME" (and the task set). The tasks
// that replace unhealthy ones are counted in it.
func (e *Emulator) noteStarted(s *service, who string, started []*task, now time.Time) {
	if len(started) == 0 {
		return
	}
	msg := fmt.Sprintf("(%s) has started %d tasks: %s.", who, len(started), taskList(started))
	if n := min(len(started), s.UnhealthyToReplace); n > 0 {
		msg += fmt.Sprintf(" Amazon ECS replaced %d tasks due to an unhealthy status.", n)
		s.UnhealthyToReplace -= n
	}
	e.addEvent(s, now, msg)
}

func (e *Emulator) stopForService(s *service, victims []*task, reason string, now time.Time) {
	if len(victims) == 0 {
		return
	}
	for _, t := range victims {
		requestStop(t, stopScheduler, reason)
	}
	e.addEvent(s, now, fmt.Sprintf("(service %s) has stopped %d running tasks: %s.", s.Name, len(victims), taskList(victims)))
}

func taskList(ts []*task) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = "(task " + t.ID + ")"
	}
	return strings.Join(parts, " ")
}

func without(ts, drop []*task) []*task {
	gone := map[*task]bool{}
	for _, t := range drop {
		gone[t] = true
	}
	var out []*task
	for _, t := range ts {
		if !gone[t] {
			out = append(out, t)
		}
	}
	return out
}

func ceilDiv(a, b int) int {
	if b == 0 {
		return 0
	}
	return (a + b - 1) / b
}

// propagatedTags are the tags a service gives its tasks with propagateTags.
func propagatedTags(s *service, td *taskDef) []Tag {
	switch s.PropagateTags {
	case "SERVICE":
		return append([]Tag(nil), s.Tags...)
	case "TASK_DEFINITION":
		return append([]Tag(nil), td.Tags...)
	}
	return nil
}

func (e *Emulator) taskDefByARN(r *regionState, arn string) *taskDef {
	fam, rev, ok := parseTaskDefRef(arn)
	if !ok || rev == 0 {
		return nil
	}
	f := r.Families[fam]
	if f == nil || rev > len(f.Revisions) {
		return nil
	}
	return f.Revisions[rev-1]
}
