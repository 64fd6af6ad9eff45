package bluegreen

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/progress"
)

// ServiceDeploymentsAPI is the part of the ECS API that follows a service
// deployment of the ECS-native blue/green, linear and canary strategies.
type ServiceDeploymentsAPI interface {
	DescribeServiceDeployments(ctx context.Context, in *ecs.DescribeServiceDeploymentsInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServiceDeploymentsOutput, error)
}

// Stages are ECS's lifecycle stages of a service deployment, in order.
var Stages = []types.ServiceDeploymentLifecycleStage{
	types.ServiceDeploymentLifecycleStageReconcileService,
	types.ServiceDeploymentLifecycleStagePreScaleUp,
	types.ServiceDeploymentLifecycleStageScaleUp,
	types.ServiceDeploymentLifecycleStagePostScaleUp,
	types.ServiceDeploymentLifecycleStageTestTrafficShift,
	types.ServiceDeploymentLifecycleStagePostTestTrafficShift,
	types.ServiceDeploymentLifecycleStageProductionTrafficShift,
	types.ServiceDeploymentLifecycleStagePostProductionTrafficShift,
	types.ServiceDeploymentLifecycleStageBakeTime,
	types.ServiceDeploymentLifecycleStageCleanUp,
}

func stageIndex(s types.ServiceDeploymentLifecycleStage) int { return slices.Index(Stages, s) }

// JudgeServiceDeployment decides, from one reading of an ECS service
// deployment, whether the wait is over. SUCCESSFUL is the only success of
// a whole wait; every rollback and stop is a failure, even once the
// rollback itself succeeded, as a circuit-breaker rollback is for a
// rolling deploy.
func JudgeServiceDeployment(sd types.ServiceDeployment, until WaitUntil) Verdict {
	arn := aws.ToString(sd.ServiceDeploymentArn)
	switch sd.Status {
	case types.ServiceDeploymentStatusSuccessful:
		return Verdict{Done: true, Outcome: progress.Succeeded, Reason: "service deployment " + ecsref.Short(arn) + " succeeded"}
	case types.ServiceDeploymentStatusRollbackSuccessful, types.ServiceDeploymentStatusRollbackFailed,
		types.ServiceDeploymentStatusStopped:
		return Verdict{Done: true, Outcome: progress.Failed, Reason: serviceFailure(sd)}
	}
	stage := stageIndex(sd.LifecycleStage)
	switch until {
	case UntilTestTraffic:
		if stage > stageIndex(types.ServiceDeploymentLifecycleStagePostTestTrafficShift) && sd.Status == types.ServiceDeploymentStatusInProgress {
			return Verdict{Done: true, Outcome: progress.Succeeded, Reason: "test traffic reaches the new revision",
				Remaining: "production traffic shifts next, by the deployment's strategy"}
		}
	case UntilTrafficShifted:
		if stage >= stageIndex(types.ServiceDeploymentLifecycleStageBakeTime) && sd.Status == types.ServiceDeploymentStatusInProgress {
			return Verdict{Done: true, Outcome: progress.Succeeded, Reason: "production traffic is on the new revision",
				Remaining: "the bake time runs, then the old revision is cleaned up; an alarm during the bake still rolls back"}
		}
	}
	return Verdict{}
}

// serviceFailure says why a service deployment failed: its status and
// reason, the failed hook, the alarms that fired, the circuit breaker.
func serviceFailure(sd types.ServiceDeployment) string {
	parts := []string{fmt.Sprintf("service deployment %s ended %s", ecsref.Short(aws.ToString(sd.ServiceDeploymentArn)), sd.Status)}
	if r := aws.ToString(sd.StatusReason); r != "" {
		parts = append(parts, r)
	}
	if sd.LifecycleStage != "" {
		parts = append(parts, "at stage "+string(sd.LifecycleStage))
	}
	for _, h := range sd.LifecycleHookDetails {
		if h.Status == types.DeploymentLifecycleHookStatusFailed || h.Status == types.DeploymentLifecycleHookStatusTimedOut {
			parts = append(parts, fmt.Sprintf("lifecycle hook %s %s", hookName(aws.ToString(h.TargetArn)), strings.ToLower(string(h.Status))))
		}
	}
	if a := sd.Alarms; a != nil && len(a.TriggeredAlarmNames) > 0 {
		parts = append(parts, "alarm in ALARM: "+strings.Join(a.TriggeredAlarmNames, ", "))
	}
	if cb := sd.DeploymentCircuitBreaker; cb != nil && cb.Status == types.ServiceDeploymentRollbackMonitorsStatusTriggered {
		parts = append(parts, fmt.Sprintf("circuit breaker triggered after %d failed tasks", cb.FailureCount))
	}
	if rb := sd.Rollback; rb != nil && aws.ToString(rb.Reason) != "" {
		parts = append(parts, "rollback: "+aws.ToString(rb.Reason))
	}
	return strings.Join(parts, "; ")
}

// hookName is a Lambda function's name from its ARN, or the ARN as it is.
func hookName(arn string) string {
	if _, name, ok := strings.Cut(arn, ":function:"); ok {
		return name
	}
	return arn
}

// FollowServiceDeployment reads an ECS service deployment until
// JudgeServiceDeployment says the wait is over or the timeout passes,
// reporting each lifecycle stage, a hook waiting for action, and the end
// of the bake time. It reads at the end of the bake time, quickly while a
// lifecycle hook runs, and at the quiet beat otherwise.
func FollowServiceDeployment(ctx context.Context, api ServiceDeploymentsAPI, cluster, arn string, o FollowOptions) (*ServiceFollowResult, error) {
	o.defaults()
	res := &ServiceFollowResult{ServiceDeploymentArn: arn}
	f := &serviceFollower{o: o, arn: arn, paused: map[string]bool{}}
	timedOut, err := pollUntil(ctx, o.Clock, o.Timeout, func(ctx context.Context, now time.Time) (bool, time.Time, error) {
		out, err := api.DescribeServiceDeployments(ctx, &ecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{arn}})
		res.Reads++
		if err != nil {
			return false, time.Time{}, err
		}
		if len(out.ServiceDeployments) != 1 {
			return false, time.Time{}, fmt.Errorf("service deployment %s not found", arn)
		}
		sd := out.ServiceDeployments[0]
		res.Last = sd
		f.report(now, sd)
		if v := JudgeServiceDeployment(sd, o.Until); v.Done {
			res.Verdict = v
			return true, time.Time{}, nil
		}
		return false, f.schedule(now, sd), nil
	})
	if err != nil {
		return res, err
	}
	if timedOut {
		reason := "timed out"
		if f.stage != "" {
			reason += " at stage " + string(f.stage)
		}
		if f.stage == types.ServiceDeploymentLifecycleStageBakeTime && !f.bakeEnd.IsZero() {
			reason += " (the bake time ends at " + f.bakeEnd.UTC().Format("15:04:05Z") + ")"
		}
		res.Verdict = Verdict{Done: true, Outcome: progress.TimedOut, Reason: reason}
	}
	return res, nil
}

// defaultDeregistrationDelay is a target group's deregistration delay
// unless changed (ELBv2's deregistration_delay.timeout_seconds).
const defaultDeregistrationDelay = 300 * time.Second

// serviceFollower is what FollowServiceDeployment remembers between reads.
type serviceFollower struct {
	o       FollowOptions
	arn     string
	stage   types.ServiceDeploymentLifecycleStage
	status  types.ServiceDeploymentStatus
	bakeEnd time.Time // zero unless in BAKE_TIME with a known bake time
	// due is when the current stage is expected to end: the bake time's
	// end, or CLEAN_UP's after the default deregistration delay.
	due    time.Time
	paused map[string]bool
}

// report sends what changed since the last read.
func (f *serviceFollower) report(now time.Time, sd types.ServiceDeployment) {
	step := func(format string, args ...any) {
		f.o.Reporter.Report(progress.Step{At: now, Message: fmt.Sprintf(format, args...)})
	}
	if sd.Status != f.status {
		f.status = sd.Status
		step("service deployment %s: %s", ecsref.Short(f.arn), sd.Status)
	}
	if sd.LifecycleStage != f.stage && sd.LifecycleStage != "" {
		f.stage, f.bakeEnd, f.due = sd.LifecycleStage, time.Time{}, time.Time{}
		msg := "stage " + string(sd.LifecycleStage)
		if sd.LifecycleStage == types.ServiceDeploymentLifecycleStageBakeTime && sd.DeploymentConfiguration != nil && sd.DeploymentConfiguration.BakeTimeInMinutes != nil {
			bake := time.Duration(*sd.DeploymentConfiguration.BakeTimeInMinutes) * time.Minute
			// ECS stamps updatedAt as the stage begins; on a clock unlike
			// ours (a sped-up local ECS) the end is not predicted.
			if u := sd.UpdatedAt; u != nil && onOurClock(*u, now) {
				f.bakeEnd, f.due = u.Add(bake), u.Add(bake)
				msg += ": bake time until " + f.bakeEnd.UTC().Format("15:04:05Z")
			} else {
				msg += fmt.Sprintf(": bake time of %s", bake)
			}
		}
		if u := sd.UpdatedAt; sd.LifecycleStage == types.ServiceDeploymentLifecycleStageCleanUp && u != nil && onOurClock(*u, now) {
			// Clean-up drains the old revision's targets first: most target
			// groups keep the default deregistration delay. A guess: when
			// wrong, the quiet beat applies.
			f.due = u.Add(defaultDeregistrationDelay)
		}
		step("%s", msg)
	}
	for _, h := range sd.LifecycleHookDetails {
		id := aws.ToString(h.HookId)
		if h.TargetType == types.DeploymentLifecycleHookTargetTypePause && h.Status == types.DeploymentLifecycleHookStatusAwaitingAction && !f.paused[id] {
			f.paused[id] = true
			step("paused at %s: `ecsdeploy promote` resumes it", sd.LifecycleStage)
		}
	}
}

// schedule says when to read next: at the end of the bake time, quickly
// while a lifecycle hook runs or the deployment is about to start, and at
// the quiet beat otherwise.
func (f *serviceFollower) schedule(now time.Time, sd types.ServiceDeployment) time.Time {
	if sd.Status == types.ServiceDeploymentStatusPending {
		return now.Add(busyBeat)
	}
	for _, h := range sd.LifecycleHookDetails {
		if h.Status == types.DeploymentLifecycleHookStatusInProgress {
			return now.Add(busyBeat)
		}
	}
	return nextRead(now, f.due, f.o.Poll)
}

// ServiceFollowResult is how following a service deployment ended.
type ServiceFollowResult struct {
	ServiceDeploymentArn string
	Verdict              Verdict
	Last                 types.ServiceDeployment
	Reads                int
}
