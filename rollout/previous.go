package rollout

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
)

// PreviousRollback is what RollbackPrevious did.
type PreviousRollback struct {
	// Previous is the task definition the service ran before the rollback.
	Previous string
	// Note says how the target was chosen when it is a guess.
	Note string
	// Result is the rollback's report; nil when no target was found.
	Result *RollbackResult
}

// RollbackPrevious returns a rolling service to the revision that ran
// before the current one, or to revision toRevision of its family when
// not 0 (RollbackTarget, whose problem with toRevision is reported at
// origin), and follows that deployment as Rollback does. A target that
// cannot be found is returned as the error with no Result; otherwise the
// Result comes with Rollback's error.
func RollbackPrevious(ctx context.Context, api ECSAPI, cluster, service string, toRevision int32, origin exitcode.Origin, opts RollbackOptions) (*PreviousRollback, error) {
	target, svc, note, err := RollbackTarget(ctx, api, cluster, service, toRevision, origin)
	if err != nil {
		return nil, err
	}
	p := &PreviousRollback{Previous: aws.ToString(svc.TaskDefinition), Note: note}
	if rep := opts.Watch.Reporter; note != "" && rep != nil {
		at := time.Now()
		if opts.Watch.Clock != nil {
			at = opts.Watch.Clock.Now()
		}
		rep.Report(progress.Step{At: at, Message: "rollback target " + ecsref.Short(target) + ": " + note})
	}
	p.Result, err = Rollback(ctx, api, RollbackRequest{Cluster: cluster, Service: service, TaskDefinition: target}, opts)
	return p, err
}
