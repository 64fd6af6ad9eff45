package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

type scaleOptions struct {
	deps    *Deps
	flags   *pflag.FlagSet
	cluster string
	service string
	count   int32
	target  planFlags // the spec file, variables, --cluster and --service, as deploy takes them
	timeout durationFlag
	noWait  bool
	wait    waitFlags
}

// NewCmdScale builds "scale".
func NewCmdScale(d *Deps, runF func(context.Context, *scaleOptions) error) *cobra.Command {
	o := &scaleOptions{deps: d}
	cmd := &cobra.Command{
		Use:   "scale COUNT",
		Short: "Set a service's desired count and wait until it runs that many tasks",
		Long: `Scale updates the service's desired count and follows it with the same
watcher as deploy: it succeeds when the service's current deployment runs
exactly COUNT tasks, and fails if tasks keep failing to start or cannot be
placed. Changing the desired count does not start a new deployment in ECS;
scale follows the deployment that is PRIMARY after the update.`,
		Example: `  ecsdeploy scale 4 --cluster prod --service web
  ecsdeploy scale 0 -c staging -n worker --timeout 5m
  ecsdeploy scale 6 -f deploy.yaml --var Env=prod`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, ps := resolveTarget(o.flags, &o.target)
			count, err := parseCount(args[0])
			ps.Extend(err)
			if err := ps.Err(); err != nil {
				return err
			}
			o.cluster, o.service, o.count = t.Cluster, t.Service, count
			return dispatch(cmd.Context(), o, runF, runScale)
		},
	}
	o.flags = addServiceFlags(cmd, d, &o.target, "service to scale (required, here or in the spec file)")
	f := o.flags
	durationVarP(f, &o.timeout, "timeout", "t", rollout.DefaultTimeout, "how long to wait for the service to reach the count (10m, 90s; a bare number is seconds)")
	f.BoolVar(&o.noWait, "no-wait", false, "return once the desired count is set")
	o.wait.register(cmd)
	// "scale -1" reaches cobra as an unknown shorthand flag; say what is wrong instead.
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		const prefix = "unknown shorthand flag: '"
		if msg := err.Error(); strings.HasPrefix(msg, prefix) && len(msg) > len(prefix) && msg[len(prefix)] >= '0' && msg[len(prefix)] <= '9' {
			return exitcode.Invalidf("COUNT must be 0 or more (a negative number was given)")
		}
		return exitcode.With(exitcode.Invalid, err)
	})
	return cmd
}

func parseCount(s string) (int32, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return 0, exitcode.Invalidf("COUNT %q is not a whole number", s)
	}
	if n < 0 {
		return 0, exitcode.Invalidf("COUNT must be 0 or more, not %d", n)
	}
	return int32(n), nil
}

func runScale(ctx context.Context, o *scaleOptions) error {
	d := o.deps
	var ps exitcode.Problems
	requireService(o.cluster, o.service, &ps)
	wopts := o.wait.within(&o.timeout, d.Clock, &ps)
	clients, err := d.checkedClients(ctx, ps)
	if err != nil {
		return err
	}
	wopts.Reporter = d.Progress()
	res, err := rollout.Scale(ctx, clients.ECS, rollout.ScaleRequest{Cluster: o.cluster, Service: o.service, Count: o.count},
		rollout.ScaleOptions{NoWait: o.noWait, Watch: wopts})
	if res == nil {
		return err
	}
	rep := scaleReport{ScaleResult: res, APICalls: d.Clients.Calls().Counts()}
	if rerr := d.Render(rep, func(out io.Writer) { printScaleResult(d, res) }); rerr != nil {
		return rerr
	}
	if err != nil && res.Outcome != "" {
		return Silent(err)
	}
	return reported(err)
}

// scaleReport is what scale --output json prints.
type scaleReport struct {
	*rollout.ScaleResult
	APICalls map[string]int `json:"apiCalls,omitempty"`
}

func printScaleResult(d *Deps, res *rollout.ScaleResult) {
	fmt.Fprintf(d.IO.Out, "%s: service %s in %s scaled %d → %d: %s\n",
		res.Outcome, res.Service, res.Cluster, res.PreviousCount, res.DesiredCount, res.Reason)
	if res.Failure != nil {
		printDiagnosis(d.IO.ErrOut, res.Failure)
	}
}
