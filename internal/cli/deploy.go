package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/bluegreen"
	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/spec"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// deployOptions are deploy's inputs.
type deployOptions struct {
	deps           *Deps
	flags          *pflag.FlagSet
	plan           planFlags
	timeout        durationFlag
	stableFor      durationFlag
	noWait         bool
	skipDeployment bool
	rollback       bool
	keepRevisions  string
	dryRun         bool
	outputsFile    string
	wait           waitFlags
	fleet          fleetFlags
	codeDeploy     codeDeployFlags
}

// NewCmdDeploy builds "deploy".
func NewCmdDeploy(d *Deps, runF func(context.Context, *deployOptions) error) *cobra.Command {
	o := &deployOptions{deps: d}
	cmd := runs(&cobra.Command{
		Use:   "deploy",
		Short: "Roll out a new task definition (or service settings) to an ECS service and wait for it",
		Long: `Deploy registers a new revision of the service's task definition with the
changes you ask for, updates the service, and follows the deployment ECS
starts until it completes, fails or times out. Only that deployment counts:
a circuit-breaker rollback is a failure. On failure it prints the stopped
tasks and service events of this deployment, with a hint when the cause is
recognisable. Exit codes: 0 succeeded, 1 failed, 2 invalid input, 3 timed
out, 4 AWS API error.`,
		Example: `  ecsdeploy deploy -c prod -n web -i web=registry.example.com/web:1.4.2
  ecsdeploy deploy -c prod -n web --tag-only 1.4.2 --env web:LOG_LEVEL=debug --rollback
  ecsdeploy deploy -f service.yaml --var Tag=1.4.2 --output json
  ecsdeploy deploy -c prod -n api -n worker -i app=registry.example.com/app:1.4.2
  ecsdeploy deploy --fleet release.yaml --var Tag=1.4.2 --on-failure rollback-all`,
		Args: cobra.NoArgs,
	}, o, runF, runDeploy)
	o.flags = cmd.Flags()
	o.plan.register(cmd.Flags())
	o.plan.now = d.Clock.Now
	fs := cmd.Flags()
	durationVarP(fs, &o.timeout, "timeout", "t", 0, "how long to wait (10m, 90s; a bare number is seconds; default 10m)")
	durationVarP(fs, &o.stableFor, "stable-for", "", 0, "after the success verdict, keep watching this long and fail if a task of the deployment stops (default 0)")
	fs.BoolVar(&o.noWait, "no-wait", false, "return once the service is updated")
	fs.BoolVar(&o.skipDeployment, "skip-deployments-check", false, "succeed once the new tasks run, without waiting for old ones to drain")
	fs.BoolVar(&o.rollback, "rollback", false, "on failure or timeout, return the service to the task definition (and desired count) it had, and wait for it")
	fs.StringVar(&o.keepRevisions, "keep-revisions", "", "after success, deregister ACTIVE revisions of the family beyond the newest N (never one in use)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the plan (as diff does) and change nothing")
	fs.StringVar(&o.outputsFile, "outputs-file", "", "also write the CI outputs (KEY=value lines) to this file")
	o.wait.register(cmd)
	o.fleet.register(fs)
	o.codeDeploy.register(fs)
	return cmd
}

// applyRollout lays deploy's rollout flags over the spec's settings, each
// recorded as the origin of its setting, before the one check of the merged
// request (spec.Deploy.Validate): a flag overriding a bad value in the spec
// leaves nothing to report, and a bad flag is reported once, as the flag.
func (o *deployOptions) applyRollout(d *spec.Deploy, x *expander) {
	given := func(flag, field string, ok bool) { d.Given(field, exitcode.FlagOrigin(flag), ok) }
	duration := func(flag, field string, f *durationFlag, dst **spec.Duration, parse func() (time.Duration, bool)) {
		if !f.Given() {
			return
		}
		v, ok := parse()
		if ok {
			sd := spec.Duration(v)
			*dst = &sd
		}
		given(flag, field, ok)
	}
	duration("timeout", "timeout", &o.timeout, &d.Timeout, func() (time.Duration, bool) {
		n := len(*x.problems)
		v := o.timeout.value("timeout", x.tryExpand, x.problems)
		return v, len(*x.problems) == n
	})
	duration("stable-for", "stableFor", &o.stableFor, &d.StableFor, func() (time.Duration, bool) {
		n := len(*x.problems)
		v := stableForOf(nil, &o.stableFor, x.tryExpand, x.problems)
		return v, len(*x.problems) == n
	})
	if x.given("rollback") {
		d.Rollback = &o.rollback
		given("rollback", "rollback", true)
	}
	if x.given("keep-revisions") {
		n := x.int32("keep-revisions", o.keepRevisions)
		if n != nil {
			k := int(*n)
			d.KeepRevisions = &k
		}
		given("keep-revisions", "keepRevisions", n != nil)
	}
}

// deployReport is what deploy --output json prints: the engine's result and
// the API calls it took.
type deployReport struct {
	*rollout.Result
	APICalls     map[string]int `json:"apiCalls,omitempty"`
	APICallTotal int            `json:"apiCallTotal,omitempty"`
}

// runDeploy plans, deploys and reports. An error before the deploy report
// is printed names the service in the error report.
func runDeploy(ctx context.Context, o *deployOptions) error {
	if o.isFleet() {
		return runDeployFleet(ctx, o)
	}
	d := o.deps
	o.plan.rollout = o.applyRollout
	r, ps := o.plan.resolve(o.flags)
	o.checkNotFleet(&ps)
	s := r.spec
	opts := rollout.Options{Timeout: timeoutOf(s), Watch: o.wait.options(d.Clock, &ps)}
	opts.Rollback = s.Rollback != nil && *s.Rollback
	if s.KeepRevisions != nil {
		opts.KeepRevisions = *s.KeepRevisions
	}
	if s.StableFor != nil {
		opts.Watch.StableFor = s.StableFor.Std()
	}
	opts.NoWait = o.noWait
	opts.SkipDeploymentsCheck = o.skipDeployment
	// A setting --no-wait cannot honour is named where it was given: its
	// flag, or the spec's line.
	if o.noWait && opts.Rollback {
		ps.At(s.Origin("rollback"), "needs the deploy to wait; it cannot be combined with --no-wait")
	}
	if o.noWait && opts.Watch.StableFor > 0 {
		ps.At(s.Origin("stableFor"), "watches after the verdict, which --no-wait does not wait for")
	}
	if o.noWait && opts.KeepRevisions > 0 {
		ps.At(s.Origin("keepRevisions"), "prunes only after a success, which --no-wait does not wait for")
	}
	cluster, service := r.request.Cluster, r.request.Service
	if err := ps.Err(); err != nil {
		return aboutService(err, cluster, service)
	}
	clients, err := d.Clients.Clients(ctx)
	if err != nil {
		return aboutService(err, cluster, service)
	}
	req := r.request
	req.CodeDeploy = true // a CODE_DEPLOY service is planned alike, then handed to CodeDeploy
	plan, err := rollout.MakePlan(ctx, clients.ECS, req)
	if err != nil {
		return aboutService(err, cluster, service)
	}
	strategy := bluegreen.StrategyAfter(plan.Service, plan.Update)
	if names := o.codeDeploy.misplaced(o.flags, strategy); len(names) > 0 {
		return aboutService(exitcode.Invalidf("%s: service %s is not deployed by CodeDeploy (its strategy is %s); these flags apply to CODE_DEPLOY services only", strings.Join(names, ", "), service, strategy), cluster, service)
	}
	if o.dryRun {
		return printPlan(d, plan, o.plan.showValues)
	}
	if strategy == bluegreen.CodeDeploy || strategy.Native() {
		origins := exitcode.Origins{"stableFor": s.Origin("stableFor"), "keepRevisions": s.Origin("keepRevisions")}
		return deployBlueGreen(ctx, o, clients, plan, opts, settingOrigins(origins, "skipDeploymentsCheck", "hooks", "application", "deploymentGroup"))
	}
	opts.Reporter = d.Progress()
	res, derr := rollout.Deploy(ctx, clients.ECS, plan, opts)
	res.Region = clients.Config.Region
	// A revision deregistered again (the service update failed) is not one a
	// later CI step may use: no outputs then.
	if res.Revision > 0 && res.OrphanDeregistered == "" {
		if err := rollout.WriteOutputs(res, o.outputsFile, os.Getenv); err != nil && derr == nil {
			derr = exitcode.With(exitcode.Failed, err)
		}
	}
	calls := d.Clients.Calls()
	rep := deployReport{Result: res, APICalls: calls.Counts(), APICallTotal: calls.Total()}
	if err := d.Render(rep, func(io.Writer) { printDeployResult(d, res) }); err != nil {
		return err
	}
	if derr != nil && res.Outcome != "" {
		// The outcome and its reasons are already printed.
		return Silent(derr)
	}
	return reported(derr)
}

// printDeployResult writes the outcome for people: the verdict on stdout (it
// is the command's result), the diagnosis and rollback on stderr.
func printDeployResult(d *Deps, res *rollout.Result) {
	if res.OrphanDeregistered != "" {
		// Nothing was deployed: do not name the revision as if it were.
		fmt.Fprintf(d.IO.Out, "%s: service %s in %s was not updated (%s, registered for it, was deregistered again): %s\n",
			res.Outcome, res.Service, res.Cluster, shortName(res.OrphanDeregistered), res.Reason)
	} else {
		fmt.Fprintf(d.IO.Out, "%s: service %s in %s, %s (deployment %s): %s\n",
			res.Outcome, res.Service, res.Cluster, shortName(res.TaskDefinition), orDash(res.DeploymentID), res.Reason)
	}
	w := d.IO.ErrOut
	if res.Failure != nil {
		printDiagnosis(w, res.Failure)
	}
	if rb := res.Rollback; rb != nil {
		by := "rollback"
		if rb.ByECS {
			by = "ECS's rollback"
		}
		fmt.Fprintf(w, "%s to %s (deployment %s) %s: %s\n", by, shortName(rb.TaskDefinition), orDash(rb.DeploymentID), rb.Outcome, rb.Reason)
		if rb.Failure != nil && rb.Outcome != progress.Succeeded {
			printDiagnosis(w, rb.Failure)
		}
	}
	for _, p := range res.Pruned {
		fmt.Fprintf(w, "deregistered old revision %s\n", shortName(p))
	}
}

func printDiagnosis(w io.Writer, d *watch.Diagnosis) {
	for _, line := range d.Lines() {
		fmt.Fprintln(w, "  "+line)
	}
}

// printPlan writes the plan: text for people, or a JSON report.
func printPlan(d *Deps, plan *rollout.Plan, showValues bool) error {
	opts := taskdef.DiffOptions{ShowValues: showValues}
	return d.Render(plan.Report(opts), func(out io.Writer) { plan.Render(out, opts) })
}

// shortName and shortTaskDef are ecsref.Short: family:revision of a task
// definition ARN, the name at the end of any other.
var shortName, shortTaskDef = ecsref.Short, ecsref.Short

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
