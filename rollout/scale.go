package rollout

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/transient"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// ScaleAPI is what scaling calls: the watcher's reads and UpdateService.
type ScaleAPI interface {
	watch.ECSAPI
	UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, optFns ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
}

// ScaleRequest sets a service's desired count.
type ScaleRequest struct {
	Cluster, Service string
	Count            int32
}

// ScaleOptions say whether and how to wait.
type ScaleOptions struct {
	NoWait bool
	// Watch tunes the watcher, including Timeout, Reporter and Clock.
	Watch watch.Options
}

// ScaleResult is how a scale ended.
type ScaleResult struct {
	Cluster       string           `json:"cluster"`
	Service       string           `json:"service"`
	PreviousCount int32            `json:"previousDesiredCount"`
	DesiredCount  int32            `json:"desiredCount"`
	RunningCount  int32            `json:"runningCount"`
	DeploymentID  string           `json:"deploymentId,omitempty"`
	Outcome       progress.Outcome `json:"outcome"`
	Reason        string           `json:"reason,omitempty"`
	Failure       *watch.Diagnosis `json:"failure,omitempty"`
}

// Scale sets the desired count and follows the deployment that is PRIMARY
// after the update with the watcher, then (on a scale-in) until the surplus
// tasks are gone. The result is returned with the error once the update was
// made; a scale that fails or times out is an error with exit code 1 or 3.
func Scale(ctx context.Context, api ScaleAPI, req ScaleRequest, opts ScaleOptions) (*ScaleResult, error) {
	wopts := opts.Watch
	if wopts.Clock == nil {
		wopts.Clock = watch.WallClock{}
	}
	clock, rep := wopts.Clock, wopts.Reporter
	if rep == nil {
		rep = progress.Discard
	}
	before, err := DescribeService(ctx, api, req.Cluster, req.Service)
	if err != nil {
		return nil, err
	}
	out, err := api.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster: aws.String(req.Cluster), Service: aws.String(req.Service), DesiredCount: aws.Int32(req.Count),
	})
	if err != nil {
		return nil, fmt.Errorf("update the desired count of %s: %w", req.Service, err)
	}
	svc := *out.Service
	res := &ScaleResult{Cluster: req.Cluster, Service: aws.ToString(svc.ServiceName),
		PreviousCount: before.DesiredCount, DesiredCount: req.Count, RunningCount: svc.RunningCount}
	rep.Report(progress.Step{At: clock.Now(), Message: fmt.Sprintf("desired count of %s: %d → %d", res.Service, before.DesiredCount, req.Count)})
	primary, hasPrimary := ecsref.PrimaryDeployment(svc)
	if hasPrimary {
		res.DeploymentID = aws.ToString(primary.Id)
	}
	if opts.NoWait {
		res.Outcome, res.Reason = Updated, "the desired count is set; not waiting"
		return res, nil
	}
	if !hasPrimary {
		// No ECS deployments (an external or CodeDeploy controller): nothing for the watcher to follow.
		res.Outcome, res.Reason = Updated, "the service has no ECS deployment to follow; not waiting"
		return res, nil
	}
	started := clock.Now()
	wr, err := watch.Wait(ctx, api, watch.Target{Cluster: req.Cluster, Service: req.Service, DeploymentID: res.DeploymentID,
		Since: afterNewestEvent(svc)}, wopts)
	if err != nil {
		return res, err
	}
	res.Outcome, res.Reason, res.Failure = wr.Outcome, wr.Reason, wr.Diagnosis
	if wr.Outcome == progress.Succeeded {
		// The watcher counts running >= desired as done, which a scale-in
		// reaches before the surplus tasks are gone; wait for them too.
		if err := waitForScaleIn(ctx, clock, api, req, wopts.Timeout-clock.Now().Sub(started), wopts.Interval, res); err != nil {
			return res, err
		}
	}
	switch res.Outcome {
	case progress.Succeeded:
		return res, nil
	case progress.TimedOut:
		return res, exitcode.TimedOutf("%s", res.Reason)
	}
	return res, exitcode.Failedf("%s", res.Reason)
}

// maxScalePause caps the backoff of waitForScaleIn when AWS throttles.
const maxScalePause = 20 * time.Second

// waitForScaleIn polls until the service runs no more than the count,
// backing off while AWS throttles.
func waitForScaleIn(ctx context.Context, clock watch.Clock, api ScaleAPI, req ScaleRequest, left, interval time.Duration, res *ScaleResult) error {
	if interval <= 0 {
		interval = time.Second
	}
	deadline := clock.Now().Add(left)
	pause := interval
	for {
		svc, err := DescribeService(ctx, api, req.Cluster, req.Service)
		switch {
		case err != nil && transient.Is(err) && ctx.Err() == nil && clock.Now().Before(deadline):
			// Throttled or a passing fault: back off as the watcher does.
			pause = min(2*pause, maxScalePause)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-clock.After(pause):
			}
			continue
		case err != nil:
			return err
		}
		pause = interval
		res.RunningCount = svc.RunningCount
		if svc.RunningCount <= req.Count {
			res.Reason = fmt.Sprintf("%d of %d tasks running", svc.RunningCount, req.Count)
			return nil
		}
		if clock.Now().After(deadline) {
			res.Outcome = progress.TimedOut
			res.Reason = fmt.Sprintf("still %d tasks running, %d wanted", svc.RunningCount, req.Count)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-clock.After(interval):
		}
	}
}

// afterNewestEvent is just after the service's newest event, in ECS's clock:
// the events of this scale begin there. Zero (no events yet) lets the
// watcher take the deployment's start.
func afterNewestEvent(svc types.Service) time.Time {
	var newest time.Time
	for _, e := range svc.Events {
		if e.CreatedAt != nil && e.CreatedAt.After(newest) {
			newest = *e.CreatedAt
		}
	}
	if newest.IsZero() {
		return newest
	}
	return newest.Add(time.Millisecond)
}
