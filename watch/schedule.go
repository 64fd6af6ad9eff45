package watch

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// When to poll. Most of a rollout is waiting for something whose time ECS
// tells us in advance: a task without a load balancer or container health
// check counts as healthy 40 s after it started RUNNING; a task that fails
// its health checks is replaced when the service's grace period has passed
// since it started; the siblings of a task that started take about as long
// as it did; once the new tasks run, the deployment completes when the old
// ones have finished stopping. So after each read the poller works out
// when the next such change is due (expectChanges), polls just after it,
// then for a short window quickly when the change may be the verdict and
// at a warm pace when it only leads to the next change, and otherwise
// keeps its steady pace (nextPause). The quick polls are paid from a read budget that fills at
// Options.ReadsPerSecond and that every read spends, so that a whole wait
// averages no more reads than that, however many changes it expects.

// Facts of ECS the predictions rest on.
const (
	// fortySecondRule: a task without a load balancer or container health
	// check counts as healthy 40 s after it reaches RUNNING.
	fortySecondRule = 40 * time.Second
	// stopTimeout is ECS's default time between SIGTERM and SIGKILL: an
	// old task that ignores SIGTERM is gone about this long after its stop.
	stopTimeout = 30 * time.Second
)

// Windows: how long after its due time a change may take to show, during
// which the poller polls at Options.FastInterval (or Interval, the warm
// pace, for a change that is not the verdict).
const (
	// healthyWindow covers a task turning healthy and ECS, in its next
	// pass, stopping the old task it replaces.
	healthyWindow = 3 * time.Second
	// startWindow covers a task starting, or being replaced after its grace.
	startWindow = 2 * time.Second
	// drainWindow covers old tasks stopping after ECS stopped them
	// (deregistration, SIGTERM, the network interface detaching).
	drainWindow = 6 * time.Second
)

// skewTolerance is how far ahead of our clock ECS's timestamps may be: a
// timestamp further ahead says that the two clocks disagree (a local ECS
// running faster than real time, a machine's clock set wrong), and then no
// change is predicted from timestamps.
const skewTolerance = 2 * time.Second

// budgetBurst is the most reads the budget saves up for quick polls.
const budgetBurst = 30

// budgetReserve is what the budget keeps back from quick polls: a poll and
// a task listing, so that the reads of the verdict itself stay within it.
const budgetReserve = 6

// warmReserve is what it keeps back from warm polls: a long drain at the
// warm pace must leave enough for the quick polls when it is due to end.
const warmReserve = budgetBurst / 2

// due is a change expected at a time (ECS's clock), and how long after it
// the poller keeps polling sooner than its steady pace for it to show:
// quickly when the change may be the verdict itself, at the warm pace when
// it only leads to the next change (whose own due time comes from ECS's
// timestamps, not from when the poller saw it).
type due struct {
	at     time.Time
	window time.Duration
	quick  bool
	what   string // healthy, start, grace, drain, kill: what is expected
}

// taskTiming is what the poller keeps of one of our deployment's tasks.
type taskTiming struct {
	created, started time.Time
	status, health   string
	stopping         bool // desiredStatus STOPPED
}

func timingOf(t types.Task) taskTiming {
	return taskTiming{created: aws.ToTime(t.CreatedAt), started: aws.ToTime(t.StartedAt),
		status: aws.ToString(t.LastStatus), health: string(t.HealthStatus),
		stopping: aws.ToString(t.DesiredStatus) == "STOPPED"}
}

// outlook is what expectChanges works from.
type outlook struct {
	svc          types.Service
	deploymentID string
	// tasks are our deployment's tasks as last listed.
	tasks []taskTiming
	// runningSince is when ECS last counted one more running task of ours
	// (the deployment's updatedAt then), for a task not listed yet.
	runningSince time.Time
	// startDecides: the verdict comes once our tasks run
	// (Target.SkipDeploymentsCheck), so their start may be it.
	startDecides bool
}

// expectChanges says which changes of our deployment are due and when
// (in ECS's clock), and whether the verdict waits only for old tasks to
// finish stopping (draining), when it may come any moment.
func expectChanges(o outlook) (dues []due, draining bool) {
	ours, ok := findDeployment(o.svc, o.deploymentID)
	if !ok || (ours.RolloutState != types.DeploymentRolloutStateInProgress && ours.RolloutState != "") {
		return nil, false
	}
	behindLB := len(o.svc.LoadBalancers) > 0
	// Without older deployments, our tasks turning healthy completes ours.
	alone := len(o.svc.Deployments) == 1
	grace := time.Duration(aws.ToInt32(o.svc.HealthCheckGracePeriodSeconds)) * time.Second
	listedRunning := 0
	startTime := time.Duration(-1) // the quickest start of our tasks, creation to RUNNING
	for _, t := range o.tasks {
		if t.status == "RUNNING" && !t.stopping && !t.started.IsZero() && !t.created.IsZero() {
			if d := t.started.Sub(t.created); startTime < 0 || d < startTime {
				startTime = d
			}
		}
	}
	for _, t := range o.tasks {
		if t.stopping {
			continue
		}
		switch t.status {
		case "RUNNING":
			listedRunning++
			if t.started.IsZero() {
				continue
			}
			if t.health == "UNHEALTHY" && grace > 0 {
				dues = append(dues, due{at: t.started.Add(grace), window: startWindow, what: "grace"})
			}
			if !behindLB && t.health != "HEALTHY" && t.health != "UNHEALTHY" {
				dues = append(dues, due{at: t.started.Add(fortySecondRule), window: healthyWindow, quick: alone, what: "healthy"})
			}
		case "PROVISIONING", "PENDING", "ACTIVATING":
			if startTime >= 0 && !t.created.IsZero() {
				dues = append(dues, due{at: t.created.Add(startTime), window: startWindow, quick: o.startDecides, what: "start"})
			}
		}
	}
	if !behindLB && int(ours.RunningCount) > listedRunning && !o.runningSince.IsZero() {
		dues = append(dues, due{at: o.runningSince.Add(fortySecondRule), window: healthyWindow, quick: alone, what: "healthy"})
	}
	// Our tasks all run and no older deployment has a task that runs or
	// is about to: the old ones are stopping, and the deployment completes
	// once they have stopped.
	others := 0
	for _, d := range o.svc.Deployments {
		if aws.ToString(d.Id) == o.deploymentID {
			continue
		}
		others++
		if d.RunningCount+d.PendingCount > 0 {
			return dues, false
		}
	}
	if others == 0 || ours.RunningCount < ours.DesiredCount || ours.PendingCount > 0 {
		return dues, false
	}
	for _, d := range o.svc.Deployments {
		if aws.ToString(d.Id) == o.deploymentID || d.UpdatedAt == nil {
			continue
		}
		// Its counts last changed when its last tasks began to stop.
		dues = append(dues, due{at: *d.UpdatedAt, window: drainWindow, quick: true, what: "drain"},
			due{at: d.UpdatedAt.Add(stopTimeout), window: drainWindow, quick: true, what: "kill"})
	}
	return dues, true
}

// cadence is what nextPause decides from.
type cadence struct {
	now time.Time
	// steady is the pause the poller's steady pace asks for: Interval while
	// things change, IdleInterval when they don't.
	steady time.Duration
	// fast is the pause within a window around an expected change; warm,
	// the pause while old tasks drain outside such windows.
	fast, warm time.Duration
	// dues are the expected changes, in our clock.
	dues     []due
	draining bool
	// budget is the reads the poller may spend on quick polls now; rate is
	// how many it earns per second.
	budget, rate float64
}

// nextPause returns how long to wait before the next poll: the steady
// pace, but never past an expected change (the poll comes just after it);
// within the window of an expected change, quick polls (or warm ones, for
// a change that is not the verdict), and warm ones while old tasks drain,
// as far as the read budget allows (it keeps budgetReserve back from
// quick polls, warmReserve from warm ones); once it is spent, they come
// only as fast as it refills, and never slower than the steady pace.
func nextPause(c cadence) time.Duration {
	pause := c.steady
	hot, warm := false, c.draining
	for _, d := range c.dues {
		switch {
		case d.at.After(c.now):
			// Just after it is due: ECS's timestamps are rounded, and its
			// scheduler acts in passes.
			if wait := d.at.Sub(c.now) + c.fast/2; wait < pause {
				pause = wait
			}
		case c.now.Before(d.at.Add(d.window)):
			hot = hot || d.quick
			warm = true
		}
	}
	wait, floor := pause, 0.0
	switch {
	case hot:
		wait, floor = c.fast, budgetReserve
	case warm:
		wait, floor = c.warm, warmReserve
	}
	if c.budget < floor && c.rate > 0 {
		wait = max(wait, time.Duration((floor-c.budget)/c.rate*float64(time.Second)))
	}
	return max(min(pause, wait), 0)
}

// readBudget is a token bucket of reads: it fills at rate a second up to
// budgetBurst, starting empty, and every read the poller makes takes one.
type readBudget struct {
	tokens float64
	at     time.Time
	rate   float64
}

// refill adds what was earned since the last refill.
func (b *readBudget) refill(now time.Time) {
	if now.After(b.at) {
		b.tokens = min(budgetBurst, b.tokens+b.rate*now.Sub(b.at).Seconds())
		b.at = now
	}
}

// spend takes n reads; the budget may go below zero when the steady pace
// alone reads more than it earns.
func (b *readBudget) spend(n int) { b.tokens -= float64(n) }
