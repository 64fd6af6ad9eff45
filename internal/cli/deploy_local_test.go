package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

func deployArgs(extra ...string) []string {
	return append([]string{"deploy", "-c", "c", "-n", "web", "--output", "json"}, extra...)
}

func TestLocalDeploySucceeds(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	td1 := l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 2})
	code, stdout, stderr := l.run(t, deployArgs("-i", "app=registry.example.com/app:2", "--env", "app:MODE=green")...)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	r := parseReport(t, stdout)
	if r.Outcome != "succeeded" || r.Revision != 2 || r.PreviousTaskDefinition != td1 || r.RolloutState != "COMPLETED" || r.DeploymentID == "" {
		t.Fatalf("report %+v", r)
	}
	if got := aws.ToString(l.service(t).TaskDefinition); got != r.TaskDefinition {
		t.Fatalf("service runs %s, report says %s", got, r.TaskDefinition)
	}
	if strings.Contains(stderr+stdout, "green") {
		t.Fatalf("an environment value was printed")
	}
}

func intp(n int) *int { return &n }

func scen(images ...scenario.Image) *scenario.Scenario { return &scenario.Scenario{Images: images} }

func hintsOf(r deployJSON) string {
	if r.Failure == nil {
		return ""
	}
	return strings.Join(r.Failure.Hints, "\n")
}

func TestLocalDeployCrashingImageFails(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, scen(scenario.Image{Match: "*/app:crash", ExitCode: intp(1), ExitAfter: scenario.Duration(5 * time.Second)}))
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 2})
	code, stdout, _ := l.run(t, deployArgs("-i", "app=registry.example.com/app:crash")...)
	r := parseReport(t, stdout)
	if code != 1 || r.Outcome != "failed" {
		t.Fatalf("exit %d outcome %q, want a failed deployment (exit 1)", code, r.Outcome)
	}
	if r.Failure == nil || len(r.Failure.StoppedTasks) == 0 || !strings.Contains(hintsOf(r), "essential container exited") {
		t.Fatalf("failure details %+v", r.Failure)
	}
	for _, task := range r.Failure.StoppedTasks {
		if !task.Ours || len(task.Containers) != 1 || aws.ToInt32(task.Containers[0].ExitCode) != 1 {
			t.Fatalf("stopped task %+v: want one of ours with the container's exit code 1", task)
		}
	}
}

func TestLocalDeployFailingHealthCheck(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, scen(scenario.Image{Match: "*/app:sick", Health: scenario.HealthUnhealthy}))
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 2, healthCheck: true})
	code, stdout, _ := l.run(t, deployArgs("-i", "app=registry.example.com/app:sick")...)
	r := parseReport(t, stdout)
	if code != 1 || !strings.Contains(hintsOf(r), "health checks") {
		t.Fatalf("exit %d, report %+v", code, r)
	}
}

func TestLocalDeployImagePullFailure(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, scen(scenario.Image{Match: "*/app:missing", PullFailure: "failed to resolve ref registry.example.com/app:missing: not found"}))
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	code, stdout, _ := l.run(t, deployArgs("-i", "app=registry.example.com/app:missing")...)
	r := parseReport(t, stdout)
	if code != 1 || !strings.Contains(hintsOf(r), "could not be pulled") {
		t.Fatalf("exit %d, report %+v", code, r)
	}
}

func TestLocalDeployNoCapacity(t *testing.T) {
	t.Parallel()
	// One instance with room for exactly one task: the new task of a 100/200
	// rollout can never be placed.
	l := newLocalECS(t, &scenario.Scenario{Capacity: &scenario.Capacity{Zones: []scenario.Zone{{Name: "a", Instances: 1, CPU: 1024, Memory: 4096}}}})
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1, ec2: true, cpu: "1024"})
	code, stdout, _ := l.run(t, deployArgs("-i", "app=registry.example.com/app:2")...)
	r := parseReport(t, stdout)
	if code != 1 || !strings.Contains(r.Reason, "cannot be placed") || !strings.Contains(hintsOf(r), "no capacity") {
		t.Fatalf("exit %d, report %+v", code, r)
	}
}

func TestLocalDeployCircuitBreakerRollbackIsAFailure(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, scen(scenario.Image{Match: "*/app:crash", ExitCode: intp(2), ExitAfter: scenario.Duration(2 * time.Second)}))
	td1 := l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1,
		breaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}})
	code, stdout, _ := l.run(t, deployArgs("-i", "app=registry.example.com/app:crash")...)
	r := parseReport(t, stdout)
	if code != 1 || r.Outcome != "failed" {
		t.Fatalf("a circuit-breaker rollback must fail the deploy: exit %d, report %+v", code, r)
	}
	if !strings.Contains(r.Reason, "rolling back") && !strings.Contains(r.Reason, "FAILED") {
		t.Fatalf("reason %q does not say the circuit breaker acted", r.Reason)
	}
	// ECS goes on rolling back to the old revision on its own.
	l.waitStable(t)
	if got := aws.ToString(l.service(t).TaskDefinition); got != td1 {
		t.Fatalf("after ECS's rollback the service runs %s, want %s", got, td1)
	}
}

func TestLocalDeployTimesOut(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, scen(scenario.Image{Match: "*/app:slow", StartupDelay: scenario.Duration(time.Hour)}))
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	code, stdout, _ := l.run(t, deployArgs("-i", "app=registry.example.com/app:slow", "-t", "1")...)
	r := parseReport(t, stdout)
	if code != 3 || r.Outcome != "timed-out" {
		t.Fatalf("exit %d outcome %q, want a timeout (exit 3)", code, r.Outcome)
	}
}

// TestLocalDeployRidesOutAThrottlingStorm runs on the wall clock: the SDK's
// own retries of throttled calls pause in wall time, and the rollout must go
// on meanwhile (on the manual clock it would stand still while they wait).
func TestLocalDeployRidesOutAThrottlingStorm(t *testing.T) {
	t.Parallel()
	// Once the deployment is under way three reads in four are throttled,
	// and every other write is throttled from the start.
	reads := func(op string) scenario.Fault {
		return scenario.Fault{Operation: op, Kind: scenario.FaultThrottle, Rate: 0.75, After: scenario.Duration(2 * time.Second)}
	}
	storm := &scenario.Scenario{Faults: []scenario.Fault{
		{Operation: "RegisterTaskDefinition", Kind: scenario.FaultThrottle, Rate: 0.5},
		{Operation: "UpdateService", Kind: scenario.FaultThrottle, Rate: 0.5},
		reads("Describe*"), reads("List*"),
	}}
	l := newWallLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 2})
	if err := l.em.SetScenario(storm); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := l.run(t, deployArgs("-i", "app=registry.example.com/app:2", "-t", "2000", "--poll-interval", "20ms")...)
	r := parseReport(t, stdout)
	if code != 0 || r.Outcome != "succeeded" {
		t.Fatalf("exit %d, report %+v", code, r)
	}
	if r.ThrottledPolls == 0 || !strings.Contains(stderr, "throttled by AWS") {
		t.Fatalf("the watcher was never throttled (%d throttled polls): the storm missed the wait", r.ThrottledPolls)
	}
}

func TestLocalDeployRollbackFlagRestoresThePreviousRevision(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, scen(scenario.Image{Match: "*/app:crash", ExitCode: intp(1), ExitAfter: scenario.Duration(3 * time.Second)}))
	td1 := l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 2})
	code, stdout, _ := l.run(t, deployArgs("-i", "app=registry.example.com/app:crash", "-D", "3", "--rollback")...)
	r := parseReport(t, stdout)
	if code != 1 || r.Rollback == nil || r.Rollback.Outcome != "succeeded" || r.Rollback.TaskDefinition != td1 || r.Rollback.ByECS {
		t.Fatalf("exit %d, rollback %+v", code, r.Rollback)
	}
	svc := l.service(t)
	if aws.ToString(svc.TaskDefinition) != td1 || svc.DesiredCount != 2 {
		t.Fatalf("after --rollback the service runs %s with desired %d, want %s with 2", aws.ToString(svc.TaskDefinition), svc.DesiredCount, td1)
	}
}

func TestLocalRollbackCommand(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	td1 := l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	if code, _, _ := l.run(t, deployArgs("-i", "app=registry.example.com/app:2")...); code != 0 {
		t.Fatalf("deploy exit %d", code)
	}
	code, stdout, _ := l.run(t, "rollback", "-c", "c", "-n", "web", "--output", "json")
	if code != 0 {
		t.Fatalf("rollback exit %d", code)
	}
	var rep struct {
		Outcome  string
		Rollback struct{ TaskDefinition, Outcome string }
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Outcome != "succeeded" || rep.Rollback.Outcome != "succeeded" || rep.Rollback.TaskDefinition != td1 || aws.ToString(l.service(t).TaskDefinition) != td1 {
		t.Fatalf("rollback report %+v; service runs %s; want %s", rep.Rollback, aws.ToString(l.service(t).TaskDefinition), td1)
	}
}

func TestLocalDeployPruneRules(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	td1 := l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	spec := serviceSpec{}
	td2 := l.register(t, "web", "registry.example.com/app:other", spec)
	td3 := l.register(t, "web", "registry.example.com/app:unused", spec)
	ctx := context.Background()
	if _, err := l.client.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("c"), ServiceName: aws.String("other"),
		TaskDefinition: aws.String(td2), DesiredCount: aws.Int32(1), LaunchType: types.LaunchTypeFargate,
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}}}); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := l.run(t, deployArgs("-i", "app=registry.example.com/app:2", "--keep-revisions", "1")...)
	r := parseReport(t, stdout)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	// web:4 is new and kept; web:2 runs in "other"; web:1 is the rollback target.
	if len(r.Pruned) != 1 || r.Pruned[0] != td3 {
		t.Fatalf("pruned %v, want only %s (kept %s in use and %s as rollback target)", r.Pruned, td3, td2, td1)
	}
	active, err := l.client.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("web"), Status: types.TaskDefinitionStatusActive})
	if err != nil || len(active.TaskDefinitionArns) != 3 {
		t.Fatalf("ACTIVE revisions after pruning: %v %v", active, err)
	}
}

func TestLocalDeployUnknownContainerIsInvalidAndRegistersNothing(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	code, _, stderr := l.run(t, deployArgs("-i", "nope=registry.example.com/app:2")...)
	if code != 2 || !strings.Contains(stderr, "nope") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	list, err := l.client.ListTaskDefinitions(context.Background(), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("web")})
	if err != nil || len(list.TaskDefinitionArns) != 1 {
		t.Fatalf("revisions after an invalid deploy: %v %v", list, err)
	}
}

func TestDeployReportsAllValidationProblemsBeforeAnyCall(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	g := runOpts{}.deps(&out, &errOut)
	// No endpoint, no credentials: any AWS call would fail differently.
	code := execute(context.Background(), g, []string{"deploy", "-D", "many", "--env", "app:BAD KEY=1",
		"--secret", "app:S=not-an-arn!", "--image", "app=#{Missing}", "-t", "soon"})
	text := errOut.String()
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, text)
	}
	// No cluster is no problem: it is ECS's default one, "default".
	for _, want := range []string{"--service", "--desired-count", "Missing", "--secret app:S", "--timeout"} {
		if !strings.Contains(text, want) {
			t.Errorf("problems lack %q:\n%s", want, text)
		}
	}
}

func TestLocalRollbackUsesTheServiceDeploymentHistory(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	td1 := l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	// web:2 is registered but never runs: the previous revision number is not what ran before.
	l.register(t, "web", "registry.example.com/app:never-ran", serviceSpec{})
	if code, _, _ := l.run(t, deployArgs("-i", "app=registry.example.com/app:3")...); code != 0 {
		t.Fatalf("deploy exit %d", code)
	}
	code, stdout, _ := l.run(t, "rollback", "-c", "c", "-n", "web", "--output", "json")
	var rep struct {
		Note     string
		Rollback struct{ TaskDefinition, Outcome string }
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 0 {
		t.Fatalf("exit %d, %v", code, err)
	}
	if rep.Rollback.TaskDefinition != td1 || !strings.Contains(rep.Note, "previous successful deployment") {
		t.Fatalf("rolled back to %s (%s), want %s from the deployment history", rep.Rollback.TaskDefinition, rep.Note, td1)
	}
}
