// Package spec loads YAML spec files strictly: variables (#{Name}) are
// substituted in every scalar first, then the document is decoded into a Go
// value, and every problem — an unknown field, a value of the wrong type, an
// unresolved variable — is reported together, each with its line and field
// path (such as "containers[1].image"). Deploy is the deploy command's spec;
// other specs decode their own types with Decode.
package spec

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ecsdeploy/ecsdeploy/vars"
)

// Lines maps field paths ("containers[1].image") to the line they were written on.
type Lines map[string]int

// Line returns the line of path, or 0 when it is unknown.
func (l Lines) Line(path string) int { return l[path] }

// LineSetter is implemented by spec types that want to know where each field
// was written, to put lines into their own validation messages.
type LineSetter interface{ SetLines(Lines) }

// Decode substitutes variables in data and decodes it into into (a pointer).
// PARTIAL: being written.
func Decode(data []byte, r vars.Resolver, into any) error {
	return fmt.Errorf("spec.Decode: not implemented yet")
}

// Duration is a length of time written as a Go duration ("90s", "10m",
// "1h30m") or as a bare number of seconds ("90").
type Duration time.Duration

// ParseDuration parses a Duration's text.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("negative duration %q", s)
		}
		return Duration(time.Duration(n) * time.Second), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (write e.g. 90s, 10m, or a number of seconds)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("negative duration %q", s)
	}
	return Duration(d), nil
}

// Std returns the duration as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }
