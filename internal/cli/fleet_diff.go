package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/fleet"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

// fleetDiffReport is diff --output json for several targets: every
// target's plan, in wave order.
type fleetDiffReport struct {
	Targets []fleetDiffRow `json:"targets"`
}

type fleetDiffRow struct {
	Name   string              `json:"name"`
	Wave   int                 `json:"wave"`
	Region string              `json:"region,omitempty"`
	Plan   *rollout.PlanReport `json:"plan,omitempty"`
	// Run is the `ecsdeploy run` command line of a run step.
	Run  []string `json:"run,omitempty"`
	plan *rollout.Plan
}

// runDiffFleet prints the whole fleet's plan: each target planned exactly
// as deploy plans it (the same changes, the same checks: a change that
// applies to no container of a target is invalid input), nothing changed.
func runDiffFleet(ctx context.Context, o *diffOptions) error {
	d := o.deps
	var ps exitcode.Problems
	waves, _ := resolveFleetWaves(&o.plan, o.flags, o.fleetFile, &ps)
	if err := dedupe(ps).Err(); err != nil {
		return err
	}
	shared := newFleetClients(d)
	var rows []fleetDiffRow
	var apis []rollout.ECSAPI
	var reqs []*rollout.Request
	for w, wave := range waves {
		for _, t := range wave {
			row := fleetDiffRow{Name: t.name, Wave: w + 1, Region: t.where.Region, Run: t.run}
			var api rollout.ECSAPI
			if t.request != nil {
				var err error
				if api, err = shared.api(ctx, t.where); err != nil {
					return err
				}
			}
			rows, apis, reqs = append(rows, row), append(apis, api), append(reqs, t.request)
		}
	}
	errs := fleet.AtOnce(len(rows), func(i int) error {
		if reqs[i] == nil {
			return nil
		}
		var err error
		rows[i].plan, err = rollout.MakePlan(ctx, apis[i], *reqs[i])
		return err
	})
	for i, err := range errs {
		switch {
		case err == nil:
		case exitcode.Of(err) == exitcode.Invalid:
			ps.Add(rows[i].Name, 0, "%v", err)
		default:
			return aboutService(err, reqs[i].Cluster, reqs[i].Service)
		}
	}
	if err := dedupe(ps).Err(); err != nil {
		return err
	}
	opts := taskdef.DiffOptions{ShowValues: o.plan.showValues}
	for i := range rows {
		if p := rows[i].plan; p != nil {
			r := p.Report(opts)
			rows[i].Plan = &r
		}
	}
	return d.Render(fleetDiffReport{Targets: rows}, func(w io.Writer) { printFleetDiff(w, rows, opts) })
}

func printFleetDiff(w io.Writer, rows []fleetDiffRow, opts taskdef.DiffOptions) {
	wave := 0
	for _, r := range rows {
		if r.Wave != wave {
			wave = r.Wave
			fmt.Fprintf(w, "=== wave %d\n", wave)
		}
		if r.plan == nil {
			fmt.Fprintf(w, "--- %s: runs a task: ecsdeploy run %s\n", r.Name, strings.Join(r.Run, " "))
			continue
		}
		fmt.Fprintf(w, "--- %s\n", r.Name)
		r.plan.Render(w, opts)
	}
}
