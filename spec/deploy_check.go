package spec

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/imageref"
	"github.com/ecsdeploy/ecsdeploy/internal/lazy"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

var (
	familyRE          = lazy.Regexp(`^[A-Za-z0-9_-]{1,255}$`)
	taskDefRefRE      = lazy.Regexp(`^([A-Za-z0-9_-]{1,255}(:[1-9][0-9]*)?|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition/[A-Za-z0-9_-]{1,255}:[1-9][0-9]*)$`)
	platformVersionRE = lazy.Regexp(`^(LATEST|\d+\.\d+\.\d+)$`)
	subnetRE          = lazy.Regexp(`^subnet-[0-9a-f]+$`)
	securityGroupRE   = lazy.Regexp(`^sg-[0-9a-f]+$`)
)

// Validate checks the settings after flags have been applied: required values
// left empty (also after substitution), ranges and enumerations, and
// settings that cannot go together. Problems in the task-definition changes
// are reported by Changes (for the file) and by taskdef.Changes.Validate (for
// flags), not here, so that nothing is reported twice.
func (d *Deploy) Validate() exitcode.Problems {
	var ps exitcode.Problems
	if d.unparsed {
		// The file's syntax error is reported; nothing in it was read, so
		// "cluster: required" and the like would only be noise.
		return nil
	}
	add := func(field, format string, args ...any) {
		ps.Add(field, d.Line(field), format, args...)
	}
	if strings.TrimSpace(d.Cluster) == "" {
		add("cluster", "required: give the cluster name (cluster: in the spec or --cluster)")
	}
	if strings.TrimSpace(d.Service) == "" {
		add("service", "required: give the service name (service: in the spec or --service)")
	}

	var sources []string
	if d.UseLatestTaskDef != nil && *d.UseLatestTaskDef {
		sources = append(sources, "useLatestTaskDef")
	}
	if d.TemplateFamily != nil {
		sources = append(sources, "templateFamily")
		if !familyRE().MatchString(*d.TemplateFamily) {
			add("templateFamily", "%q is not a task-definition family name (up to 255 letters, digits, '_' and '-')", *d.TemplateFamily)
		}
	}
	if d.TaskDefinitionFile != nil {
		sources = append(sources, "taskDefinitionFile")
		if strings.TrimSpace(*d.TaskDefinitionFile) == "" {
			add("taskDefinitionFile", "empty: give the path of a task-definition JSON file")
		}
	}
	if d.TaskDefinition != nil {
		sources = append(sources, "taskDefinition")
		if !taskDefRefRE().MatchString(*d.TaskDefinition) {
			add("taskDefinition", "%q is not family:revision or a task-definition ARN", *d.TaskDefinition)
		}
		if d.hasTaskDefinitionChanges() {
			add("taskDefinition", "deploys an existing revision as it is, so it cannot be combined with images, tagOnly, env, secrets or envFiles; use useLatestTaskDef or templateFamily to change a revision")
		}
	}
	if len(sources) > 1 {
		add(sources[1], "choose one source of the task definition; %s are given", strings.Join(sources, " and "))
	}

	if d.DesiredCount != nil && *d.DesiredCount < 0 {
		add("desiredCount", "must be 0 or more, got %d", *d.DesiredCount)
	}
	if d.MinHealthyPercent != nil && (*d.MinHealthyPercent < 0 || *d.MinHealthyPercent > 100) {
		add("minHealthyPercent", "must be from 0 to 100, got %d", *d.MinHealthyPercent)
	}
	if d.MaxPercent != nil && *d.MaxPercent < 1 {
		add("maxPercent", "must be at least 1, got %d", *d.MaxPercent)
	}
	if d.MinHealthyPercent != nil && d.MaxPercent != nil && *d.MaxPercent < *d.MinHealthyPercent {
		add("maxPercent", "(%d) is below minHealthyPercent (%d): no task could ever be replaced", *d.MaxPercent, *d.MinHealthyPercent)
	}
	if g := d.HealthCheckGracePeriod; g != nil {
		if g.Std()%time.Second != 0 {
			add("healthCheckGracePeriod", "ECS counts it in whole seconds; %s is not", g)
		}
		if g.Std()/time.Second > math.MaxInt32 {
			add("healthCheckGracePeriod", "at most %d seconds", math.MaxInt32)
		}
	}
	for i, s := range d.Subnets {
		if !subnetRE().MatchString(s) {
			add(fmt.Sprintf("subnets[%d]", i), "%q is not a subnet id (subnet-…)", s)
		}
	}
	for i, s := range d.SecurityGroups {
		if !securityGroupRE().MatchString(s) {
			add(fmt.Sprintf("securityGroups[%d]", i), "%q is not a security group id (sg-…)", s)
		}
	}
	if d.PlatformVersion != nil && !platformVersionRE().MatchString(*d.PlatformVersion) {
		add("platformVersion", "%q is not LATEST or a version such as 1.4.0", *d.PlatformVersion)
	}
	if cb := d.CircuitBreaker; cb != nil && cb.Rollback != nil && *cb.Rollback && (cb.Enable == nil || !*cb.Enable) {
		// Also when enable is left out: docs/spec.md asks for enable: true,
		// and turning the breaker on unasked is a change to the service.
		add("circuitBreaker.rollback", "rollback needs the circuit breaker enabled: add enable: true")
	}
	if d.Timeout != nil && *d.Timeout <= 0 {
		add("timeout", "must be more than zero")
	}
	if d.KeepRevisions != nil && *d.KeepRevisions < 1 {
		add("keepRevisions", "must be at least 1 (the revision just deployed is always kept), got %d", *d.KeepRevisions)
	}
	return ps
}

func (d *Deploy) hasTaskDefinitionChanges() bool {
	return len(d.Images) > 0 || d.TagOnly != nil || len(d.Env) > 0 || len(d.UnsetEnv) > 0 ||
		len(d.Secrets) > 0 || len(d.UnsetSecrets) > 0 || len(d.EnvFiles) > 0
}

// Changes converts the spec's task-definition changes into taskdef.Changes
// and checks them, naming spec fields and lines: image references, tags,
// names, secret references, environment-file ARNs and their number, keys both
// set and unset, and modes. Entries are ordered by container then key, so the
// result does not depend on map order. Combine with changes from flags using
// taskdef.Merge (flags win).
func (d *Deploy) Changes() (taskdef.Changes, exitcode.Problems) {
	var c taskdef.Changes
	var ps exitcode.Problems
	add := func(field, format string, args ...any) {
		ps.Add(field, d.Line(field), format, args...)
	}

	for i, ic := range d.Images {
		field := fmt.Sprintf("images[%d]", i)
		if d.Line(field) == 0 {
			field = "images." + ic.Container
		}
		if ic.Container == "" && d.Line(field) == 0 {
			field = "images"
		}
		if ic.Image == "" {
			add(field, "empty image reference")
			continue
		}
		if _, err := imageref.Parse(ic.Image); err != nil {
			add(field, "%v", err)
			continue
		}
		c.Images = append(c.Images, ic)
	}
	if d.TagOnly != nil {
		if err := taskdef.CheckTagOnly(*d.TagOnly); err != nil {
			add("tagOnly", "%v", err)
		}
		c.TagOnly = d.TagOnly
	}

	c.Env = d.keyValues(&ps, "env", "unsetEnv", d.Env, d.UnsetEnv, nil)
	c.Secrets = d.keyValues(&ps, "secrets", "unsetSecrets", d.Secrets, d.UnsetSecrets, taskdef.CheckSecretRef)
	if d.EnvMode != nil {
		c.EnvMode = taskdef.Mode(*d.EnvMode)
		if err := taskdef.CheckKeyValueMode(c.EnvMode); err != nil {
			add("envMode", "%v", err)
		}
	}
	if d.SecretMode != nil {
		c.SecretMode = taskdef.Mode(*d.SecretMode)
		if err := taskdef.CheckKeyValueMode(c.SecretMode); err != nil {
			add("secretMode", "%v", err)
		}
	}
	if d.EnvFileMode != nil {
		c.EnvFileMode = taskdef.Mode(*d.EnvFileMode)
		if err := taskdef.CheckEnvFileMode(c.EnvFileMode); err != nil {
			add("envFileMode", "%v", err)
		}
	}

	for _, container := range sortedKeys(d.EnvFiles) {
		arns := d.EnvFiles[container]
		if len(arns) > taskdef.MaxEnvFiles {
			add("envFiles."+container, "%d environment files; ECS allows at most %d per container", len(arns), taskdef.MaxEnvFiles)
		}
		seen := map[string]bool{}
		for i, arn := range arns {
			field := fmt.Sprintf("envFiles.%s[%d]", container, i)
			if err := taskdef.CheckEnvFileARN(arn); err != nil {
				add(field, "%v", err)
			}
			if seen[arn] {
				add(field, "the same file is listed twice")
			}
			seen[arn] = true
			c.EnvFiles = append(c.EnvFiles, taskdef.EnvFileChange{Container: container, ARN: arn})
		}
	}

	for _, key := range sortedKeys(d.Tags) {
		if err := taskdef.CheckTagKV(key, d.Tags[key]); err != nil {
			add("tags."+key, "%v", err)
		}
		c.Tags = append(c.Tags, types.Tag{Key: aws.String(key), Value: aws.String(d.Tags[key])})
	}
	return c, ps
}

// keyValues converts env or secrets and their unset lists.
func (d *Deploy) keyValues(ps *exitcode.Problems, setField, unsetField string, set map[string]map[string]string,
	unset map[string][]string, checkValue func(string) error) []taskdef.KeyValueChange {
	var out []taskdef.KeyValueChange
	add := func(field, format string, args ...any) {
		ps.Add(field, d.Line(field), format, args...)
	}
	for _, container := range sortedKeys(set) {
		for _, key := range sortedKeys(set[container]) {
			field := setField + "." + container + "." + key
			if err := taskdef.CheckEnvKey(key); err != nil {
				add(field, "%v", err)
			}
			if checkValue != nil {
				if err := checkValue(set[container][key]); err != nil {
					add(field, "%v", err)
				}
			}
			out = append(out, taskdef.KeyValueChange{Container: container, Key: key, Value: set[container][key]})
		}
	}
	for _, container := range sortedKeys(unset) {
		seen := map[string]bool{}
		for i, key := range unset[container] {
			field := fmt.Sprintf("%s.%s[%d]", unsetField, container, i)
			if err := taskdef.CheckEnvKey(key); err != nil {
				add(field, "%v", err)
			}
			if _, both := set[container][key]; both {
				add(field, "%s is both set (in %s) and unset", key, setField)
			}
			if seen[key] {
				add(field, "%s is listed twice", key)
			}
			seen[key] = true
			out = append(out, taskdef.KeyValueChange{Container: container, Key: key, Unset: true})
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
