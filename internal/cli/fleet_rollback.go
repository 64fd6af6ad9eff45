package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/bluegreen"
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
	wopts := o.wait.options(d.Clock, &ps)
	wopts.Timeout = o.timeout.value("timeout", nil, &ps)
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
	members := make([]*rollbackMember, len(targets))
	for i, t := range targets {
		api, err := shared.api(ctx, t.where)
		if err != nil {
			return err
		}
		w := wopts
		w.Reporter = render.Target(t.name, t.wave)
		members[i] = &rollbackMember{t: t, api: api, opts: rollout.RollbackOptions{NoWait: o.noWait, Watch: w}}
	}
	if err := planRollbacks(ctx, members); err != nil {
		return err
	}
	// Newest wave first.
	var runWaves [][]fleet.Member
	for w := len(waves) - 1; w >= 0; w-- {
		var wave []fleet.Member
		for _, m := range members {
			if m.t.wave == waves[w][0].wave {
				wave = append(wave, m)
			}
		}
		runWaves = append(runWaves, wave)
	}
	res := fleet.Run(ctx, runWaves, fleet.Options{MaxParallel: o.several.maxParallel, WavePause: pause, OnFailure: policy, Reporter: render.Steps()})

	report := fleetRollbackReport{fleetVerdict: verdictOf(res), APICalls: d.Clients.Calls().Counts()}
	byName := map[string]*rollbackMember{}
	for _, m := range members {
		byName[m.t.name] = m
	}
	var outs []rollout.Output
	for _, tr := range res.Targets {
		m := byName[tr.Name]
		row := fleetRollbackRow{Name: tr.Name, Wave: m.t.wave, Cluster: m.t.cluster, Service: m.t.service, Region: m.t.where.Region,
			PreviousTaskDefinition: m.previous, Note: m.note, Outcome: tr.Result.Outcome, Reason: tr.Result.Reason, Rollback: m.result}
		report.Targets = append(report.Targets, row)
		if rb := m.result; rb != nil && rb.DeploymentID != "" {
			family, revision := splitFamilyRevision(rb.TaskDefinition)
			r := &rollout.Result{Cluster: m.t.cluster, Service: m.t.service, Region: m.t.where.Region, Family: family, Revision: revision}
			for _, out := range rollout.Outputs(r) {
				outs = append(outs, rollout.Output{Key: outputName(tr.Name) + "_" + out.Key, Value: out.Value})
			}
		}
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

// planRollbacks finds every member's rollback target at once (the reads
// share the fleet's batched client). Invalid input anywhere (a service
// with no revision to return to, one that does not exist) is reported for
// every target together, with exit code 2; another error (AWS refused a
// read) is returned as it is. Nothing has changed either way.
func planRollbacks(ctx context.Context, members []*rollbackMember) error {
	errs := eachAtOnce(len(members), func(i int) error {
		m := members[i]
		target, svc, note, err := rollout.RollbackTarget(ctx, m.api, m.t.cluster, m.t.service, 0)
		m.target, m.previous, m.note = target, aws.ToString(svc.TaskDefinition), note
		if st := bluegreen.StrategyOf(svc); svc.ServiceName != nil && st != bluegreen.Rolling {
			// Not yet: a blue/green rollback stops or redeploys through its
			// controller, which only the one-service rollback does.
			return exitcode.Invalidf("service %s is deployed by %s: roll it back on its own (ecsdeploy rollback -c %s -n %s)", m.t.service, st, m.t.cluster, m.t.service)
		}
		return err
	})
	var ps exitcode.Problems
	for i, err := range errs {
		if err == nil {
			continue
		}
		if exitcode.Of(err) != exitcode.Invalid {
			return aboutService(err, members[i].t.cluster, members[i].t.service)
		}
		ps.Add(members[i].t.name, 0, "%v", err)
	}
	return ps.Err()
}

// rollbackMember rolls one service of a fleet back to the revision that
// ran before, as `ecsdeploy rollback` does for one.
type rollbackMember struct {
	t      selectedTarget
	api    rollout.ECSAPI
	opts   rollout.RollbackOptions
	target string // the task definition it returns to
	// previous is the one it ran when planned; note says how target was found.
	previous, note string
	result         *rollout.RollbackResult
}

func (m *rollbackMember) Name() string { return m.t.name }

func (m *rollbackMember) Do(ctx context.Context) fleet.Outcome {
	if m.note != "" {
		m.opts.Watch.Reporter.Report(progress.Step{At: m.opts.Watch.Clock.Now(), Message: "rollback target " + shortName(m.target) + ": " + m.note})
	}
	rb, err := rollout.Rollback(ctx, m.api, rollout.RollbackRequest{Cluster: m.t.cluster, Service: m.t.service, TaskDefinition: m.target}, m.opts)
	m.result = rb
	o := fleet.Outcome{Err: err, Detail: rb, Outcome: progress.Failed}
	if rb != nil {
		o.Outcome, o.Reason = rb.Outcome, rb.Reason
		o.Changed = rb.DeploymentID != ""
	}
	switch o.Outcome {
	case rollout.Updated:
		o.Outcome = progress.Succeeded // --no-wait
	case "":
		o.Outcome = progress.Failed
	}
	if o.Reason == "" && err != nil {
		o.Reason = err.Error()
	}
	return o
}

// Undo implements fleet.Member; rollback's failure policies never undo.
func (m *rollbackMember) Undo(context.Context) fleet.Outcome {
	return fleet.Outcome{Outcome: progress.Succeeded, Reason: "a rollback is not undone"}
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
