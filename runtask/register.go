package runtask

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/taskdef"
	"github.com/ecsdeploy/ecsdeploy/transient"
)

// register registers the revision a run needs. The call is not
// repeated blindly by the SDK: after a failure on the wire or a server
// fault, the family's newest revision is read, and if it is newer than the
// one the run started from and identical to what was sent, the failed
// call's reply was lost and that revision is the result (no second copy is
// registered); otherwise the same input is sent again, a few times.
func register(ctx context.Context, api RunAPI, in *ecs.RegisterTaskDefinitionInput, from *types.TaskDefinition) (*types.TaskDefinition, error) {
	pause := time.Second
	for attempt := 1; ; attempt++ {
		out, err := api.RegisterTaskDefinition(ctx, in, func(o *ecs.Options) { o.Retryer = retry.AddWithMaxAttempts(o.Retryer, 1) })
		if err == nil {
			return out.TaskDefinition, nil
		}
		if !transient.Is(err) || ctx.Err() != nil || attempt >= 5 {
			return nil, err
		}
		if !transient.Throttled(err) {
			if td := newestIfSent(ctx, api, in, from); td != nil {
				return td, nil
			}
		}
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return nil, err
		}
		pause *= 2
	}
}

// newestIfSent returns the family's newest revision when it is newer than
// from and registers exactly in (tags aside).
func newestIfSent(ctx context.Context, api RunAPI, in *ecs.RegisterTaskDefinitionInput, from *types.TaskDefinition) *types.TaskDefinition {
	out, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: in.Family})
	if err != nil || out.TaskDefinition == nil {
		return nil
	}
	td := out.TaskDefinition
	if from != nil && aws.ToString(from.Family) == aws.ToString(td.Family) && td.Revision <= from.Revision {
		return nil
	}
	sent := *in
	sent.Tags = nil
	if taskdef.Diff(taskdef.RegisterInput(td, nil), &sent, taskdef.DiffOptions{ShowValues: true}) != "" {
		return nil
	}
	return td
}
