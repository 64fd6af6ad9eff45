package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/bluegreen"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/spec"
)

// What promote, abort and rollback share on a blue/green service: the
// flags naming the service and its CodeDeploy group, the report and how it
// is printed.

// operateFlags name the service an operator command acts on.
type operateFlags struct {
	cluster, service string
	application      string
	group            string
	timeout          durationFlag
	noWait           bool
}

func (f *operateFlags) register(cmd *cobra.Command, noWaitUsage string) {
	fs := cmd.Flags()
	fs.StringVarP(&f.cluster, "cluster", "c", spec.DefaultCluster, "cluster name")
	fs.StringVarP(&f.service, "service", "n", "", "service name")
	f.registerGroup(cmd)
	durationVarP(fs, &f.timeout, "timeout", "t", rollout.DefaultTimeout, "how long to wait (10m, 90s; a bare number is seconds)")
	fs.BoolVar(&f.noWait, "no-wait", false, noWaitUsage)
}

// registerGroup adds --codedeploy-application and --codedeploy-deployment-group.
func (f *operateFlags) registerGroup(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.application, "codedeploy-application", "", "CodeDeploy application of a CODE_DEPLOY service (default: the one whose deployment group deploys the service)")
	fs.StringVar(&f.group, "codedeploy-deployment-group", "", "CodeDeploy deployment group of a CODE_DEPLOY service (default: the one whose ecsServices name the service)")
}

// check adds the problems of the flags to ps and returns the request.
func (f *operateFlags) check(ps *exitcode.Problems) bluegreen.Request {
	requireService(f.cluster, f.service, ps)
	return bluegreen.Request{Cluster: f.cluster, Service: f.service, Application: f.application, DeploymentGroup: f.group, NoWait: f.noWait,
		Origins: settingOrigins(nil, "noWait", "application", "deploymentGroup")}
}

// runOperation checks the flags (and those check adds), then makes the
// one engine call of promote or abort and reports it.
func runOperation(ctx context.Context, d *Deps, command string, f *operateFlags, check func(*exitcode.Problems),
	call func(context.Context, bluegreen.APIs, bluegreen.Request, bluegreen.FollowOptions) (*bluegreen.Operation, error)) error {
	var ps exitcode.Problems
	req := f.check(&ps)
	if check != nil {
		check(&ps)
	}
	timeout := f.timeout.value("timeout", nil, &ps)
	if err := ps.Err(); err != nil {
		return err
	}
	clients, err := d.Clients.Clients(ctx)
	if err != nil {
		return err
	}
	op, err := call(ctx, blueGreenAPIs(clients), req, bluegreen.FollowOptions{Timeout: timeout, Reporter: d.Progress(), Clock: d.Clock})
	return reportOperation(d, command, req, op, err)
}

// blueGreenAPIs are the clients of the operator commands and status.
func blueGreenAPIs(c *awsconfig.Clients) bluegreen.APIs {
	return bluegreen.APIs{ECS: c.ECS, CodeDeploy: c.CodeDeploy, ELB: c.ELBv2}
}

// operationReport is what promote, abort and a blue/green rollback print
// with --output json.
type operationReport struct {
	Command string `json:"command"`
	Cluster string `json:"cluster"`
	Service string `json:"service"`
	*bluegreen.Operation
	APICalls     map[string]int `json:"apiCalls,omitempty"`
	APICallTotal int            `json:"apiCallTotal,omitempty"`
}

// reportOperation prints the report of an operation and returns the exit
// code's error. An operation that stopped before it had an outcome (bad
// input, an AWS error) is reported by the caller as an error.
func reportOperation(d *Deps, command string, req bluegreen.Request, op *bluegreen.Operation, err error) error {
	if op == nil || op.Outcome == "" {
		return aboutService(err, req.Cluster, req.Service)
	}
	calls := d.Clients.Calls()
	rep := operationReport{Command: command, Cluster: req.Cluster, Service: req.Service, Operation: op, APICalls: calls.Counts(), APICallTotal: calls.Total()}
	if rerr := d.Render(rep, func(out io.Writer) { printOperation(d, out, &rep) }); rerr != nil {
		return rerr
	}
	if err != nil {
		return Silent(err)
	}
	switch op.Outcome {
	case progress.Succeeded:
		return nil
	case progress.TimedOut:
		return Silent(exitcode.TimedOutf("%s of service %s timed out: %s", command, req.Service, op.Reason))
	default:
		return Silent(exitcode.Failedf("%s of service %s failed: %s", command, req.Service, op.Reason))
	}
}

func printOperation(d *Deps, out io.Writer, rep *operationReport) {
	op := rep.Operation
	what := op.DeploymentID
	if op.Strategy == bluegreen.CodeDeploy {
		what = fmt.Sprintf("CodeDeploy deployment %s in %s/%s", orDash(op.DeploymentID), orDash(op.Application), orDash(op.DeploymentGroup))
	} else if what != "" {
		what = fmt.Sprintf("%s service deployment %s", op.Strategy, shortName(what))
	}
	fmt.Fprintf(out, "%s: %s of service %s in %s (%s; %s): %s\n", op.Outcome, rep.Command, rep.Service, rep.Cluster, orDash(what), op.Action, op.Reason)
	if op.Remaining != "" {
		fmt.Fprintf(d.IO.ErrOut, "  still to come: %s\n", op.Remaining)
	}
	if p := op.State.Production(); p != "" {
		fmt.Fprintf(d.IO.ErrOut, "  production traffic: %s\n", p)
	}
	if op.PrimaryTaskDefinition != "" {
		fmt.Fprintf(d.IO.ErrOut, "  production is served by %s\n", shortName(op.PrimaryTaskDefinition))
	}
}

// renderBlueGreen writes the blue/green part of status.
func renderBlueGreen(b *strings.Builder, st *bluegreen.State) {
	if st == nil {
		return
	}
	fmt.Fprintf(b, "blue/green (%s):\n", st.Strategy)
	if cd := st.CodeDeploy; cd != nil {
		fmt.Fprintf(b, "  CodeDeploy group %s/%s", orDash(cd.Application), orDash(cd.DeploymentGroup))
		if cd.DeploymentID != "" {
			fmt.Fprintf(b, ", deployment %s: %s", cd.DeploymentID, cd.Status)
		} else {
			b.WriteString(": no deployment yet")
		}
		b.WriteString("\n")
		if cd.Event != "" {
			fmt.Fprintf(b, "  lifecycle event: %s %s\n", cd.Event, cd.EventStatus)
		}
		switch {
		case cd.Status == "Ready":
			b.WriteString("  waiting for production traffic: `ecsdeploy promote` continues it\n")
		case cd.TerminationWait:
			b.WriteString("  termination wait: the original task set is removed when it ends (`ecsdeploy promote` ends it now)\n")
		}
		if cd.Rollback != "" {
			fmt.Fprintf(b, "  rolled back by deployment %s\n", cd.Rollback)
		}
	}
	if n := st.Native; n != nil {
		fmt.Fprintf(b, "  service deployment %s: %s", shortName(n.ARN), n.Status)
		if n.Stage != "" {
			fmt.Fprintf(b, ", stage %s", n.Stage)
		}
		b.WriteString("\n")
		if n.StatusReason != "" {
			fmt.Fprintf(b, "    %s\n", n.StatusReason)
		}
		if len(n.PausedHooks) > 0 {
			fmt.Fprintf(b, "  paused (hook %s): `ecsdeploy promote` resumes it\n", strings.Join(n.PausedHooks, ", "))
		}
	}
	if len(st.TaskSets) > 0 {
		b.WriteString("  task sets:\n")
		for _, ts := range st.TaskSets {
			fmt.Fprintf(b, "    %-7s %s %s on %s: %d running, %d pending of %d, scale %s%%, %s\n", ts.Status, ts.ID,
				shortTaskDef(ts.TaskDefinition), orDash(ts.TargetGroup), ts.Running, ts.Pending, ts.Desired,
				strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", ts.ScalePercent), "0"), "."), ts.Stability)
		}
	}
	if len(st.Traffic) > 0 {
		b.WriteString("  traffic:\n")
		for _, r := range st.Traffic {
			fmt.Fprintf(b, "    %s %s: %s\n", r.Role, r.Name, r.WeightsText())
		}
	}
	if len(st.TargetGroups) > 0 {
		b.WriteString("  target groups:\n")
		for _, tg := range st.TargetGroups {
			fmt.Fprintf(b, "    %s: %d healthy, %d unhealthy, %d initial, %d draining", tg.Name, tg.Healthy, tg.Unhealthy, tg.Initial, tg.Draining)
			if tg.Other > 0 {
				fmt.Fprintf(b, ", %d other", tg.Other)
			}
			b.WriteString("\n")
		}
	}
	for _, p := range st.Problems {
		fmt.Fprintf(b, "  could not read: %s\n", p)
	}
}
