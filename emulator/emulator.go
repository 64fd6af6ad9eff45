package emulator

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// DefaultSpeed is how many emulated seconds pass per wall second when no
// clock is given: a Fargate task takes about 30 emulated seconds to reach
// RUNNING, so about two seconds of wall time.
const DefaultSpeed = 15

// DefaultAccountID is the account the emulator reports in ARNs.
const DefaultAccountID = "000000000000"

// DefaultRegion is used when a request carries no SigV4 credential scope.
const DefaultRegion = "us-east-1"

// stepInterval is the scheduler's granularity in emulated time.
const stepInterval = time.Second

// Options configures an Emulator. The zero value is a real-time emulator
// running at DefaultSpeed with the default scenario.
type Options struct {
	// Clock is the source of time. Nil means wall time scaled by Speed, with
	// a background goroutine running the scheduler. With a clock given,
	// nothing runs in the background unless Background is set: time moves
	// only through Advance (and the scheduler catches up on each request).
	Clock Clock
	// Speed is emulated seconds per wall second when Clock is nil (default DefaultSpeed).
	Speed float64
	// Background runs the scheduler from a goroutine even with a Clock given.
	Background bool
	// Scenario says how capacity, images and API calls behave; nil is the default.
	Scenario *scenario.Scenario
	// AccountID appears in ARNs (default DefaultAccountID).
	AccountID string
	// Region is used for requests without a credential scope (default DefaultRegion).
	Region string
	// Seed makes generated ids (tasks, deployments, events) reproducible;
	// 0 on a real-time emulator means a seed from the wall clock.
	Seed uint64
	// DefaultCluster creates a cluster named "default" (with the scenario's
	// capacity) the first time a region is used, as `ecsdeploy --local` does.
	DefaultCluster bool
	// MaxCatchUp bounds how much emulated time the scheduler replays step by
	// step after a pause (default 2h); beyond it, time jumps.
	MaxCatchUp time.Duration
	// WallClock is the wall time that the scenario's API rate limits count
	// in (default time.Now); tests set it to move time by hand.
	WallClock func() time.Time
	// Warn, when set, receives one warning per request member the emulator
	// accepts but does not simulate, the first time a request uses it.
	Warn func(message string)
}

// Emulator is the local AWS control plane: an http.Handler that answers ECS
// (and any service registered on it) and a scheduler that moves ECS state
// forward on its clock. All ECS state is owned by one lock.
type Emulator struct {
	opts  Options
	clock Clock

	routes *router
	parts  parts
	lb     LoadBalancing // nil without a registered load balancer service

	mu       sync.Mutex // guards offset through ids: the state and its clock
	offset   time.Duration
	lastStep time.Time
	state    *state
	scen     *scenario.Scenario
	scenAt   time.Time
	faultN   map[int]int               // calls seen per fault index, for deterministic rates
	buckets  map[limitKey]*tokenBucket // the scenario's rate limits, filled as calls come
	ids      *idSource
	// timelines records finished and running deployments for the console
	// (in memory only, bounded; see timeline.go).
	timelines timelineStore

	feed changeFeed // who is told that something changed (see feed.go)

	saveMu sync.Mutex // one SaveState at a time

	// OnStep hooks and the scheduler's own serialisation.
	warned    sync.Map // member name -> true, for Options.Warn
	hookMu    sync.Mutex
	onStep    []func(now time.Time)
	onSnap    []func(snap *ServiceSnapshot)
	stepMu    sync.Mutex   // serialises scheduler steps
	hooksTurn sync.Mutex   // serialises OnStep hooks, in step order
	inHooks   atomic.Int32 // OnStep hooks running: InvokeECS does not catch up meanwhile
	stop      chan struct{}
	stopped   sync.WaitGroup
	closeMu   sync.Once
}

// New returns an emulator configured by opts. Call Close when done.
func New(opts Options) *Emulator {
	if opts.AccountID == "" {
		opts.AccountID = DefaultAccountID
	}
	if opts.Region == "" {
		opts.Region = DefaultRegion
	}
	if opts.MaxCatchUp <= 0 {
		opts.MaxCatchUp = 2 * time.Hour
	}
	background := opts.Background
	clock := opts.Clock
	if clock == nil {
		if opts.Seed == 0 {
			opts.Seed = uint64(time.Now().UnixNano())
		}
		if opts.Speed <= 0 {
			opts.Speed = DefaultSpeed
		}
		clock = NewScaledClock(time.Now(), opts.Speed)
		background = true
	}
	e := &Emulator{
		opts:   opts,
		clock:  clock,
		routes: newRouter(),
		state:  newState(),
		faultN: map[int]int{},
		ids:    newIDSource(opts.Seed),
		stop:   make(chan struct{}),
	}
	now := clock.Now()
	e.lastStep = now
	e.setScenarioLocked(opts.Scenario, now)
	e.RegisterJSONService(ecsTargetPrefix, &ecsAPI{em: e})
	if background {
		e.startBackground()
	}
	return e
}

// Close stops the background scheduler. It is safe to call more than once.
func (e *Emulator) Close() error {
	e.closeMu.Do(func() { close(e.stop) })
	e.stopped.Wait()
	return nil
}

// Now returns the emulator's current time.
func (e *Emulator) Now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.nowLocked()
}

func (e *Emulator) nowLocked() time.Time { return e.clock.Now().Add(e.offset) }

// AccountID returns the account the emulator uses in ARNs.
func (e *Emulator) AccountID() string { return e.opts.AccountID }

// Advance moves emulated time forward by d and runs the scheduler through
// it, one step per emulated second, calling OnStep hooks after each step.
func (e *Emulator) Advance(d time.Duration) {
	e.mu.Lock()
	e.offset += d
	e.mu.Unlock()
	e.catchUp()
}

// OnStep registers fn to be called after every scheduler step with the
// step's time, outside the state lock (fn may call InvokeECS).
func (e *Emulator) OnStep(fn func(now time.Time)) {
	e.hookMu.Lock()
	e.onStep = append(e.onStep, fn)
	e.hookMu.Unlock()
}

// OnServiceSnapshot registers fn to add to every ServiceSnapshot what a
// service plugged into the emulator knows of the service (the traffic split
// and lifecycle event of a CodeDeploy deployment, for instance). fn runs
// outside the state lock, so it may call back into the emulator.
func (e *Emulator) OnServiceSnapshot(fn func(snap *ServiceSnapshot)) {
	e.hookMu.Lock()
	e.onSnap = append(e.onSnap, fn)
	e.hookMu.Unlock()
}

// catchUp runs scheduler steps until the scheduler has reached now, and
// the OnStep hooks after each step, in order. Hooks run without any lock
// held, so they may call InvokeECS; calls made while hooks run see the state
// of the step being reported instead of catching up themselves.
func (e *Emulator) catchUp() {
	if e.inHooks.Load() > 0 {
		return
	}
	for {
		e.stepMu.Lock()
		e.mu.Lock()
		now := e.nowLocked()
		if now.Sub(e.lastStep) > e.opts.MaxCatchUp {
			e.lastStep = now.Add(-e.opts.MaxCatchUp)
		}
		next := e.lastStep.Add(stepInterval)
		if next.After(now) {
			e.mu.Unlock()
			e.stepMu.Unlock()
			return
		}
		e.lastStep = next
		e.stepLocked(next)
		e.mu.Unlock()
		// Take the hooks' turn before letting the next step run, so hooks
		// see steps in order even when two goroutines catch up.
		e.hooksTurn.Lock()
		e.stepMu.Unlock()
		e.runHooks(next)
		e.hooksTurn.Unlock()
	}
}

func (e *Emulator) runHooks(now time.Time) {
	e.hookMu.Lock()
	hooks := append([]func(time.Time){}, e.onStep...)
	e.hookMu.Unlock()
	if len(hooks) == 0 {
		return
	}
	e.inHooks.Add(1)
	defer e.inHooks.Add(-1)
	for _, fn := range hooks {
		fn(now)
	}
}

func (e *Emulator) startBackground() {
	interval := time.Duration(float64(stepInterval) / e.speed())
	if interval < 5*time.Millisecond {
		interval = 5 * time.Millisecond
	}
	e.stopped.Add(1)
	go func() {
		defer e.stopped.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-e.stop:
				return
			case <-t.C:
				e.catchUp()
			}
		}
	}()
}

func (e *Emulator) speed() float64 {
	if sc, ok := e.clock.(*ScaledClock); ok {
		return sc.Speed()
	}
	if e.opts.Speed > 0 {
		return e.opts.Speed
	}
	return 1
}

// SetScenario replaces the scenario; fault windows count from now. Capacity
// changes apply to every cluster at once; image behaviours apply to tasks
// started from now on.
func (e *Emulator) SetScenario(s *scenario.Scenario) error {
	if s != nil {
		if err := s.Validate(); err != nil {
			return err
		}
	}
	e.mu.Lock()
	e.setScenarioLocked(s, e.nowLocked())
	e.mu.Unlock()
	e.feed.publish(Change{Scenario: true})
	return nil
}

// Reset forgets every cluster, task definition, service and task, in
// every region, and the state of every registered StatePart; the scenario
// and the clock stay as they are.
func (e *Emulator) Reset() {
	e.mu.Lock()
	e.state = newState()
	e.timelines = timelineStore{}
	e.mu.Unlock()
	e.resetParts()
	e.feed.publish(Change{All: true})
}

// Scenario returns the scenario in force (never nil).
func (e *Emulator) Scenario() *scenario.Scenario {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.scen
}

func (e *Emulator) setScenarioLocked(s *scenario.Scenario, now time.Time) {
	if s == nil {
		s = &scenario.Scenario{}
	}
	e.scen = s
	e.scenAt = now
	e.faultN = map[int]int{}
	e.buckets = nil
	e.forEachCluster(func(r *regionState, c *cluster) { e.syncCapacityLocked(r, c, now) })
}

// InvokeECS calls an ECS operation in-process with a JSON input, with the
// same validation as over HTTP. The error, if any, is an *APIError.
func (e *Emulator) InvokeECS(ctx context.Context, region, operation string, input []byte) ([]byte, error) {
	return e.InvokeECSAsController(ctx, region, "", operation, input)
}
