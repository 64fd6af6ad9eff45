package bluegreen

import (
	"context"
	"time"

	"github.com/ecsdeploy/ecsdeploy/transient"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// Clock is the time a follow runs on: the watch package's clock, so that a
// command gives every wait the same one (tests: the local ECS's manual
// clock, whose pauses move emulated time).
type Clock = watch.Clock

// Pacing of the polls. A read is made when a change is due rather than on a
// fixed beat: at the moment a known wait (termination wait, bake time,
// canary interval) ends, quickly while a lifecycle event or hook runs, and
// at the quiet beat (FollowOptions.Poll) otherwise, which bounds how late an
// unforeseeable verdict (an alarm, a stop) is seen.
const (
	defaultBeat = 1250 * time.Millisecond
	// busyBeat is the pause while something is expected to change soon.
	busyBeat = time.Second
	// dueBeat is the pause just after a known wait ended, until the change
	// it announces shows (AWS finishes a step a little after its due time).
	dueBeat = 500 * time.Millisecond
	// dueWindow is how long after a due time dueBeat applies.
	dueWindow = 10 * time.Second
	// minPause keeps a step that asks for "now" from spinning.
	minPause = 100 * time.Millisecond
	// maxBackoff bounds the pause after failed reads.
	maxBackoff = 20 * time.Second
)

// stepFunc reads once and says whether the wait is over and, when not,
// when the next read is due.
type stepFunc func(ctx context.Context, now time.Time) (done bool, next time.Time, err error)

// pollUntil is the one polling loop of both followers: it calls step until
// step says done, the timeout passes (timedOut) or step fails for good.
// Errors that are worth retrying (throttling, server faults, lost
// connections) back off, doubling from a second up to 20 s; the next read
// is never later than the deadline, so that a timeout is decided on a read
// made at the deadline.
func pollUntil(ctx context.Context, clock Clock, timeout time.Duration, step stepFunc) (timedOut bool, err error) {
	start := clock.Now()
	deadline := start.Add(timeout)
	backoff := time.Duration(0)
	for {
		now := clock.Now()
		done, next, err := step(ctx, now)
		switch {
		case err != nil && (ctx.Err() != nil || !transient.Is(err)):
			return false, err
		case err != nil:
			backoff = min(max(2*backoff, time.Second), maxBackoff)
			next = clock.Now().Add(backoff)
		case done:
			return false, nil
		default:
			backoff = 0
		}
		now = clock.Now()
		if timeout > 0 {
			if !now.Before(deadline) {
				return true, nil
			}
			if next.After(deadline) {
				next = deadline
			}
		}
		if err := watch.Sleep(ctx, clock, max(next.Sub(now), minPause)); err != nil {
			return false, err
		}
	}
}

// nextRead is when to read next: at due (a time a known wait ends) when it
// comes before the beat, quickly in the window just after due, and at the
// beat otherwise. A zero due means none is known.
func nextRead(now, due time.Time, beat time.Duration) time.Time {
	next := now.Add(beat)
	if due.IsZero() {
		return next
	}
	if now.Before(due) {
		if due.Before(next) {
			return due
		}
		return next
	}
	if now.Sub(due) < dueWindow {
		return now.Add(min(dueBeat, beat))
	}
	return next
}
