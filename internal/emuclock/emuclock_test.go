package emuclock

import (
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

var _ watch.Clock = Clock{}

func TestAPauseMovesTheEmulator(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(start), Seed: 1})
	t.Cleanup(func() { _ = em.Close() })
	c := Clock{Em: em}
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want the emulator's start %v", got, start)
	}
	if got := <-c.After(90 * time.Second); !got.Equal(start.Add(90 * time.Second)) {
		t.Fatalf("After(90s) delivered %v, want %v", got, start.Add(90*time.Second))
	}
	if got := em.Now(); !got.Equal(start.Add(90 * time.Second)) {
		t.Fatalf("the emulator stands at %v after a 90 s pause, want %v", got, start.Add(90*time.Second))
	}
}
