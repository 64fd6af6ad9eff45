package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	svc        serviceFlags     // deploy and diff only (deploy_service_flags.go)
	now        func() time.Time // the command's clock, for #{ | NowDate}
}

func (f *planFlags) register(fs *pflag.FlagSet) {
	fs.VarP(repeatable{all: &f.files, last: &f.file}, "file", "f", "spec file (YAML) with the same settings as the flags; flags override it")
	fs.StringArrayVar(&f.varFlags, "var", nil, "set a #{Name} variable: Name=value (repeatable; wins over --var-file)")
	fs.StringArrayVar(&f.varFiles, "var-file", nil, "read #{Name} variables from a KEY=VALUE or YAML file (repeatable)")
	fs.StringVarP(&f.cluster, "cluster", "c", "", "cluster name")
	fs.VarP(repeatable{all: &f.services, last: &f.service}, "service", "n", "service name")
	fs.BoolVar(&f.useLatest, "use-latest-task-def", false, "base the new revision on the latest ACTIVE revision of the family, not the one the service runs")
	fs.StringVar(&f.templateFamily, "template-family", "", "base the new revision on the latest revision of this family, registered into the service's family")
	fs.StringVar(&f.taskDefinitionFile, "task-definition-file", "", "base the new revision on this JSON file (register input, or describe-task-definition output)")
	fs.StringVar(&f.taskDefinition, "task-definition", "", "deploy this existing revision (family:revision or ARN) as it is")
	fs.StringArrayVarP(&f.images, "image", "i", nil, "set an image: container=ref, or ref to retag every container of that repository (repeatable)")
	fs.StringVar(&f.tagOnly, "tag-only", "", "retag every container's image with this tag")
	fs.StringVarP(&f.tagFromEnv, "tag-from-env", "e", "", "take the tag of the --image images from this environment variable (--tag-only retags every container)")
	fs.StringArrayVar(&f.env, "env", nil, "set an environment variable: container:KEY=VALUE (repeatable)")
	fs.StringArrayVar(&f.unsetEnv, "unset-env", nil, "remove an environment variable: container:KEY (repeatable)")
	fs.StringVar(&f.envMode, "env-mode", "", "merge (default: keep other variables) or replace (a container's variables become exactly those given)")
	fs.StringArrayVar(&f.secrets, "secret", nil, "set a secret: container:KEY=ARN of a Secrets Manager secret or SSM parameter (repeatable)")
	fs.StringArrayVar(&f.unsetSec, "unset-secret", nil, "remove a secret: container:KEY (repeatable)")
	fs.StringVar(&f.secretMode, "secret-mode", "", "merge (default) or replace, as --env-mode")
	fs.StringArrayVar(&f.envFiles, "env-file", nil, "add an environment file: container:arn:aws:s3:::bucket/key.env (repeatable, at most 10 per container)")
	fs.StringVar(&f.envFileMod, "env-file-mode", "", "append (default) or replace")
	fs.StringArrayVar(&f.tags, "tag", nil, "tag the new revision and the service: KEY=VALUE (repeatable)")
	fs.BoolVar(&f.copyTags, "copy-task-definition-tags", false, "carry the base revision's tags to the new one")
	fs.StringVarP(&f.desiredCount, "desired-count", "D", "", "set the service's desired count")
	fs.StringVarP(&f.minHealthy, "min-healthy-percent", "m", "", "set minimumHealthyPercent")
	fs.StringVarP(&f.maxPercent, "max-percent", "M", "", "set maximumPercent")
	fs.BoolVar(&f.forceNew, "force-new-deployment", false, "start a new deployment even if nothing changes")
	fs.StringVar(&f.gracePeriod, "health-check-grace-period", "", "set healthCheckGracePeriodSeconds (90, 90s, 2m)")
	fs.StringSliceVar(&f.subnets, "subnets", nil, "set the awsvpc subnets (comma-separated)")
	fs.StringSliceVar(&f.securityGroups, "security-groups", nil, "set the awsvpc security groups (comma-separated)")
	fs.StringVar(&f.assignPublicIP, "assign-public-ip", "", "ENABLED or DISABLED")
	fs.StringVar(&f.platform, "platform-version", "", "set the Fargate platform version")
	fs.StringVar(&f.circuitBreaker, "circuit-breaker", "", "enable the deployment circuit breaker; =rollback also lets ECS roll back; =false disables it")
	fs.Lookup("circuit-breaker").NoOptDefVal = "true"
	fs.BoolVar(&f.showValues, "show-values", false, "show plain environment values in diffs (masked by default)")
	f.svc.register(fs)
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

// resolveOver applies the flags over d (a spec file's settings, or none),
// checks everything and builds the request, adding every problem to ps.
func (f *planFlags) resolveOver(d *spec.Deploy, resolver vars.Resolver, flags *pflag.FlagSet, ps *exitcode.Problems) *resolved {
	x := expander{resolver: resolver, problems: ps, flags: flags}
	f.applyTo(d, &x)
	*ps = append(*ps, onePerField(*ps, x.byFlag(d.Validate()))...)
	fileChanges, cps := d.Changes()
	*ps = append(*ps, onePerField(*ps, cps)...)
	flagChanges := f.changes(&x)
	*ps = append(*ps, flagChanges.Validate()...)
	changes := taskdef.Merge(fileChanges, flagChanges)

	req := rollout.Request{Cluster: d.Cluster, Service: d.Service, Changes: changes,
		CopyTaskDefinitionTags: d.CopyTaskDefinitionTags != nil && *d.CopyTaskDefinitionTags}
	req.Source.UseLatest = d.UseLatestTaskDef != nil && *d.UseLatestTaskDef
	req.Source.TemplateFamily = aws.ToString(d.TemplateFamily)
	req.Source.Existing = aws.ToString(d.TaskDefinition)
	if req.Source.Existing != "" && !flagChanges.IsEmpty() {
		ps.Add("--task-definition", 0, "deploys an existing revision as it is; it cannot be combined with image, environment, secret, file or tag changes")
	}
	if path := aws.ToString(d.TaskDefinitionFile); path != "" {
		if f.file != "" && !x.given("task-definition-file") && !filepath.IsAbs(path) {
			// A path written in the spec is relative to the spec, so the two
			// files can move together.
			path = filepath.Join(filepath.Dir(f.file), path)
		}
		field := "taskDefinitionFile"
		if x.given("task-definition-file") {
			field = "--task-definition-file"
		}
		in, fps := taskdef.ReadFile(path, field)
		*ps = append(*ps, fps...)
		req.Source.File = in
	}
	req.Settings = settingsOf(d)
	f.svc.apply(&x, &req)
	return &resolved{spec: d, request: req, resolver: resolver}
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

// onePerField leaves out the problems of fields that already have one: a
// setting whose variable did not resolve is not also "required".
func onePerField(have, more exitcode.Problems) exitcode.Problems {
	seen := map[string]bool{}
	for _, p := range have {
		seen[p.Field] = true
	}
	var out exitcode.Problems
	for _, p := range more {
		if !seen[p.Field] {
			out = append(out, p)
		}
	}
	return out
}

// expander substitutes #{variables} in flag values, recording a problem
// named after the flag for each unresolved one.
type expander struct {
	resolver   vars.Resolver
	problems   *exitcode.Problems
	flags      *pflag.FlagSet
	unresolved map[string]bool // flags with an unresolved variable (already reported)
}

// flagOfSetting names the flag that sets each spec setting that
// spec.Deploy.Validate checks.
var flagOfSetting = map[string]string{
	"cluster": "cluster", "service": "service", "useLatestTaskDef": "use-latest-task-def",
	"templateFamily": "template-family", "taskDefinitionFile": "task-definition-file", "taskDefinition": "task-definition",
	"desiredCount": "desired-count", "minHealthyPercent": "min-healthy-percent", "maxPercent": "max-percent",
	"healthCheckGracePeriod": "health-check-grace-period", "subnets": "subnets", "securityGroups": "security-groups",
	"platformVersion": "platform-version", "circuitBreaker": "circuit-breaker",
	// Request fields of the engines' own problems.
	"family": "family", "toRevision": "to-revision",
}

// namedAfterFlags renames the problems in an engine's err whose request
// field a flag of this command line gave after that flag, so that the
// message names what the user typed; fields a spec file gave keep the
// spec's names, which are the request's.
func namedAfterFlags(err error, flags *pflag.FlagSet) error {
	var ps exitcode.Problems
	if !errors.As(err, &ps) {
		return err
	}
	out := make(exitcode.Problems, len(ps))
	for i, p := range ps {
		if flag, ok := flagOfSetting[p.Field]; ok && flags.Changed(flag) {
			p.Field, p.Line = "--"+flag, 0
		}
		out[i] = p
	}
	return out.Err()
}

// byFlag renames problems of settings that a flag gave (overriding the spec
// file) after that flag, so the message points at what the user typed, and
// drops those of a flag whose variable did not resolve: that is its problem.
func (x *expander) byFlag(ps exitcode.Problems) exitcode.Problems {
	var out exitcode.Problems
	for _, p := range ps {
		setting := p.Field
		if i := strings.IndexAny(setting, ".["); i >= 0 {
			setting = setting[:i]
		}
		if flag, ok := flagOfSetting[setting]; ok && x.given(flag) {
			if x.unresolved[flag] {
				continue
			}
			p.Field, p.Line = "--"+flag, 0
		}
		out = append(out, p)
	}
	return out
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
		x.problems.Add("--"+flag, 0, "%v", err)
		if x.unresolved == nil {
			x.unresolved = map[string]bool{}
		}
		x.unresolved[flag] = true
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

// applyTo writes the flags that were given over the spec's settings.
func (f *planFlags) applyTo(d *spec.Deploy, x *expander) {
	str := func(name, v string) *string { s := x.expand(name, v); return &s }
	if x.given("cluster") {
		d.Cluster = *str("cluster", f.cluster)
	}
	if x.given("service") {
		d.Service = *str("service", f.service)
	}
	if x.given("use-latest-task-def") {
		d.UseLatestTaskDef = aws.Bool(f.useLatest)
	}
	if x.given("template-family") {
		d.TemplateFamily = str("template-family", f.templateFamily)
	}
	if x.given("task-definition-file") {
		d.TaskDefinitionFile = str("task-definition-file", f.taskDefinitionFile)
	}
	if x.given("task-definition") {
		d.TaskDefinition = str("task-definition", f.taskDefinition)
	}
	if x.given("copy-task-definition-tags") {
		d.CopyTaskDefinitionTags = aws.Bool(f.copyTags)
	}
	if x.given("desired-count") {
		d.DesiredCount = x.int32("desired-count", f.desiredCount)
	}
	if x.given("min-healthy-percent") {
		d.MinHealthyPercent = x.int32("min-healthy-percent", f.minHealthy)
	}
	if x.given("max-percent") {
		d.MaxPercent = x.int32("max-percent", f.maxPercent)
	}
	if x.given("force-new-deployment") {
		d.ForceNewDeployment = aws.Bool(f.forceNew)
	}
	if x.given("health-check-grace-period") {
		d.HealthCheckGracePeriod = x.duration("health-check-grace-period", f.gracePeriod)
	}
	if x.given("subnets") {
		d.Subnets = x.expandAll("subnets", f.subnets)
	}
	if x.given("security-groups") {
		d.SecurityGroups = x.expandAll("security-groups", f.securityGroups)
	}
	if x.given("assign-public-ip") {
		if v, ok := x.tryExpand("assign-public-ip", f.assignPublicIP); ok {
			switch v := strings.ToUpper(v); v {
			case "ENABLED", "TRUE":
				d.AssignPublicIP = aws.Bool(true)
			case "DISABLED", "FALSE":
				d.AssignPublicIP = aws.Bool(false)
			default:
				x.problems.Add("--assign-public-ip", 0, "%q: use ENABLED or DISABLED", v)
			}
		}
	}
	if x.given("platform-version") {
		d.PlatformVersion = str("platform-version", f.platform)
	}
	if x.given("circuit-breaker") {
		if v, ok := x.tryExpand("circuit-breaker", f.circuitBreaker); ok {
			switch v := strings.ToLower(v); v {
			case "true", "enable", "enabled":
				d.CircuitBreaker = &spec.CircuitBreaker{Enable: aws.Bool(true), Rollback: aws.Bool(false)}
			case "rollback":
				d.CircuitBreaker = &spec.CircuitBreaker{Enable: aws.Bool(true), Rollback: aws.Bool(true)}
			case "false", "disable", "disabled":
				d.CircuitBreaker = &spec.CircuitBreaker{Enable: aws.Bool(false), Rollback: aws.Bool(false)}
			default:
				x.problems.Add("--circuit-breaker", 0, "%q: use --circuit-breaker, --circuit-breaker=rollback or --circuit-breaker=false", v)
			}
		}
	}
}

// changes parses the task-definition change flags.
func (f *planFlags) changes(x *expander) taskdef.Changes {
	var c taskdef.Changes
	for _, s := range x.expandAll("image", f.images) {
		ic, err := taskdef.ParseImageFlag(s)
		if err != nil {
			x.problems.Add("--image", 0, "%v", err)
			continue
		}
		c.Images = append(c.Images, ic)
	}
	if x.given("tag-only") {
		tag := x.expand("tag-only", f.tagOnly)
		c.TagOnly = &tag
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
				x.problems.Add("--tag-from-env", 0, "%v", err)
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
			out = append(out, ch)
		}
		return out
	}
	c.Env = append(kv("env", f.env, taskdef.ParseEnvFlag), kv("unset-env", f.unsetEnv, taskdef.ParseUnsetFlag)...)
	c.Secrets = append(kv("secret", f.secrets, taskdef.ParseEnvFlag), kv("unset-secret", f.unsetSec, taskdef.ParseUnsetFlag)...)
	c.EnvMode = taskdef.Mode(x.expand("env-mode", f.envMode))
	c.SecretMode = taskdef.Mode(x.expand("secret-mode", f.secretMode))
	c.EnvFileMode = taskdef.Mode(x.expand("env-file-mode", f.envFileMod))
	for _, s := range x.expandAll("env-file", f.envFiles) {
		ef, err := taskdef.ParseEnvFileFlag(s)
		if err != nil {
			x.problems.Add("--env-file", 0, "%v", err)
			continue
		}
		c.EnvFiles = append(c.EnvFiles, ef)
	}
	for _, s := range x.expandAll("tag", f.tags) {
		t, err := taskdef.ParseTagFlag(s)
		if err != nil {
			x.problems.Add("--tag", 0, "%v", err)
			continue
		}
		c.Tags = append(c.Tags, t)
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
