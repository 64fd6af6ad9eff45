package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/cobra"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/internal/failure"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/spec"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

func init() { register(newScaleCommand) }

type scaleOptions struct {
	cluster string
	service string
	target  planFlags // the spec file, variables, --cluster and --service, as deploy takes them
	timeout string
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

func newScaleCommand(g *Globals) *cobra.Command {
	o := &scaleOptions{}
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
			t, ps := resolveTarget(cmd, &o.target)
			count, err := parseCount(args[0])
			ps.Extend(err)
			if err := ps.Err(); err != nil {
				return err
			}
			o.cluster, o.service = t.Cluster, t.Service
			return runScale(cmd.Context(), g, o, count)
		},
	}
	addDeployFlags(cmd, &o.target, targetFlagNames, map[string]string{
		"file":    "deploy spec file (YAML) naming the cluster and service; flags override it",
		"cluster": "cluster of the service (default \"default\")",
		"service": "service to scale (required, here or in the spec file)",
	})
	f := cmd.Flags()
	f.StringVarP(&o.timeout, "timeout", "t", "", "how long to wait for the service to reach the count (10m, 90s; a bare number is seconds; default 10m)")
	f.BoolVar(&o.noWait, "no-wait", false, "return once the desired count is set")
	o.wait.register(cmd)
	// "scale -1" reaches cobra as an unknown shorthand flag; say what is wrong instead.
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		const prefix = "unknown shorthand flag: '"
		if msg := err.Error(); strings.HasPrefix(msg, prefix) && len(msg) > len(prefix) && msg[len(prefix)] >= '0' && msg[len(prefix)] <= '9' {
			return failure.Invalidf("COUNT must be 0 or more (a negative number was given)")
		}
		return failure.WithCode(failure.CodeInvalid, err)
	})
	return reportErrorsAsJSON(g, cmd)
}

func parseCount(s string) (int32, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return 0, failure.Invalidf("COUNT %q is not a whole number", s)
	}
	if n < 0 {
		return 0, failure.Invalidf("COUNT must be 0 or more, not %d", n)
	}
	return int32(n), nil
}

func runScale(ctx context.Context, g *Globals, o *scaleOptions, count int32) error {
	var ps failure.Problems
	if strings.TrimSpace(o.service) == "" {
		ps.Add("--service", 0, "name the service to scale (--service, or service: in the spec file)")
	}
	if strings.TrimSpace(o.cluster) == "" {
		ps.Add("--cluster", 0, "name the cluster")
	}
	timeout := rollout.DefaultTimeout
	if o.timeout != "" {
		d, err := spec.ParseDuration(o.timeout)
		switch {
		case err != nil:
			ps.Add("--timeout", 0, "%v", err)
		case d.Std() <= 0:
			ps.Add("--timeout", 0, "must be more than zero")
		default:
			timeout = d.Std()
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}
	if g.AWS.Calls == nil {
		g.AWS.Calls = &awsconfig.CallCounter{}
	}
	clients, err := g.Clients(ctx)
	if err != nil {
		return err
	}
	res, err := scaleService(ctx, clients.ECS, o, count, timeout, reporterFor(g))
	if res != nil {
		res.APICalls = g.AWS.Calls.Counts()
		printScaleResult(g, res)
		if err != nil && res.Outcome != "" {
			return Silent(err)
		}
	}
	return err
}

// scaleService sets the count and waits. The result is returned with the
// error once the update was made.
func scaleService(ctx context.Context, api scaleAPI, o *scaleOptions, count int32, timeout time.Duration, rep progress.Reporter) (*scaleResult, error) {
	before, err := describeOneService(ctx, api, o.cluster, o.service)
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
	rep.Report(progress.Step{At: time.Now(), Message: fmt.Sprintf("desired count of %s: %d → %d", res.Service, before.DesiredCount, count)})
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
	wopts := o.wait.options()
	wopts.Timeout, wopts.Reporter = timeout, rep
	started := time.Now()
	wr, err := watch.Wait(ctx, api, watch.Target{Cluster: o.cluster, Service: o.service, DeploymentID: res.DeploymentID,
		Since: afterNewestEvent(svc)}, wopts)
	if err != nil {
		return res, err
	}
	res.Outcome, res.Reason, res.Failure = wr.Outcome, wr.Reason, wr.Diagnosis
	if wr.Outcome == progress.Succeeded {
		// The watcher counts running >= desired as done, which a scale-in
		// reaches before the surplus tasks are gone; wait for them too.
		if err := waitForScaleIn(ctx, api, o, count, timeout-time.Since(started), wopts.Interval, res); err != nil {
			return res, err
		}
	}
	switch res.Outcome {
	case progress.Succeeded:
		return res, nil
	case progress.TimedOut:
		return res, failure.TimedOutf("%s", res.Reason)
	}
	return res, failure.Failedf("%s", res.Reason)
}

// waitForScaleIn polls until the service runs no more than count tasks.
func waitForScaleIn(ctx context.Context, api scaleAPI, o *scaleOptions, count int32, left, interval time.Duration, res *scaleResult) error {
	if interval <= 0 {
		interval = time.Second
	}
	deadline := time.Now().Add(left)
	for {
		svc, err := describeOneService(ctx, api, o.cluster, o.service)
		if err != nil {
			return err
		}
		res.RunningCount = svc.RunningCount
		if svc.RunningCount <= count {
			res.Reason = fmt.Sprintf("%d of %d tasks running", svc.RunningCount, count)
			return nil
		}
		if time.Now().After(deadline) {
			res.Outcome = progress.TimedOut
			res.Reason = fmt.Sprintf("still %d tasks running, %d wanted", svc.RunningCount, count)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
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

func printScaleResult(g *Globals, res *scaleResult) {
	if g.JSON() {
		enc := json.NewEncoder(g.Streams.Out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
		return
	}
	fmt.Fprintf(g.Streams.Out, "%s: service %s in %s scaled %d → %d: %s\n",
		res.Outcome, res.Service, res.Cluster, res.PreviousCount, res.DesiredCount, res.Reason)
	if res.Failure != nil {
		printDiagnosis(g.Streams.ErrOut, res.Failure)
	}
}
