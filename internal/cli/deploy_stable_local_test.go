package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// Tasks that run, pass and are killed for memory a while later: ECS can
// call the rollout COMPLETED before they die. With --stable-for the deploy
// keeps watching after the verdict and fails when they stop; whether they
// die before the verdict (the verdict's own check of stopped tasks) or
// during the hold, the deploy must not exit 0.
func TestLocalDeployStableForFailsWhenTasksDieAfterTheVerdict(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, scen(scenario.Image{Match: "*/app:leaky", OOMAfter: scenario.Duration(2 * time.Minute)}))
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 2})
	// The command's clock is the local ECS's: the tasks die two minutes
	// after they start, well within the ten minutes watched.
	code, stdout, stderr := l.run(t, deployArgs("-i", "app=registry.example.com/app:leaky", "--stable-for", "10m", "-t", "30m")...)
	r := parseReport(t, stdout)
	if code != 1 || r.Outcome != "failed" || !strings.Contains(r.Reason, "stopped for a failure") {
		t.Fatalf("exit %d, report %+v\n%s", code, r, stderr)
	}
	if !strings.Contains(hintsOf(r), "out of memory") {
		t.Fatalf("hints %q lack the out-of-memory cause", hintsOf(r))
	}
}

func TestDeployStableForFlagIsCheckedAsInput(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	code, _, stderr := l.run(t, deployArgs("-i", "app=registry.example.com/app:2", "--stable-for", "soon")...)
	if code != 2 || !strings.Contains(stderr, "--stable-for") {
		t.Fatalf("exit %d, stderr %s; want invalid input naming --stable-for", code, stderr)
	}
	code, _, stderr = l.run(t, deployArgs("-i", "app=registry.example.com/app:2", "--stable-for", "1m", "--no-wait")...)
	if code != 2 || !strings.Contains(stderr, "--stable-for") {
		t.Fatalf("exit %d, stderr %s; want --stable-for with --no-wait refused", code, stderr)
	}
}

func TestLocalDeployStableForSucceedsWhenTasksStay(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 2})
	code, stdout, stderr := l.run(t, deployArgs("-i", "app=registry.example.com/app:2", "--stable-for", "10m", "-t", "30m")...)
	r := parseReport(t, stdout)
	if code != 0 || r.Outcome != "succeeded" || !strings.Contains(r.Reason, "stable for 10m") {
		t.Fatalf("exit %d, report %+v\n%s", code, r, stderr)
	}
}
