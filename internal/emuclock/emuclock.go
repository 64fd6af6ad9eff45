// Package emuclock is the clock that engines under test (the watcher, a
// rollout, a command) wait on when they run against a local ECS on a manual
// clock: it reads the emulator's time, and a pause moves the emulator
// forward by that much at once, so that a wait of minutes takes
// milliseconds and every run is the same.
package emuclock

import (
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// Clock is a watch.Clock on em. Engines that pause at the same time each
// move em forward: time passes at least as fast as each of them expects.
type Clock struct{ Em *emulator.Emulator }

// Now returns the emulator's time.
func (c Clock) Now() time.Time { return c.Em.Now() }

// After moves the emulator forward by d and returns a channel holding its
// new time.
func (c Clock) After(d time.Duration) <-chan time.Time {
	c.Em.Advance(d)
	ch := make(chan time.Time, 1)
	ch <- c.Em.Now()
	return ch
}
