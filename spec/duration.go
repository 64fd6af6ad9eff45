package spec

import (
	"time"

	"github.com/ecsdeploy/ecsdeploy/duration"
)

// Duration is a length of time written as a Go duration ("90s", "10m",
// "1h30m") or as a bare whole number of seconds ("90").
type Duration time.Duration

// ParseDuration parses a Duration's text (package duration holds the rule).
func ParseDuration(s string) (Duration, error) {
	d, err := duration.Parse(s)
	return Duration(d), err
}

// Std returns the duration as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }
