package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// With polls far apart, the local ECS fails the deployment, rolls back and
// completes the rollback before the watcher looks again: the next poll sees
// only the rollback deployment, already COMPLETED. That is still a failure
// named after the circuit breaker, with rolloutState FAILED in the report.
func TestLocalDeployRollbackCompletedBetweenPollsIsAFailure(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, scen(scenario.Image{Match: "*/app:crash", ExitCode: intp(2), ExitAfter: scenario.Duration(2 * time.Second)}))
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1,
		breaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}})
	code, stdout, stderr := l.run(t, deployArgs("-i", "app=registry.example.com/app:crash", "--poll-interval", "400s")...)
	r := parseReport(t, stdout)
	if code != 1 || r.Outcome != "failed" {
		t.Fatalf("a circuit-breaker rollback must fail the deploy: exit %d, report %+v", code, r)
	}
	if !strings.Contains(r.Reason, "circuit breaker failed it") || r.RolloutState != "FAILED" {
		t.Fatalf("reason %q, rolloutState %q: the report must say the circuit breaker failed the deployment", r.Reason, r.RolloutState)
	}
	if strings.Contains(stderr, " GONE ") {
		t.Fatalf("progress shows a deployment as GONE with stale counts:\n%s", stderr)
	}
}

// ECS's circuit-breaker rollback restores the task definition only; with
// --rollback the deploy also sets back the desired count it changed, and the
// report says so.
func TestLocalDeployRollbackAfterTheBreakerRestoresTheDesiredCount(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, scen(scenario.Image{Match: "*/app:crash", ExitCode: intp(2), ExitAfter: scenario.Duration(2 * time.Second)}))
	td1 := l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 2,
		breaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}})
	code, stdout, stderr := l.run(t, deployArgs("-i", "app=registry.example.com/app:crash", "-D", "6", "--rollback", "-t", "120")...)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, stderr)
	}
	svc := l.service(t)
	if got := svc.TaskDefinition; got == nil || *got != td1 || svc.DesiredCount != 2 {
		t.Fatalf("after the rollback the service runs %v with %d desired; want %s with 2\n%s", got, svc.DesiredCount, td1, stderr)
	}
	if !strings.Contains(stdout, `"desiredCount": 2`) || !strings.Contains(stdout, "desired count restored to 2") {
		t.Fatalf("the report does not say the desired count was restored:\n%s", stdout)
	}
}
