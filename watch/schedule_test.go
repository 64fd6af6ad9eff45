package watch

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/progress"
)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

// rolling is a service rolling ours (ecs-svc/2) over an older deployment.
func rolling(ours, old types.Deployment) types.Service {
	return service(true, ours, old)
}

func counts(d types.Deployment, desired, running, pending int32, updated time.Time) types.Deployment {
	d.DesiredCount, d.RunningCount, d.PendingCount, d.UpdatedAt = desired, running, pending, aws.Time(updated)
	return d
}

func TestExpectChanges(t *testing.T) {
	ours := dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateInProgress, 2, 0, 0)
	old := dep("ecs-svc/1", "ACTIVE", oldTD, types.DeploymentRolloutStateCompleted, 2, 2, 0)
	running := func(started float64, health string) taskTiming {
		return taskTiming{created: at(started - 30), started: at(started), status: "RUNNING", health: health}
	}
	behindLB := rolling(counts(ours, 2, 1, 1, at(50)), old)
	behindLB.LoadBalancers = []types.LoadBalancer{{ContainerName: aws.String("app")}}
	withGrace := rolling(counts(ours, 2, 1, 0, at(50)), old)
	withGrace.HealthCheckGracePeriodSeconds = aws.Int32(60)
	type want struct {
		at    float64
		what  string
		quick bool
	}
	for _, c := range []struct {
		name         string
		svc          types.Service
		tasks        []taskTiming
		runningSince time.Time
		startDecides bool
		want         []want
		draining     bool
	}{
		{name: "a finished deployment expects nothing",
			svc:   rolling(counts(dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateCompleted, 2, 2, 0), 2, 2, 0, at(90)), old),
			tasks: []taskTiming{running(50, "UNKNOWN")}},
		{name: "a running task without checks is healthy 40 s after it started",
			svc:   rolling(counts(ours, 2, 1, 1, at(50)), old),
			tasks: []taskTiming{running(50, "UNKNOWN")},
			want:  []want{{90, "healthy", false}}},
		{name: "ours alone: healthy means complete, so the poller polls quickly for it",
			svc:   service(true, counts(ours, 2, 1, 1, at(50))),
			tasks: []taskTiming{running(50, "UNKNOWN")},
			want:  []want{{90, "healthy", true}}},
		{name: "behind a load balancer the targets decide: no 40 s mark",
			svc: behindLB, tasks: []taskTiming{running(50, "UNKNOWN")}},
		{name: "a task already healthy by its checks expects nothing",
			svc: rolling(counts(ours, 2, 1, 1, at(50)), old), tasks: []taskTiming{running(50, "HEALTHY")}},
		{name: "an unhealthy task is replaced when the grace period ends",
			svc: withGrace, tasks: []taskTiming{running(50, "UNHEALTHY")},
			want: []want{{110, "grace", false}}},
		{name: "without a grace period an unhealthy task is replaced at once: nothing to wait for",
			svc: rolling(counts(ours, 2, 1, 0, at(50)), old), tasks: []taskTiming{running(50, "UNHEALTHY")}},
		{name: "a pending task starts as soon after its creation as its quickest sibling did",
			svc: rolling(counts(ours, 2, 1, 1, at(50)), old),
			tasks: []taskTiming{running(50, "UNKNOWN"),
				{created: at(30), status: "PENDING"},
				{created: at(25), started: at(45), status: "RUNNING", stopping: true}}, // stopping: not ours to count
			want: []want{{90, "healthy", false}, {60, "start", false}}},
		{name: "when the verdict needs only our tasks running, their start may be it: quick",
			svc: rolling(counts(ours, 2, 1, 1, at(50)), old), startDecides: true,
			tasks: []taskTiming{running(50, "UNKNOWN"), {created: at(30), status: "PENDING"}},
			want:  []want{{90, "healthy", false}, {60, "start", true}}},
		{name: "a pending task with no started sibling has no expected start",
			svc: rolling(counts(ours, 2, 0, 2, at(5)), old), tasks: []taskTiming{{created: at(5), status: "PROVISIONING"}}},
		{name: "a task ECS counts running but not listed yet is timed from the deployment's update",
			svc: rolling(counts(ours, 2, 2, 0, at(62)), old), tasks: []taskTiming{running(50, "UNKNOWN")}, runningSince: at(62),
			want: []want{{90, "healthy", false}, {102, "healthy", false}}},
		{name: "the listing accounts for every running task: the update time adds nothing",
			svc: rolling(counts(ours, 2, 1, 1, at(62)), old), tasks: []taskTiming{running(50, "UNKNOWN")}, runningSince: at(62),
			want: []want{{90, "healthy", false}}},
		{name: "our tasks all run and the old ones stop: draining, due when the stop began and at SIGKILL",
			svc:  rolling(counts(ours, 2, 2, 0, at(60)), counts(old, 0, 0, 0, at(91))),
			want: []want{{91, "drain", true}, {121, "kill", true}}, draining: true},
		{name: "an old task still running: not draining yet",
			svc: rolling(counts(ours, 2, 2, 0, at(60)), counts(old, 1, 1, 0, at(91)))},
		{name: "our tasks not all running: not draining",
			svc: rolling(counts(ours, 2, 1, 1, at(60)), counts(old, 0, 0, 0, at(91)))},
		{name: "our deployment alone has nothing to drain",
			svc: service(true, counts(ours, 2, 2, 0, at(60)))},
	} {
		t.Run(c.name, func(t *testing.T) {
			dues, draining := expectChanges(outlook{svc: c.svc, deploymentID: "ecs-svc/2", tasks: c.tasks, runningSince: c.runningSince, startDecides: c.startDecides})
			var got []want
			for _, d := range dues {
				got = append(got, want{d.at.Sub(t0).Seconds(), d.what, d.quick})
				if d.window <= 0 {
					t.Errorf("%s due at %v has no window", d.what, d.at)
				}
			}
			if !slices.Equal(got, c.want) || draining != c.draining {
				t.Fatalf("got %v draining %v, want %v draining %v", got, draining, c.want, c.draining)
			}
		})
	}
}

func TestNextPause(t *testing.T) {
	const (
		steady = 2 * time.Second
		fast   = 250 * time.Millisecond
		warm   = time.Second
	)
	healthy := func(s float64) due { return due{at: at(s), window: healthyWindow, quick: true, what: "healthy"} }
	for _, c := range []struct {
		name     string
		now      float64
		dues     []due
		draining bool
		budget   float64
		want     time.Duration
	}{
		{name: "nothing due: the steady pace", now: 50, budget: 20, want: steady},
		{name: "a change due before the next steady poll: just after it", now: 50, dues: []due{healthy(51)}, budget: 20,
			want: time.Second + fast/2},
		{name: "even with no budget: that poll is part of the steady pace", now: 50, dues: []due{healthy(51)}, budget: -3,
			want: time.Second + fast/2},
		{name: "a change due after the next steady poll waits for it", now: 50, dues: []due{healthy(90)}, budget: 20, want: steady},
		{name: "within its window: quick polls", now: 90.2, dues: []due{healthy(90)}, budget: 20, want: fast},
		{name: "within its window with the budget at its reserve: as fast as it refills", now: 90.2, dues: []due{healthy(90)},
			budget: budgetReserve - 0.5, want: 500 * time.Millisecond},
		{name: "within its window with the budget spent: never slower than steady", now: 90.2, dues: []due{healthy(90)},
			budget: -10, want: steady},
		{name: "within the window of a change that is not the verdict: the warm pace", now: 90.2,
			dues: []due{{at: at(90), window: healthyWindow, what: "healthy"}}, budget: 20, want: warm},
		{name: "past its window: the steady pace again", now: 95, dues: []due{healthy(90)}, budget: 20, want: steady},
		{name: "the earliest of several", now: 50, dues: []due{healthy(51.5), healthy(50.5)}, budget: 20, want: 500*time.Millisecond + fast/2},
		{name: "old tasks draining outside any window: the warm pace", now: 50, draining: true, budget: 20, want: warm},
		{name: "draining with the budget spent: steady", now: 50, draining: true, budget: 0, want: steady},
		{name: "draining within the window of its start: quick", now: 50, draining: true,
			dues: []due{{at: at(49), window: drainWindow, quick: true, what: "drain"}}, budget: 20, want: fast},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := nextPause(cadence{now: at(c.now), steady: steady, fast: fast, warm: warm, dues: c.dues, draining: c.draining, budget: c.budget, rate: 1})
			if got != c.want {
				t.Fatalf("pause %v, want %v", got, c.want)
			}
		})
	}
}

func TestReadBudgetFillsAtItsRateUpToItsBurst(t *testing.T) {
	b := readBudget{at: at(0), rate: 1}
	b.spend(3)
	b.refill(at(2))
	if b.tokens != -1 {
		t.Fatalf("after 3 reads and 2 s at 1/s: %v, want -1", b.tokens)
	}
	b.refill(at(1)) // time never runs backwards for the budget
	b.refill(at(1000))
	if b.tokens != budgetBurst {
		t.Fatalf("after a long wait: %v, want the burst %d", b.tokens, budgetBurst)
	}
}

// timedECS is a rollout of one task as ECS would show it over time: ours
// RUNNING from 30 s, healthy at 70 s by the 40 s rule, the old task
// stopping from 71 s and gone at 74.3 s, when ours completes.
// ECS's clock is offset from the watcher's by skew.
type timedECS struct {
	clock     *StepClock
	skew      time.Duration
	describes int
	reads     int
}

func (f *timedECS) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, _ ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	f.describes++
	f.reads++
	now := f.clock.Now().Sub(t0).Seconds()
	ecsTime := func(s float64) time.Time { return at(s).Add(f.skew) }
	ours := dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateInProgress, 1, 1, 0)
	ours.CreatedAt, ours.UpdatedAt = aws.Time(ecsTime(0)), aws.Time(ecsTime(30))
	old := dep("ecs-svc/1", "ACTIVE", oldTD, types.DeploymentRolloutStateCompleted, 1, 1, 0)
	old.UpdatedAt = aws.Time(ecsTime(-600))
	svc := service(true, ours, old)
	switch {
	case now >= 74.3:
		ours.RolloutState = types.DeploymentRolloutStateCompleted
		svc = service(true, ours)
	case now >= 71:
		svc = service(true, ours, counts(old, 0, 0, 0, ecsTime(71)))
	}
	return &ecs.DescribeServicesOutput{Services: []types.Service{svc}}, nil
}

func (f *timedECS) ListTasks(context.Context, *ecs.ListTasksInput, ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	f.reads++
	return &ecs.ListTasksOutput{}, nil
}

func (f *timedECS) DescribeTasks(context.Context, *ecs.DescribeTasksInput, ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	f.reads++
	return &ecs.DescribeTasksOutput{}, nil
}

// waitTimed follows the rollout of timedECS, its clock skew ahead of ours.
func waitTimed(t *testing.T, skew time.Duration) (*Result, *timedECS, *StepClock) {
	t.Helper()
	clock := &StepClock{T: at(31)}
	f := &timedECS{clock: clock, skew: skew}
	target := Target{Cluster: "c", Service: "web", DeploymentID: "ecs-svc/2", TaskDefinition: newTD}
	res, err := Wait(context.Background(), f, target, Options{Clock: clock, Timeout: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != progress.Succeeded {
		t.Fatalf("outcome %s (%s)", res.Outcome, res.Reason)
	}
	return res, f, clock
}

func TestWaitPollsWhenTheFortySecondMarkAndTheDrainAreDue(t *testing.T) {
	res, f, clock := waitTimed(t, 0)
	// The steady pace polls every 3 s by then; the schedule polls at the
	// 40 s mark, quickly while the old task drains, and sees the verdict
	// within a quick pause (250 ms) of it.
	if lag := res.VerdictSeen.Sub(at(74.3)); lag > 250*time.Millisecond {
		t.Fatalf("verdict seen %v after ECS gave it; pauses %v, %d reads", lag, clock.Pauses, f.reads)
	}
	if !slices.Contains(clock.Pauses, 250*time.Millisecond) {
		t.Fatalf("no quick poll in %v", clock.Pauses)
	}
	waited := res.VerdictSeen.Sub(res.Started).Seconds()
	if rate := float64(f.reads) / waited; rate > 1 {
		t.Fatalf("%d reads in %.1f s: %.2f a second, more than the budget of 1", f.reads, waited, rate)
	}
}

func TestWaitPredictsNothingWhenECSClockRunsAhead(t *testing.T) {
	// A local ECS running faster than real time: its timestamps are ahead
	// of our clock and cannot be placed on it. The watcher keeps the steady
	// pace of 1 and 2 s (the warm 1 s while the old task drains), with no
	// quick polls and none of the 3 s pauses that rely on predictions.
	_, _, clock := waitTimed(t, time.Minute)
	for _, p := range clock.Pauses {
		if p < time.Second || p > 2*time.Second {
			t.Fatalf("pause %v on a clock ECS runs ahead of (pauses %v)", p, clock.Pauses)
		}
	}
}
