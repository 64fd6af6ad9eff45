package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/runtask"
)

// runDefaultTimeout is how long run waits for its tasks by default.
const runDefaultTimeout = 10 * time.Minute

// maxRunCount is the most tasks one RunTask call starts.
const maxRunCount = 10

type runOptions struct {
	deps         *Deps
	flags        *pflag.FlagSet
	rev          revisionFlags
	count        int
	commands     []string
	exitCodeFrom string
	launchType   string
	providers    []string
	startedBy    string
	timeout      durationFlag
	noWait       bool
	logs         bool
	pollInterval durationFlag
}

// runFlagNames are deploy's flags that run takes: the revision flags plus
// the network and platform settings, which here apply to the task.
var runFlagNames = append(append([]string{}, revisionFlagNames...),
	"subnets", "security-groups", "assign-public-ip", "platform-version")

// NewCmdRun builds "run".
func NewCmdRun(d *Deps, runF func(context.Context, *runOptions) error) *cobra.Command {
	o := &runOptions{deps: d}
	cmd := runs(&cobra.Command{
		Use:   "run",
		Short: "Run a one-off task (a migration, a batch job), wait for it and exit with its exit code",
		Long: `Run starts a task from --task-definition family[:revision] or ARN, a family's
latest ACTIVE revision (--family), or the task definition a service runs
(--service, whose launch type, capacity providers, platform version and
network configuration are then copied unless given), waits until it stops
and exits with the exit code of the essential container that failed, or of
--exit-code-from CONTAINER. Every container counts: a failing sidecar marked
essential: false does not fail the run, a failing essential one does, and
the SIGTERM ECS sends the others when one exits does not hide the real code.

A task that never started (image pull failure, no capacity, TaskFailedToStart)
exits 125, like docker run, with ECS's reason. A timeout exits 3 and leaves
the task running; invalid input exits 2 before anything starts; AWS refusing
a call exits 4.

Changes: environment variables set with --env (merge mode) and --command are
sent as container overrides, so no revision is registered. Any other change
(--image, --tag-only, --secret, --unset-env, --env-mode replace, --env-file,
--task-definition-file, --template-family) registers a new revision of the
family for the run, and run says so. --tag tags the task (and a registered
revision).

--logs prints the containers' CloudWatch Logs (awslogs driver with an
awslogs-stream-prefix) while the task runs, on stdout (on stderr with
--output json). The ecs-deploy script's --run-task --wait-for-success is
"ecsdeploy run".`,
		Example: `  ecsdeploy run -c prod --service web --command 'web=bin/rails db:migrate' --logs
  ecsdeploy run -c prod --task-definition migrate:12 --exit-code-from migrate
  ecsdeploy run --family report -i report=registry.example.com/report:2.0 --subnets subnet-0abc --no-wait`,
		Args: cobra.NoArgs,
	}, o, runF, runRun)
	o.flags = o.rev.register(cmd, d, runFlagNames, map[string]string{
		"cluster":             "cluster to run in (default \"default\")",
		"service":             "run the task definition this service runs, with its network, launch type and platform version",
		"task-definition":     "run this revision (family:revision or ARN), or the family's latest ACTIVE one (family)",
		"template-family":     "run the latest revision of this family, registered into --family (or the service's family)",
		"tag":                 "tag the task (and a revision registered for the run): KEY=VALUE (repeatable)",
		"use-latest-task-def": "with --service, run the latest ACTIVE revision of its family instead of the one it runs",
		"subnets":             "awsvpc subnets of the task (comma-separated; default: the service's)",
		"security-groups":     "awsvpc security groups of the task (comma-separated; default: the service's)",
		"assign-public-ip":    "ENABLED or DISABLED (default: the service's, else DISABLED)",
		"platform-version":    "Fargate platform version (default: the service's, else LATEST)",
	})
	f := cmd.Flags()
	f.IntVar(&o.count, "count", 1, "how many tasks to start (1 to 10)")
	stringArrayVar(f, &o.commands, "command", "override a container's command: container='cmd args' or container='[\"cmd\",\"args\"]' (repeatable)")
	f.StringVar(&o.exitCodeFrom, "exit-code-from", "", "exit with this container's exit code, whether essential or not")
	f.StringVar(&o.launchType, "launch-type", "", "FARGATE, EC2 or EXTERNAL (default: the service's, else the cluster's default)")
	stringArrayVar(f, &o.providers, "capacity-provider", "use a capacity provider: name[:weight[:base]] (repeatable; instead of --launch-type)")
	f.StringVar(&o.startedBy, "started-by", "ecsdeploy", "the task's startedBy (up to 128 characters)")
	durationVarP(f, &o.timeout, "timeout", "t", runDefaultTimeout, "how long to wait for the task to stop (10m, 90s; a bare number is seconds)")
	f.BoolVar(&o.noWait, "no-wait", false, "print the task ARNs once started and do not wait")
	f.BoolVar(&o.logs, "logs", false, "print the containers' CloudWatch Logs while the task runs")
	durationVarP(f, &o.pollInterval, "poll-interval", "", 0, "pause between polls (default 1s)")
	_ = f.MarkHidden("poll-interval")
	return cmd
}

// runPlan is the checked inputs of a run beyond the revision.
type runPlan struct {
	timeout   time.Duration
	poll      time.Duration
	commands  []runtask.CommandOverride
	providers []types.CapacityProviderStrategyItem
	network   *runtask.Network
}

func (o *runOptions) check(req *revisionRequest, ps *exitcode.Problems) runPlan {
	x := req.x
	p := runPlan{timeout: o.timeout.value("timeout", x.tryExpand, ps), poll: o.pollInterval.value("poll-interval", nil, ps)}
	if o.count < 1 || o.count > maxRunCount {
		ps.Add("--count", 0, "must be from 1 to %d (ECS starts at most %d tasks per call), not %d", maxRunCount, maxRunCount, o.count)
	}
	for _, s := range x.expandAll("command", o.commands) {
		c, err := runtask.ParseCommandFlag(s)
		if err != nil {
			ps.Add("--command", 0, "%v", err)
			continue
		}
		p.commands = append(p.commands, c)
	}
	switch lt := strings.ToUpper(x.expand("launch-type", o.launchType)); lt {
	case "", "FARGATE", "EC2", "EXTERNAL":
		o.launchType = lt
	default:
		ps.Add("--launch-type", 0, "%q: use FARGATE, EC2 or EXTERNAL", lt)
	}
	for _, s := range x.expandAll("capacity-provider", o.providers) {
		item, err := parseCapacityProvider(s)
		if err != nil {
			ps.Add("--capacity-provider", 0, "%v", err)
			continue
		}
		p.providers = append(p.providers, item)
	}
	if o.launchType != "" && len(p.providers) > 0 {
		ps.Add("--capacity-provider", 0, "cannot be combined with --launch-type")
	}
	if len(o.startedBy) > 128 {
		ps.Add("--started-by", 0, "at most 128 characters")
	}
	if o.noWait && o.logs {
		ps.Add("--logs", 0, "needs the run to wait; it cannot be combined with --no-wait")
	}
	o.exitCodeFrom = strings.TrimSpace(x.expand("exit-code-from", o.exitCodeFrom))
	p.network = o.network(x, ps)
	return p
}

// parseCapacityProvider reads "name[:weight[:base]]".
func parseCapacityProvider(s string) (types.CapacityProviderStrategyItem, error) {
	parts := strings.Split(s, ":")
	if parts[0] == "" || len(parts) > 3 {
		return types.CapacityProviderStrategyItem{}, fmt.Errorf("%q: want name[:weight[:base]]", s)
	}
	item := types.CapacityProviderStrategyItem{CapacityProvider: aws.String(parts[0])}
	nums := []*int32{&item.Weight, &item.Base}
	for i, v := range parts[1:] {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 0 {
			return item, fmt.Errorf("%q: weight and base are whole numbers of 0 or more", s)
		}
		*nums[i] = int32(n)
	}
	return item, nil
}

// runReport is the report of a run (what --output json prints).
type runReport struct {
	Cluster            string   `json:"cluster"`
	TaskDefinition     string   `json:"taskDefinition"`
	RegisteredRevision bool     `json:"registeredRevision"`
	Overrides          []string `json:"overrides,omitempty"`
	runtask.Result
	APICalls map[string]int `json:"apiCalls,omitempty"`
}

func runRun(ctx context.Context, o *runOptions) error {
	d := o.deps
	req, ps := o.rev.resolve(o.flags)
	plan := o.check(req, &ps)
	if err := ps.Err(); err != nil {
		return err
	}
	clients, err := d.Clients.Clients(ctx)
	if err != nil {
		return err
	}
	logOut := d.IO.Out
	if d.Global.JSON() {
		logOut = d.IO.ErrOut
	}
	wo := runtask.WaitOptions{ExitCodeFrom: o.exitCodeFrom, PollInterval: plan.poll, Timeout: plan.timeout, Clock: d.Clock,
		Report: runEventRenderer(d.Progress(), logOut, o.count > 1)}
	if o.logs {
		wo.Logs = clients.Logs
	}
	run, err := runtask.ExecuteFrom(ctx, clients.ECS, runtask.FromRequest{Base: req.base(), Task: o.task(req, plan), NoWait: o.noWait}, wo)
	if err != nil {
		return err
	}
	report := &runReport{Cluster: req.Cluster, Overrides: run.Overrides, TaskDefinition: aws.ToString(run.TaskDefinition.TaskDefinitionArn),
		RegisteredRevision: run.Registered, Result: run.Result}
	return finishRun(d, report, o.noWait)
}

// task is the run's runtask.Task: the command line's launch, network and
// override settings (runtask.ExecuteFrom adds the copied service's).
func (o *runOptions) task(req *revisionRequest, plan runPlan) runtask.Task {
	f := &o.rev.plan
	x := req.x
	t := runtask.Task{Cluster: req.Cluster, Count: int32(o.count), StartedBy: o.startedBy, Tags: req.Changes.Tags,
		LaunchType: types.LaunchType(o.launchType), CapacityProviders: plan.providers,
		Commands: plan.commands, ExitCodeFrom: o.exitCodeFrom, Network: plan.network,
		Origins: settingOrigins(nil, "exitCodeFrom", "commands", "subnets")}
	if x.given("platform-version") {
		t.PlatformVersion = aws.String(x.expand("platform-version", f.platform))
	}
	return t
}

// network is the awsvpc settings given on the command line, or nil.
func (o *runOptions) network(x *expander, ps *exitcode.Problems) *runtask.Network {
	if !x.given("subnets") && !x.given("security-groups") && !x.given("assign-public-ip") {
		return nil
	}
	f := &o.rev.plan
	n := &runtask.Network{}
	if x.given("subnets") {
		n.Subnets = nonNil(x.expandAll("subnets", f.subnets))
	}
	if x.given("security-groups") {
		n.SecurityGroups = nonNil(x.expandAll("security-groups", f.securityGroups))
	}
	if x.given("assign-public-ip") {
		switch v := strings.ToUpper(x.expand("assign-public-ip", f.assignPublicIP)); v {
		case "ENABLED", "TRUE":
			n.AssignPublicIP = types.AssignPublicIpEnabled
		case "DISABLED", "FALSE":
			n.AssignPublicIP = types.AssignPublicIpDisabled
		default:
			ps.Add("--assign-public-ip", 0, "%q: use ENABLED or DISABLED", v)
		}
	}
	return n
}

// nonNil is ss, empty rather than nil: a flag given empty still replaces.
func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// runEventRenderer turns runtask's events into progress lines, and log
// lines into "[container] message" on logOut.
func runEventRenderer(rep progress.Reporter, logOut io.Writer, manyTasks bool) runtask.Reporter {
	return func(e runtask.Event) {
		id := runtask.TaskID(e.TaskARN)
		switch e.Kind {
		case runtask.LogLine:
			prefix := e.Container
			if manyTasks {
				prefix += " " + id
			}
			fmt.Fprintf(logOut, "[%s] %s\n", prefix, e.Message)
		case runtask.TaskStatusChanged:
			rep.Report(progress.Step{At: e.Time, Message: fmt.Sprintf("task %s: %s", id, e.Status)})
		case runtask.ContainerExited:
			msg := fmt.Sprintf("task %s: container %s ", id, e.Container)
			if e.ExitCode != nil {
				msg += fmt.Sprintf("exited %d", *e.ExitCode)
			} else {
				msg += "stopped without an exit code"
			}
			if e.Message != "" {
				msg += ": " + e.Message
			}
			rep.Report(progress.Step{At: e.Time, Message: msg})
		case runtask.TaskStopped:
			msg := fmt.Sprintf("task %s stopped", id)
			if e.Status != "" {
				msg += " (" + e.Status + ")"
			}
			if e.Message != "" {
				msg += ": " + e.Message
			}
			rep.Report(progress.Step{At: e.Time, Message: msg})
		case runtask.Notice:
			rep.Report(progress.Warning{At: e.Time, Message: e.Message})
		case runtask.Registered:
			rep.Report(progress.Step{At: e.Time, Message: fmt.Sprintf("registered %s for this run", e.Message)})
		case runtask.TaskStarted:
			rep.Report(progress.Step{At: e.Time, Message: fmt.Sprintf("started task %s from %s", id, e.Message)})
		}
	}
}

// finishRun prints the report and returns the error that carries the exit code.
func finishRun(d *Deps, report *runReport, noWait bool) error {
	report.APICalls = d.Clients.Calls().Counts()
	if err := d.Render(report, func(out io.Writer) { printRunResult(d, report, noWait) }); err != nil {
		return err
	}
	return Silent(report.Err())
}

// printRunResult writes the outcome for people: the task ARNs without
// waiting on stdout, every container's exit and the outcome on stderr.
func printRunResult(d *Deps, report *runReport, noWait bool) {
	if noWait {
		for _, arn := range report.TaskARNs {
			fmt.Fprintln(d.IO.Out, arn)
		}
	}
	w := d.IO.ErrOut
	for _, t := range report.Tasks {
		for _, c := range t.Containers {
			code := "-"
			if c.ExitCode != nil {
				code = strconv.Itoa(int(*c.ExitCode))
			}
			role := "essential"
			if !c.Essential {
				role = "non-essential"
			}
			line := fmt.Sprintf("  task %s container %s (%s): exit %s", runtask.TaskID(t.TaskARN), c.Name, role, code)
			if c.Reason != "" {
				line += ": " + c.Reason
			}
			fmt.Fprintln(w, line)
		}
	}
	fmt.Fprintf(w, "%s: %s\n", report.Outcome, report.Message)
}
