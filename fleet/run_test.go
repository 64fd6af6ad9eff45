package fleet

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
)

// fakeMember records what the runner asked of it, in one shared journal.
type fakeMember struct {
	name    string
	outcome progress.Outcome
	err     error
	changed bool
	delay   time.Duration
	journal *journal
}

type journal struct {
	mu      sync.Mutex
	entries []string
	running atomic.Int32
	peak    atomic.Int32
}

func (j *journal) add(s string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries = append(j.entries, s)
}

func (m *fakeMember) Name() string { return m.name }

func (m *fakeMember) Do(ctx context.Context) Outcome {
	n := m.journal.running.Add(1)
	defer m.journal.running.Add(-1)
	for {
		p := m.journal.peak.Load()
		if n <= p || m.journal.peak.CompareAndSwap(p, n) {
			break
		}
	}
	m.journal.add("do " + m.name)
	if m.delay > 0 {
		time.Sleep(m.delay)
	}
	out := m.outcome
	if out == "" {
		out = progress.Succeeded
	}
	return Outcome{Outcome: out, Err: m.err, Changed: m.changed || out == progress.Succeeded}
}

func (m *fakeMember) Undo(ctx context.Context) Outcome {
	m.journal.add("undo " + m.name)
	return Outcome{Outcome: progress.Succeeded}
}

func fleetOf(j *journal, spec ...[]*fakeMember) [][]Member {
	var waves [][]Member
	for _, w := range spec {
		var wave []Member
		for _, m := range w {
			m.journal = j
			wave = append(wave, m)
		}
		waves = append(waves, wave)
	}
	return waves
}

func outcomes(res *Result) map[string]progress.Outcome {
	m := map[string]progress.Outcome{}
	for _, t := range res.Targets {
		m[t.Name] = t.Result.Outcome
	}
	return m
}

func TestRunWavesInOrder(t *testing.T) {
	j := &journal{}
	res := Run(context.Background(), fleetOf(j,
		[]*fakeMember{{name: "migrate"}},
		[]*fakeMember{{name: "api", delay: 20 * time.Millisecond}, {name: "worker", delay: 20 * time.Millisecond}},
		[]*fakeMember{{name: "cron"}}), Options{})
	if res.ExitCode != 0 || res.Outcome != progress.Succeeded {
		t.Fatalf("fleet %s exit %d: %s", res.Outcome, res.ExitCode, res.Reason)
	}
	if j.entries[0] != "do migrate" || j.entries[3] != "do cron" {
		t.Fatalf("waves ran out of order: %v", j.entries)
	}
	if j.peak.Load() != 2 {
		t.Fatalf("wave 2's members ran %d at a time, want 2", j.peak.Load())
	}
}

func TestRunMaxParallel(t *testing.T) {
	j := &journal{}
	var wave []*fakeMember
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		wave = append(wave, &fakeMember{name: n, delay: 10 * time.Millisecond})
	}
	res := Run(context.Background(), fleetOf(j, wave), Options{MaxParallel: 2})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d", res.ExitCode)
	}
	if p := j.peak.Load(); p > 2 {
		t.Fatalf("%d members ran at once with --max-parallel 2", p)
	}
}

func TestRunStopPolicyStartsNoLaterWave(t *testing.T) {
	j := &journal{}
	res := Run(context.Background(), fleetOf(j,
		[]*fakeMember{{name: "api"}},
		[]*fakeMember{{name: "worker", outcome: progress.Failed, err: exitcode.Failedf("crashed")}, {name: "cron2"}},
		[]*fakeMember{{name: "cron"}}), Options{OnFailure: Stop})
	got := outcomes(res)
	if got["cron"] != Skipped || got["cron2"] != progress.Succeeded || got["api"] != progress.Succeeded {
		t.Fatalf("outcomes %v: the failed wave finishes, no later wave starts", got)
	}
	if res.ExitCode != exitcode.Failed || slices.Contains(j.entries, "undo api") {
		t.Fatalf("exit %d, journal %v: stop fails the fleet and undoes nothing", res.ExitCode, j.entries)
	}
}

func TestRunContinuePolicy(t *testing.T) {
	j := &journal{}
	res := Run(context.Background(), fleetOf(j,
		[]*fakeMember{{name: "api", outcome: progress.Failed, err: exitcode.Failedf("crashed")}},
		[]*fakeMember{{name: "cron"}}), Options{OnFailure: Continue})
	if outcomes(res)["cron"] != progress.Succeeded || res.ExitCode != exitcode.Failed {
		t.Fatalf("continue runs every wave and still fails the fleet: %v exit %d", outcomes(res), res.ExitCode)
	}
}

func TestRunRollbackAllUndoesChangedMembersNewestWaveFirst(t *testing.T) {
	j := &journal{}
	res := Run(context.Background(), fleetOf(j,
		[]*fakeMember{{name: "api"}},
		[]*fakeMember{{name: "worker", outcome: progress.Failed, err: exitcode.Failedf("crashed"), changed: true},
			{name: "refused", outcome: progress.Failed, err: exitcode.With(exitcode.AWS, context.DeadlineExceeded)}},
		[]*fakeMember{{name: "cron"}}), Options{OnFailure: RollbackAll})
	undo := slices.DeleteFunc(slices.Clone(j.entries), func(s string) bool { return s[:3] == "do " })
	if !slices.Equal(undo, []string{"undo worker", "undo api"}) {
		t.Fatalf("undo order %v, want the failed wave's changed member, then wave 1", undo)
	}
	for _, tr := range res.Targets {
		if tr.Name == "api" && (tr.Rollback == nil || tr.Rollback.Outcome != progress.Succeeded) {
			t.Fatalf("api's rollback is reported: %+v", tr)
		}
		if tr.Name == "refused" && tr.Rollback != nil {
			t.Fatalf("a member that changed nothing is not rolled back")
		}
	}
	if res.ExitCode != exitcode.Failed {
		t.Fatalf("exit %d", res.ExitCode)
	}
}

func TestRunExitCodes(t *testing.T) {
	for _, c := range []struct {
		name string
		wave []*fakeMember
		want int
	}{
		{"timeout", []*fakeMember{{name: "a", outcome: progress.TimedOut}, {name: "b"}}, exitcode.TimedOut},
		{"failure beats timeout", []*fakeMember{{name: "a", outcome: progress.TimedOut}, {name: "b", outcome: progress.Failed}}, exitcode.Failed},
		{"refused", []*fakeMember{{name: "a", outcome: progress.Failed, err: exitcode.With(exitcode.AWS, context.Canceled)}}, exitcode.AWS},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := Run(context.Background(), fleetOf(&journal{}, c.wave), Options{OnFailure: Continue})
			if res.ExitCode != c.want {
				t.Fatalf("exit %d, want %d (%s)", res.ExitCode, c.want, res.Reason)
			}
		})
	}
}

func TestRunInterruptStartsNothingNew(t *testing.T) {
	j := &journal{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := Run(ctx, fleetOf(j, []*fakeMember{{name: "api"}}, []*fakeMember{{name: "cron"}}), Options{})
	if len(j.entries) != 0 {
		t.Fatalf("an interrupted fleet started %v", j.entries)
	}
	if got := outcomes(res); got["api"] != Interrupted || got["cron"] != Interrupted || res.ExitCode == 0 {
		t.Fatalf("outcomes %v exit %d", got, res.ExitCode)
	}
}

// waitingMember changes its service at once, then waits for its verdict
// (released) or for its context to end, as a deploy's watcher does.
type waitingMember struct {
	name     string
	started  chan struct{}
	released chan struct{}
	undone   atomic.Bool
}

func newWaiting(name string) *waitingMember {
	return &waitingMember{name: name, started: make(chan struct{}), released: make(chan struct{})}
}

func (m *waitingMember) Name() string { return m.name }

func (m *waitingMember) Do(ctx context.Context) Outcome {
	close(m.started)
	select {
	case <-m.released:
		return Outcome{Outcome: progress.Succeeded, Changed: true}
	case <-ctx.Done():
		return Outcome{Outcome: progress.Failed, Reason: "interrupted while waiting", Changed: true, Err: ctx.Err()}
	}
}

func (m *waitingMember) Undo(context.Context) Outcome {
	m.undone.Store(true)
	return Outcome{Outcome: progress.Succeeded}
}

// interruptMidWave runs two waves, interrupts once wave 1's member has
// started, and releases that member's verdict after the interrupt (which a
// Continue fleet waits for, and the others do not).
func interruptMidWave(t *testing.T, opts Options) (*Result, *waitingMember, *journal) {
	t.Helper()
	api := newWaiting("api")
	j := &journal{}
	cron := &fakeMember{name: "cron", journal: j}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-api.started
		cancel()
		time.Sleep(20 * time.Millisecond)
		close(api.released)
	}()
	res := Run(ctx, [][]Member{{api}, {cron}}, opts)
	if len(j.entries) != 0 {
		t.Fatalf("the wave after the interrupt started: %v", j.entries)
	}
	return res, api, j
}

func TestRunInterruptStopLeavesChangesAsTheyAre(t *testing.T) {
	res, api, _ := interruptMidWave(t, Options{})
	got := outcomes(res)
	if got["api"] != Interrupted || got["cron"] != Interrupted || res.ExitCode != exitcode.Failed {
		t.Fatalf("outcomes %v exit %d (%s)", got, res.ExitCode, res.Reason)
	}
	if api.undone.Load() || res.Targets[0].Rollback != nil {
		t.Fatal("stop rolled back")
	}
}

func TestRunInterruptContinueFollowsRunningMembersToTheirVerdict(t *testing.T) {
	res, api, _ := interruptMidWave(t, Options{OnInterrupt: Continue})
	got := outcomes(res)
	if got["api"] != progress.Succeeded || got["cron"] != Interrupted {
		t.Fatalf("outcomes %v (%s)", got, res.Reason)
	}
	if api.undone.Load() {
		t.Fatal("continue rolled back")
	}
}

func TestRunInterruptRollbackAll(t *testing.T) {
	res, api, _ := interruptMidWave(t, Options{OnInterrupt: RollbackAll})
	if !api.undone.Load() || res.Targets[0].Rollback == nil || res.Targets[0].Rollback.Outcome != progress.Succeeded {
		t.Fatalf("api was not rolled back: %+v", res.Targets[0])
	}
	if got := outcomes(res); got["api"] != Interrupted || res.ExitCode != exitcode.Failed {
		t.Fatalf("outcomes %v exit %d", got, res.ExitCode)
	}
}

func TestRunInterruptAsksOnce(t *testing.T) {
	for _, answer := range []bool{true, false} {
		var asked [][]string
		res, api, _ := interruptMidWave(t, Options{OnInterrupt: Continue, ConfirmRollback: func(changed []string) bool {
			asked = append(asked, changed)
			return answer
		}})
		if len(asked) != 1 || !slices.Equal(asked[0], []string{"api"}) {
			t.Fatalf("asked %v, want once about [api]", asked)
		}
		// A question replaces OnInterrupt: the running member was stopped
		// before it was asked, not followed.
		if got := outcomes(res); got["api"] != Interrupted {
			t.Fatalf("outcomes %v", got)
		}
		if api.undone.Load() != answer {
			t.Fatalf("answered %v, rolled back %v", answer, api.undone.Load())
		}
	}
}
