package watch

import (
	"context"
	"time"
)

// Clock is where a wait reads the time and how it pauses. Tests give one
// that moves an emulated clock instead of sleeping, so that a wait of
// minutes takes no wall time and every run is the same.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// WallClock is the real clock.
type WallClock struct{}

// Now returns the current time.
func (WallClock) Now() time.Time { return time.Now() }

// After waits d on the real clock.
func (WallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Sleep pauses d on clock, or until ctx ends.
func Sleep(ctx context.Context, clock Clock, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-clock.After(d):
		return nil
	}
}

// StepClock stands still until a pause moves it by the pause at once, and
// records the pauses: for tests of a wait, which then take no wall time.
type StepClock struct {
	T      time.Time
	Pauses []time.Duration
}

// Now returns the clock's time.
func (c *StepClock) Now() time.Time { return c.T }

// After moves the clock forward by d and returns a channel holding the new time.
func (c *StepClock) After(d time.Duration) <-chan time.Time {
	c.Pauses = append(c.Pauses, d)
	c.T = c.T.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.T
	return ch
}
