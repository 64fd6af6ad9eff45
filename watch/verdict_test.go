package watch

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/progress"
)

func TestJudge(t *testing.T) {
	target := Target{DeploymentID: "ecs-svc/2", TaskDefinition: newTD}
	inProgress := types.DeploymentRolloutStateInProgress
	completed := types.DeploymentRolloutStateCompleted
	failed := types.DeploymentRolloutStateFailed
	rollback := dep("ecs-svc/3", "PRIMARY", oldTD, inProgress, 2, 0, 0)
	rollback.RolloutStateReason = aws.String("ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.")
	failedOurs := dep("ecs-svc/2", "ACTIVE", newTD, failed, 2, 0, 3)
	failedOurs.RolloutStateReason = aws.String("ECS deployment circuit breaker: tasks failed to start.")

	checked := observation{tasksChecked: true}

	cases := []struct {
		name    string
		target  Target
		svc     types.Service
		obs     observation
		done    bool
		outcome progress.Outcome
		reason  string
	}{
		{name: "in progress keeps waiting", target: target,
			svc: service(true, dep("ecs-svc/2", "PRIMARY", newTD, inProgress, 2, 1, 0), dep("ecs-svc/1", "ACTIVE", oldTD, completed, 2, 2, 0))},
		{name: "completed with all running succeeds", target: target, obs: checked, done: true, outcome: progress.Succeeded, reason: "COMPLETED",
			svc: service(true, dep("ecs-svc/2", "PRIMARY", newTD, completed, 2, 2, 0))},
		{name: "completed is not success before our stopped tasks are listed", target: target,
			svc: service(true, dep("ecs-svc/2", "PRIMARY", newTD, completed, 2, 2, 0))},
		{name: "completed but a task of ours died after running fails", target: target, obs: observation{tasksChecked: true, failedTasks: 1},
			done: true, outcome: progress.Failed, reason: "1 task of this deployment stopped for a failure since it began",
			svc: service(false, dep("ecs-svc/2", "PRIMARY", newTD, completed, 4, 4, 0))},
		{name: "completed with ECS counting a failed task fails", target: target, obs: checked,
			done: true, outcome: progress.Failed, reason: "2 tasks of this deployment stopped",
			svc: service(true, dep("ecs-svc/2", "PRIMARY", newTD, completed, 4, 4, 2))},
		{name: "skip deployments check with a dead task fails", target: Target{DeploymentID: "ecs-svc/2", TaskDefinition: newTD, SkipDeploymentsCheck: true},
			obs: observation{tasksChecked: true, failedTasks: 1}, done: true, outcome: progress.Failed, reason: "stopped for a failure",
			svc: service(false, dep("ecs-svc/2", "PRIMARY", newTD, inProgress, 2, 2, 0), dep("ecs-svc/1", "ACTIVE", oldTD, completed, 2, 2, 0))},
		{name: "completed but not all running waits", target: target, obs: checked,
			svc: service(true, dep("ecs-svc/2", "PRIMARY", newTD, completed, 2, 1, 0))},
		{name: "rolloutState FAILED fails", target: target, done: true, outcome: progress.Failed, reason: "FAILED",
			svc: service(true, dep("ecs-svc/2", "PRIMARY", newTD, failed, 2, 0, 3))},
		{name: "circuit breaker rollback is a failure even once stable", target: target, done: true, outcome: progress.Failed,
			reason: "ECS deployment circuit breaker: tasks failed to start; ECS is rolling back to web:1 (deployment ecs-svc/3)",
			svc:    service(true, func() types.Deployment { d := rollback; d.RolloutState = completed; d.RunningCount = 2; return d }(), failedOurs)},
		{name: "breaker failed ours and the completed rollback already replaced it", target: target, done: true, outcome: progress.Failed,
			reason: "circuit breaker failed it (tasks failed to start); ECS rolled the service back to web:1 (deployment ecs-svc/3)",
			obs:    observation{breakerFailure: "(service web) (deployment ecs-svc/2) deployment failed: tasks failed to start."},
			svc:    service(true, func() types.Deployment { d := dep("ecs-svc/3", "PRIMARY", oldTD, completed, 2, 2, 0); return d }())},
		{name: "our deployment gone, another primary", target: target, done: true, outcome: progress.Failed, reason: "replaced",
			svc: service(true, dep("ecs-svc/9", "PRIMARY", newTD, completed, 2, 2, 0))},
		{name: "another deployment took over", target: target, done: true, outcome: progress.Failed, reason: "replaced",
			svc: service(true, dep("ecs-svc/9", "PRIMARY", newTD, inProgress, 2, 0, 0), dep("ecs-svc/2", "ACTIVE", newTD, inProgress, 2, 2, 0))},
		{name: "a different task definition is never success", target: target, done: true, outcome: progress.Failed, reason: "not",
			svc: service(true, dep("ecs-svc/2", "PRIMARY", oldTD, completed, 2, 2, 0))},
		{name: "no rolloutState, only deployment, all running", target: target, obs: checked, done: true, outcome: progress.Succeeded, reason: "only deployment",
			svc: service(false, dep("ecs-svc/2", "PRIMARY", newTD, "", 2, 2, 0))},
		{name: "no rolloutState, old deployment still draining", target: target,
			svc: service(false, dep("ecs-svc/2", "PRIMARY", newTD, "", 2, 2, 0), dep("ecs-svc/1", "ACTIVE", oldTD, "", 2, 1, 0))},
		{name: "skip deployments check succeeds once ours run", target: Target{DeploymentID: "ecs-svc/2", TaskDefinition: newTD, SkipDeploymentsCheck: true}, obs: checked,
			done: true, outcome: progress.Succeeded, reason: "old tasks not awaited",
			svc: service(false, dep("ecs-svc/2", "PRIMARY", newTD, inProgress, 2, 2, 0), dep("ecs-svc/1", "ACTIVE", oldTD, completed, 2, 2, 0))},
		{name: "failedTasks at threshold without breaker fails", target: target, done: true, outcome: progress.Failed, reason: "threshold 3",
			svc: service(false, dep("ecs-svc/2", "PRIMARY", newTD, inProgress, 2, 0, 3))},
		{name: "stopped failed tasks count without breaker", target: target, obs: observation{failedTasks: 3},
			done: true, outcome: progress.Failed, reason: "3 tasks",
			svc: service(false, dep("ecs-svc/2", "PRIMARY", newTD, inProgress, 2, 0, 0))},
		{name: "with the breaker ECS decides on failed tasks", target: target, obs: observation{failedTasks: 5},
			svc: service(true, dep("ecs-svc/2", "PRIMARY", newTD, inProgress, 2, 0, 2))},
		{name: "placement failing past the grace fails", target: target, done: true, outcome: progress.Failed, reason: "cannot be placed",
			obs: observation{placementFailures: 1, firstPlacementFail: t0, now: t0.Add(time.Minute), placementGrace: 30 * time.Second, lastPlacementMsg: "unable to place a task"},
			svc: service(true, dep("ecs-svc/2", "PRIMARY", newTD, inProgress, 2, 0, 0))},
		{name: "placement failing within the grace waits", target: target,
			obs: observation{placementFailures: 1, firstPlacementFail: t0, now: t0.Add(time.Second), placementGrace: 30 * time.Second},
			svc: service(true, dep("ecs-svc/2", "PRIMARY", newTD, inProgress, 2, 0, 0))},
		{name: "deleted service fails", target: target, done: true, outcome: progress.Failed, reason: "INACTIVE",
			svc: func() types.Service { s := service(true); s.Status = aws.String("INACTIVE"); return s }()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := judge(c.target, c.svc, c.obs)
			if j.done != c.done || j.outcome != c.outcome {
				t.Fatalf("judge = done %v outcome %q (%s); want done %v outcome %q", j.done, j.outcome, j.reason, c.done, c.outcome)
			}
			if !strings.Contains(j.reason, c.reason) {
				t.Fatalf("reason %q does not mention %q", j.reason, c.reason)
			}
		})
	}
}

func TestJudgeNamesRollbackDeployment(t *testing.T) {
	rb := dep("ecs-svc/3", "PRIMARY", oldTD, types.DeploymentRolloutStateInProgress, 2, 0, 0)
	rb.RolloutStateReason = aws.String("ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.")
	j := judge(Target{DeploymentID: "ecs-svc/2"}, service(true, rb, dep("ecs-svc/2", "ACTIVE", newTD, types.DeploymentRolloutStateFailed, 2, 0, 3)), observation{})
	if j.rollbackID != "ecs-svc/3" {
		t.Fatalf("rollbackID = %q, want ecs-svc/3", j.rollbackID)
	}
}

func TestFailureThreshold(t *testing.T) {
	for desired, want := range map[int32]int{1: 3, 4: 3, 6: 3, 7: 4, 10: 5, 25: 13, 400: 200, 1000: 200} {
		if got := failureThreshold(desired); got != want {
			t.Errorf("failureThreshold(%d) = %d, want %d", desired, got, want)
		}
	}
}

// A wait that follows a deployment from a later moment (scale) judges only
// what happened since: ECS's failedTasks, counted from the deployment's
// start, does not fail it, while a task that failed since still does.
func TestJudgeCountsFailuresOnlySinceTheWaitBegan(t *testing.T) {
	d := dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateCompleted, 4, 4, 2)
	later := Target{DeploymentID: "ecs-svc/2", Since: t0.Add(time.Hour)}
	if j := judge(later, service(false, d), observation{tasksChecked: true}); j.outcome != progress.Succeeded {
		t.Fatalf("judge = %q (%s); old failures of the deployment must not fail a later wait", j.outcome, j.reason)
	}
	if j := judge(later, service(false, d), observation{tasksChecked: true, failedTasks: 1}); j.outcome != progress.Failed {
		t.Fatalf("judge = %q (%s); a task that failed since the wait began must fail it", j.outcome, j.reason)
	}
	fromStart := Target{DeploymentID: "ecs-svc/2", Since: t0.Add(time.Minute)}
	if j := judge(fromStart, service(false, d), observation{tasksChecked: true}); j.outcome != progress.Failed {
		t.Fatalf("judge = %q (%s); a deploy's own deployment counts ECS's failedTasks", j.outcome, j.reason)
	}
}

func TestWaitIgnoresTasksThatFailedBeforeItsSince(t *testing.T) {
	done := service(false, dep("ecs-svc/2", "PRIMARY", newTD, types.DeploymentRolloutStateCompleted, 2, 2, 0))
	f := &fakeECS{script: []step{{svc: done}}}
	f.tasks = []types.Task{stoppedTask("old", "ecs-svc/2", "EssentialContainerExited", "Essential container in task exited", "app", 1, "")}
	target := ourTarget
	target.Since = t0.Add(time.Hour) // the task stopped at t0+2m
	res, err := Wait(context.Background(), f, target, fastOptions(nil))
	if err != nil || res.Outcome != progress.Succeeded {
		t.Fatalf("err %v, outcome %q (%s)", err, res.Outcome, res.Reason)
	}
}
