package watch

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/progress"
)

// Target says which deployment to follow and what counts as its success.
type Target struct {
	Cluster string
	Service string

	// DeploymentID is the deployment to follow: the PRIMARY deployment that
	// UpdateService returned. Nothing else can make the wait succeed.
	DeploymentID string

	// TaskDefinition is the ARN our deployment must run; "" accepts whatever
	// the deployment runs (waiting for someone else's deployment).
	TaskDefinition string

	// Since is when the deployment began (its createdAt, in ECS's clock);
	// service events from then on belong to it. Zero means the deployment's
	// own createdAt as DescribeServices reports it.
	Since time.Time

	// Awaited marks someone else's deployment, found in progress and
	// waited for before ours: progress calls it "awaited", not "ours".
	Awaited bool

	// SkipDeploymentsCheck counts success as soon as all of our deployment's
	// tasks run, without waiting for old tasks to drain.
	SkipDeploymentsCheck bool

	// FailureThreshold is how many failed tasks of our deployment make it a
	// failure on a service without the circuit breaker. 0 means the circuit
	// breaker's own threshold: half the desired count, at least 3, at most 200.
	FailureThreshold int
}

// judgement is what one poll concluded.
type judgement struct {
	done    bool
	outcome progress.Outcome
	reason  string
	// rollbackID is the deployment ECS started to roll ours back, if any.
	rollbackID string
	// replacedBy is the deployment someone else started over ours, if any.
	replacedBy string
	// checkTasks says the service alone would make this a success, which
	// stands only once our stopped tasks have been listed in this poll:
	// ECS's own counts forget tasks that ran, passed and then died.
	checkTasks bool
	// rolloutState and rolloutStateReason, when set, are our deployment's
	// final state as learnt from a service event, for a deployment that left
	// the service before a poll could see that state.
	rolloutState, rolloutStateReason string
}

// observation is what the watcher knows after a poll, beyond the service.
type observation struct {
	failedTasks int // distinct stopped tasks of ours that failed
	// tasksChecked says failedTasks comes from a listing of our stopped
	// tasks made after the service was read in this poll.
	tasksChecked       bool
	placementFailures  int           // "unable to place a task" events since we began
	firstPlacementFail time.Time     // when the first of them was seen
	runningAtPlacement int32         // our running count when it was seen
	placementGrace     time.Duration // how long placement may fail without progress
	now                time.Time
	lastPlacementMsg   string
	// breakerFailure is ECS's event saying our deployment failed
	// ("(deployment ecs-svc/N) deployment failed: ..."), if one was seen. It
	// outlives the deployment itself, which can drop out of the service
	// between two polls once the rollback deployment has taken over.
	breakerFailure string
}

// breakerCause is the cause in ECS's "(deployment X) deployment failed: tasks
// failed to start." event, without the service and deployment it repeats.
func breakerCause(event string) string {
	const marker = "deployment failed:"
	if i := strings.Index(event, marker); i >= 0 {
		if cause := strings.TrimSuffix(strings.TrimSpace(event[i+len(marker):]), "."); cause != "" {
			return cause
		}
	}
	return event
}

// breakerEnabled reports whether ECS itself decides failure for this service.
func breakerEnabled(svc types.Service) bool {
	dc := svc.DeploymentConfiguration
	return dc != nil && dc.DeploymentCircuitBreaker != nil && dc.DeploymentCircuitBreaker.Enable
}

// FailureThreshold is the circuit breaker's threshold for desired tasks:
// how many of a deployment's tasks may fail before it is a failure.
func FailureThreshold(desired int32) int { return failureThreshold(desired) }

// failureThreshold is the circuit breaker's threshold: ceil(desired/2) kept within [3, 200].
func failureThreshold(desired int32) int {
	n := int((desired + 1) / 2)
	if n < 3 {
		n = 3
	}
	if n > 200 {
		n = 200
	}
	return n
}

func findDeployment(svc types.Service, id string) (types.Deployment, bool) {
	for _, d := range svc.Deployments {
		if aws.ToString(d.Id) == id {
			return d, true
		}
	}
	return types.Deployment{}, false
}

// isRollback recognises the deployment ECS starts when the circuit breaker
// rolls a failed deployment back.
func isRollback(d types.Deployment) bool {
	return strings.Contains(strings.ToLower(aws.ToString(d.RolloutStateReason)), "rolling back")
}

// judge decides, from one DescribeServices answer and what the watcher has
// seen, whether our deployment is done and how. It is pure so that every
// rule is unit-tested.
func judge(t Target, svc types.Service, obs observation) judgement {
	if st := aws.ToString(svc.Status); st == "INACTIVE" || st == "DRAINING" {
		return judgement{done: true, outcome: progress.Failed, reason: fmt.Sprintf("the service is %s (deleted)", st)}
	}
	ours, found := findDeployment(svc, t.DeploymentID)
	prim, hasPrimary := ecsref.PrimaryDeployment(svc)
	// ECS rolling our deployment back is always a failure, whatever the
	// service looks like afterwards.
	if hasPrimary && aws.ToString(prim.Id) != t.DeploymentID && isRollback(prim) {
		// Why ours failed ("ECS deployment circuit breaker: tasks failed to
		// start."), then where ECS is taking the service.
		cause := strings.TrimSuffix(aws.ToString(ours.RolloutStateReason), ".")
		if !found || cause == "" {
			cause = "ECS failed the deployment"
			if obs.breakerFailure != "" {
				cause = "the deployment circuit breaker failed it (" + breakerCause(obs.breakerFailure) + ")"
			}
		}
		reason := fmt.Sprintf("%s; ECS is rolling back to %s (deployment %s)", cause, ecsref.Short(aws.ToString(prim.TaskDefinition)), aws.ToString(prim.Id))
		return judgement{done: true, outcome: progress.Failed, reason: reason, rollbackID: aws.ToString(prim.Id)}
	}
	if obs.breakerFailure != "" && (!found || aws.ToString(ours.Status) != "PRIMARY" || ours.RolloutState == types.DeploymentRolloutStateFailed) {
		cause := breakerCause(obs.breakerFailure)
		// ECS writes that event when it sets the deployment's rolloutState to
		// FAILED; say so even if the deployment vanished before a poll saw it.
		j := judgement{done: true, outcome: progress.Failed, reason: "the deployment circuit breaker failed it (" + cause + ")",
			rolloutState: string(types.DeploymentRolloutStateFailed), rolloutStateReason: cause}
		if hasPrimary && aws.ToString(prim.Id) != t.DeploymentID {
			j.rollbackID = aws.ToString(prim.Id)
			j.reason += fmt.Sprintf("; ECS rolled the service back to %s (deployment %s)", ecsref.Short(aws.ToString(prim.TaskDefinition)), aws.ToString(prim.Id))
		}
		return j
	}
	if !found {
		if hasPrimary {
			return judgement{done: true, outcome: progress.Failed, replacedBy: aws.ToString(prim.Id),
				reason: fmt.Sprintf("replaced by deployment %s (%s) before it completed", aws.ToString(prim.Id), ecsref.Short(aws.ToString(prim.TaskDefinition)))}
		}
		return judgement{done: true, outcome: progress.Failed, reason: "the deployment disappeared from the service"}
	}
	if ours.RolloutState == types.DeploymentRolloutStateFailed {
		reason := "rolloutState FAILED"
		if r := aws.ToString(ours.RolloutStateReason); r != "" {
			reason += ": " + r
		}
		return judgement{done: true, outcome: progress.Failed, reason: reason}
	}
	if aws.ToString(ours.Status) != "PRIMARY" {
		// Someone else's deployment took over; ours will never complete.
		return judgement{done: true, outcome: progress.Failed, replacedBy: aws.ToString(prim.Id),
			reason: fmt.Sprintf("replaced by deployment %s (%s) before it completed", aws.ToString(prim.Id), ecsref.Short(aws.ToString(prim.TaskDefinition)))}
	}
	if t.TaskDefinition != "" && aws.ToString(ours.TaskDefinition) != t.TaskDefinition {
		return judgement{done: true, outcome: progress.Failed, reason: fmt.Sprintf("the deployment runs %s, not %s", aws.ToString(ours.TaskDefinition), t.TaskDefinition)}
	}
	if !breakerEnabled(svc) {
		threshold := t.FailureThreshold
		if threshold <= 0 {
			threshold = failureThreshold(ours.DesiredCount)
		}
		failed := int(ours.FailedTasks)
		if obs.failedTasks > failed {
			failed = obs.failedTasks
		}
		if failed >= threshold {
			return judgement{done: true, outcome: progress.Failed, reason: fmt.Sprintf("%d tasks of this deployment failed to start or stay healthy (threshold %d)", failed, threshold)}
		}
	}
	if obs.placementFailures > 0 && ours.RunningCount <= obs.runningAtPlacement &&
		obs.now.Sub(obs.firstPlacementFail) >= obs.placementGrace && ours.RunningCount < ours.DesiredCount {
		return judgement{done: true, outcome: progress.Failed, reason: "tasks cannot be placed: " + obs.lastPlacementMsg}
	}
	running := ours.RunningCount >= ours.DesiredCount && ours.PendingCount == 0
	if !followedFromStart(t, ours) {
		// ECS's failedTasks counts since the deployment began, before
		// this wait's Since: only the tasks listed since then count.
		ours.FailedTasks = 0
	}
	if t.SkipDeploymentsCheck && running {
		return succeeded(ours, obs, fmt.Sprintf("all %d tasks of the deployment are running (old tasks not awaited)", ours.RunningCount))
	}
	switch ours.RolloutState {
	case types.DeploymentRolloutStateCompleted:
		if running {
			return succeeded(ours, obs, fmt.Sprintf("rollout COMPLETED with %d of %d tasks running", ours.RunningCount, ours.DesiredCount))
		}
	case "":
		// No rolloutState (e.g. behind a Classic Load Balancer): steady state
		// is our deployment alone with every task running.
		if running && len(svc.Deployments) == 1 {
			return succeeded(ours, obs, fmt.Sprintf("the only deployment, with %d of %d tasks running", ours.RunningCount, ours.DesiredCount))
		}
	}
	return judgement{}
}

// followedFromStart reports whether the wait covers the deployment from its
// beginning (Since not after its createdAt), as for a deploy's own
// deployment; a scale follows a deployment from a later moment.
func followedFromStart(t Target, d types.Deployment) bool {
	return t.Since.IsZero() || d.CreatedAt == nil || !t.Since.After(*d.CreatedAt)
}

// succeeded is the last rule of success, once the service says our
// deployment is done with the desired count running: none of its tasks
// stopped for a failure since it began. ECS's failedTasks forgets a task that
// ran, passed its health checks and then died (killed for memory, a crash
// after a while), so our stopped tasks are listed before the verdict; until
// they are, the judgement asks for that listing.
func succeeded(ours types.Deployment, obs observation, reason string) judgement {
	if !obs.tasksChecked {
		return judgement{checkTasks: true}
	}
	failed := max(int(ours.FailedTasks), obs.failedTasks)
	if failed > 0 {
		return judgement{done: true, outcome: progress.Failed,
			reason: fmt.Sprintf("%d %s of this deployment stopped for a failure since it began, although ECS counts %d of %d running", failed, plural(failed, "task", "tasks"), ours.RunningCount, ours.DesiredCount)}
	}
	return judgement{done: true, outcome: progress.Succeeded, reason: reason}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
