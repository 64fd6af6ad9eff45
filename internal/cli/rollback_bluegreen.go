package cli

import (
	"context"
	"os"
	"time"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/bluegreen"
	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// rollbackBlueGreen rolls back a blue/green service; handled is false for
// a rolling one, which runRollback rolls back as before.
func rollbackBlueGreen(ctx context.Context, o *rollbackOptions, clients *awsconfig.Clients, timeout time.Duration) (handled bool, err error) {
	d := o.deps
	req := bluegreen.Request{Cluster: o.cluster, Service: o.service, Application: o.blueGreen.application,
		DeploymentGroup: o.blueGreen.group, NoWait: o.noWait, Origins: settingOrigins(nil, "noWait", "application", "deploymentGroup")}
	previous := func(ctx context.Context) (string, string, error) {
		target, _, note, err := rollout.RollbackTarget(ctx, clients.ECS, o.cluster, o.service, o.toRevision, exitcode.FlagOrigin("--to-revision"))
		return target, note, err
	}
	op, ok, err := bluegreen.Rollback(ctx, blueGreenAPIs(clients), req, previous,
		bluegreen.FollowOptions{Timeout: timeout, Reporter: d.Progress(), Clock: d.Clock})
	if !ok {
		return false, nil
	}
	if op != nil && op.Outcome == progress.Succeeded && op.Expected != "" {
		family, revision := ecsref.FamilyRevision(op.Expected)
		res := &rollout.Result{Cluster: o.cluster, Service: o.service, Region: clients.Config.Region, Family: family, Revision: revision}
		if werr := rollout.WriteOutputs(res, o.outputsFile, os.Getenv); werr != nil && err == nil {
			err = exitcode.With(exitcode.Failed, werr)
		}
	}
	return true, reportOperation(d, "rollback", req, op, err)
}
