package spec

import (
	"errors"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

// Deploy is the deploy command's settings as a file (deploy -f FILE). Every
// optional setting is a pointer (or a nil map or slice) when the file does not
// give it, so that command-line flags can override only what was given.
// docs/spec.md documents each field.
type Deploy struct {
	Cluster string `yaml:"cluster"`
	Service string `yaml:"service"`

	// Where the new task definition comes from; at most one may be given.
	// None means the service's current task definition.
	UseLatestTaskDef   *bool   `yaml:"useLatestTaskDef"`
	TemplateFamily     *string `yaml:"templateFamily"`
	TaskDefinitionFile *string `yaml:"taskDefinitionFile"`
	TaskDefinition     *string `yaml:"taskDefinition"` // family:revision or ARN, deployed as it is

	// Task-definition changes.
	Images       Images                       `yaml:"images"`
	TagOnly      *string                      `yaml:"tagOnly"`
	Env          map[string]map[string]string `yaml:"env"`      // container → KEY → VALUE
	UnsetEnv     map[string][]string          `yaml:"unsetEnv"` // container → keys
	EnvMode      *string                      `yaml:"envMode"`  // merge | replace
	Secrets      map[string]map[string]string `yaml:"secrets"`  // container → KEY → ARN or SSM name
	UnsetSecrets map[string][]string          `yaml:"unsetSecrets"`
	SecretMode   *string                      `yaml:"secretMode"` // merge | replace
	EnvFiles     map[string][]string          `yaml:"envFiles"`   // container → S3 ARNs
	EnvFileMode  *string                      `yaml:"envFileMode"`

	// Tags go on the new task definition and on the service.
	Tags                   map[string]string `yaml:"tags"`
	CopyTaskDefinitionTags *bool             `yaml:"copyTaskDefinitionTags"`

	// Service settings.
	DesiredCount           *int32          `yaml:"desiredCount"`
	MinHealthyPercent      *int32          `yaml:"minHealthyPercent"`
	MaxPercent             *int32          `yaml:"maxPercent"`
	ForceNewDeployment     *bool           `yaml:"forceNewDeployment"`
	HealthCheckGracePeriod *Duration       `yaml:"healthCheckGracePeriod"`
	Subnets                []string        `yaml:"subnets"`
	SecurityGroups         []string        `yaml:"securityGroups"`
	AssignPublicIP         *bool           `yaml:"assignPublicIp"`
	PlatformVersion        *string         `yaml:"platformVersion"`
	CircuitBreaker         *CircuitBreaker `yaml:"circuitBreaker"`

	// ECS's blue/green, linear and canary strategies (strategy.go).
	Strategy `yaml:",inline"`

	// Rollout behaviour.
	Timeout       *Duration `yaml:"timeout"`
	StableFor     *Duration `yaml:"stableFor"`
	Rollback      *bool     `yaml:"rollback"`
	KeepRevisions *int      `yaml:"keepRevisions"`

	// ServiceUpdate holds the UpdateService members of a "service:" mapping
	// (see decodeNode); nil when service: is the name alone.
	ServiceUpdate *ecs.UpdateServiceInput `yaml:"-"`

	lines Lines  // where each field was written, for Validate's messages
	file  string // the file read (LoadDeploy), named in problems
	// unparsed says the file was not valid YAML: Validate then reports
	// nothing more, the syntax error being the one problem to fix.
	unparsed       bool
	serviceCluster string // the cluster member of a service: mapping
	// given holds the settings given elsewhere than in the file (by a
	// command-line flag), by field path: problems with them name that
	// origin. reported holds the fields whose value could not be read
	// (an unresolved variable, a value of the wrong type): that problem is
	// already reported, and Validate says nothing more about them.
	given    exitcode.Origins
	reported map[string]bool
	// overrides are task-definition changes given elsewhere than in the
	// file; they win over the file's (Override).
	overrides taskdef.Changes
}

func (d *Deploy) markUnparsed() { d.unparsed = true }

// CircuitBreaker is the service's deployment circuit breaker.
type CircuitBreaker struct {
	Enable   *bool `yaml:"enable"`
	Rollback *bool `yaml:"rollback"`
}

// Images are image changes written either as a map of container name to
// image, or as a list whose items are "container=image", "image" (retags
// every container of that repository, like --image), or a mapping
// {container: NAME, image: REF}.
type Images []taskdef.ImageChange

// SetLines records where each field path was written; Decode calls it.
func (d *Deploy) SetLines(l Lines) { d.lines = l }

// Line returns the line on which the field at path was written, or 0.
func (d *Deploy) Line(path string) int { return d.lines.Line(path) }

// setReported records the fields of the decoder's problems; Decode calls it.
func (d *Deploy) setReported(ps exitcode.Problems) {
	for _, p := range ps {
		if d.reported == nil {
			d.reported = map[string]bool{}
		}
		d.reported[p.Field] = true
	}
}

// Given records that the setting at path (a field path such as
// "desiredCount" or "subnets") was given at from, a command-line flag,
// over the file's value. Validate then reports a problem with it against
// from; when ok is false the value could not be read (its problem, such
// as an unresolved variable, is already reported) and Validate says
// nothing more about it.
func (d *Deploy) Given(path string, from exitcode.Origin, ok bool) {
	d.given = d.given.Set(path, from)
	if d.reported == nil {
		d.reported = map[string]bool{}
	}
	d.reported[path] = !ok
}

// Override lays task-definition changes given elsewhere than in the file
// (command-line flags, each with its origin) over the file's: Changes
// merges them (they win, see taskdef.Merge) and Validate checks the result.
func (d *Deploy) Override(c taskdef.Changes) { d.overrides = c }

// Origin is where the setting at path was given: the flag that gave it
// (or a parent setting), or the file, the path and its line.
func (d *Deploy) Origin(path string) exitcode.Origin {
	for p := path; ; {
		if o, ok := d.given[p]; ok {
			return o
		}
		cut := strings.LastIndexAny(p, ".[")
		if cut < 0 {
			break
		}
		p = p[:cut]
	}
	return exitcode.FileOrigin(d.file, path, d.Line(path))
}

// isReported reports whether the value at path, or at a setting holding
// it, could not be read.
func (d *Deploy) isReported(path string) bool {
	for p := path; ; {
		if d.reported[p] {
			return true
		}
		cut := strings.LastIndexAny(p, ".[")
		if cut < 0 {
			return false
		}
		p = p[:cut]
	}
}

// LoadDeploy reads and decodes a deploy spec file, substituting variables.
// It reports problems with the file's content as exitcode.Problems; it does
// not Validate, because flags may still fill in required values. With
// problems it still returns what it could decode (nil only when the file
// could not be read), so that a caller checking the rest does not call a
// setting that is in the file missing.
func LoadDeploy(path string, r vars.Resolver) (*Deploy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, exitcode.Invalidf("read spec: %v", err)
	}
	d := Deploy{file: path}
	err = Decode(data, r, &d)
	if c := d.serviceCluster; c != "" {
		// The service: mapping may name the cluster, as UpdateService does.
		if d.Cluster != "" && d.Cluster != c {
			var ps exitcode.Problems
			ps.Extend(err)
			ps.At(exitcode.FileOrigin(path, "service.cluster", d.Line("cluster")), "names cluster %q, but cluster is %q: give it once", c, d.Cluster)
			err = ps.Err()
		}
		d.Cluster = c
	}
	if err != nil {
		return &d, inFile(path, err)
	}
	return &d, nil
}

// inFile names file in the problems of err that have a line of it.
func inFile(file string, err error) error {
	var ps exitcode.Problems
	if !errors.As(err, &ps) {
		return err
	}
	out := make(exitcode.Problems, len(ps))
	for i, p := range ps {
		if p.File == "" && p.Line > 0 {
			p.File = file
		}
		out[i] = p
	}
	return out.Err()
}
