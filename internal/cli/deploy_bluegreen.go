package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

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
	stringArrayVar(fs, &f.hooks, "hook", "Lambda hook of a CodeDeploy deployment, Event=FunctionNameOrArn (repeatable; events: BeforeInstall, AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic, AfterAllowTraffic)")
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

// deployBlueGreen deploys the plan through the service's blue/green
// controller (bluegreen.DeployPlan: CodeDeploy, or ECS's blue/green, linear
// and canary strategies), says what --rollback meant there, writes the CI
// outputs and prints the report. Bad input exits 2 with nothing changed.
func deployBlueGreen(ctx context.Context, o *deployOptions, clients *awsconfig.Clients, plan *rollout.Plan, opts rollout.Options, origins exitcode.Origins) error {
	d := o.deps
	cluster, service := plan.Request.Cluster, plan.Request.Service
	var ps exitcode.Problems
	hooks, until := o.codeDeploy.parse(&ps)
	if err := ps.Err(); err != nil {
		return aboutService(err, cluster, service)
	}
	opts.Reporter = d.Progress()
	apis := bluegreen.DeployAPIs{ECS: clients.ECS, CodeDeploy: clients.CodeDeploy, ELB: clients.ELBv2}
	out, derr := bluegreen.DeployPlan(ctx, apis, bluegreen.PlanRequest{Plan: plan, Application: o.codeDeploy.application,
		DeploymentGroup: o.codeDeploy.group, Config: o.codeDeploy.config, Hooks: hooks, Until: until, Origins: origins}, opts)
	if out.Result == nil {
		var nf *bluegreen.NotFoundError
		if errors.As(derr, &nf) {
			nf.Naming = [2]string{settingOrigin("application").Name(), settingOrigin("deploymentGroup").Name()}
			derr = exitcode.With(exitcode.Invalid, derr)
		}
		return aboutService(derr, cluster, service)
	}
	note := nativeRollbackNote(out.Strategy, opts.Rollback && out.Rollback == nil)
	if out.Strategy == bluegreen.CodeDeploy {
		note = codeDeployRollbackNote(out.Group, opts.Rollback && out.Rollback == nil)
	}
	derr = finishBlueGreen(o, note, opts, out.Registered, out.Result, clients.Config.Region, derr)
	calls := d.Clients.Calls()
	reg := out.Registered
	rep := blueGreenReport{Cluster: cluster, Service: service, TaskDefinition: reg.TaskDefinition,
		PreviousTaskDefinition: reg.PreviousTaskDefinition, Registered: reg.Registered,
		Result: out.Result, Rollback: out.Rollback, APICalls: calls.Counts(), APICallTotal: calls.Total()}
	return reportBlueGreen(d, rep, derr)
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
