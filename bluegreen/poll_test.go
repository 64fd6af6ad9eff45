package bluegreen

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/ecsdeploy/ecsdeploy/watch"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// TestPollUntilDeadline: the step's own schedule is kept, a read is made at
// the deadline itself and the wait then times out.
func TestPollUntilDeadline(t *testing.T) {
	c := &watch.StepClock{T: t0}
	var reads []time.Duration
	timedOut, err := pollUntil(context.Background(), c, 10*time.Second, func(_ context.Context, now time.Time) (bool, time.Time, error) {
		reads = append(reads, now.Sub(t0))
		return false, now.Add(4 * time.Second), nil
	})
	if err != nil || !timedOut {
		t.Fatalf("timedOut %v err %v", timedOut, err)
	}
	want := []time.Duration{0, 4 * time.Second, 8 * time.Second, 10 * time.Second}
	if len(reads) != len(want) {
		t.Fatalf("reads at %v, want %v", reads, want)
	}
	for i := range want {
		if reads[i] != want[i] {
			t.Fatalf("reads at %v, want %v", reads, want)
		}
	}
}

// TestPollUntilBackoff: a throttled read is retried after 1, 2, 4 s; a
// success resets the pause; an error not worth retrying ends the wait.
func TestPollUntilBackoff(t *testing.T) {
	c := &watch.StepClock{T: t0}
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	n := 0
	_, err := pollUntil(context.Background(), c, time.Hour, func(_ context.Context, now time.Time) (bool, time.Time, error) {
		n++
		switch n {
		case 1, 2, 3:
			return false, time.Time{}, throttled
		case 4:
			return false, now.Add(time.Second), nil
		case 5:
			return false, time.Time{}, throttled
		}
		return false, time.Time{}, errors.New("AccessDenied")
	})
	if err == nil || err.Error() != "AccessDenied" {
		t.Fatalf("err %v, want the error that ends the wait", err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, time.Second, time.Second}
	if len(c.Pauses) != len(want) {
		t.Fatalf("pauses %v, want %v", c.Pauses, want)
	}
	for i := range want {
		if c.Pauses[i] != want[i] {
			t.Fatalf("pauses %v, want %v", c.Pauses, want)
		}
	}
}

// TestNextRead: a due time before the beat is read at, the window after it
// is read quickly, and without one the beat applies.
func TestNextRead(t *testing.T) {
	beat := 1500 * time.Millisecond
	for _, c := range []struct {
		name     string
		now, due time.Time
		want     time.Time
	}{
		{"nothing due", t0, time.Time{}, t0.Add(beat)},
		{"due far off", t0, t0.Add(time.Minute), t0.Add(beat)},
		{"due before the beat", t0, t0.Add(300 * time.Millisecond), t0.Add(300 * time.Millisecond)},
		{"just after due", t0.Add(2 * time.Second), t0, t0.Add(2*time.Second + dueBeat)},
		{"long after due", t0.Add(time.Minute), t0, t0.Add(time.Minute + beat)},
	} {
		if got := nextRead(c.now, c.due, beat); !got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got.Sub(t0), c.want.Sub(t0))
		}
	}
}
