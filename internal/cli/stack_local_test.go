package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	localcfn "github.com/ecsdeploy/ecsdeploy/emulator/cloudformation"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/stack/apply"
	"github.com/ecsdeploy/ecsdeploy/stack/lifecycle"
)

const localStackSpec = `name: shop
cpu: 256
memory: 512
containers:
  - name: web
    image: "#{Image}"
    portMappings:
      - containerPort: 80
network:
  subnets: [subnet-0123abcd]
deployment:
  circuitBreaker: {enable: true, rollback: true}
desiredCount: 2
`

// TestStackDeployLocalKeepsStacksBetweenCommands runs the stack commands
// with --local as a user would, each on a fresh start of the local ECS
// from its state files.
func TestStackDeployLocalKeepsStacksBetweenCommands(t *testing.T) {
	t.Parallel()
	state := t.TempDir() // each command starts the local ECS from the files here
	path := writeSpec(t, localStackSpec)
	run := func(args ...string) (int, string, string) {
		return runStackCLI(t, runOpts{State: state}, append([]string{"--local"}, args...)...)
	}
	deploy := func(image string) apply.Result {
		t.Helper()
		recordStackTemplate(t, path, "--var", "Image="+image)
		code, out, errOut := run("stack", "deploy", "-f", path, "--var", "Image="+image, "--output", "json",
			"--stack-poll-interval", "50ms", "--poll-interval", "50ms")
		if code != 0 {
			t.Fatalf("stack deploy --local exit %d\n%s\n%s", code, out, errOut)
		}
		var res apply.Result
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return res
	}
	first := deploy("nginx:1.27")
	if first.Action != lifecycle.ActionCreated || first.Outcome != progress.Succeeded || first.DeploymentID == "" {
		t.Fatalf("first deploy: %+v", first)
	}
	again := deploy("nginx:1.27")
	if again.Action != lifecycle.ActionUnchanged || again.StackID != first.StackID {
		t.Fatalf("the second command did not find the first one's stack: %+v", again)
	}
	updated := deploy("nginx:1.29")
	if updated.Action != lifecycle.ActionUpdated || updated.Outcome != progress.Succeeded || updated.TaskDefinition == first.TaskDefinition {
		t.Fatalf("update: %+v", updated)
	}
	// The reason names the flag that asked not to wait.
	code, out, errOut := run("stack", "deploy", "-f", path, "--var", "Image=nginx:1.29", "--no-wait", "--output", "json", "--stack-poll-interval", "50ms")
	var unwatched apply.Result
	if err := json.Unmarshal([]byte(out), &unwatched); err != nil || code != 0 ||
		unwatched.Reason != "the stack needs no change; the service was not watched (--no-wait)" {
		t.Fatalf("stack deploy --no-wait of the same spec: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	code, out, errOut = run("stack", "status", "-f", path, "--var", "Image=x")
	if code != 0 || !strings.Contains(out, "UPDATE_COMPLETE") {
		t.Fatalf("status exit %d\n%s\n%s", code, out, errOut)
	}
	for i, want := range []string{"deleted", "nothing to delete"} {
		code, out, errOut := run("stack", "delete", "-f", path, "--var", "Image=x", "--stack-poll-interval", "50ms")
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("delete #%d exit %d\n%s\n%s", i+1, code, out, errOut)
		}
	}
}

// TestStackDeployLocalReportsCrashingTasks deploys an image that exits at
// once: the circuit breaker fails the service, CloudFormation rolls the
// stack back, and the report names the failed resource and why the tasks
// stopped.
//
// It runs alone, not in parallel: the stack commands wait in wall time, and
// on a busy machine the rollback may delete the service, and its stopped
// tasks with it, before the report is gathered.
func TestStackDeployLocalReportsCrashingTasks(t *testing.T) {
	exit := 3
	em := emulator.New(emulator.Options{Speed: 50, Scenario: &scenario.Scenario{Images: []scenario.Image{
		{Match: "*:broken", ExitCode: &exit, ExitAfter: scenario.Duration(2 * time.Second)},
	}}})
	t.Cleanup(func() { _ = em.Close() })
	localcfn.Register(em)
	path := writeSpec(t, localStackSpec)
	recordStackTemplate(t, path, "--var", "Image=app:broken")
	code, out, errOut := runStackCLI(t, runOpts{Local: em}, "--local", "stack", "deploy", "-f", path,
		"--var", "Image=app:broken", "--stack-poll-interval", "20ms", "--timeout", "60s")
	if code != exitcode.Failed {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitcode.Failed, out, errOut)
	}
	for _, want := range []string{"ROLLBACK_COMPLETE", "Service (AWS::ECS::Service) CREATE_FAILED", "Circuit Breaker", "stopped tasks of service shop", "container web exit 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "stack: Service AWS::ECS::Service CREATE_FAILED") {
		t.Errorf("the stack events were not streamed:\n%s", errOut)
	}
}

// TestStackDeployLocalRecoversFromAFailedCreate makes the local
// CloudFormation fail the service with a scenario file, then deploys again
// without it: the stack left in ROLLBACK_COMPLETE by the first command is
// deleted and created again by the second.
func TestStackDeployLocalRecoversFromAFailedCreate(t *testing.T) {
	t.Parallel()
	stateDir := t.TempDir()
	local := runOpts{State: stateDir}
	scenarioFile := filepath.Join(stateDir, localCloudFormationScenario)
	if err := os.WriteFile(scenarioFile, []byte("rules:\n  - logicalId: Service\n    operation: create\n    message: no Fargate capacity today\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := writeSpec(t, localStackSpec)
	recordStackTemplate(t, path, "--var", "Image=nginx:1.27")
	args := []string{"--local", "stack", "deploy", "-f", path, "--var", "Image=nginx:1.27", "--stack-poll-interval", "50ms", "--poll-interval", "50ms"}
	code, out, errOut := runStackCLI(t, local, args...)
	if code != exitcode.Failed || !strings.Contains(out, "ROLLBACK_COMPLETE") || !strings.Contains(out, "no Fargate capacity today") {
		t.Fatalf("first deploy exit %d\n%s\n%s", code, out, errOut)
	}
	if err := os.Remove(scenarioFile); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runStackCLI(t, local, args...)
	if code != 0 || !strings.Contains(out, "recreated") || !strings.Contains(errOut, "ROLLBACK_COMPLETE: deleting it to create it again") {
		t.Fatalf("second deploy exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestStackDeployLocalTimeoutCancelsTheUpdate holds the service's update in
// progress with a scenario file: when --timeout passes, deploy cancels the
// update, follows the rollback and exits 3, and the service keeps running
// the task definition it had.
func TestStackDeployLocalTimeoutCancelsTheUpdate(t *testing.T) {
	t.Parallel()
	stateDir := t.TempDir()
	local := runOpts{State: stateDir}
	path := writeSpec(t, localStackSpec)
	deploy := func(image string, extra ...string) (int, string, string) {
		recordStackTemplate(t, path, "--var", "Image="+image)
		args := append([]string{"--local", "stack", "deploy", "-f", path, "--var", "Image=" + image, "--output", "json",
			"--stack-poll-interval", "50ms", "--poll-interval", "50ms"}, extra...)
		return runStackCLI(t, local, args...)
	}
	if code, out, errOut := deploy("nginx:1.27"); code != 0 {
		t.Fatalf("create exit %d\n%s\n%s", code, out, errOut)
	}
	scenarioFile := filepath.Join(stateDir, localCloudFormationScenario)
	if err := os.WriteFile(scenarioFile, []byte("rules:\n  - logicalId: Service\n    operation: update\n    delay: 100h\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := deploy("nginx:1.29", "--timeout", "2s")
	if code != exitcode.TimedOut {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitcode.TimedOut, out, errOut)
	}
	var res apply.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Outcome != progress.TimedOut || !strings.Contains(res.Reason, "UPDATE_ROLLBACK_COMPLETE") {
		t.Errorf("result %+v", res)
	}
	if !strings.Contains(errOut, "cancelling the update") {
		t.Errorf("progress does not show the cancel:\n%s", errOut)
	}
	if err := os.Remove(scenarioFile); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runStackCLI(t, local, "--local", "stack", "status", "-f", path, "--var", "Image=x")
	if code != 0 || !strings.Contains(out, "UPDATE_ROLLBACK_COMPLETE") || !strings.Contains(out, "task-definition/shop:1") {
		t.Fatalf("status after the cancelled update: exit %d\n%s\n%s", code, out, errOut)
	}
}
