package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/fleet"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

// selectedTarget is one service that status or rollback acts on, chosen
// with deploy's target selection: several -n, several -f, or --fleet.
type selectedTarget struct {
	name             string
	wave             int // 1-based, in the fleet file's order
	where            Target
	cluster, service string
}

// severalTargets reports whether the command line selects more than one
// target (or a fleet file, which may name one).
func severalTargets(p *planFlags, fleetFile string) bool {
	return fleetFile != "" || len(p.services) > 1 || len(p.files) > 1
}

// selectTargets resolves the targets of status or rollback, in waves: a
// fleet file's waves (its run steps left out: they have no service), or
// one wave of one target per -n or per -f. Every problem is collected:
// a target given twice, a fleet file's own problems, a spec that does not
// read. Variables that only the deploy settings need (an image's #{Tag})
// need not be given to select the services.
func selectTargets(flags *pflag.FlagSet, p *planFlags, fleetFile string) ([][]selectedTarget, exitcode.Problems) {
	var ps exitcode.Problems
	if !checkSelection(p, fleetFile, &ps) {
		return nil, ps
	}
	var waves [][]selectedTarget
	if fleetFile != "" {
		waves = fleetFileTargets(fleetFile, loadVariables(p.now, p.varFiles, p.varFlags, &ps), &ps)
	} else {
		var wave []selectedTarget
		add := func(service, file string) {
			one := p.forTarget(service, file)
			t, tps := resolveTarget(flags, &one)
			ps = append(ps, tps...)
			name := t.Service
			if service != "" {
				name = service
			}
			wave = append(wave, selectedTarget{name: name, wave: 1, cluster: t.Cluster, service: t.Service})
		}
		if len(p.services) > 1 {
			for _, s := range p.services {
				add(s, p.file)
			}
		} else {
			for _, f := range p.files {
				add(p.service, f)
			}
		}
		waves = [][]selectedTarget{wave}
	}
	ps = append(ps, checkDistinct(waves)...)
	return waves, dedupe(ps)
}

// checkSelection refuses the combinations of --fleet, -n and -f that select
// targets in two ways at once.
func checkSelection(p *planFlags, fleetFile string, ps *exitcode.Problems) bool {
	switch {
	case fleetFile != "" && (len(p.services) > 0 || len(p.files) > 0):
		ps.Add("--fleet", 0, "names its targets itself: it cannot be combined with -n/--service or -f/--file")
		return false
	case len(p.services) > 1 && len(p.files) > 1:
		ps.Add("--file", 0, "several services and several spec files at once: give one spec per service with -f only, or several -n with at most one -f")
		return false
	}
	return true
}

// checkDistinct refuses a service selected twice (by two -n, two specs,
// or two targets of a fleet file naming the same service).
func checkDistinct(waves [][]selectedTarget) exitcode.Problems {
	var ps exitcode.Problems
	seen := map[string]string{}
	for _, w := range waves {
		for _, t := range w {
			if t.service == "" {
				continue
			}
			key := strings.Join([]string{t.where.Region, t.where.Profile, t.where.Role, t.cluster, t.service}, "\x00")
			if first, ok := seen[key]; ok {
				if first == t.name {
					ps.Add(t.name, 0, "service %s of cluster %s is given twice", t.service, t.cluster)
				} else {
					ps.Add(t.name, 0, "service %s of cluster %s is also target %s: a service is selected once", t.service, t.cluster, first)
				}
				continue
			}
			seen[key] = t.name
		}
	}
	return ps
}

// fleetFileTargets reads a fleet file for its services only. A variable
// that only deploy settings use need not be given: when the file does not
// read with the variables given, it is read twice more with every missing
// variable set to two different values, and if every target's location
// comes out the same both times, it does not depend on them (as
// loadTargetSpec does for one spec).
func fleetFileTargets(path string, resolver vars.Resolver, ps *exitcode.Problems) [][]selectedTarget {
	file, strictErr := fleet.Load(path, resolver)
	if strictErr != nil {
		a, b := loadFleetWith(path, resolver, "0"), loadFleetWith(path, resolver, "1")
		if a == nil || b == nil || fmt.Sprint(targetsOf(a)) != fmt.Sprint(targetsOf(b)) {
			ps.Extend(strictErr)
			return nil
		}
		file = a
	}
	return targetsOf(file)
}

func loadFleetWith(path string, resolver vars.Resolver, stand string) *fleet.File {
	f, err := fleet.Load(path, standIn(resolver, stand))
	if err != nil {
		return nil
	}
	return f
}

// targetsOf are the service targets of a fleet file, in its waves.
func targetsOf(f *fleet.File) [][]selectedTarget {
	var waves [][]selectedTarget
	for i, wave := range f.Plan() {
		var w []selectedTarget
		for _, t := range wave {
			if t.Deploy == nil {
				continue // a run step: no service to show or roll back
			}
			w = append(w, selectedTarget{name: t.Name, wave: i + 1,
				where:   Target{Region: t.Region, Profile: t.Profile, Role: t.Role},
				cluster: strings.TrimSpace(t.Deploy.Cluster), service: strings.TrimSpace(t.Deploy.Service)})
		}
		if len(w) > 0 {
			waves = append(waves, w)
		}
	}
	return waves
}

// flat lists the targets of every wave in order.
func flat(waves [][]selectedTarget) []selectedTarget {
	var out []selectedTarget
	for _, w := range waves {
		out = append(out, w...)
	}
	return out
}
