package cli

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// interruptingClock is the emulated clock of a command test that
// interrupts the command (cancels its context, as Ctrl-C does) the first
// time it waits after when() holds.
type interruptingClock struct {
	emuClock
	when   func() bool
	cancel context.CancelFunc
	once   *sync.Once
}

func (c interruptingClock) After(d time.Duration) <-chan time.Time {
	if c.when() {
		c.once.Do(c.cancel)
	}
	return c.emuClock.After(d)
}

// interruptedFleet deploys a two-wave fleet ([api, web] then [worker]) and
// interrupts it once both services of wave 1 are updated to revision 2.
// tty makes stdin and stderr terminals, and answer is what the user types.
func interruptedFleet(t *testing.T, tty bool, answer string, extra ...string) (code int, r fleetJSON, l *localECS) {
	t.Helper()
	l = newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 2})
	l.addService(t, "api", "registry.example.com/app:1", 2)
	l.addService(t, "worker", "registry.example.com/app:1", 1)
	file := writeTemp(t, "release.yaml", `
defaults: {cluster: c}
targets:
  api: {tagOnly: "2"}
  web: {tagOnly: "2", desiredCount: 3}
  worker: {tagOnly: "2"}
waves: [[api, web], [worker]]
`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	updated := func() bool {
		for _, name := range []string{"api", "web"} {
			if !strings.HasSuffix(aws.ToString(l.named(t, name).TaskDefinition), name+":2") {
				return false
			}
		}
		return true
	}
	var out, errOut bytes.Buffer
	d := runOpts{Local: l.em, Clock: interruptingClock{emuClock: emuClock{l.em}, when: updated, cancel: cancel, once: &sync.Once{}}}.deps(&out, &errOut)
	d.IO.In = strings.NewReader(answer)
	d.IO.SetStdinTTY(tty)
	d.IO.SetStderrTTY(tty)
	args := append([]string{"--local", "deploy", "--fleet", file, "--output", "json"}, extra...)
	code = execute(ctx, d, args)
	t.Logf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	if ctx.Err() == nil {
		t.Fatal("the fleet ended before it was interrupted")
	}
	r, outcomes := parseFleet(t, out.String())
	if outcomes["api"] != "interrupted" || outcomes["web"] != "interrupted" || outcomes["worker"] != "interrupted" {
		t.Fatalf("outcomes %v, want every target interrupted (%s)", outcomes, r.Reason)
	}
	if td := aws.ToString(l.named(t, "worker").TaskDefinition); !strings.HasSuffix(td, "worker:1") {
		t.Fatalf("worker, in the wave after the interrupt, was deployed: %s", td)
	}
	if tty != strings.Contains(errOut.String(), "Roll back api, web to the task definition") {
		t.Fatalf("asked on a terminal: %v; stderr:\n%s", tty, errOut.String())
	}
	return code, r, l
}

func TestFleetInterruptAnsweredYesRollsBack(t *testing.T) {
	t.Parallel()
	code, r, l := interruptedFleet(t, true, "y\n")
	if code != exitcode.Failed {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, tr := range r.Targets {
		if tr.Name != "worker" && (tr.Rollback == nil || tr.Rollback.Outcome != "succeeded") {
			t.Errorf("%s: rollback %+v, want succeeded", tr.Name, tr.Rollback)
		}
	}
	for name, desired := range map[string]int32{"api": 2, "web": 2} {
		svc := l.named(t, name)
		if !strings.HasSuffix(aws.ToString(svc.TaskDefinition), name+":1") || svc.DesiredCount != desired {
			t.Errorf("%s runs %s with %d desired, want %s:1 with %d", name, aws.ToString(svc.TaskDefinition), svc.DesiredCount, name, desired)
		}
	}
}

func TestFleetInterruptAnsweredNoLeavesServices(t *testing.T) {
	t.Parallel()
	_, r, l := interruptedFleet(t, true, "n\n")
	for _, tr := range r.Targets {
		if tr.Rollback != nil {
			t.Errorf("%s was rolled back after a no", tr.Name)
		}
	}
	if td := aws.ToString(l.named(t, "web").TaskDefinition); !strings.HasSuffix(td, "web:2") {
		t.Errorf("web runs %s, want web:2 left as it is", td)
	}
}

func TestFleetInterruptNonInteractiveFollowsTheFlag(t *testing.T) {
	t.Parallel()
	// --on-interrupt rollback-all: no question, the changed services are
	// rolled back, whatever stdin holds.
	code, r, l := interruptedFleet(t, false, "n\n", "--on-interrupt", "rollback-all")
	if code != exitcode.Failed {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, name := range []string{"api", "web"} {
		svc := l.named(t, name)
		if !strings.HasSuffix(aws.ToString(svc.TaskDefinition), name+":1") || svc.DesiredCount != 2 {
			t.Errorf("%s runs %s with %d desired, want %s:1 with 2", name, aws.ToString(svc.TaskDefinition), svc.DesiredCount, name)
		}
	}
	if !strings.Contains(r.Reason, "interrupted: api, web, worker") {
		t.Errorf("reason %q does not name what was interrupted", r.Reason)
	}
	// Without the flag, the default is stop: nothing is rolled back.
	_, r, l = interruptedFleet(t, false, "y\n")
	for _, tr := range r.Targets {
		if tr.Rollback != nil {
			t.Errorf("%s was rolled back by default", tr.Name)
		}
	}
	if td := aws.ToString(l.named(t, "api").TaskDefinition); !strings.HasSuffix(td, "api:2") {
		t.Errorf("api runs %s, want api:2 left as it is", td)
	}
}
