package spec

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

var (
	familyRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`) })
	taskDefRefRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([A-Za-z0-9_-]{1,255}(:[1-9][0-9]*)?|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition/[A-Za-z0-9_-]{1,255}:[1-9][0-9]*)$`)
	})
	platformVersionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(LATEST|\d+\.\d+\.\d+)$`) })
	subnetRE          = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^subnet-[0-9a-f]+$`) })
	securityGroupRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^sg-[0-9a-f]+$`) })
)

// The one wording of a missing service and of an empty cluster, for every
// command (a spec's field or a flag).
//
// These, and Validate's remedy for a revision given with changes, name the
// deploy command's flags beside the spec's keys on purpose, where library
// packages name only request fields: Deploy is that command's request as
// its flags and its file give it together (Given lays each flag over the
// file), so this package is where both spellings of a setting meet. A value
// that was given is reported at its origin (Origin), the flag or the
// file's line; only a setting nobody gave, which a message can ask for
// only by saying how to give it, is spelled both ways here.
const (
	ServiceRequired = "required: name the service (-n/--service, or service: in the spec file)"
	ClusterEmpty    = "empty: name the cluster, or leave -c/--cluster and cluster: out for ECS's default cluster \"default\""
)

// DefaultCluster is the cluster used when neither a flag nor the spec names
// one: ECS's own default, as in every ECS API call.
const DefaultCluster = "default"

// Validate checks the whole request once flags have been laid over the file
// (Given, Override): required values left empty (also after substitution),
// ranges and enumerations, settings that cannot go together, and the
// task-definition changes of file and flags merged (ValidateChanges). Each
// problem names the origin of the value it concerns (Origin): the flag that
// gave it, or the file, field and line. A value whose problem is already
// reported (it could not be read) is not checked again.
func (d *Deploy) Validate() exitcode.Problems {
	if d.unparsed {
		// The file's syntax error is reported; nothing in it was read, so
		// "cluster: required" and the like would only be noise.
		return nil
	}
	ps := d.validateSettings()
	if d.TaskDefinition != nil && !d.isReported("taskDefinition") && !d.Changes().IsEmpty() {
		ps.At(d.Origin("taskDefinition"), "deploys an existing revision as it is, so it cannot be combined with image, tagOnly, environment, secret, environment-file or tag changes; use useLatestTaskDef or templateFamily (--use-latest-task-def, --template-family) to change a revision")
	}
	return append(ps, d.ValidateChanges()...)
}

// ValidateChanges checks the task-definition changes of file and flags
// merged, with the one set of rules (taskdef.Changes.Validate). Register
// and run, which need no service settings and may start from a given
// revision with changes, check only these.
func (d *Deploy) ValidateChanges() exitcode.Problems {
	if d.unparsed {
		return nil
	}
	return d.Changes().Validate()
}

// ValidateCluster checks the one rule for the cluster, which every command
// shares: left out, it is ECS's default cluster (DefaultCluster); given but
// empty, it is a mistake (an unset variable), not a request for "default".
func (d *Deploy) ValidateCluster() exitcode.Problems {
	var ps exitcode.Problems
	given := d.Line("cluster") > 0 || !d.given["cluster"].IsZero()
	if strings.TrimSpace(d.Cluster) == "" && given && !d.isReported("cluster") {
		ps.At(d.Origin("cluster"), "%s", ClusterEmpty)
	}
	return ps
}

// validateSettings checks everything but the task-definition changes.
func (d *Deploy) validateSettings() exitcode.Problems {
	var ps exitcode.Problems
	add := func(field, format string, args ...any) {
		if !d.isReported(field) {
			ps.At(d.Origin(field), format, args...)
		}
	}
	ps = append(ps, d.ValidateCluster()...)
	if strings.TrimSpace(d.Service) == "" {
		add("service", "%s", ServiceRequired)
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
	}
	if len(sources) > 1 {
		names := make([]string, len(sources))
		for i, s := range sources {
			names[i] = d.Origin(s).Name()
		}
		add(sources[1], "choose one source of the task definition; %s are given", strings.Join(names, " and "))
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

// Changes is the request's task-definition changes: the file's, each with
// its origin (the file, field path and line), with those given by Override
// laid over them (taskdef.Merge: they win). Entries are ordered by container
// then key, so the result does not depend on map order. Nothing is checked
// here: Validate checks the result, once. A value that could not be read
// (its problem is already reported) is left out.
func (d *Deploy) Changes() taskdef.Changes {
	var c taskdef.Changes
	for i, ic := range d.Images {
		field := fmt.Sprintf("images[%d]", i)
		if d.Line(field) == 0 {
			field = "images." + ic.Container
		}
		if ic.Container == "" && d.Line(field) == 0 {
			field = "images"
		}
		if d.isReported(field) {
			continue
		}
		ic.From = d.Origin(field)
		c.Images = append(c.Images, ic)
	}
	if d.TagOnly != nil && !d.isReported("tagOnly") {
		c.TagOnly = d.TagOnly
		c.From = c.From.Set("tagOnly", d.Origin("tagOnly"))
	}
	c.Env = d.keyValues("env", "unsetEnv", d.Env, d.UnsetEnv)
	c.Secrets = d.keyValues("secrets", "unsetSecrets", d.Secrets, d.UnsetSecrets)
	mode := func(field string, m *string) taskdef.Mode {
		if m == nil || d.isReported(field) {
			return ""
		}
		c.From = c.From.Set(field, d.Origin(field))
		return taskdef.Mode(*m)
	}
	c.EnvMode = mode("envMode", d.EnvMode)
	c.SecretMode = mode("secretMode", d.SecretMode)
	c.EnvFileMode = mode("envFileMode", d.EnvFileMode)
	for _, container := range sortedKeys(d.EnvFiles) {
		for i, arn := range d.EnvFiles[container] {
			field := fmt.Sprintf("envFiles.%s[%d]", container, i)
			if !d.isReported(field) {
				c.EnvFiles = append(c.EnvFiles, taskdef.EnvFileChange{Container: container, ARN: arn, From: d.Origin(field)})
			}
		}
	}
	for _, key := range sortedKeys(d.Tags) {
		field := "tags." + key
		if !d.isReported(field) {
			c.Tags = append(c.Tags, types.Tag{Key: aws.String(key), Value: aws.String(d.Tags[key])})
			c.From = c.From.Set(field, d.Origin(field))
		}
	}
	return taskdef.Merge(c, d.overrides)
}

// keyValues converts env or secrets and their unset lists.
func (d *Deploy) keyValues(setField, unsetField string, set map[string]map[string]string, unset map[string][]string) []taskdef.KeyValueChange {
	var out []taskdef.KeyValueChange
	for _, container := range sortedKeys(set) {
		for _, key := range sortedKeys(set[container]) {
			field := setField + "." + container + "." + key
			if !d.isReported(field) {
				out = append(out, taskdef.KeyValueChange{Container: container, Key: key, Value: set[container][key], From: d.Origin(field)})
			}
		}
	}
	for _, container := range sortedKeys(unset) {
		for i, key := range unset[container] {
			field := fmt.Sprintf("%s.%s[%d]", unsetField, container, i)
			if !d.isReported(field) {
				out = append(out, taskdef.KeyValueChange{Container: container, Key: key, Unset: true, From: d.Origin(field)})
			}
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
