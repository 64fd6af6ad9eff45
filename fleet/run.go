package fleet

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
)

// Member is one thing a wave does: a service deploy, or a one-off task
// (a migration) that later waves need.
type Member interface {
	// Name is the target's name in the fleet (unique).
	Name() string
	// Do deploys or runs the target and reports how it ended; the error
	// carries the exit code (exitcode.Of).
	Do(ctx context.Context) Outcome
	// Undo returns the target to how it was before Do changed it and waits
	// for that; a member that changed nothing lasting (a task run) returns
	// a zero Outcome.
	Undo(ctx context.Context) Outcome
}

// Outcome is how one member's Do or Undo ended.
type Outcome struct {
	Outcome progress.Outcome `json:"outcome"`
	Reason  string           `json:"reason,omitempty"`
	// Changed says the member changed something that Undo would return
	// (a service updated); only those are rolled back.
	Changed bool  `json:"changed,omitempty"`
	Err     error `json:"-"`
	// Detail is the member's own report (a deploy's or a run's result).
	Detail any `json:"detail,omitempty"`
}

// FailurePolicy is what happens to the rest of the fleet when a member fails.
type FailurePolicy string

// Failure policies.
const (
	// Stop starts no new wave; members already running finish.
	Stop FailurePolicy = "stop"
	// Continue goes on with every wave.
	Continue FailurePolicy = "continue"
	// RollbackAll stops like Stop, then returns every member that this
	// command changed to where it was, in reverse wave order.
	RollbackAll FailurePolicy = "rollback-all"
)

// ParseFailurePolicy reads an --on-failure value.
func ParseFailurePolicy(s string) (FailurePolicy, error) { return parsePolicy(s, "a failure policy") }

// ParseInterruptPolicy reads an --on-interrupt value (Options.OnInterrupt).
func ParseInterruptPolicy(s string) (FailurePolicy, error) {
	return parsePolicy(s, "what an interrupt can do")
}

// parsePolicy reads a policy, Stop when empty; what names the setting in
// the error.
func parsePolicy(s, what string) (FailurePolicy, error) {
	switch p := FailurePolicy(s); p {
	case Stop, Continue, RollbackAll:
		return p, nil
	case "":
		return Stop, nil
	}
	return "", fmt.Errorf("%q is not %s: use stop, continue or rollback-all", s, what)
}

// Options say how to walk the waves.
type Options struct {
	// MaxParallel bounds the members of one wave that run at once; 0 means all.
	MaxParallel int
	// WavePause is waited between waves.
	WavePause time.Duration
	OnFailure FailurePolicy
	// OnInterrupt is what an interrupt (ctx ending: Ctrl-C) does besides
	// starting no new member: Stop (the default) makes the members running
	// stop waiting (their deployments go on in ECS); Continue follows them
	// to their verdict; RollbackAll stops them like Stop, then returns every
	// member this command changed to where it was, newest wave first.
	OnInterrupt FailurePolicy
	// ConfirmRollback, when set, is asked once after an interrupt (and
	// after the members running have stopped, as with Stop) whether to roll
	// back the members this command changed, which it is given; it replaces
	// OnInterrupt's own answer. It is how a terminal asks its user.
	ConfirmRollback func(changed []string) bool
	// Reporter receives the fleet's own progress (a wave starting, a target
	// ending); members report their own progress themselves.
	Reporter progress.Reporter
}

// Not-run outcomes.
const (
	// Skipped: the member's wave never started, because an earlier one failed.
	Skipped progress.Outcome = "skipped"
	// Interrupted: the command was interrupted before the member started.
	Interrupted progress.Outcome = "interrupted"
)

// TargetResult is one member's part of the fleet's report.
type TargetResult struct {
	Name     string   `json:"name"`
	Wave     int      `json:"wave"`
	Result   Outcome  `json:"result"`
	Rollback *Outcome `json:"rollback,omitempty"`
}

// Result is the fleet's report: every target, in wave order, and the verdict.
type Result struct {
	Outcome progress.Outcome `json:"outcome"`
	Reason  string           `json:"reason,omitempty"`
	// ExitCode: 0 every target succeeded; 1 one failed (or a rollback of
	// rollback-all did); 3 one timed out and none failed; 4 AWS refused a call
	// and nothing failed or timed out.
	ExitCode int            `json:"exitCode"`
	Targets  []TargetResult `json:"targets"`
}

// Run walks the waves in order, each wave's members in parallel (at most
// MaxParallel at once). After a wave with a failure it applies OnFailure.
// Cancelling ctx (Ctrl-C) starts no new member; what happens to members
// already running and to what they changed is OnInterrupt's (or
// ConfirmRollback's) to say. A member that an interrupt stopped before its
// verdict ends Interrupted, not failed.
func Run(ctx context.Context, waves [][]Member, opts Options) *Result {
	rep := opts.Reporter
	if rep == nil {
		rep = progress.Discard
	}
	if opts.OnFailure == "" {
		opts.OnFailure = Stop
	}
	if opts.OnInterrupt == "" || opts.ConfirmRollback != nil {
		opts.OnInterrupt = Stop
	}
	// Members run on their own context: with Continue an interrupt does not
	// reach them; otherwise it does, once it has stopped the fleet.
	memberCtx := ctx
	if opts.OnInterrupt == Continue {
		memberCtx = context.WithoutCancel(ctx)
	}
	res := &Result{}
	index := map[string]int{}
	for w, wave := range waves {
		for _, m := range wave {
			index[m.Name()] = len(res.Targets)
			res.Targets = append(res.Targets, TargetResult{Name: m.Name(), Wave: w + 1, Result: Outcome{Outcome: Skipped}})
		}
	}
	failed := false
	for w, wave := range waves {
		if failed && opts.OnFailure != Continue {
			break
		}
		if ctx.Err() != nil {
			markInterrupted(res, wave, index)
			continue
		}
		if w > 0 && opts.WavePause > 0 {
			step(rep, "pausing %s before wave %d", opts.WavePause, w+1)
			if !sleep(ctx, opts.WavePause) {
				markInterrupted(res, wave, index)
				continue
			}
		}
		step(rep, "wave %d of %d: %s", w+1, len(waves), names(wave))
		outcomes := runWave(ctx, memberCtx, wave, opts.MaxParallel)
		for i, m := range wave {
			o := outcomes[i]
			if memberCtx.Err() != nil && o.Outcome != progress.Succeeded && o.Outcome != Interrupted {
				// Stopped by the interrupt before its verdict.
				o.Outcome = Interrupted
			}
			res.Targets[index[m.Name()]].Result = o
			if o.Outcome != progress.Succeeded && o.Outcome != Interrupted {
				failed = true
			}
			step(rep, "%s: %s%s", m.Name(), o.Outcome, reasonSuffix(o.Reason))
		}
	}
	rollback := failed && opts.OnFailure == RollbackAll
	if ctx.Err() != nil && !rollback {
		rollback = rollbackOnInterrupt(res, opts, rep)
	}
	if rollback {
		rollbackAll(waves, res, index, rep)
	}
	judgeFleet(res)
	return res
}

// rollbackOnInterrupt decides, once, whether an interrupted fleet rolls
// back what it changed.
func rollbackOnInterrupt(res *Result, opts Options, rep progress.Reporter) bool {
	var changed []string
	for _, t := range res.Targets {
		if t.Result.Changed {
			changed = append(changed, t.Name)
		}
	}
	if len(changed) == 0 {
		step(rep, "interrupted: nothing was changed")
		return false
	}
	if opts.ConfirmRollback != nil {
		return opts.ConfirmRollback(changed)
	}
	if opts.OnInterrupt == RollbackAll {
		step(rep, "interrupted: rolling back %s", list(changed))
		return true
	}
	step(rep, "interrupted: left as they are: %s", list(changed))
	return false
}

// runWave starts the wave's members while ctx lasts and runs them on
// memberCtx.
func runWave(ctx, memberCtx context.Context, wave []Member, maxParallel int) []Outcome {
	if maxParallel <= 0 || maxParallel > len(wave) {
		maxParallel = len(wave)
	}
	out := make([]Outcome, len(wave))
	slots := make(chan struct{}, maxParallel)
	var wg sync.WaitGroup
	for i, m := range wave {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			out[i] = Outcome{Outcome: Interrupted, Reason: "interrupted before it started"}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if ctx.Err() != nil {
				out[i] = Outcome{Outcome: Interrupted, Reason: "interrupted before it started"}
				return
			}
			out[i] = m.Do(memberCtx)
		}()
	}
	wg.Wait()
	return out
}

// rollbackAll undoes, newest wave first, every member that changed
// something. It runs on its own context: an interrupt that stopped the
// fleet must not also stop the undoing it asked for.
func rollbackAll(waves [][]Member, res *Result, index map[string]int, rep progress.Reporter) {
	ctx := context.Background()
	for w := len(waves) - 1; w >= 0; w-- {
		var todo []Member
		for _, m := range waves[w] {
			if res.Targets[index[m.Name()]].Result.Changed {
				todo = append(todo, m)
			}
		}
		if len(todo) == 0 {
			continue
		}
		step(rep, "rolling back wave %d: %s", w+1, names(todo))
		var wg sync.WaitGroup
		for _, m := range todo {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o := m.Undo(ctx)
				res.Targets[index[m.Name()]].Rollback = &o
				step(rep, "%s: rollback %s%s", m.Name(), o.Outcome, reasonSuffix(o.Reason))
			}()
		}
		wg.Wait()
	}
}

// judgeFleet sets the fleet's outcome and exit code from its targets.
func judgeFleet(res *Result) {
	var failed, timedOut, refused, skipped, interrupted, rollbackFailed []string
	for _, t := range res.Targets {
		switch o := t.Result; {
		case o.Outcome == progress.Succeeded:
		case o.Outcome == Skipped:
			skipped = append(skipped, t.Name)
		case o.Outcome == Interrupted:
			interrupted = append(interrupted, t.Name)
		case o.Outcome == progress.TimedOut:
			timedOut = append(timedOut, t.Name)
		case o.Err != nil && exitcode.Of(o.Err) == exitcode.AWS:
			refused = append(refused, t.Name)
		case o.Err != nil && exitcode.Of(o.Err) == exitcode.Invalid:
			failed = append(failed, t.Name)
		default:
			failed = append(failed, t.Name)
		}
		if rb := t.Rollback; rb != nil && rb.Outcome != progress.Succeeded {
			rollbackFailed = append(rollbackFailed, t.Name)
		}
	}
	switch {
	case len(failed) > 0 || len(rollbackFailed) > 0:
		res.Outcome, res.ExitCode = progress.Failed, exitcode.Failed
	case len(timedOut) > 0:
		res.Outcome, res.ExitCode = progress.TimedOut, exitcode.TimedOut
	case len(refused) > 0:
		res.Outcome, res.ExitCode = progress.Failed, exitcode.AWS
	case len(interrupted) > 0:
		res.Outcome, res.ExitCode = Interrupted, exitcode.Failed
	default:
		res.Outcome, res.ExitCode = progress.Succeeded, exitcode.OK
	}
	var parts []string
	add := func(label string, xs []string) {
		if len(xs) > 0 {
			parts = append(parts, fmt.Sprintf("%s: %s", label, list(xs)))
		}
	}
	add("failed", failed)
	add("timed out", timedOut)
	add("refused by AWS", refused)
	add("rollback failed", rollbackFailed)
	add("interrupted", interrupted)
	add("not started", skipped)
	res.Reason = strings.Join(parts, "; ")
}

func markInterrupted(res *Result, wave []Member, index map[string]int) {
	for _, m := range wave {
		res.Targets[index[m.Name()]].Result = Outcome{Outcome: Interrupted, Reason: "interrupted before its wave started"}
	}
}

func step(rep progress.Reporter, format string, args ...any) {
	rep.Report(progress.Step{At: time.Now(), Message: fmt.Sprintf(format, args...)})
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func names(ms []Member) string {
	xs := make([]string, len(ms))
	for i, m := range ms {
		xs[i] = m.Name()
	}
	return list(xs)
}

func list(xs []string) string { return strings.Join(xs, ", ") }

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return ": " + r
}
