package cli

import (
	"github.com/spf13/cobra"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

func init() { register(newDiffCommand) }

func newDiffCommand(g *Globals) *cobra.Command {
	f := &planFlags{}
	cmd := &cobra.Command{
		Use:   "diff",
		Short: "Show what deploy would change, without changing anything",
		Long: `Diff takes the same flags (or spec file) as deploy and prints the plan: a
unified diff of the task definition (normalised, so that order does not
matter), the service settings that change, and the steps ECS will take for
the desired count and percentages. Plain environment values are masked
unless --show-values. It only reads.`,
		Example: `  ecsdeploy diff -c prod -n web -i web=registry.example.com/web:1.4.2 -D 4
  ecsdeploy diff -f service.yaml --var Tag=1.4.2 --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, ps := f.resolve(cmd)
			if err := ps.Err(); err != nil {
				return err
			}
			g.AWS.Calls = &awsconfig.CallCounter{}
			clients, err := g.Clients(cmd.Context())
			if err != nil {
				return err
			}
			plan, err := rollout.MakePlan(cmd.Context(), clients.ECS, r.request)
			if err != nil {
				return err
			}
			return printPlan(g, plan, f.showValues)
		},
	}
	f.register(cmd.Flags())
	return cmd
}
