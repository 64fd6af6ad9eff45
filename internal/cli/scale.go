package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/watch"
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

// scaleAPI is what scaling needs: the watcher's reads and UpdateService.
type scaleAPI interface {
	watch.ECSAPI
	UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, optFns ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
}

// scaleResult is the report of a scale (what --output json prints).
type scaleResult struct {
	Cluster       string           `json:"cluster"`
	Service       string           `json:"service"`
	PreviousCount int32            `json:"previousDesiredCount"`
	DesiredCount  int32            `json:"desiredCount"`
	RunningCount  int32            `json:"runningCount"`
	DeploymentID  string           `json:"deploymentId,omitempty"`
	Outcome       progress.Outcome `json:"outcome"`
	Reason        string           `json:"reason,omitempty"`
	Failure       *watch.Diagnosis `json:"failure,omitempty"`
	APICalls      map[string]int   `json:"apiCalls,omitempty"`
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
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runScale(cmd.Context(), o)
		},
	}
	o.flags = cmd.Flags()
	addDeployFlags(cmd, &o.target, targetFlagNames, map[string]string{
		"file":    "deploy spec file (YAML) naming the cluster and service; flags override it",
		"cluster": "cluster of the service (default \"default\")",
		"service": "service to scale (required, here or in the spec file)",
	})
	f := cmd.Flags()
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
	if strings.TrimSpace(o.service) == "" {
		ps.Add("--service", 0, "name the service to scale (--service, or service: in the spec file)")
	}
	if strings.TrimSpace(o.cluster) == "" {
		ps.Add("--cluster", 0, "name the cluster")
	}
	wopts := o.wait.options(&ps)
	wopts.Timeout = o.timeout.value("timeout", nil, &ps)
	if err := ps.Err(); err != nil {
		return err
	}
	clients, err := d.Clients.Clients(ctx)
	if err != nil {
		return err
	}
	wopts.Reporter = d.Progress()
	res, err := scaleService(ctx, d.Clock, clients.ECS, o, wopts)
	if res == nil {
		return err
	}
	res.APICalls = d.Clients.Calls().Counts()
	if rerr := d.Render(res, func(out io.Writer) { printScaleResult(d, res) }); rerr != nil {
		return rerr
	}
	if err != nil && res.Outcome != "" {
		return Silent(err)
	}
	return reported(err)
}

// scaleService sets the count and waits. The result is returned with the
// error once the update was made.
func scaleService(ctx context.Context, clock watch.Clock, api scaleAPI, o *scaleOptions, wopts watch.Options) (*scaleResult, error) {
	count, rep := o.count, wopts.Reporter
	before, err := rollout.DescribeService(ctx, api, o.cluster, o.service)
	if err != nil {
		return nil, err
	}
	out, err := api.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster: aws.String(o.cluster), Service: aws.String(o.service), DesiredCount: aws.Int32(count),
	})
	if err != nil {
		return nil, fmt.Errorf("update the desired count of %s: %w", o.service, err)
	}
	svc := *out.Service
	res := &scaleResult{Cluster: o.cluster, Service: aws.ToString(svc.ServiceName),
		PreviousCount: before.DesiredCount, DesiredCount: count, RunningCount: svc.RunningCount}
	rep.Report(progress.Step{At: clock.Now(), Message: fmt.Sprintf("desired count of %s: %d → %d", res.Service, before.DesiredCount, count)})
	primary := primaryDeployment(svc)
	if primary != nil {
		res.DeploymentID = aws.ToString(primary.Id)
	}
	if o.noWait {
		res.Outcome, res.Reason = rollout.Updated, "the desired count is set; not waiting"
		return res, nil
	}
	if primary == nil {
		// No ECS deployments (an external or CodeDeploy controller): nothing for the watcher to follow.
		res.Outcome, res.Reason = rollout.Updated, "the service has no ECS deployment to follow; not waiting"
		return res, nil
	}
	started := clock.Now()
	wr, err := watch.Wait(ctx, api, watch.Target{Cluster: o.cluster, Service: o.service, DeploymentID: res.DeploymentID,
		Since: afterNewestEvent(svc)}, wopts)
	if err != nil {
		return res, err
	}
	res.Outcome, res.Reason, res.Failure = wr.Outcome, wr.Reason, wr.Diagnosis
	if wr.Outcome == progress.Succeeded {
		// The watcher counts running >= desired as done, which a scale-in
		// reaches before the surplus tasks are gone; wait for them too.
		if err := waitForScaleIn(ctx, clock, api, o, wopts.Timeout-clock.Now().Sub(started), wopts.Interval, res); err != nil {
			return res, err
		}
	}
	switch res.Outcome {
	case progress.Succeeded:
		return res, nil
	case progress.TimedOut:
		return res, exitcode.TimedOutf("%s", res.Reason)
	}
	return res, exitcode.Failedf("%s", res.Reason)
}

// waitForScaleIn polls until the service runs no more than count tasks.
func waitForScaleIn(ctx context.Context, clock watch.Clock, api scaleAPI, o *scaleOptions, left, interval time.Duration, res *scaleResult) error {
	count := o.count
	if interval <= 0 {
		interval = time.Second
	}
	deadline := clock.Now().Add(left)
	for {
		svc, err := rollout.DescribeService(ctx, api, o.cluster, o.service)
		if err != nil {
			return err
		}
		res.RunningCount = svc.RunningCount
		if svc.RunningCount <= count {
			res.Reason = fmt.Sprintf("%d of %d tasks running", svc.RunningCount, count)
			return nil
		}
		if clock.Now().After(deadline) {
			res.Outcome = progress.TimedOut
			res.Reason = fmt.Sprintf("still %d tasks running, %d wanted", svc.RunningCount, count)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-clock.After(interval):
		}
	}
}

// afterNewestEvent is just after the service's newest event, in ECS's clock:
// the events of this scale begin there. Zero (no events yet) lets the
// watcher take the deployment's start.
func afterNewestEvent(svc types.Service) time.Time {
	var newest time.Time
	for _, e := range svc.Events {
		if e.CreatedAt != nil && e.CreatedAt.After(newest) {
			newest = *e.CreatedAt
		}
	}
	if newest.IsZero() {
		return newest
	}
	return newest.Add(time.Millisecond)
}

func primaryDeployment(svc types.Service) *types.Deployment {
	for i := range svc.Deployments {
		if aws.ToString(svc.Deployments[i].Status) == "PRIMARY" {
			return &svc.Deployments[i]
		}
	}
	return nil
}

func printScaleResult(d *Deps, res *scaleResult) {
	fmt.Fprintf(d.IO.Out, "%s: service %s in %s scaled %d → %d: %s\n",
		res.Outcome, res.Service, res.Cluster, res.PreviousCount, res.DesiredCount, res.Reason)
	if res.Failure != nil {
		printDiagnosis(d.IO.ErrOut, res.Failure)
	}
}
