package bluegreen

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// canaryCD plays one CodeDeploy deployment on a clock: Install until 10 s,
// then a 10% canary for 5 minutes (AllowTraffic from 10 s to 310 s), then a
// 2-minute termination wait, Succeeded at 430 s. It records when each read
// was made.
type canaryCD struct {
	CodeDeployAPI
	clock          *watch.StepClock
	deploymentAt   []time.Duration
	targetAt       []time.Duration
	configReads    int
	shift, success time.Duration
}

func (c *canaryCD) since() time.Duration { return c.clock.Now().Sub(t0) }

func (c *canaryCD) GetDeployment(context.Context, *codedeploy.GetDeploymentInput, ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentOutput, error) {
	c.deploymentAt = append(c.deploymentAt, c.since())
	info := &cdtypes.DeploymentInfo{DeploymentId: aws.String("d-1"), Status: cdtypes.DeploymentStatusInProgress,
		DeploymentConfigName: aws.String("Canary10Percent5Minutes"),
		DeploymentOverview:   &cdtypes.DeploymentOverview{InProgress: 1}}
	switch s := c.since(); {
	case s >= c.success:
		info.Status, info.DeploymentOverview = cdtypes.DeploymentStatusSucceeded, &cdtypes.DeploymentOverview{Succeeded: 1}
	case s >= c.shift:
		info.DeploymentOverview = &cdtypes.DeploymentOverview{Succeeded: 1}
	}
	return &codedeploy.GetDeploymentOutput{DeploymentInfo: info}, nil
}

func (c *canaryCD) ListDeploymentTargets(context.Context, *codedeploy.ListDeploymentTargetsInput, ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentTargetsOutput, error) {
	return &codedeploy.ListDeploymentTargetsOutput{TargetIds: []string{"c:web"}}, nil
}

func (c *canaryCD) GetDeploymentTarget(context.Context, *codedeploy.GetDeploymentTargetInput, ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentTargetOutput, error) {
	s := c.since()
	c.targetAt = append(c.targetAt, s)
	ev := func(name string, st cdtypes.LifecycleEventStatus, start time.Duration) cdtypes.LifecycleEvent {
		return cdtypes.LifecycleEvent{LifecycleEventName: aws.String(name), Status: st, StartTime: aws.Time(t0.Add(start))}
	}
	t := &cdtypes.ECSTarget{Status: cdtypes.TargetStatusInProgress, LastUpdatedAt: aws.Time(t0)}
	switch {
	case s < 10*time.Second:
		t.LifecycleEvents = []cdtypes.LifecycleEvent{ev("Install", cdtypes.LifecycleEventStatusInProgress, 0), ev("AllowTraffic", cdtypes.LifecycleEventStatusPending, 0)}
	case s < c.shift:
		t.LifecycleEvents = []cdtypes.LifecycleEvent{ev("Install", cdtypes.LifecycleEventStatusSucceeded, 0), ev("AllowTraffic", cdtypes.LifecycleEventStatusInProgress, 10*time.Second)}
		t.TaskSetsInfo = []cdtypes.ECSTaskSet{{TaskSetLabel: cdtypes.TargetLabelBlue, TrafficWeight: 90}, {TaskSetLabel: cdtypes.TargetLabelGreen, TrafficWeight: 10}}
	default:
		t.Status, t.LastUpdatedAt = cdtypes.TargetStatusSucceeded, aws.Time(t0.Add(c.shift))
		t.LifecycleEvents = []cdtypes.LifecycleEvent{ev("Install", cdtypes.LifecycleEventStatusSucceeded, 0), ev("AllowTraffic", cdtypes.LifecycleEventStatusSucceeded, 10*time.Second)}
		t.TaskSetsInfo = []cdtypes.ECSTaskSet{{TaskSetLabel: cdtypes.TargetLabelBlue}, {TaskSetLabel: cdtypes.TargetLabelGreen, TrafficWeight: 100}}
	}
	return &codedeploy.GetDeploymentTargetOutput{DeploymentTarget: &cdtypes.DeploymentTarget{EcsTarget: t}}, nil
}

func (c *canaryCD) GetDeploymentConfig(context.Context, *codedeploy.GetDeploymentConfigInput, ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentConfigOutput, error) {
	c.configReads++
	return &codedeploy.GetDeploymentConfigOutput{DeploymentConfigInfo: &cdtypes.DeploymentConfigInfo{TrafficRoutingConfig: &cdtypes.TrafficRoutingConfig{
		Type: cdtypes.TrafficRoutingTypeTimeBasedCanary, TimeBasedCanary: &cdtypes.TimeBasedCanary{CanaryPercentage: 10, CanaryInterval: 5}}}}, nil
}

// TestFollowReadsWhenChangesAreDue: the follower reads the target at the
// canary's shift (known from the deployment configuration, read once) and
// the deployment at the end of the termination wait (from the target's
// lastUpdatedAt and the group's wait), so it sees the verdict the moment it
// comes; it reads no target during the termination wait and stays under
// one read a second.
func TestFollowReadsWhenChangesAreDue(t *testing.T) {
	clock := &watch.StepClock{T: t0}
	api := &canaryCD{clock: clock, shift: 310 * time.Second, success: 430 * time.Second}
	res, err := Follow(context.Background(), api, "d-1", FollowOptions{Clock: clock, Timeout: time.Hour, TerminationWait: 2 * time.Minute})
	if err != nil || res.Verdict.Outcome != progress.Succeeded {
		t.Fatalf("%+v %v", res, err)
	}
	if end := clock.Now().Sub(t0); end != api.success {
		t.Errorf("the verdict came at %s and was seen at %s; the read should be due at its time", api.success, end)
	}
	sawShift := false
	for _, at := range api.targetAt {
		sawShift = sawShift || at == api.shift
		if at > api.shift && at < api.success {
			t.Errorf("target read at %s, in the termination wait (reads: %v)", at, api.targetAt)
		}
	}
	if !sawShift {
		t.Errorf("no target read at the canary's shift (%s): %v", api.shift, api.targetAt)
	}
	if api.configReads != 1 {
		t.Errorf("deployment configuration read %d times, want once", api.configReads)
	}
	if perSec := float64(res.Reads) / api.success.Seconds(); perSec > 1 {
		t.Errorf("%d reads in %s: %.2f a second, want at most 1", res.Reads, api.success, perSec)
	}
}

// bakingECS plays a service deployment that enters BAKE_TIME (3 minutes)
// at 20 s and succeeds when the bake time ends.
type bakingECS struct {
	clock *watch.StepClock
	reads []time.Duration
}

func (b *bakingECS) DescribeServiceDeployments(context.Context, *ecs.DescribeServiceDeploymentsInput, ...func(*ecs.Options)) (*ecs.DescribeServiceDeploymentsOutput, error) {
	s := b.clock.Now().Sub(t0)
	b.reads = append(b.reads, s)
	sd := types.ServiceDeployment{ServiceDeploymentArn: aws.String("arn:aws:ecs:us-east-1:1:service-deployment/c/web/x"),
		Status: types.ServiceDeploymentStatusInProgress, LifecycleStage: types.ServiceDeploymentLifecycleStageScaleUp,
		DeploymentConfiguration: &types.DeploymentConfiguration{BakeTimeInMinutes: aws.Int32(3)}}
	switch {
	case s >= 200*time.Second:
		sd.Status, sd.LifecycleStage = types.ServiceDeploymentStatusSuccessful, types.ServiceDeploymentLifecycleStageCleanUp
	case s >= 20*time.Second:
		sd.LifecycleStage, sd.UpdatedAt = types.ServiceDeploymentLifecycleStageBakeTime, aws.Time(t0.Add(20*time.Second))
	}
	return &ecs.DescribeServiceDeploymentsOutput{ServiceDeployments: []types.ServiceDeployment{sd}}, nil
}

// TestFollowServiceDeploymentReadsAtBakeEnd: the bake time's end, from the
// stage's updatedAt, is read at; the verdict is seen when it comes.
func TestFollowServiceDeploymentReadsAtBakeEnd(t *testing.T) {
	clock := &watch.StepClock{T: t0}
	api := &bakingECS{clock: clock}
	var steps []string
	res, err := FollowServiceDeployment(context.Background(), api, "c", "arn:aws:ecs:us-east-1:1:service-deployment/c/web/x",
		FollowOptions{Clock: clock, Timeout: time.Hour, Reporter: progress.ReporterFunc(func(e progress.Event) {
			if s, ok := e.(progress.Step); ok {
				steps = append(steps, s.Message)
			}
		})})
	if err != nil || res.Verdict.Outcome != progress.Succeeded {
		t.Fatalf("%+v %v", res, err)
	}
	if end := clock.Now().Sub(t0); end != 200*time.Second {
		t.Errorf("the verdict came at 200s and was seen at %s", end)
	}
	found := false
	for _, s := range steps {
		found = found || s == "stage BAKE_TIME: bake time until 09:03:20Z"
	}
	if !found {
		t.Errorf("progress does not give the bake time's end: %q", steps)
	}
}
