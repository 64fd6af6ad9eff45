package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/internal/failure"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/spec"
)

func init() { register(newRollbackCommand) }

type rollbackOptions struct {
	cluster, service string
	toRevision       int32
	timeout          string
	noWait           bool
	outputsFile      string
	wait             waitFlags
}

// rollbackReport is what rollback --output json prints.
type rollbackReport struct {
	Cluster                string `json:"cluster"`
	Service                string `json:"service"`
	Region                 string `json:"region,omitempty"`
	PreviousTaskDefinition string `json:"previousTaskDefinition"`
	// Outcome repeats the rollback's outcome at the top, where deploy's
	// report and the report of an invalid or failed request have theirs.
	Outcome  progress.Outcome        `json:"outcome"`
	Note     string                  `json:"note,omitempty"`
	Rollback *rollout.RollbackResult `json:"rollback"`
	APICalls map[string]int          `json:"apiCalls,omitempty"`
}

func newRollbackCommand(g *Globals) *cobra.Command {
	o := &rollbackOptions{}
	cmd := &cobra.Command{
		Use:   "rollback",
		Short: "Return a service to the task definition that ran before, and wait for it",
		Long: `Rollback updates the service to the revision that actually ran before the
current one — an older deployment still running tasks, or the source of the
service's last successful deployment where ECS keeps that history, or else
the newest ACTIVE revision older than the current one (said so) — or to
revision N of the family with --to-revision, and waits for that deployment
like deploy does.`,
		Example: `  ecsdeploy rollback -c prod -n web
  ecsdeploy rollback -c prod -n web --to-revision 41`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runRollback(cmd, g, o) },
	}
	fs := cmd.Flags()
	fs.StringVarP(&o.cluster, "cluster", "c", "", "cluster name")
	fs.StringVarP(&o.service, "service", "n", "", "service name")
	fs.Int32Var(&o.toRevision, "to-revision", 0, "roll back to this revision of the service's family")
	fs.StringVarP(&o.timeout, "timeout", "t", "", "how long to wait (10m, 90s; a bare number is seconds; default 10m)")
	fs.BoolVar(&o.noWait, "no-wait", false, "return once the service is updated")
	fs.StringVar(&o.outputsFile, "outputs-file", "", "also write the CI outputs (KEY=value lines) to this file")
	o.wait.register(cmd)
	return cmd
}

func runRollback(cmd *cobra.Command, g *Globals, o *rollbackOptions) error {
	early := earlyReport{Cluster: o.cluster, Service: o.service}
	err := rollback(cmd, g, o, &early)
	if err != nil && g.JSON() && !early.printed {
		// Stopped before rolling back: --output json still prints its one report.
		early.fill(err)
		enc := json.NewEncoder(g.Streams.Out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(early)
	}
	return err
}

func rollback(cmd *cobra.Command, g *Globals, o *rollbackOptions, early *earlyReport) error {
	var ps failure.Problems
	if strings.TrimSpace(o.cluster) == "" {
		ps.Add("--cluster", 0, "required")
	}
	if strings.TrimSpace(o.service) == "" {
		ps.Add("--service", 0, "required")
	}
	if o.toRevision < 0 || (cmd.Flags().Changed("to-revision") && o.toRevision == 0) {
		ps.Add("--to-revision", 0, "must be a revision number (1 or more)")
	}
	timeout := rollout.DefaultTimeout
	if o.timeout != "" {
		d, err := spec.ParseDuration(o.timeout)
		if err != nil || d.Std() <= 0 {
			ps.Add("--timeout", 0, "%q is not a positive duration", o.timeout)
		}
		timeout = d.Std()
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
	target, svc, note, err := rollout.RollbackTarget(cmd.Context(), clients.ECS, o.cluster, o.service, o.toRevision)
	if err != nil {
		return err
	}
	rep := reporterFor(g)
	if note != "" {
		rep.Report(progress.Step{At: time.Now(), Message: "rollback target " + shortName(target) + ": " + note})
	}
	wopts := o.wait.options()
	wopts.Timeout = timeout
	wopts.Reporter = rep
	rb, rerr := rollout.Rollback(cmd.Context(), clients.ECS, rollout.RollbackRequest{
		Cluster: o.cluster, Service: o.service, TaskDefinition: target,
	}, rollout.RollbackOptions{NoWait: o.noWait, Watch: wopts})
	report := rollbackReport{Cluster: o.cluster, Service: o.service, Region: clients.Config.Region,
		PreviousTaskDefinition: aws.ToString(svc.TaskDefinition), Note: note, Rollback: rb, APICalls: calls.Counts()}
	if rb != nil {
		report.Outcome = rb.Outcome
	}
	if rb != nil && rb.TaskDefinition != "" {
		family, revision := splitFamilyRevision(rb.TaskDefinition)
		res := &rollout.Result{Cluster: o.cluster, Service: o.service, Region: clients.Config.Region, Family: family, Revision: revision}
		if err := rollout.WriteOutputs(res, o.outputsFile, os.Getenv); err != nil && rerr == nil {
			rerr = failure.WithCode(failure.CodeFailed, err)
		}
	}
	early.printed = true
	if g.JSON() {
		enc := json.NewEncoder(g.Streams.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return err
		}
	} else if rb != nil {
		fmt.Fprintf(g.Streams.Out, "%s: service %s in %s, rolled back from %s to %s (deployment %s): %s\n", rb.Outcome,
			o.service, o.cluster, shortName(report.PreviousTaskDefinition), shortName(rb.TaskDefinition), orDash(rb.DeploymentID), rb.Reason)
		if rb.Failure != nil {
			printDiagnosis(g.Streams.ErrOut, rb.Failure)
		}
	}
	if rerr != nil && rb != nil && rb.Outcome != "" {
		return Silent(rerr)
	}
	return rerr
}

// splitFamilyRevision splits a task definition ARN or family:revision.
func splitFamilyRevision(ref string) (string, int32) {
	s := shortName(ref)
	i := strings.LastIndex(s, ":")
	if i < 0 {
		return s, 0
	}
	var n int32
	fmt.Sscanf(s[i+1:], "%d", &n)
	return s[:i], n
}
