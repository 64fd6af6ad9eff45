package fleet

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/spec"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

// MaxTargetsWithoutLimit is the largest fleet that may run without a
// parallelism limit (maxParallel): past it, a forgotten limit
// would start hundreds of deployments at once.
const MaxTargetsWithoutLimit = 500

// File is a fleet file (docs/fleet.md): named targets, and the waves that
// order them.
type File struct {
	Targets []Target
	// Waves hold target names; targets named in no wave form a last wave
	// of their own, and a file without waves is one wave.
	Waves       [][]string
	MaxParallel *int
	WavePause   *spec.Duration
	OnFailure   *string
}

// Target is one service to deploy, or one task to run, with where it lives.
type Target struct {
	Name    string
	Region  string
	Profile string
	Role    string // a role ARN to assume for this target's calls
	// Deploy is the deploy spec of a service target: the spec file it names
	// with the target's own settings laid over it. Nil for a run step.
	Deploy *spec.Deploy
	// Run is a one-off task (a migration) instead of a deploy.
	Run *RunStep
}

// RunStep is a one-off task that a wave runs to completion; the wave
// succeeds only if the task's essential containers exit 0.
type RunStep struct {
	Cluster        string         `yaml:"cluster"`
	TaskDefinition string         `yaml:"taskDefinition"` // family[:revision] or ARN
	Service        string         `yaml:"service"`        // or: the task definition and network of this service
	Command        []string       `yaml:"command"`        // container='command args', as run --command
	Subnets        []string       `yaml:"subnets"`        // awsvpc network, as run --subnets (default: the service's)
	SecurityGroups []string       `yaml:"securityGroups"` // as run --security-groups
	Timeout        *spec.Duration `yaml:"timeout"`
}

// fileTarget is a target as written: where, how, and either a run step or
// deploy settings (in the deploy spec's own shape, over an optional spec file).
type fileTarget struct {
	Region  string            `yaml:"region"`
	Profile string            `yaml:"profile"`
	Role    string            `yaml:"role"`
	Spec    string            `yaml:"spec"`
	Vars    map[string]string `yaml:"vars"`
	Run     *RunStep          `yaml:"run"`

	spec.Deploy `yaml:",inline"`
}

type fileShape struct {
	Vars        map[string]string    `yaml:"vars"`
	Defaults    *fileDefaults        `yaml:"defaults"`
	Targets     map[string]spec.Node `yaml:"targets"`
	Waves       [][]string           `yaml:"waves"`
	MaxParallel *int                 `yaml:"maxParallel"`
	WavePause   *spec.Duration       `yaml:"wavePause"`
	OnFailure   *string              `yaml:"onFailure"`
}

// fileDefaults apply to every target that does not say otherwise.
type fileDefaults struct {
	Cluster string `yaml:"cluster"`
	Region  string `yaml:"region"`
	Profile string `yaml:"profile"`
	Role    string `yaml:"role"`
}

// Load reads a fleet file. Variables come, highest precedence first, from
// r (the command line), the target's own vars, the file's vars, then the
// environment (r's own rules). Every problem of the file and of the spec
// files it names is reported together, as exitcode.Problems.
func Load(path string, r vars.Resolver) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, exitcode.Invalidf("read fleet file: %v", err)
	}
	return parse(data, filepath.Dir(path), r)
}

func parse(data []byte, dir string, r vars.Resolver) (*File, error) {
	var probs exitcode.Problems
	// The file's own vars are read first, without substitution, since
	// every other value may use them.
	var head struct {
		Vars map[string]string `yaml:"vars"`
	}
	if err := yaml.Unmarshal(data, &head); err != nil {
		// spec.Decode reports the syntax error with its line.
		if derr := spec.Decode(data, r, &fileShape{}); derr != nil {
			return nil, derr
		}
		return nil, exitcode.Invalidf("fleet file: %v", err)
	}
	fileVars := withVars(r, head.Vars)
	var shape fileShape
	probs.Extend(spec.Decode(data, fileVars, &shape))
	if len(shape.Targets) == 0 && len(probs) == 0 {
		probs.Add("targets", 0, "a fleet needs at least one target")
	}
	f := &File{Waves: shape.Waves, MaxParallel: shape.MaxParallel, WavePause: shape.WavePause, OnFailure: shape.OnFailure}
	defaults := fileDefaults{}
	if shape.Defaults != nil {
		defaults = *shape.Defaults
	}
	for _, name := range slices.Sorted(maps.Keys(shape.Targets)) {
		t, tprobs := loadTarget(name, shape.Targets[name], defaults, head.Vars, dir, r)
		probs = append(probs, tprobs...)
		if t != nil {
			f.Targets = append(f.Targets, *t)
		}
	}
	probs = append(probs, f.check()...)
	if err := probs.Err(); err != nil {
		return f, err
	}
	return f, nil
}

// withVars returns r with more file variables under it: the command line
// still wins.
func withVars(r vars.Resolver, more ...map[string]string) vars.Resolver {
	merged := map[string]string{}
	maps.Copy(merged, r.FileVars)
	for _, m := range more {
		maps.Copy(merged, m)
	}
	r.FileVars = merged
	return r
}

func loadTarget(name string, node spec.Node, defaults fileDefaults, fleetVars map[string]string, dir string, r vars.Resolver) (*Target, exitcode.Problems) {
	var probs exitcode.Problems
	// The target's own vars first, filled from the fleet's variables.
	var own map[string]string
	probs.Extend(spec.DecodeNode(node.Field("vars"), withVars(r, fleetVars), &own))
	tr := withVars(r, fleetVars, own)
	var ft fileTarget
	probs.Extend(spec.DecodeNode(node, tr, &ft))
	t := &Target{Name: name, Region: or(ft.Region, defaults.Region), Profile: or(ft.Profile, defaults.Profile), Role: or(ft.Role, defaults.Role)}
	at := "targets." + name
	if ft.Run != nil {
		if ft.Spec != "" || anySet(ft.Deploy) {
			probs.Add(at+".run", 0, "a target either runs a task (run) or deploys a service (spec and deploy settings), not both")
		}
		run := *ft.Run
		// As everywhere: no cluster named is ECS's default cluster.
		run.Cluster = or(run.Cluster, defaults.Cluster, spec.DefaultCluster)
		if (run.TaskDefinition == "") == (run.Service == "") {
			probs.Add(at+".run", 0, "give exactly one of taskDefinition and service")
		}
		t.Run = &run
		return t, probs
	}
	d := ft.Deploy
	if ft.Spec != "" {
		path := ft.Spec
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		base, err := spec.LoadDeploy(path, tr)
		if err != nil {
			probs.Add(at+".spec", 0, "%s: %v", ft.Spec, err)
		}
		if base != nil {
			d = overlay(*base, ft.Deploy)
		}
	}
	d.Cluster = or(d.Cluster, defaults.Cluster)
	if d.Service == "" {
		d.Service = name
	}
	if d.Cluster == "" {
		if given := node.Field("cluster").Node; given != nil {
			// Given empty (an unset variable): a mistake, not "default".
			probs.Add(at+".cluster", given.Line, "%s", spec.ClusterEmpty)
		} else {
			// Named nowhere: ECS's default cluster, as for every command.
			d.Cluster = spec.DefaultCluster
		}
	}
	t.Deploy = &d
	return t, probs
}

// anySet reports whether d gives any setting.
func anySet(d spec.Deploy) bool {
	v := reflect.ValueOf(d)
	for i := range v.NumField() {
		if v.Type().Field(i).IsExported() && !v.Field(i).IsZero() {
			return true
		}
	}
	return false
}

// overlay lays the settings given in top over base, field by field, as
// flags are laid over a spec file.
func overlay(base, top spec.Deploy) spec.Deploy {
	b, tv := reflect.ValueOf(&base).Elem(), reflect.ValueOf(top)
	for i := range b.NumField() {
		if !b.Type().Field(i).IsExported() {
			continue
		}
		if f := tv.Field(i); !f.IsZero() {
			b.Field(i).Set(f)
		}
	}
	return base
}

// check finds problems of the fleet as a whole: waves that name unknown or
// repeated targets, and a fleet too large to start without a limit.
func (f *File) check() exitcode.Problems {
	var probs exitcode.Problems
	known := map[string]bool{}
	for _, t := range f.Targets {
		known[t.Name] = true
	}
	placed := map[string]int{}
	for w, wave := range f.Waves {
		if len(wave) == 0 {
			probs.Add(fmt.Sprintf("waves[%d]", w), 0, "a wave needs at least one target")
		}
		for i, name := range wave {
			field := fmt.Sprintf("waves[%d][%d]", w, i)
			switch prev, seen := placed[name]; {
			case !known[name]:
				probs.Add(field, 0, "%q is not a target of this fleet (targets: %s)", name, strings.Join(slices.Sorted(maps.Keys(known)), ", "))
			case seen:
				probs.Add(field, 0, "%q is already in wave %d: a target runs once, in one wave", name, prev+1)
			default:
				placed[name] = w
			}
		}
	}
	if p := f.MaxParallel; p != nil && *p < 1 {
		probs.Add("maxParallel", 0, "must be at least 1, got %d", *p)
	}
	if p := f.OnFailure; p != nil {
		if _, err := ParseFailurePolicy(*p); err != nil {
			probs.Add("onFailure", 0, "%v", err)
		}
	}
	return probs
}

// Plan returns the waves in order: the file's, then one more wave with the
// targets it names nowhere.
func (f *File) Plan() [][]Target {
	byName := map[string]Target{}
	for _, t := range f.Targets {
		byName[t.Name] = t
	}
	placed := map[string]bool{}
	var waves [][]Target
	for _, wave := range f.Waves {
		var w []Target
		for _, name := range wave {
			if t, ok := byName[name]; ok && !placed[name] {
				placed[name] = true
				w = append(w, t)
			}
		}
		if len(w) > 0 {
			waves = append(waves, w)
		}
	}
	var rest []Target
	for _, t := range f.Targets {
		if !placed[t.Name] {
			rest = append(rest, t)
		}
	}
	if len(rest) > 0 {
		waves = append(waves, rest)
	}
	return waves
}

// CheckSize refuses a fleet of more than MaxTargetsWithoutLimit targets
// without a parallelism limit; limit is where to give one (a command
// line's flag; FieldOrigin("maxParallel") names the file's key).
func CheckSize(targets, maxParallel int, limit exitcode.Origin) error {
	if targets > MaxTargetsWithoutLimit && maxParallel <= 0 {
		return exitcode.Invalidf("%d targets would all start at once: give %s N (at most %d targets without it)", targets, limit.Name(), MaxTargetsWithoutLimit)
	}
	return nil
}

// or is the first of values that is not empty.
func or(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
