// Package duration reads a length of time as every ecsdeploy file and flag
// writes it: a Go duration ("90s", "10m", "1h30m") or a bare whole number of
// seconds ("90"). Deploy and stack specs, --timeout-like flags and local ECS
// scenarios all read durations through Parse, so they accept the same text
// and refuse it with the same words.
package duration

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Parse reads s, which may be surrounded by spaces. A negative duration, or
// a number of seconds too large for time.Duration, is refused.
func Parse(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("negative duration %q", s)
		}
		if n > int64(time.Duration(1<<63-1)/time.Second) {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (write e.g. 90s, 10m, or a number of seconds)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("negative duration %q", s)
	}
	return d, nil
}
