package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ecsdeploy/ecsdeploy/bluegreen"
)

type abortOptions struct {
	deps   *Deps
	target operateFlags
}

// NewCmdAbort builds "abort".
func NewCmdAbort(d *Deps, runF func(context.Context, *abortOptions) error) *cobra.Command {
	o := &abortOptions{deps: d}
	cmd := runs(&cobra.Command{
		Use:   "abort",
		Short: "Stop a blue/green deployment where it stands, without rolling back",
		Long: `Abort stops the deployment in progress of a blue/green service without
rolling it back, where the controller allows it: CodeDeploy's StopDeployment
with autoRollbackEnabled false, ECS's StopServiceDeployment ABORT. It waits
until the deployment is stopped and says what that leaves: where production
traffic goes and which task sets or deployments still run. Nothing is
removed: the next deploy or rollback starts from there.

ECS stops a rolling deployment only by rolling it back, so abort refuses a
rolling service (exit 2) and names rollback instead.`,
		Example: `  ecsdeploy abort -c prod -n web`,
		Args:    cobra.NoArgs,
	}, o, runF, runAbort)
	o.target.register(cmd, "return once the controller has the stop request")
	return cmd
}

func runAbort(ctx context.Context, o *abortOptions) error {
	return runOperation(ctx, o.deps, "abort", &o.target, nil, bluegreen.Abort)
}
