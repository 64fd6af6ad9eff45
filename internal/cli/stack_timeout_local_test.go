package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/stack/apply"
)

// TestStackDeployLocalTimeoutSaysWhyTasksStopped: an update to a crashing
// image without a circuit breaker never settles; when --timeout passes the
// update is cancelled, and the report says why this update's tasks
// stopped, not why an earlier deployment's tasks were replaced.
//
// It runs alone, not in parallel: the stack commands wait in wall time and
// the local ECS runs at its default speed, so on a busy machine the rollback
// that follows the cancel may already be replacing this update's tasks when
// the report is gathered.
func TestStackDeployLocalTimeoutSaysWhyTasksStopped(t *testing.T) {
	local := runOpts{State: t.TempDir()}
	noBreaker := strings.Replace(localStackSpec, "deployment:\n  circuitBreaker: {enable: true, rollback: true}\n", "", 1)
	path := writeSpec(t, noBreaker)
	deploy := func(image string, extra ...string) (int, string, string) {
		recordStackTemplate(t, path, "--var", "Image="+image)
		args := append([]string{"--local", "stack", "deploy", "-f", path, "--var", "Image=" + image,
			"--stack-poll-interval", "50ms", "--poll-interval", "50ms"}, extra...)
		return runStackCLI(t, local, args...)
	}
	for _, image := range []string{"nginx:1.27", "nginx:1.28"} { // the second update replaces the first tasks
		if code, out, errOut := deploy(image); code != 0 {
			t.Fatalf("deploy %s: exit %d\n%s\n%s", image, code, out, errOut)
		}
	}
	crash := filepath.Join(t.TempDir(), "crash.yaml")
	if err := os.WriteFile(crash, []byte("images:\n  - match: \"*:broken\"\n    exitCode: 1\n    exitAfter: 1s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runStackCLI(t, local, "--local", "local", "scenario", crash); code != 0 {
		t.Fatalf("local scenario: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut := deploy("nginx:broken", "--timeout", "3s")
	if code != exitcode.TimedOut {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitcode.TimedOut, out, errOut)
	}
	if !strings.Contains(out, "stopped tasks of service shop:") || !strings.Contains(out, "exit 1") {
		t.Fatalf("the report does not say why the new tasks stopped:\n%s", out)
	}
	if strings.Contains(out, "nginx:1.27") || strings.Contains(out, "Scaling activity") {
		t.Fatalf("the report lists tasks of an earlier deployment:\n%s", out)
	}
	if first := strings.SplitN(out, "\n", 2)[0]; strings.Count(first, "stack ecsdeploy-") != 1 {
		t.Fatalf("the stack is named more than once: %q", first)
	}

	// The same in JSON: the stopped tasks are part of the result.
	code, out, _ = deploy("nginx:broken", "--timeout", "3s", "--output", "json")
	var res apply.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitcode.TimedOut || len(res.StoppedTasks) == 0 {
		t.Fatalf("exit %d, %v, result %+v", code, err, res)
	}
}
