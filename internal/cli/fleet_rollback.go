package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/fleet"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// registerForRollback adds deploy's fleet flags that rollback takes, with
// rollback's wording.
func (f *fleetFlags) registerForRollback(fs *pflag.FlagSet) {
	all := pflag.NewFlagSet("deploy", pflag.ContinueOnError)
	f.register(all)
	for name, usage := range map[string]string{
		"fleet":        "roll back every service of a fleet file, its waves in reverse order (docs/fleet.md)",
		"max-parallel": "with several services: how many of one wave roll back at once (default: all)",
		"wave-pause":   "with several services: pause between waves (30s, 2m)",
		"on-failure":   "with several services: stop (default: no new wave) or continue",
	} {
		fl := all.Lookup(name)
		fl.Usage = usage
		fs.AddFlag(fl)
	}
}

// rollbackFleetOnly are the flags that mean something only with several services.
var rollbackFleetOnly = []string{"max-parallel", "wave-pause", "on-failure"}

// resolveOne fills the cluster and service of a one-service rollback from
// -c, -n and -f; the cluster stays required unless a spec gives it.
func (o *rollbackOptions) resolveOne() error {
	t, ps := resolveTarget(o.flags, &o.target)
	for _, name := range rollbackFleetOnly {
		if o.flags.Changed(name) {
			ps.Add("--"+name, 0, "applies to several services (several -n or -f, or --fleet); this rollback has one")
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}
	o.cluster, o.service = t.Cluster, t.Service
	return nil
}

// fleetRollbackReport is rollback --output json for several services.
type fleetRollbackReport struct {
	fleetVerdict
	Targets  []fleetRollbackRow `json:"targets"`
	APICalls map[string]int     `json:"apiCalls,omitempty"`
}

type fleetRollbackRow struct {
	Name                   string                  `json:"name"`
	Wave                   int                     `json:"wave"`
	Cluster                string                  `json:"cluster"`
	Service                string                  `json:"service"`
	Region                 string                  `json:"region,omitempty"`
	PreviousTaskDefinition string                  `json:"previousTaskDefinition,omitempty"`
	Note                   string                  `json:"note,omitempty"`
	Outcome                progress.Outcome        `json:"outcome"`
	Reason                 string                  `json:"reason,omitempty"`
	Rollback               *rollout.RollbackResult `json:"rollback,omitempty"`
}

// runRollbackFleet rolls several services back, in waves: a fleet file's
// waves in reverse order (what was deployed last goes back first), every
// service's rollback target found before the first one changes, so that a
// service with nothing to return to exits 2 with nothing changed.
func runRollbackFleet(ctx context.Context, o *rollbackOptions) error {
	d := o.deps
	waves, ps := selectTargets(o.flags, &o.target, o.several.file)
	policy, err := fleet.ParseFailurePolicy(o.several.onFailure)
	switch {
	case err != nil:
		ps.Add("--on-failure", 0, "%v", err)
	case policy == fleet.RollbackAll:
		ps.Add("--on-failure", 0, "rollback-all undoes a deploy; a rollback has nothing to return to: use stop or continue")
	}
	if o.several.maxParallel < 0 {
		ps.Add("--max-parallel", 0, "must be at least 1, got %d", o.several.maxParallel)
	}
	pause := o.several.wavePause.value("wave-pause", nil, &ps)
	if o.toRevisionGiven {
		ps.Add("--to-revision", 0, "names a revision of one family; with several services each returns to the revision it ran before")
	}
	wopts := o.wait.within(&o.timeout, d.Clock, &ps)
	targets := flat(waves)
	if err := fleet.CheckSize(len(targets), o.several.maxParallel, settingOrigin("maxParallel")); err != nil {
		ps.Extend(err)
	}
	for _, t := range targets {
		if t.service == "" {
			ps.Add(t.name, 0, "names no service (--service, or service: in its spec)")
		}
		if t.cluster == "" {
			ps.Add(t.name, 0, "names no cluster (--cluster, or cluster: in its spec)")
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}

	shared := newFleetClients(d)
	render := d.fleetProgress()
	var members []*fleet.RollbackMember
	waveOf := map[string]selectedTarget{}
	runWaves := make([][]fleet.Member, len(waves))
	for wi, wave := range waves {
		for _, t := range wave {
			api, err := shared.api(ctx, t.where)
			if err != nil {
				return err
			}
			w := wopts
			w.Reporter = render.Target(t.name, t.wave)
			m := &fleet.RollbackMember{Target: t.name, Cluster: t.cluster, Service: t.service, API: api,
				Options: rollout.RollbackOptions{NoWait: o.noWait, Watch: w}}
			members = append(members, m)
			waveOf[t.name] = t
			runWaves[wi] = append(runWaves[wi], m)
		}
	}
	if err := fleet.PlanRollbacks(ctx, members); err != nil {
		return rollbackPlanError(err, members)
	}
	res := fleet.Run(ctx, fleet.ReverseWaves(runWaves), fleet.Options{MaxParallel: o.several.maxParallel, WavePause: pause, OnFailure: policy, Reporter: render.Steps()})

	report := fleetRollbackReport{fleetVerdict: verdictOf(res), APICalls: d.Clients.Calls().Counts()}
	byName := map[string]*fleet.RollbackMember{}
	for _, m := range members {
		byName[m.Target] = m
	}
	var outs []rollout.Output
	for _, tr := range res.Targets {
		m, t := byName[tr.Name], waveOf[tr.Name]
		report.Targets = append(report.Targets, fleetRollbackRow{Name: tr.Name, Wave: t.wave, Cluster: t.cluster, Service: t.service, Region: t.where.Region,
			PreviousTaskDefinition: m.Previous(), Note: m.Note(), Outcome: tr.Result.Outcome, Reason: tr.Result.Reason, Rollback: m.Result()})
		outs = append(outs, m.Outputs(t.where.Region)...)
	}
	outs = append(outs, rollout.Output{Key: "FleetOutcome", Value: string(res.Outcome)})
	if err := rollout.WriteOutputLines(outs, o.outputsFile, os.Getenv); err != nil && res.ExitCode == 0 {
		return exitcode.With(exitcode.Failed, err)
	}
	if err := d.Render(report, func(w io.Writer) { printFleetRollback(w, report) }); err != nil {
		return err
	}
	if res.ExitCode != exitcode.OK {
		return Silent(exitcode.With(res.ExitCode, errors.New(res.Reason)))
	}
	return nil
}

// rollbackPlanError is fleet.PlanRollbacks' error for the command line:
// a blue/green service's problem says how to roll it back on its own, and
// a read AWS refused names its service in the error report.
func rollbackPlanError(err error, members []*fleet.RollbackMember) error {
	var pe *fleet.PlanError
	if errors.As(err, &pe) {
		return aboutService(pe.Err, pe.Cluster, pe.Service)
	}
	var ps exitcode.Problems
	if !errors.As(err, &ps) {
		return err
	}
	for _, m := range members {
		if nr := m.NotRolling(); nr != nil {
			for i := range ps {
				if ps[i].Field == m.Target {
					ps[i].Message += fmt.Sprintf(" (ecsdeploy rollback -c %s -n %s)", nr.Cluster, nr.Service)
				}
			}
		}
	}
	return ps.Err()
}

func printFleetRollback(w io.Writer, r fleetRollbackReport) {
	for _, t := range r.Targets {
		line := fmt.Sprintf("%-24s wave %d  %s", t.Name, t.Wave, t.Outcome)
		if rb := t.Rollback; rb != nil && rb.TaskDefinition != "" {
			line += fmt.Sprintf("  %s → %s", shortName(t.PreviousTaskDefinition), shortName(rb.TaskDefinition))
		}
		if t.Reason != "" {
			line += ": " + t.Reason
		}
		fmt.Fprintln(w, line)
	}
	r.print(w, "fleet rollback")
}
