package emulator

import (
	"sync"
	"time"
)

// Clock tells the emulator what time it is. The emulator's own notion of
// "now" is the clock's time plus everything passed to Advance.
type Clock interface {
	Now() time.Time
}

// ManualClock is a clock that stands still; tests move the emulator forward
// with (*Emulator).Advance, which also runs the scheduler, so every run is
// deterministic. Set moves it directly (the scheduler catches up on the next
// request or Advance).
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a clock standing at start.
func NewManualClock(start time.Time) *ManualClock { return &ManualClock{t: start} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// ScaledClock runs speed times faster than the wall clock, from start.
type ScaledClock struct {
	start     time.Time
	wallStart time.Time
	speed     float64
}

// NewScaledClock returns a clock that starts at start and advances speed
// emulated seconds per wall second.
func NewScaledClock(start time.Time, speed float64) *ScaledClock {
	if speed <= 0 {
		speed = 1
	}
	return &ScaledClock{start: start, wallStart: time.Now(), speed: speed}
}

// Now returns the emulated time.
func (c *ScaledClock) Now() time.Time {
	elapsed := time.Since(c.wallStart)
	return c.start.Add(time.Duration(float64(elapsed) * c.speed))
}

// Speed returns the factor.
func (c *ScaledClock) Speed() float64 { return c.speed }
