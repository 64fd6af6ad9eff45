package cli

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// diffOptions are diff's inputs: deploy's flags.
type diffOptions struct {
	deps  *Deps
	flags *pflag.FlagSet
	plan  planFlags
	// fleetFile, several -n or several -f: the plan of every target (fleet_diff.go).
	fleetFile string
}

// NewCmdDiff builds "diff".
func NewCmdDiff(d *Deps, runF func(context.Context, *diffOptions) error) *cobra.Command {
	o := &diffOptions{deps: d}
	cmd := &cobra.Command{
		Use:   "diff",
		Short: "Show what deploy would change, without changing anything",
		Long: `Diff takes the same flags (or spec file) as deploy and prints the plan: a
unified diff of the task definition (normalised, so that order does not
matter), the service settings that change, and the steps ECS will take for
the desired count and percentages. Plain environment values are masked
unless --show-values. It only reads. With several targets (several -n or -f,
or --fleet) it prints every target's plan, wave by wave.`,
		Example: `  ecsdeploy diff -c prod -n web -i web=registry.example.com/web:1.4.2 -D 4
  ecsdeploy diff -f service.yaml --var Tag=1.4.2 --output json
  ecsdeploy diff --fleet release.yaml --var Tag=1.4.2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			if severalTargets(&o.plan, o.fleetFile) {
				return runDiffFleet(cmd.Context(), o)
			}
			return runDiff(cmd.Context(), o)
		},
	}
	o.flags = cmd.Flags()
	o.plan.register(cmd.Flags())
	cmd.Flags().StringVar(&o.fleetFile, "fleet", "", "show the plan of every target of a fleet file, wave by wave (docs/fleet.md); or give several -n or -f")
	o.plan.now = d.Clock.Now
	return cmd
}

func runDiff(ctx context.Context, o *diffOptions) error {
	r, ps := o.plan.resolve(o.flags)
	if err := ps.Err(); err != nil {
		return err
	}
	clients, err := o.deps.Clients.Clients(ctx)
	if err != nil {
		return err
	}
	plan, err := rollout.MakePlan(ctx, clients.ECS, r.request)
	if err != nil {
		return err
	}
	return printPlan(o.deps, plan, o.plan.showValues)
}
