package cli

import (
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/spec"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

// targetFlagNames are deploy's flags that name a service without changing
// it: the spec file, its variables, --cluster and --service. status and
// scale take them (revisions takes all but --service), so that
// `ecsdeploy status -f deploy.yaml --var Env=prod` looks at the service
// that `ecsdeploy deploy -f deploy.yaml --var Env=prod` deploys.
var targetFlagNames = []string{"file", "var", "var-file", "cluster", "service"}

// addTargetFlags gives cmd deploy's flags named in names, as addDeployFlags
// does, with #{variables} dated by d's clock, and returns cmd's flag set for
// the command's own flags.
func addTargetFlags(cmd *cobra.Command, d *Deps, plan *planFlags, names []string, usage map[string]string) *pflag.FlagSet {
	plan.now = d.Clock.Now
	addDeployFlags(cmd, plan, names, usage)
	return cmd.Flags()
}

// addServiceFlags gives cmd the flags that name one service as deploy
// names it (targetFlagNames), --service described by serviceUsage.
func addServiceFlags(cmd *cobra.Command, d *Deps, plan *planFlags, serviceUsage string) *pflag.FlagSet {
	return addTargetFlags(cmd, d, plan, targetFlagNames, map[string]string{
		"file":    "deploy spec file (YAML) naming the cluster and service; flags override it",
		"cluster": "cluster of the service (default \"default\")",
		"service": serviceUsage,
	})
}

// requireService records the problems of a command that acts on one
// service: a service must be named, and a cluster given empty is refused.
func requireService(cluster, service string, ps *exitcode.Problems) {
	if strings.TrimSpace(service) == "" {
		ps.Add("--service", 0, "%s", spec.ServiceRequired)
	}
	if strings.TrimSpace(cluster) == "" {
		ps.Add("--cluster", 0, "%s", spec.ClusterEmpty)
	}
}

// addDeployFlags adds deploy's flags named in names to cmd, bound to plan,
// with usage texts replaced where the command gives them another meaning.
// The flags are deploy's own, so names, parsing and variables stay the same.
func addDeployFlags(cmd *cobra.Command, plan *planFlags, names []string, usage map[string]string) {
	all := pflag.NewFlagSet("deploy", pflag.ContinueOnError)
	plan.register(all)
	for _, name := range names {
		fl := all.Lookup(name)
		if fl == nil {
			panic("deploy has no flag --" + name)
		}
		if u, ok := usage[name]; ok {
			fl.Usage = u
		}
		cmd.Flags().AddFlag(fl)
	}
}

// loadVariables reads --var-file files, then --var assignments over them,
// recording a problem for each that cannot be read.
func loadVariables(now func() time.Time, varFiles, varFlags []string, ps *exitcode.Problems) vars.Resolver {
	resolver := vars.Resolver{Vars: map[string]string{}, Now: now}
	for _, path := range varFiles {
		if err := resolver.LoadFile(path); err != nil {
			ps.Add("--var-file", 0, "%v", err)
		}
	}
	assigned, err := vars.ParseAssignments(varFlags)
	if err != nil {
		ps.Add("--var", 0, "%v", err)
	}
	for k, v := range assigned {
		resolver.Vars[k] = v
	}
	return resolver
}

// target is the cluster and service the target flags resolve to, and the
// expander for the command's own flags.
type target struct {
	Cluster, Service string
	x                *expander
}

// resolveTarget reads the spec file (if any) with the variables and applies
// --cluster and --service over it, collecting every problem. The cluster
// defaults to ECS's "default".
func resolveTarget(flags *pflag.FlagSet, plan *planFlags) (*target, exitcode.Problems) {
	var ps exitcode.Problems
	plan.checkOne(&ps)
	resolver := loadVariables(plan.now, plan.varFiles, plan.varFlags, &ps)
	d := &spec.Deploy{}
	if plan.file != "" {
		loaded, err := loadTargetSpec(plan.file, resolver)
		if err != nil {
			ps.Extend(err)
		} else {
			d = loaded
		}
	}
	x := &expander{resolver: resolver, problems: &ps, flags: flags}
	plan.applyTo(d, x)
	t := &target{Cluster: strings.TrimSpace(d.Cluster), Service: strings.TrimSpace(d.Service), x: x}
	if t.Cluster == "" && !x.given("cluster") {
		t.Cluster = spec.DefaultCluster
	}
	return t, ps
}

// loadTargetSpec reads a deploy spec for its cluster and service only. A
// variable the rest of the spec needs (the #{Tag} of an image) need not be
// given just to look at or scale the service: when the spec cannot be
// read with the variables given, it is read twice more with every missing
// variable set to two different values, and if cluster and service come out
// the same both times they do not depend on the missing ones. Otherwise the
// problems of the first reading are reported.
func loadTargetSpec(path string, resolver vars.Resolver) (*spec.Deploy, error) {
	d, strictErr := spec.LoadDeploy(path, resolver)
	if strictErr == nil {
		return d, nil
	}
	readWith := func(stand string) *spec.Deploy {
		d, err := spec.LoadDeploy(path, standIn(resolver, stand))
		if err != nil {
			return nil
		}
		return d
	}
	// Digits, so that a missing variable in a number or an image tag still
	// reads.
	a, b := readWith("0"), readWith("1")
	if a == nil || b == nil || a.Cluster != b.Cluster || a.Service != b.Service {
		return nil, onlyTargetProblems(strictErr)
	}
	return a, nil
}

// standIn is resolver with every variable it cannot resolve set to stand.
func standIn(resolver vars.Resolver, stand string) vars.Resolver {
	lookup := resolver.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	resolver.LookupEnv = func(name string) (string, bool) {
		if v, ok := lookup(name); ok {
			return v, true
		}
		return stand, true
	}
	return resolver
}

// onlyTargetProblems keeps the problems of the cluster and service fields
// when there are any: the others are not what stops status or scale.
func onlyTargetProblems(err error) error {
	var all, kept exitcode.Problems
	all.Extend(err)
	for _, p := range all {
		if p.Field == "cluster" || p.Field == "service" {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return err
	}
	return kept.Err()
}
