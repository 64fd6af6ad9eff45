package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/internal/failure"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

func init() { register(newDeployCommand) }

// deployOptions are deploy's flags beyond what it shares with diff.
type deployOptions struct {
	plan           planFlags
	timeout        string
	noWait         bool
	skipDeployment bool
	rollback       bool
	keepRevisions  string
	dryRun         bool
	outputsFile    string
	wait           waitFlags
}

// waitFlags tune the poller. They are hidden: the defaults suit AWS; tests
// against the local ECS at a speed factor shorten them.
type waitFlags struct {
	pollInterval   time.Duration
	placementGrace time.Duration
}

func (w *waitFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.DurationVar(&w.pollInterval, "poll-interval", 0, "pause between polls while the deployment changes (default 1s)")
	fs.DurationVar(&w.placementGrace, "placement-grace", 0, "how long task placement may fail without progress before the deployment fails (default 30s)")
	_ = fs.MarkHidden("poll-interval")
	_ = fs.MarkHidden("placement-grace")
}

func (w *waitFlags) options() watch.Options {
	return watch.Options{Interval: w.pollInterval, PlacementGrace: w.placementGrace}
}

func newDeployCommand(g *Globals) *cobra.Command {
	o := &deployOptions{}
	cmd := &cobra.Command{
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
  ecsdeploy deploy -f service.yaml --var Tag=1.4.2 --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDeploy(cmd, g, o) },
	}
	o.plan.register(cmd.Flags())
	fs := cmd.Flags()
	fs.StringVarP(&o.timeout, "timeout", "t", "", "how long to wait (10m, 90s; a bare number is seconds; default 10m)")
	fs.BoolVar(&o.noWait, "no-wait", false, "return once the service is updated")
	fs.BoolVar(&o.skipDeployment, "skip-deployments-check", false, "succeed once the new tasks run, without waiting for old ones to drain")
	fs.BoolVar(&o.rollback, "rollback", false, "on failure or timeout, return the service to the task definition (and desired count) it had, and wait for it")
	fs.StringVar(&o.keepRevisions, "keep-revisions", "", "after success, deregister ACTIVE revisions of the family beyond the newest N (never one in use)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the plan (as diff does) and change nothing")
	fs.StringVar(&o.outputsFile, "outputs-file", "", "also write the CI outputs (KEY=value lines) to this file")
	o.wait.register(cmd)
	return cmd
}

func runDeploy(cmd *cobra.Command, g *Globals, o *deployOptions) error {
	var early earlyReport
	err := deploy(cmd, g, o, &early)
	if err != nil && g.JSON() && !early.printed {
		// Stopped before deploying: --output json still prints its one report.
		early.fill(err)
		enc := json.NewEncoder(g.Streams.Out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(early)
	}
	return err
}

// earlyReport is the JSON report of deploy or rollback when it stops before changing anything:
// invalid input (with every problem) or an AWS error while planning.
type earlyReport struct {
	Cluster  string           `json:"cluster"`
	Service  string           `json:"service"`
	Outcome  string           `json:"outcome"` // invalid or error
	Reason   string           `json:"reason"`
	Problems failure.Problems `json:"problems,omitempty"`
	APICalls map[string]int   `json:"apiCalls,omitempty"`
	calls    *awsconfig.CallCounter
	printed  bool // a plan or the full report was printed instead
}

func (e *earlyReport) fill(err error) {
	e.Outcome = "error"
	if failure.CodeOf(err) == failure.CodeInvalid {
		e.Outcome = "invalid"
	}
	e.Reason = err.Error()
	errors.As(err, &e.Problems)
	if e.calls != nil {
		e.APICalls = e.calls.Counts()
	}
}

func deploy(cmd *cobra.Command, g *Globals, o *deployOptions, early *earlyReport) error {
	r, ps := o.plan.resolve(cmd)
	early.Cluster, early.Service = r.request.Cluster, r.request.Service
	x := expander{resolver: r.resolver, problems: &ps, cmd: cmd}
	opts := rollout.Options{Timeout: timeoutOf(r.spec), Watch: o.wait.options()}
	if d := r.spec; d != nil {
		opts.Rollback = d.Rollback != nil && *d.Rollback
		if d.KeepRevisions != nil {
			opts.KeepRevisions = *d.KeepRevisions
		}
	}
	if x.given("timeout") {
		if d := x.duration("timeout", o.timeout); d != nil {
			if d.Std() <= 0 {
				ps.Add("--timeout", 0, "must be more than zero")
			}
			opts.Timeout = d.Std()
		}
	}
	if x.given("rollback") {
		opts.Rollback = o.rollback
	}
	if x.given("keep-revisions") {
		if n := x.int32("keep-revisions", o.keepRevisions); n != nil {
			if *n < 1 {
				ps.Add("--keep-revisions", 0, "must be at least 1, got %d", *n)
			}
			opts.KeepRevisions = int(*n)
		}
	}
	opts.NoWait = o.noWait
	opts.SkipDeploymentsCheck = o.skipDeployment
	if o.noWait && opts.Rollback {
		ps.Add("--rollback", 0, "needs the deploy to wait; it cannot be combined with --no-wait")
	}
	if o.noWait && opts.KeepRevisions > 0 {
		ps.Add("--keep-revisions", 0, "prunes only after a success, which --no-wait does not wait for")
	}
	if err := ps.Err(); err != nil {
		return err
	}

	calls := &awsconfig.CallCounter{}
	g.AWS.Calls = calls
	early.calls = calls
	clients, err := g.Clients(cmd.Context())
	if err != nil {
		return err
	}
	plan, err := rollout.MakePlan(cmd.Context(), clients.ECS, r.request)
	if err != nil {
		return err
	}
	if o.dryRun {
		early.printed = true
		return printPlan(g, plan, o.plan.showValues)
	}
	opts.Reporter = reporterFor(g)
	res, derr := rollout.Deploy(cmd.Context(), clients.ECS, plan, opts)
	res.Region = clients.Config.Region
	res.APICalls, res.APICallTotal = calls.Counts(), calls.Total()
	// A revision deregistered again (the service update failed) is not one a
	// later CI step may use: no outputs then.
	if res.Revision > 0 && res.OrphanDeregistered == "" {
		if err := rollout.WriteOutputs(res, o.outputsFile, os.Getenv); err != nil && derr == nil {
			derr = failure.WithCode(failure.CodeFailed, err)
		}
	}
	early.printed = true // the full report below replaces the early one
	if g.JSON() {
		enc := json.NewEncoder(g.Streams.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		printDeployResult(g, res)
	}
	if derr != nil && res.Outcome != "" {
		// The outcome and its reasons are already printed.
		return Silent(derr)
	}
	return derr
}

// reporterFor chooses how progress is shown: nothing with --quiet, a live
// view on a terminal, and timestamped lines anywhere else (CI logs, and
// always with --output json, whose stdout is reserved for the report).
func reporterFor(g *Globals) progress.Reporter {
	switch {
	case g.Quiet:
		return progress.Discard
	case IsTerminal(g.Streams.ErrOut) && !g.JSON():
		return progress.NewLive(g.Streams.ErrOut, terminalWidth(g.Streams.ErrOut))
	default:
		return progress.NewLines(g.Streams.ErrOut)
	}
}

// printDeployResult writes the outcome for people: the verdict on stdout (it
// is the command's result), the diagnosis and rollback on stderr.
func printDeployResult(g *Globals, res *rollout.Result) {
	if res.OrphanDeregistered != "" {
		// Nothing was deployed: do not name the revision as if it were.
		fmt.Fprintf(g.Streams.Out, "%s: service %s in %s was not updated (%s, registered for it, was deregistered again): %s\n",
			res.Outcome, res.Service, res.Cluster, shortName(res.OrphanDeregistered), res.Reason)
	} else {
		fmt.Fprintf(g.Streams.Out, "%s: service %s in %s, %s (deployment %s): %s\n",
			res.Outcome, res.Service, res.Cluster, shortName(res.TaskDefinition), orDash(res.DeploymentID), res.Reason)
	}
	w := g.Streams.ErrOut
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
func printPlan(g *Globals, plan *rollout.Plan, showValues bool) error {
	opts := taskdef.DiffOptions{ShowValues: showValues}
	if g.JSON() {
		enc := json.NewEncoder(g.Streams.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(plan.Report(opts))
	}
	plan.Render(g.Streams.Out, opts)
	return nil
}

// terminalWidth is the terminal's width in columns, or 0 when unknown.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

func shortName(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
