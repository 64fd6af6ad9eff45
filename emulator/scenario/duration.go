package scenario

import (
	"encoding/json"
	"time"

	"github.com/ecsdeploy/ecsdeploy/duration"
	"go.yaml.in/yaml/v3"
)

// Duration is a span of emulated time written as a Go duration ("90s",
// "2m30s") or a whole number of seconds (90).
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// parseDuration reads a scenario's duration as every ecsdeploy file does
// (package duration holds the rule).
func parseDuration(s string) (Duration, error) {
	d, err := duration.Parse(s)
	return Duration(d), err
}

// UnmarshalYAML accepts "30s" or 30.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalYAML writes the Go duration form.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// UnmarshalJSON accepts "30s" or 30.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		s = string(b)
	}
	v, err := parseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON writes the Go duration form.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }
