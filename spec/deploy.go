package spec

import (
	"os"

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

	lines Lines // where each field was written, for Validate's messages
	// unparsed says the file was not valid YAML: Validate then reports
	// nothing more, the syntax error being the one problem to fix.
	unparsed       bool
	serviceCluster string // the cluster member of a service: mapping
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
	var d Deploy
	err = Decode(data, r, &d)
	if c := d.serviceCluster; c != "" {
		// The service: mapping may name the cluster, as UpdateService does.
		if d.Cluster != "" && d.Cluster != c {
			var ps exitcode.Problems
			ps.Extend(err)
			ps.Add("service.cluster", d.Line("cluster"), "names cluster %q, but cluster is %q: give it once", c, d.Cluster)
			err = ps.Err()
		}
		d.Cluster = c
	}
	if err != nil {
		return &d, err
	}
	return &d, nil
}
