package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

type rollbackOptions struct {
	deps             *Deps
	flags            *pflag.FlagSet
	cluster, service string
	toRevision       int32
	toRevisionGiven  bool // --to-revision was given, even as 0
	timeout          durationFlag
	target           planFlags  // -f, --var, -c and -n, as deploy takes them (several: fleet_rollback.go)
	several          fleetFlags // fleet_rollback.go
	noWait           bool
	outputsFile      string
	wait             waitFlags
	blueGreen        operateFlags // --codedeploy-application, --codedeploy-deployment-group
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

// NewCmdRollback builds "rollback".
func NewCmdRollback(d *Deps, runF func(context.Context, *rollbackOptions) error) *cobra.Command {
	o := &rollbackOptions{deps: d}
	cmd := &cobra.Command{
		Use:   "rollback",
		Short: "Return a service to the task definition that ran before, and wait for it",
		Long: `Rollback updates the service to the revision that actually ran before the
current one — an older deployment still running tasks, or the source of the
service's last successful deployment where ECS keeps that history, or else
the newest ACTIVE revision older than the current one (said so) — or to
revision N of the family with --to-revision, and waits for that deployment
like deploy does. Several services (several -n or -f, or --fleet) are rolled
back in waves, a fleet file's in reverse order.

On a blue/green service (CodeDeploy, or ECS's blue/green, linear and
canary strategies) a deployment in progress is stopped with a rollback
(StopDeployment with autoRollbackEnabled, StopServiceDeployment ROLLBACK)
and followed until traffic is back on the original side; once the
deployment is over, the previous revision is deployed anew through the
same controller.`,
		Example: `  ecsdeploy rollback -c prod -n web
  ecsdeploy rollback -c prod -n web --to-revision 41
  ecsdeploy rollback -c prod -n api -n worker
  ecsdeploy rollback --fleet release.yaml --on-failure continue`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.toRevisionGiven = cmd.Flags().Changed("to-revision")
			if severalTargets(&o.target, o.several.file) {
				return runRollbackFleet(cmd.Context(), o)
			}
			if err := o.resolveOne(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return aboutService(runRollback(cmd.Context(), o), o.cluster, o.service)
		},
	}
	o.flags = addTargetFlags(cmd, d, &o.target, targetFlagNames, map[string]string{
		"file":    "deploy spec file (YAML) naming the cluster and service; flags override it (repeatable: several services)",
		"service": "service to roll back (repeatable: several services)",
	})
	fs := o.flags
	o.several.registerForRollback(fs)
	fs.Int32Var(&o.toRevision, "to-revision", 0, "roll back to this revision of the service's family")
	durationVarP(fs, &o.timeout, "timeout", "t", rollout.DefaultTimeout, "how long to wait (10m, 90s; a bare number is seconds)")
	fs.BoolVar(&o.noWait, "no-wait", false, "return once the service is updated")
	fs.StringVar(&o.outputsFile, "outputs-file", "", "also write the CI outputs (KEY=value lines) to this file")
	o.wait.register(cmd)
	o.blueGreen.registerGroup(cmd)
	return cmd
}

// runRollback rolls back and reports. Errors before the report is printed
// are reported by the caller, naming the service.
func runRollback(ctx context.Context, o *rollbackOptions) error {
	d := o.deps
	var ps exitcode.Problems
	requireService(o.cluster, o.service, &ps)
	if o.toRevision < 0 || (o.toRevisionGiven && o.toRevision == 0) {
		ps.Add("--to-revision", 0, "must be a revision number (1 or more)")
	}
	wopts := o.wait.within(&o.timeout, d.Clock, &ps)
	clients, err := d.checkedClients(ctx, ps)
	if err != nil {
		return err
	}
	if handled, err := rollbackBlueGreen(ctx, o, clients, wopts.Timeout); handled {
		return err
	}
	wopts.Reporter = d.Progress()
	back, rerr := rollout.RollbackPrevious(ctx, clients.ECS, o.cluster, o.service, o.toRevision, exitcode.FlagOrigin("--to-revision"),
		rollout.RollbackOptions{NoWait: o.noWait, Watch: wopts})
	if back == nil {
		return rerr
	}
	rb := back.Result
	report := rollbackReport{Cluster: o.cluster, Service: o.service, Region: clients.Config.Region,
		PreviousTaskDefinition: back.Previous, Note: back.Note, Rollback: rb, APICalls: d.Clients.Calls().Counts()}
	if rb != nil {
		report.Outcome = rb.Outcome
	}
	if rb != nil && rb.TaskDefinition != "" {
		family, revision := ecsref.FamilyRevision(rb.TaskDefinition)
		res := &rollout.Result{Cluster: o.cluster, Service: o.service, Region: clients.Config.Region, Family: family, Revision: revision}
		if err := rollout.WriteOutputs(res, o.outputsFile, os.Getenv); err != nil && rerr == nil {
			rerr = exitcode.With(exitcode.Failed, err)
		}
	}
	err = d.Render(report, func(out io.Writer) {
		if rb == nil {
			return
		}
		fmt.Fprintf(out, "%s: service %s in %s, rolled back from %s to %s (deployment %s): %s\n", rb.Outcome,
			o.service, o.cluster, shortName(report.PreviousTaskDefinition), shortName(rb.TaskDefinition), orDash(rb.DeploymentID), rb.Reason)
		if rb.Failure != nil {
			printDiagnosis(d.IO.ErrOut, rb.Failure)
		}
	})
	if err != nil {
		return err
	}
	if rerr != nil && rb != nil && rb.Outcome != "" {
		return Silent(rerr)
	}
	return reported(rerr)
}
