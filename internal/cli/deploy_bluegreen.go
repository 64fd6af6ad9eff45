package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/bluegreen"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// codeDeployFlags are deploy's flags for a CODE_DEPLOY service.
type codeDeployFlags struct {
	application string
	group       string
	config      string
	hooks       []string
	waitUntil   string
}

func (f *codeDeployFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.application, "codedeploy-application", "", "CodeDeploy application of a CODE_DEPLOY service (default: the one whose deployment group deploys the service)")
	fs.StringVar(&f.group, "codedeploy-deployment-group", "", "CodeDeploy deployment group of a CODE_DEPLOY service (default: the one whose ecsServices name the service)")
	fs.StringVar(&f.config, "deployment-config", "", "CodeDeploy deployment configuration, overriding the group's (CodeDeployDefault.ECSCanary10Percent5Minutes, ...)")
	fs.StringArrayVar(&f.hooks, "hook", nil, "Lambda hook of a CodeDeploy deployment, Event=FunctionNameOrArn (repeatable; events: BeforeInstall, AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic, AfterAllowTraffic)")
	fs.StringVar(&f.waitUntil, "wait-until", "", "for a blue/green deploy, return with success at test-traffic, traffic-shifted or done (default done)")
}

// misplaced lists the flags given that a service deployed with strategy
// cannot take: all of them for a rolling update, all but --wait-until for
// ECS's own blue/green, linear and canary strategies.
func (f *codeDeployFlags) misplaced(fs *pflag.FlagSet, strategy bluegreen.Strategy) []string {
	if strategy == bluegreen.CodeDeploy {
		return nil
	}
	var names []string
	for _, n := range []string{"codedeploy-application", "codedeploy-deployment-group", "deployment-config", "hook", "wait-until"} {
		if n == "wait-until" && strategy != bluegreen.Rolling {
			continue
		}
		if fs.Changed(n) {
			names = append(names, "--"+n)
		}
	}
	return names
}

// parse checks the hooks and --wait-until; problems go to ps.
func (f *codeDeployFlags) parse(ps *exitcode.Problems) ([]bluegreen.Hook, bluegreen.WaitUntil) {
	var hooks []bluegreen.Hook
	for _, s := range f.hooks {
		h, err := bluegreen.ParseHook(s)
		if err != nil {
			ps.Add("--hook", 0, "%q: %v", s, err)
			continue
		}
		hooks = append(hooks, h)
	}
	until, err := bluegreen.ParseWaitUntil(f.waitUntil)
	if err != nil {
		ps.Add("--wait-until", 0, "%v", err)
	}
	return hooks, until
}

// blueGreenReport is deploy --output json for a CODE_DEPLOY service or an
// ECS-native blue/green, linear or canary one.
type blueGreenReport struct {
	Cluster                string `json:"cluster"`
	Service                string `json:"service"`
	TaskDefinition         string `json:"taskDefinition,omitempty"`
	PreviousTaskDefinition string `json:"previousTaskDefinition,omitempty"`
	Registered             bool   `json:"registered"`
	*bluegreen.Result
	// Rollback is what --rollback did after a timeout (deploy_strategy_flags.go).
	Rollback     *bluegreen.Operation `json:"rollback,omitempty"`
	APICalls     map[string]int       `json:"apiCalls,omitempty"`
	APICallTotal int                  `json:"apiCallTotal,omitempty"`
}

// deployCodeDeploy deploys the planned revision to a CODE_DEPLOY service:
// it finds the deployment group and checks the AppSpec before registering
// anything (bad input exits 2 with nothing changed), registers the
// revision, creates the CodeDeploy deployment and follows it.
func deployCodeDeploy(ctx context.Context, o *deployOptions, clients *awsconfig.Clients, plan *rollout.Plan, opts rollout.Options) error {
	d := o.deps
	cluster, service := plan.Request.Cluster, plan.Request.Service
	var ps exitcode.Problems
	hooks, until := o.codeDeploy.parse(&ps)
	for _, c := range plan.SettingChanges {
		if c.Name != "forceNewDeployment" {
			ps.Add(c.Name, 0, "service %s is deployed by CodeDeploy, which takes only a new revision: change %s with UpdateService or the deployment group, not with deploy", service, c.Name)
		}
	}
	refuseRollingOnly(o, opts, &ps)
	// The AppSpec is built once on a placeholder revision so that a bad hook
	// or a service without a load balancer is refused before registering.
	if _, err := bluegreen.NewAppSpec("arn:aws:ecs:placeholder:task-definition/check:1", plan.Service, hooks); err != nil {
		ps.Add("--hook", 0, "%v", err)
	}
	if err := ps.Err(); err != nil {
		return aboutService(err, cluster, service)
	}
	g, err := bluegreen.FindGroup(ctx, clients.CodeDeploy, cluster, service, o.codeDeploy.application, o.codeDeploy.group)
	if err != nil {
		var nf *bluegreen.NotFoundError
		if errors.As(err, &nf) {
			nf.Naming = [2]string{settingOrigin("application").Name(), settingOrigin("deploymentGroup").Name()}
			return aboutService(exitcode.With(exitcode.Invalid, err), cluster, service)
		}
		return aboutService(err, cluster, service)
	}
	reg, timeout, err := registerBlueGreen(ctx, d, clients, plan, &opts)
	if err != nil {
		return aboutService(err, cluster, service)
	}
	res, derr := bluegreen.DeployCodeDeploy(ctx, clients.ECS, clients.CodeDeploy, bluegreen.CodeDeployRequest{
		Cluster: cluster, Service: plan.Service, TaskDefinition: reg.TaskDefinition,
		Application: g.Application, DeploymentGroup: g.Name, Config: o.codeDeploy.config, Hooks: hooks,
		Description: "ecsdeploy deploy of " + shortName(reg.TaskDefinition), NoWait: o.noWait,
	}, bluegreen.FollowOptions{Until: until, Timeout: timeout, Reporter: opts.Reporter, Clock: d.Clock})
	return concludeBlueGreen(ctx, o, clients, plan, reg, res, opts, timeout, func(rollback bool) func(progress.Outcome) string {
		return codeDeployRollbackNote(g, rollback)
	}, derr)
}

// registerBlueGreen registers the revision a blue/green deployment rolls
// out, reporting to d's progress (which it sets in opts), and returns it
// with how long the deployment may take (opts.Timeout, or the default).
func registerBlueGreen(ctx context.Context, d *Deps, clients *awsconfig.Clients, plan *rollout.Plan, opts *rollout.Options) (*rollout.Result, time.Duration, error) {
	opts.Reporter = d.Progress()
	reg, err := rollout.RegisterRevision(ctx, clients.ECS, plan, *opts)
	if err != nil {
		return nil, 0, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = rollout.DefaultTimeout
	}
	return reg, timeout, nil
}

// concludeBlueGreen ends a followed blue/green deployment: it rolls back one
// that timed out (with --rollback), settles the outcome with the note
// rollbackNote gives (told whether a rollback is left to the controller),
// and prints the report.
func concludeBlueGreen(ctx context.Context, o *deployOptions, clients *awsconfig.Clients, plan *rollout.Plan, reg *rollout.Result, res *bluegreen.Result,
	opts rollout.Options, timeout time.Duration, rollbackNote func(rollback bool) func(progress.Outcome) string, derr error) error {
	d := o.deps
	rb := rollbackOnTimeout(ctx, o, clients, reg, res, opts, timeout)
	derr = finishBlueGreen(o, rollbackNote(opts.Rollback && rb == nil), opts, reg, res, clients.Config.Region, derr)
	calls := d.Clients.Calls()
	rep := blueGreenReport{Cluster: plan.Request.Cluster, Service: plan.Request.Service, TaskDefinition: reg.TaskDefinition,
		PreviousTaskDefinition: reg.PreviousTaskDefinition, Registered: reg.Registered,
		Result: res, Rollback: rb, APICalls: calls.Counts(), APICallTotal: calls.Total()}
	return reportBlueGreen(d, rep, derr)
}

// refuseRollingOnly adds a problem when options of rolling deploys only are given.
func refuseRollingOnly(o *deployOptions, opts rollout.Options, ps *exitcode.Problems) {
	if opts.Watch.StableFor > 0 || opts.KeepRevisions > 0 || o.skipDeployment {
		ps.Add("deploy", 0, "--stable-for, --keep-revisions and --skip-deployments-check are for rolling deploys; a blue/green deployment ends by its own configuration (the group's termination wait)")
	}
}

// reportBlueGreen prints the report and returns the exit code's error.
func reportBlueGreen(d *Deps, rep blueGreenReport, derr error) error {
	res := rep.Result
	if derr != nil {
		if res.Outcome == "" {
			res.Outcome, res.Reason = progress.Failed, derr.Error()
		}
		if err := d.Render(rep, func(w io.Writer) { printCodeDeployResult(d, &rep) }); err != nil {
			return err
		}
		return Silent(derr)
	}
	if err := d.Render(rep, func(w io.Writer) { printCodeDeployResult(d, &rep) }); err != nil {
		return err
	}
	switch res.Outcome {
	case progress.Succeeded, bluegreen.Created:
		return nil
	case progress.TimedOut:
		return Silent(exitcode.TimedOutf("deployment %s timed out: %s", res.DeploymentID, res.Reason))
	default:
		return Silent(exitcode.Failedf("deployment %s failed: %s", res.DeploymentID, res.Reason))
	}
}

func printCodeDeployResult(d *Deps, rep *blueGreenReport) {
	res := rep.Result
	if res.Strategy == bluegreen.CodeDeploy {
		fmt.Fprintf(d.IO.Out, "%s: service %s in %s, %s (CodeDeploy deployment %s in %s/%s): %s\n",
			res.Outcome, rep.Service, rep.Cluster, shortName(rep.TaskDefinition), orDash(res.DeploymentID),
			orDash(res.Application), orDash(res.DeploymentGroup), res.Reason)
	} else {
		fmt.Fprintf(d.IO.Out, "%s: service %s in %s, %s (%s service deployment %s): %s\n",
			res.Outcome, rep.Service, rep.Cluster, shortName(rep.TaskDefinition), res.Strategy, shortName(orDash(res.DeploymentID)), res.Reason)
	}
	if res.Remaining != "" {
		fmt.Fprintf(d.IO.ErrOut, "  still to come: %s\n", res.Remaining)
	}
	if res.PrimaryTaskDefinition != "" {
		fmt.Fprintf(d.IO.ErrOut, "  PRIMARY task set runs %s\n", shortName(res.PrimaryTaskDefinition))
	}
	printTimeoutRollback(d, rep.Rollback)
	if res.Traffic != "" {
		fmt.Fprintf(d.IO.ErrOut, "  production traffic: %s\n", res.Traffic)
	}
	if res.Failure != nil {
		for _, l := range res.Failure.Lines() {
			fmt.Fprintf(d.IO.ErrOut, "  %s\n", l)
		}
	}
}

// deployNative deploys the planned revision to a service on ECS's own
// BLUE_GREEN, LINEAR or CANARY strategy: it registers the revision, updates
// the service with the planned changes and follows the service deployment
// stage by stage.
//
// The strategy's settings (deploy's --strategy flags) are part of the
// planned update (deploy_strategy_flags.go).
func deployNative(ctx context.Context, o *deployOptions, clients *awsconfig.Clients, plan *rollout.Plan, opts rollout.Options) error {
	d := o.deps
	cluster, service := plan.Request.Cluster, plan.Request.Service
	var ps exitcode.Problems
	_, until := o.codeDeploy.parse(&ps)
	strategy := refuseNative(o, plan, opts, &ps)
	if err := ps.Err(); err != nil {
		return aboutService(err, cluster, service)
	}
	reg, timeout, err := registerBlueGreen(ctx, d, clients, plan, &opts)
	if err != nil {
		return aboutService(err, cluster, service)
	}
	in := *plan.Update
	in.TaskDefinition = aws.String(reg.TaskDefinition)
	res, derr := bluegreen.DeployNative(ctx, clients.ECS, bluegreen.NativeRequest{
		Cluster: cluster, Service: service, TaskDefinition: reg.TaskDefinition, Update: &in, NoWait: o.noWait,
	}, bluegreen.FollowOptions{Until: until, Timeout: timeout, Reporter: opts.Reporter, Clock: d.Clock})
	return concludeBlueGreen(ctx, o, clients, plan, reg, res, opts, timeout, func(rollback bool) func(progress.Outcome) string {
		return nativeRollbackNote(strategy, rollback)
	}, derr)
}
