package watch

import "time"

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
