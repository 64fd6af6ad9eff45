// Package scenario describes how the local ECS behaves beyond the happy path:
// how much capacity each Availability Zone has, how containers of a given
// image behave (slow start, crash, failing health checks, pull failure,
// out-of-memory kill, the log lines they print), and which API calls fail.
//
// Failures are data: every behaviour is keyed on an image pattern or an
// operation name that the user chooses, never on magic names built into the
// emulator. A scenario is loaded from YAML (or JSON) and can be replaced while
// the emulator runs.
package scenario

import (
	"fmt"
	"os"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Scenario is the whole description. The zero value means: default capacity,
// every image starts and stays healthy, no API faults.
type Scenario struct {
	// Capacity is the EC2 capacity of every cluster, per Availability Zone.
	// Nil means the default: three zones with two instances each.
	Capacity *Capacity `yaml:"capacity,omitempty" json:"capacity,omitempty"`
	// Images lists behaviours by image reference; the first match wins.
	Images []Image `yaml:"images,omitempty" json:"images,omitempty"`
	// Faults lists API faults; every matching fault applies.
	Faults []Fault `yaml:"faults,omitempty" json:"faults,omitempty"`
	// Limits are API rate limits (token buckets); a call over a limit is
	// throttled. The first matching entry decides.
	Limits []Limit `yaml:"limits,omitempty" json:"limits,omitempty"`
	// Hooks says how Lambda lifecycle hooks answer; the first match wins.
	Hooks []Hook `yaml:"hooks,omitempty" json:"hooks,omitempty"`
	// Alarms sets CloudWatch alarm states over time (alarms.go).
	Alarms []Alarm `yaml:"alarms,omitempty" json:"alarms,omitempty"`
}

// Capacity is the EC2 container-instance capacity of each cluster.
type Capacity struct {
	Zones []Zone `yaml:"zones" json:"zones"`
}

// Zone is one Availability Zone and the instances registered in it.
type Zone struct {
	// Name is the zone suffix ("a") or full name ("us-east-1a"); a suffix is
	// appended to the request's region.
	Name string `yaml:"name" json:"name"`
	// Instances is how many container instances the zone has.
	Instances int `yaml:"instances" json:"instances"`
	// CPU is each instance's CPU units (1024 per vCPU); default 2048.
	CPU int `yaml:"cpu,omitempty" json:"cpu,omitempty"`
	// Memory is each instance's memory in MiB; default 4096.
	Memory int `yaml:"memory,omitempty" json:"memory,omitempty"`
	// InstanceType is reported as the ecs.instance-type attribute; default t3.medium.
	InstanceType string `yaml:"instanceType,omitempty" json:"instanceType,omitempty"`
}

// Health is the outcome of a container's health-check command.
type Health string

// Health outcomes.
const (
	HealthHealthy   Health = "healthy"   // every check passes (the default)
	HealthUnhealthy Health = "unhealthy" // every check fails
	HealthTimeout   Health = "timeout"   // every check runs past its timeout
)

// Image is the behaviour of containers whose image matches Match.
type Image struct {
	// Match is an image reference, exact ("repo/app:1.2") or a glob in
	// path.Match syntax ("*/app:*", "app:bad-*") in which "*" also spans "/".
	Match string `yaml:"match" json:"match"`
	// PullDuration is how long pulling the image takes (default 12s).
	PullDuration Duration `yaml:"pullDuration,omitempty" json:"pullDuration,omitempty"`
	// StartupDelay is how long the container takes from pulled to RUNNING (default 8s).
	StartupDelay Duration `yaml:"startupDelay,omitempty" json:"startupDelay,omitempty"`
	// PullFailure, when set, makes the pull fail with CannotPullContainerError
	// and this text as the detail.
	PullFailure string `yaml:"pullFailure,omitempty" json:"pullFailure,omitempty"`
	// StartFailure, when set, makes the task fail after the pull, before it
	// runs, with this reason as the task's stoppedReason and the container's
	// reason (for example "ResourceInitializationError: unable to pull
	// secrets or registry auth: ..." or "CannotStartContainerError: ...").
	StartFailure string `yaml:"startFailure,omitempty" json:"startFailure,omitempty"`
	// ExitCode, when set, makes the container exit with it ExitAfter after it starts.
	ExitCode *int `yaml:"exitCode,omitempty" json:"exitCode,omitempty"`
	// ExitAfter is how long the container runs before exiting with ExitCode.
	ExitAfter Duration `yaml:"exitAfter,omitempty" json:"exitAfter,omitempty"`
	// OOMAfter, when set, kills the container for exceeding its memory this
	// long after it starts (exit code 137, OutOfMemoryError).
	OOMAfter Duration `yaml:"oomAfter,omitempty" json:"oomAfter,omitempty"`
	// Health is the outcome of the container's health-check command, if the
	// task definition defines one (default healthy).
	Health Health `yaml:"health,omitempty" json:"health,omitempty"`
	// UnhealthyAfter, when set, makes checks pass until this long after the
	// start and fail from then on.
	UnhealthyAfter Duration `yaml:"unhealthyAfter,omitempty" json:"unhealthyAfter,omitempty"`
	// HealthyAfter, when set, ends the failures (of an unhealthy or timeout
	// outcome, or of unhealthyAfter): checks pass from this long after the
	// start on. It models a slow start (failing, then passing) or, after
	// unhealthyAfter, an outage that heals.
	HealthyAfter Duration `yaml:"healthyAfter,omitempty" json:"healthyAfter,omitempty"`
	// IgnoreSIGTERM makes the container ignore SIGTERM, so stopping it takes
	// the full stopTimeout and ends with SIGKILL (exit code 137).
	IgnoreSIGTERM bool `yaml:"ignoreSigterm,omitempty" json:"ignoreSigterm,omitempty"`
	// Logs are lines the container prints, one second apart from its start.
	Logs []string `yaml:"logs,omitempty" json:"logs,omitempty"`
	// TargetBehaviour: how its load balancer health checks go (targethealth.go).
	TargetBehaviour `yaml:",inline"`
}

// Load reads a scenario file (YAML or JSON).
func Load(file string) (*Scenario, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", file, err)
	}
	return s, nil
}

// Parse decodes a scenario from YAML (JSON is YAML too) and validates it.
// Unknown fields are errors, so a typo is not silently ignored.
func Parse(data []byte) (*Scenario, error) {
	var s Scenario
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil && err.Error() != "EOF" {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate checks the scenario for values that cannot be meant.
func (s *Scenario) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if s.Capacity != nil {
		seen := map[string]bool{}
		for i, z := range s.Capacity.Zones {
			if z.Name == "" {
				add("capacity.zones[%d].name is required", i)
			}
			if seen[z.Name] {
				add("capacity.zones[%d].name %q appears twice", i, z.Name)
			}
			seen[z.Name] = true
			if z.Instances < 0 || z.CPU < 0 || z.Memory < 0 {
				add("capacity.zones[%d]: instances, cpu and memory cannot be negative", i)
			}
		}
	}
	for i, im := range s.Images {
		if im.Match == "" {
			add("images[%d].match is required", i)
		} else if _, err := path.Match(im.Match, ""); err != nil {
			add("images[%d].match %q is not a valid pattern: %v", i, im.Match, err)
		}
		switch im.Health {
		case "", HealthHealthy, HealthUnhealthy, HealthTimeout:
		default:
			add("images[%d].health %q: use healthy, unhealthy or timeout", i, im.Health)
		}
		if im.ExitCode != nil && (*im.ExitCode < 0 || *im.ExitCode > 255) {
			add("images[%d].exitCode %d: must be 0..255", i, *im.ExitCode)
		}
		problems = append(problems, im.validateTarget(i)...)
	}
	for i, f := range s.Faults {
		if err := f.validate(); err != nil {
			add("faults[%d]: %v", i, err)
		}
	}
	for i, l := range s.Limits {
		if err := l.validate(); err != nil {
			add("limits[%d]: %v", i, err)
		}
	}
	problems = append(problems, s.validateHooks()...)
	problems = append(problems, s.validateAlarms()...)
	if len(problems) > 0 {
		return fmt.Errorf("invalid scenario:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// ImageFor returns the behaviour for an image reference: the first entry
// whose pattern matches, or the zero Image (healthy, default timings).
func (s *Scenario) ImageFor(image string) Image {
	if s == nil {
		return Image{}
	}
	for _, im := range s.Images {
		if im.Match == image {
			return im
		}
		if imageMatch(im.Match, image) {
			return im
		}
	}
	return Image{}
}

// imageMatch reports whether image matches pattern. Patterns use path.Match
// syntax except that "*" also spans "/": image references are not file
// paths, and "*:broken" must match "registry.example.com/team/app:broken".
func imageMatch(pattern, image string) bool {
	const sep = "\x1f" // a byte that is neither special to path.Match nor valid in an image reference
	ok, _ := path.Match(strings.ReplaceAll(pattern, "/", sep), strings.ReplaceAll(image, "/", sep))
	return ok
}

// Marshal renders the scenario as YAML.
func (s *Scenario) Marshal() ([]byte, error) {
	if s == nil {
		s = &Scenario{}
	}
	return yaml.Marshal(s)
}
