package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ecsdeploy/ecsdeploy/bluegreen"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

type promoteOptions struct {
	deps      *Deps
	target    operateFlags
	waitUntil string
}

// NewCmdPromote builds "promote".
func NewCmdPromote(d *Deps, runF func(context.Context, *promoteOptions) error) *cobra.Command {
	o := &promoteOptions{deps: d}
	cmd := runs(&cobra.Command{
		Use:   "promote",
		Short: "Continue a blue/green deployment waiting for an operator, and follow it",
		Long: `Promote continues the deployment in progress of a blue/green service where it
waits for someone: a CodeDeploy deployment Ready for production traffic
(ContinueDeployment READY_WAIT) or in its termination wait (TERMINATION_WAIT:
the original task set is removed now), or an ECS blue/green, linear or
canary service deployment paused at a PAUSE lifecycle hook
(ContinueServiceDeployment). It then follows the deployment like deploy
does, with the same progress, verdict, exit codes and JSON report.
Nothing waiting is invalid input (exit 2), naming the state the service is in.`,
		Example: `  ecsdeploy deploy -c prod -n web -i app=web:2 --wait-until test-traffic
  ecsdeploy promote -c prod -n web
  ecsdeploy promote -c prod -n web --wait-until traffic-shifted`,
		Args: cobra.NoArgs,
	}, o, runF, runPromote)
	o.target.register(cmd, "return once the controller has the request")
	cmd.Flags().StringVar(&o.waitUntil, "wait-until", "", "return with success at test-traffic, traffic-shifted or done (default done)")
	return cmd
}

func runPromote(ctx context.Context, o *promoteOptions) error {
	var until bluegreen.WaitUntil
	return runOperation(ctx, o.deps, "promote", &o.target, func(ps *exitcode.Problems) {
		var err error
		if until, err = bluegreen.ParseWaitUntil(o.waitUntil); err != nil {
			ps.Add("--wait-until", 0, "%v", err)
		}
	}, func(ctx context.Context, apis bluegreen.APIs, req bluegreen.Request, fo bluegreen.FollowOptions) (*bluegreen.Operation, error) {
		fo.Until = until
		return bluegreen.Promote(ctx, apis, req, fo)
	})
}
