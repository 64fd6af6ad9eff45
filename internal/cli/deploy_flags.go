package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/spec"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

// planFlags are the flags deploy and diff share: what to deploy and how to
// change it. Values that may hold #{variables} are taken as text and
// converted after substitution, so that "-D #{Count}" works.
type planFlags struct {
	file     string
	files    []string // every -f given; file is the last
	varFlags []string
	varFiles []string

	cluster, service string
	services         []string // every -n given; service is the last

	useLatest          bool
	templateFamily     string
	taskDefinitionFile string
	taskDefinition     string

	images     []string
	tagOnly    string
	tagFromEnv string
	env        []string
	unsetEnv   []string
	envMode    string
	secrets    []string
	unsetSec   []string
	secretMode string
	envFiles   []string
	envFileMod string
	tags       []string
	copyTags   bool

	desiredCount   string
	minHealthy     string
	maxPercent     string
	forceNew       bool
	gracePeriod    string
	subnets        []string
	securityGroups []string
	assignPublicIP string
	platform       string
	circuitBreaker string

	showValues bool
	// rollout, when set (deploy), lays the command's own rollout flags
	// (--timeout, --rollback, ...) over the spec before the one check.
	rollout  func(d *spec.Deploy, x *expander)
	svc      serviceFlags     // deploy and diff only (deploy_service_flags.go)
	strategy strategyFlags    // deploy and diff only (deploy_strategy_flags.go)
	now      func() time.Time // the command's clock, for #{ | NowDate}
}

func (f *planFlags) register(fs *pflag.FlagSet) {
	fs.VarP(repeatable{all: &f.files, last: &f.file}, "file", "f", "spec file (YAML) with the same settings as the flags; flags override it")
	stringArrayVar(fs, &f.varFlags, "var", "set a #{Name} variable: Name=value (repeatable; wins over --var-file)")
	stringArrayVar(fs, &f.varFiles, "var-file", "read #{Name} variables from a KEY=VALUE or YAML file (repeatable)")
	fs.StringVarP(&f.cluster, "cluster", "c", "", "cluster name")
	fs.VarP(repeatable{all: &f.services, last: &f.service}, "service", "n", "service name")
	fs.BoolVar(&f.useLatest, "use-latest-task-def", false, "base the new revision on the latest ACTIVE revision of the family, not the one the service runs")
	fs.StringVar(&f.templateFamily, "template-family", "", "base the new revision on the latest revision of this family, registered into the service's family")
	fs.StringVar(&f.taskDefinitionFile, "task-definition-file", "", "base the new revision on this JSON file (register input, or describe-task-definition output)")
	fs.StringVar(&f.taskDefinition, "task-definition", "", "deploy this existing revision (family:revision or ARN) as it is")
	stringArrayVarP(fs, &f.images, "image", "i", "set an image: container=ref, or ref to retag every container of that repository (repeatable)")
	fs.StringVar(&f.tagOnly, "tag-only", "", "retag every container's image with this tag")
	fs.StringVarP(&f.tagFromEnv, "tag-from-env", "e", "", "take the tag of the --image images from this environment variable (--tag-only retags every container)")
	stringArrayVar(fs, &f.env, "env", "set an environment variable: container:KEY=VALUE (repeatable)")
	stringArrayVar(fs, &f.unsetEnv, "unset-env", "remove an environment variable: container:KEY (repeatable)")
	fs.StringVar(&f.envMode, "env-mode", "", "merge (default: keep other variables) or replace (a container's variables become exactly those given)")
	stringArrayVar(fs, &f.secrets, "secret", "set a secret: container:KEY=ARN of a Secrets Manager secret or SSM parameter (repeatable)")
	stringArrayVar(fs, &f.unsetSec, "unset-secret", "remove a secret: container:KEY (repeatable)")
	fs.StringVar(&f.secretMode, "secret-mode", "", "merge (default) or replace, as --env-mode")
	stringArrayVar(fs, &f.envFiles, "env-file", "add an environment file: container:arn:aws:s3:::bucket/key.env (repeatable, at most 10 per container)")
	fs.StringVar(&f.envFileMod, "env-file-mode", "", "append (default) or replace")
	stringArrayVar(fs, &f.tags, "tag", "tag the new revision and the service: KEY=VALUE (repeatable)")
	fs.BoolVar(&f.copyTags, "copy-task-definition-tags", false, "carry the base revision's tags to the new one")
	fs.StringVarP(&f.desiredCount, "desired-count", "D", "", "set the service's desired count")
	fs.StringVarP(&f.minHealthy, "min-healthy-percent", "m", "", "set minimumHealthyPercent")
	fs.StringVarP(&f.maxPercent, "max-percent", "M", "", "set maximumPercent")
	fs.BoolVar(&f.forceNew, "force-new-deployment", false, "start a new deployment even if nothing changes")
	fs.StringVar(&f.gracePeriod, "health-check-grace-period", "", "set healthCheckGracePeriodSeconds (90, 90s, 2m)")
	stringSliceVar(fs, &f.subnets, "subnets", "set the awsvpc subnets (comma-separated)")
	stringSliceVar(fs, &f.securityGroups, "security-groups", "set the awsvpc security groups (comma-separated)")
	fs.StringVar(&f.assignPublicIP, "assign-public-ip", "", "ENABLED or DISABLED")
	fs.StringVar(&f.platform, "platform-version", "", "set the Fargate platform version")
	fs.StringVar(&f.circuitBreaker, "circuit-breaker", "", "enable the deployment circuit breaker; =rollback also lets ECS roll back; =false disables it")
	fs.Lookup("circuit-breaker").NoOptDefVal = "true"
	fs.BoolVar(&f.showValues, "show-values", false, "show plain environment values in diffs (masked by default)")
	f.svc.register(fs)
	f.strategy.register(fs)
}

// resolved is what the flags and the spec file resolve to.
type resolved struct {
	spec     *spec.Deploy
	request  rollout.Request
	resolver vars.Resolver // for flags the caller converts itself
}

// resolve reads the spec file, substitutes variables in it and in the flags,
// applies the flags over the file, and checks everything, collecting every
// problem before any AWS call.
func (f *planFlags) resolve(flags *pflag.FlagSet) (*resolved, exitcode.Problems) {
	var ps exitcode.Problems
	f.checkOne(&ps)
	resolver := loadVariables(f.now, f.varFiles, f.varFlags, &ps)
	d := &spec.Deploy{}
	if f.file != "" {
		loaded, err := spec.LoadDeploy(f.file, resolver)
		if err != nil {
			ps.Extend(err)
		}
		if loaded != nil {
			d = loaded
		}
	}
	r := f.resolveOver(d, resolver, flags, &ps)
	return r, ps
}

// resolveOver lays the flags over d (a spec file's settings, or none), each
// value with its origin, checks the merged request once and builds it,
// adding every problem to ps.
func (f *planFlags) resolveOver(d *spec.Deploy, resolver vars.Resolver, flags *pflag.FlagSet, ps *exitcode.Problems) *resolved {
	x := expander{resolver: resolver, problems: ps, flags: flags}
	f.applyTo(d, &x)
	if f.rollout != nil {
		f.rollout(d, &x)
	}
	d.Override(f.changes(&x))
	*ps = append(*ps, d.Validate()...)

	req := rollout.Request{Cluster: clusterOr(d.Cluster), Service: d.Service, Changes: d.Changes(),
		CopyTaskDefinitionTags: d.CopyTaskDefinitionTags != nil && *d.CopyTaskDefinitionTags,
		Origins:                sourceOrigins(d)}
	req.Source.UseLatest = d.UseLatestTaskDef != nil && *d.UseLatestTaskDef
	req.Source.TemplateFamily = aws.ToString(d.TemplateFamily)
	req.Source.Existing = aws.ToString(d.TaskDefinition)
	req.Source.File = readTaskDefinitionFile(d, ps)
	req.Settings = settingsOf(d)
	f.svc.apply(&x, &req)
	f.strategy.apply(&x, d, &req)
	return &resolved{spec: d, request: req, resolver: resolver}
}

// readTaskDefinitionFile reads the task-definition file the request names,
// if any; a path written in a spec is relative to the spec, so that the two
// files can move together.
func readTaskDefinitionFile(d *spec.Deploy, ps *exitcode.Problems) *ecs.RegisterTaskDefinitionInput {
	path := aws.ToString(d.TaskDefinitionFile)
	if path == "" {
		return nil
	}
	from := d.Origin("taskDefinitionFile")
	if !from.IsFlag() && from.File != "" && !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(from.File), path)
	}
	in, fps := taskdef.ReadFile(path, from.Name())
	*ps = append(*ps, fps...)
	return in
}

// clusterOr is the cluster named, or ECS's default one when none is (an
// empty one given on purpose is a problem spec.Deploy.Validate reports).
func clusterOr(cluster string) string {
	if strings.TrimSpace(cluster) == "" {
		return spec.DefaultCluster
	}
	return strings.TrimSpace(cluster)
}

// sourceOrigins are where the request's source fields and strategy were
// given, for the engine's problems with them (a revision that does not
// exist), and the flags of those given nowhere that its notes suggest.
func sourceOrigins(d *spec.Deploy) exitcode.Origins {
	var os exitcode.Origins
	for _, field := range []string{"taskDefinition", "templateFamily", "taskDefinitionFile", "useLatestTaskDef", "strategy"} {
		os = os.Set(field, d.Origin(field))
	}
	return settingOrigins(os, "useLatestTaskDef", "strategy")
}

// checkOne refuses several -n or -f where one target is meant: only deploy
// takes several, and it resolves each target on its own (one -n, one -f).
func (f *planFlags) checkOne(ps *exitcode.Problems) {
	if len(f.services) > 1 {
		ps.Add("--service", 0, "given %d times: only deploy takes several services (one -n here)", len(f.services))
	}
	if len(f.files) > 1 {
		ps.Add("--file", 0, "given %d times: only deploy takes several spec files", len(f.files))
	}
}

// forTarget is a copy of the flags for one target of a fleet: one service
// or one spec file.
func (f *planFlags) forTarget(service, file string) planFlags {
	c := *f
	c.service, c.file = service, file
	c.services, c.files = nil, nil
	if service != "" {
		c.services = []string{service}
	}
	if file != "" {
		c.files = []string{file}
	}
	return c
}

// expander substitutes #{variables} in flag values, recording a problem
// named after the flag for each unresolved one.
type expander struct {
	resolver vars.Resolver
	problems *exitcode.Problems
	flags    *pflag.FlagSet
}

func (x *expander) given(name string) bool { return x.flags.Changed(name) }

func (x *expander) expand(flag, s string) string {
	out, _ := x.tryExpand(flag, s)
	return out
}

// tryExpand is expand that also says whether every variable resolved. A value
// that did not is not parsed further: its one problem is the variable, not
// also a malformed "#{Name}".
func (x *expander) tryExpand(flag, s string) (string, bool) {
	out, err := x.resolver.Expand(s)
	if err != nil {
		x.problems.At(exitcode.FlagOrigin(flag), "%v", err)
		return s, false
	}
	return out, true
}

// expandAll expands each value, leaving out those with unresolved variables
// (already reported).
func (x *expander) expandAll(flag string, ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if v, ok := x.tryExpand(flag, s); ok {
			out = append(out, v)
		}
	}
	return out
}

func (x *expander) int32(flag, s string) *int32 {
	v, ok := x.tryExpand(flag, s)
	if !ok {
		return nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
	if err != nil {
		x.problems.Add("--"+flag, 0, "%q is not a whole number", v)
		return nil
	}
	n32 := int32(n)
	return &n32
}

func (x *expander) duration(flag, s string) *spec.Duration {
	v, ok := x.tryExpand(flag, s)
	if !ok {
		return nil
	}
	d, err := spec.ParseDuration(v)
	if err != nil {
		x.problems.Add("--"+flag, 0, "%v", err)
		return nil
	}
	return &d
}

// applyTo writes the flags that were given over the spec's settings, each
// recorded as the origin of its setting, so that the spec's checks report a
// problem with it against the flag (and say nothing more of a value whose
// variable did not resolve: that is its problem).
func (f *planFlags) applyTo(d *spec.Deploy, x *expander) {
	given := func(flag, path string, ok bool) { d.Given(path, exitcode.FlagOrigin(flag), ok) }
	str := func(flag, path, v string) string {
		s, ok := x.tryExpand(flag, v)
		given(flag, path, ok)
		return s
	}
	// ptr, flag and count set *p from the flag name when it was given.
	ptr := func(p **string, name, path, v string) {
		if x.given(name) {
			s := str(name, path, v)
			*p = &s
		}
	}
	flag := func(p **bool, name, path string, v bool) {
		if x.given(name) {
			given(name, path, true)
			*p = aws.Bool(v)
		}
	}
	count := func(p **int32, name, path, v string) {
		if x.given(name) {
			n := x.int32(name, v)
			given(name, path, n != nil)
			*p = n
		}
	}
	if x.given("cluster") {
		d.Cluster = str("cluster", "cluster", f.cluster)
	}
	if x.given("service") {
		d.Service = str("service", "service", f.service)
	} else if d.Service == "" && d.Line("service") == 0 {
		// Given nowhere: the flag is where to give it.
		given("service", "service", true)
	}
	flag(&d.UseLatestTaskDef, "use-latest-task-def", "useLatestTaskDef", f.useLatest)
	ptr(&d.TemplateFamily, "template-family", "templateFamily", f.templateFamily)
	ptr(&d.TaskDefinitionFile, "task-definition-file", "taskDefinitionFile", f.taskDefinitionFile)
	ptr(&d.TaskDefinition, "task-definition", "taskDefinition", f.taskDefinition)
	flag(&d.CopyTaskDefinitionTags, "copy-task-definition-tags", "copyTaskDefinitionTags", f.copyTags)
	count(&d.DesiredCount, "desired-count", "desiredCount", f.desiredCount)
	count(&d.MinHealthyPercent, "min-healthy-percent", "minHealthyPercent", f.minHealthy)
	count(&d.MaxPercent, "max-percent", "maxPercent", f.maxPercent)
	flag(&d.ForceNewDeployment, "force-new-deployment", "forceNewDeployment", f.forceNew)
	if x.given("health-check-grace-period") {
		d.HealthCheckGracePeriod = x.duration("health-check-grace-period", f.gracePeriod)
		given("health-check-grace-period", "healthCheckGracePeriod", d.HealthCheckGracePeriod != nil)
	}
	if x.given("subnets") {
		d.Subnets = x.expandAll("subnets", f.subnets)
		given("subnets", "subnets", len(d.Subnets) == len(f.subnets))
	}
	if x.given("security-groups") {
		d.SecurityGroups = x.expandAll("security-groups", f.securityGroups)
		given("security-groups", "securityGroups", len(d.SecurityGroups) == len(f.securityGroups))
	}
	if x.given("assign-public-ip") {
		v, ok := x.tryExpand("assign-public-ip", f.assignPublicIP)
		if ok {
			switch v := strings.ToUpper(v); v {
			case "ENABLED", "TRUE":
				d.AssignPublicIP = aws.Bool(true)
			case "DISABLED", "FALSE":
				d.AssignPublicIP = aws.Bool(false)
			default:
				x.problems.Add("--assign-public-ip", 0, "%q: use ENABLED or DISABLED", v)
				ok = false
			}
		}
		given("assign-public-ip", "assignPublicIp", ok)
	}
	ptr(&d.PlatformVersion, "platform-version", "platformVersion", f.platform)
	if x.given("circuit-breaker") {
		v, ok := x.tryExpand("circuit-breaker", f.circuitBreaker)
		if ok {
			switch v := strings.ToLower(v); v {
			case "true", "enable", "enabled":
				d.CircuitBreaker = &spec.CircuitBreaker{Enable: aws.Bool(true), Rollback: aws.Bool(false)}
			case "rollback":
				d.CircuitBreaker = &spec.CircuitBreaker{Enable: aws.Bool(true), Rollback: aws.Bool(true)}
			case "false", "disable", "disabled":
				d.CircuitBreaker = &spec.CircuitBreaker{Enable: aws.Bool(false), Rollback: aws.Bool(false)}
			default:
				x.problems.Add("--circuit-breaker", 0, "%q: use --circuit-breaker, --circuit-breaker=rollback or --circuit-breaker=false", v)
				ok = false
			}
		}
		given("circuit-breaker", "circuitBreaker", ok)
	}
}

// changes parses the task-definition change flags, each change with its
// flag as origin (and the part of its value that names it, never a
// secret's or an environment value). A value whose variable did not
// resolve, or that does not parse, is reported here and left out.
func (f *planFlags) changes(x *expander) taskdef.Changes {
	var c taskdef.Changes
	for _, s := range x.expandAll("image", f.images) {
		ic, err := taskdef.ParseImageFlag(s)
		if err != nil {
			x.problems.Add("--image", 0, "%v", err)
			continue
		}
		ic.From = exitcode.FlagOrigin("--image", s)
		c.Images = append(c.Images, ic)
	}
	if x.given("tag-only") {
		if tag, ok := x.tryExpand("tag-only", f.tagOnly); ok {
			c.TagOnly = &tag
			c.From = c.From.Set("tagOnly", exitcode.FlagOrigin("--tag-only"))
		}
	}
	if x.given("tag-from-env") {
		// As in the ecs-deploy script: the tag of the image given with -i
		// comes from the variable.
		name := x.expand("tag-from-env", f.tagFromEnv)
		tag, ok := os.LookupEnv(name)
		switch {
		case !ok || strings.TrimSpace(tag) == "":
			x.problems.Add("--tag-from-env", 0, "environment variable %s is not set or empty", name)
		case len(c.Images) == 0:
			x.problems.Add("--tag-from-env", 0, "sets the tag of the images given with --image; give -i IMAGE (or use --tag-only TAG to retag every container)")
		default:
			retagged, err := taskdef.RetagImages(c.Images, strings.TrimSpace(tag))
			if err != nil {
				x.problems.Add("--tag-from-env", 0, "--image %v", err)
			} else {
				c.Images = retagged
			}
		}
	}
	kv := func(flag string, values []string, parse func(string) (taskdef.KeyValueChange, error)) []taskdef.KeyValueChange {
		var out []taskdef.KeyValueChange
		for _, s := range x.expandAll(flag, values) {
			ch, err := parse(s)
			if err != nil {
				x.problems.Add("--"+flag, 0, "%v", err)
				continue
			}
			ch.From = exitcode.FlagOrigin(flag, ch.Container+":"+ch.Key)
			out = append(out, ch)
		}
		return out
	}
	c.Env = append(kv("env", f.env, taskdef.ParseEnvFlag), kv("unset-env", f.unsetEnv, taskdef.ParseUnsetFlag)...)
	c.Secrets = append(kv("secret", f.secrets, taskdef.ParseEnvFlag), kv("unset-secret", f.unsetSec, taskdef.ParseUnsetFlag)...)
	mode := func(flag, field, v string) taskdef.Mode {
		if !x.given(flag) {
			return ""
		}
		m, ok := x.tryExpand(flag, v)
		if !ok {
			return ""
		}
		c.From = c.From.Set(field, exitcode.FlagOrigin(flag))
		return taskdef.Mode(m)
	}
	c.EnvMode = mode("env-mode", "envMode", f.envMode)
	c.SecretMode = mode("secret-mode", "secretMode", f.secretMode)
	c.EnvFileMode = mode("env-file-mode", "envFileMode", f.envFileMod)
	for _, s := range x.expandAll("env-file", f.envFiles) {
		ef, err := taskdef.ParseEnvFileFlag(s)
		if err != nil {
			x.problems.Add("--env-file", 0, "%v", err)
			continue
		}
		ef.From = exitcode.FlagOrigin("--env-file", s)
		c.EnvFiles = append(c.EnvFiles, ef)
	}
	for _, s := range x.expandAll("tag", f.tags) {
		t, err := taskdef.ParseTagFlag(s)
		if err != nil {
			x.problems.Add("--tag", 0, "%v", err)
			continue
		}
		c.Tags = append(c.Tags, t)
		c.From = c.From.Set("tags."+aws.ToString(t.Key), exitcode.FlagOrigin("--tag", aws.ToString(t.Key)))
	}
	return c
}

// settingsOf converts the spec's service settings.
func settingsOf(d *spec.Deploy) rollout.ServiceSettings {
	s := rollout.ServiceSettings{
		DesiredCount: d.DesiredCount, MinHealthyPercent: d.MinHealthyPercent, MaxPercent: d.MaxPercent,
		ForceNewDeployment: d.ForceNewDeployment != nil && *d.ForceNewDeployment,
		Subnets:            d.Subnets, SecurityGroups: d.SecurityGroups, AssignPublicIP: d.AssignPublicIP,
		PlatformVersion: d.PlatformVersion,
	}
	if g := d.HealthCheckGracePeriod; g != nil {
		s.HealthCheckGracePeriod = aws.Int32(int32(g.Std() / time.Second))
	}
	if cb := d.CircuitBreaker; cb != nil {
		s.CircuitBreaker = &types.DeploymentCircuitBreaker{Enable: cb.Enable == nil || *cb.Enable, Rollback: cb.Rollback != nil && *cb.Rollback}
	}
	if d.ServiceUpdate != nil {
		extra := *d.ServiceUpdate // the flags may add members to a copy
		s.Extra = &extra
	}
	return s
}

// timeoutOf is the deploy's timeout: the flag, else the spec, else the default.
func timeoutOf(d *spec.Deploy) time.Duration {
	if d.Timeout != nil {
		return d.Timeout.Std()
	}
	return rollout.DefaultTimeout
}
