package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// threeServices is a local ECS with services web (2 tasks), api (2) and
// worker (1) in cluster c, all on revision 1 of their own family.
func threeServices(t *testing.T, sc *scenario.Scenario) *localECS {
	t.Helper()
	l := newLocalECS(t, sc)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 2})
	l.addService(t, "api", "registry.example.com/app:1", 2)
	l.addService(t, "worker", "registry.example.com/app:1", 1)
	return l
}

// releaseFile is a fleet file over threeServices: a migration task, then
// api and worker, then web; its images need #{Tag}.
const releaseFile = `
defaults: {cluster: c}
targets:
  migrate:
    run: {taskDefinition: migrate, subnets: [subnet-1]}
  api: {images: {app: "registry.example.com/app:#{Tag}"}}
  worker: {tagOnly: "#{Tag}"}
  web: {tagOnly: "#{Tag}", desiredCount: 3}
waves: [[migrate], [api, worker], [web]]
`

type statusJSON struct {
	Targets []struct {
		Name    string `json:"name"`
		Wave    int    `json:"wave"`
		Cluster string `json:"cluster"`
		Service string `json:"service"`
		Error   string `json:"error"`
		Status  *struct {
			TaskDefinition string `json:"taskDefinition"`
			Desired        int32  `json:"desiredCount"`
			Running        int32  `json:"runningCount"`
			Zones          []struct {
				Zone string `json:"zone"`
			} `json:"tasksByZone"`
		} `json:"status"`
	} `json:"targets"`
	APICalls map[string]int `json:"apiCalls"`
}

// TestStatusOfSeveralServicesIsOneBatchedSnapshot runs alone, not in
// parallel: the DescribeServices calls of one cluster are merged when they
// come within fleet.DefaultBatchWindow of wall time, which a busy machine
// can stretch.
func TestStatusOfSeveralServicesIsOneBatchedSnapshot(t *testing.T) {
	l := threeServices(t, nil)
	code, stdout, _ := l.run(t, "status", "-c", "c", "-n", "api", "-n", "web", "-n", "worker", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var r statusJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	want := map[string]int32{"api": 2, "web": 2, "worker": 1}
	if len(r.Targets) != 3 {
		t.Fatalf("%d targets, want 3", len(r.Targets))
	}
	for _, tr := range r.Targets {
		st := tr.Status
		if st == nil || tr.Service != tr.Name || tr.Cluster != "c" || st.Desired != want[tr.Name] || st.Running != want[tr.Name] ||
			!strings.HasSuffix(st.TaskDefinition, tr.Name+":1") || len(st.Zones) == 0 {
			t.Errorf("%s: %+v", tr.Name, tr)
		}
	}
	// The three services of one cluster are read in one DescribeServices call.
	if n := r.APICalls["ECS.DescribeServices"]; n != 1 {
		t.Errorf("%d DescribeServices calls for three services of one cluster, want 1 (%v)", n, r.APICalls)
	}

	// Lines elsewhere, a table on a terminal.
	code, stdout, _ = l.run(t, "status", "-c", "c", "-n", "api", "-n", "worker")
	if code != 0 || !strings.Contains(stdout, "api (wave 1): service api in c: ACTIVE, api:1, 2/2 running, 0 pending, COMPLETED") ||
		!strings.Contains(stdout, "worker (wave 1): service worker in c: ACTIVE, worker:1, 1/1 running") {
		t.Fatalf("exit %d, lines:\n%s", code, stdout)
	}
	var out, errOut bytes.Buffer
	d := runOpts{Local: l.em, Clock: emuClock{l.em}}.deps(&out, &errOut)
	d.IO.SetStdoutTTY(true)
	if code := execute(context.Background(), d, []string{"--local", "status", "-c", "c", "-n", "api", "-n", "worker"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "TARGET") || !strings.Contains(lines[0], "ROLLOUT") || !strings.HasPrefix(lines[2], "worker ") {
		t.Fatalf("table:\n%s", out.String())
	}
}

func TestStatusOfSeveralServicesNamesTheOneMissing(t *testing.T) {
	t.Parallel()
	l := threeServices(t, nil)
	code, stdout, _ := l.run(t, "status", "-c", "c", "-n", "api", "-n", "nosuch")
	if code != exitcode.Invalid {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(stdout, "api (wave 1): service api in c: ACTIVE") || !strings.Contains(stdout, "nosuch (wave 1): service nosuch in c: error: service nosuch not found") {
		t.Fatalf("stdout:\n%s", stdout)
	}
}

func TestStatusOfAFleetFileNeedsNoDeployVariables(t *testing.T) {
	t.Parallel()
	l := threeServices(t, nil)
	file := writeTemp(t, "release.yaml", releaseFile)
	// No --var Tag: the services do not depend on it.
	code, stdout, _ := l.run(t, "status", "--fleet", file, "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var r statusJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tr := range r.Targets {
		got = append(got, fmt.Sprintf("%s@%d", tr.Name, tr.Wave))
	}
	// The run step has no service to show; the waves keep the file's numbers.
	if strings.Join(got, " ") != "api@2 worker@2 web@3" {
		t.Fatalf("targets %v", got)
	}
	// A file whose service names depend on a missing variable is refused.
	bad := writeTemp(t, "bad.yaml", "defaults: {cluster: c}\ntargets:\n  api: {service: \"api-#{Env}\"}\n  web: {}\n")
	if code, _, stderr := l.run(t, "status", "--fleet", bad); code != exitcode.Invalid || !strings.Contains(stderr, "Env") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
}

func TestRollbackSeveralServicesInReverseWaveOrder(t *testing.T) {
	t.Parallel()
	done := 0
	l := threeServices(t, &scenario.Scenario{Images: []scenario.Image{{Match: "*:migrate", ExitCode: &done, ExitAfter: scenario.Duration(5 * time.Second)}}})
	l.register(t, "migrate", "registry.example.com/app:migrate", serviceSpec{})
	file := writeTemp(t, "release.yaml", releaseFile)
	if code, _, _ := l.run(t, "deploy", "--fleet", file, "--var", "Tag=2"); code != 0 {
		t.Fatalf("deploy: exit %d", code)
	}
	outputs := writeTemp(t, "outputs", "")
	code, stdout, stderr := l.run(t, "rollback", "--fleet", file, "--output", "json", "--outputs-file", outputs)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var r struct {
		Outcome string `json:"outcome"`
		Targets []struct {
			Name, Outcome, PreviousTaskDefinition string
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Outcome != "succeeded" || len(r.Targets) != 3 {
		t.Fatalf("report %+v", r)
	}
	for _, name := range []string{"api", "worker", "web"} {
		if td := aws.ToString(l.named(t, name).TaskDefinition); !strings.HasSuffix(td, name+":1") {
			t.Errorf("%s runs %s, want %s:1", name, td, name)
		}
	}
	// web, deployed last, went back first.
	if i, j := strings.Index(stderr, "wave 1 of 2: web"), strings.Index(stderr, "wave 2 of 2: api, worker"); i < 0 || j < i {
		t.Errorf("want web rolled back before api and worker:\n%s", stderr)
	}
	data := readFile(t, outputs)
	for _, want := range []string{"api_TaskDefinitionRevision=1", "web_ServiceName=web", "FleetOutcome=succeeded"} {
		if !strings.Contains(data, want) {
			t.Errorf("outputs lack %q:\n%s", want, data)
		}
	}
}

func TestRollbackSeveralServicesExitCodes(t *testing.T) {
	t.Parallel()
	l := threeServices(t, nil)
	if code, _, _ := l.run(t, "deploy", "-c", "c", "-n", "api", "-n", "web", "--tag-only", "2"); code != 0 {
		t.Fatalf("deploy: exit %d", code)
	}
	// worker has no revision to return to: as for one service, exit 1,
	// and api is not rolled back either.
	if code, _, stderr := l.run(t, "rollback", "-c", "c", "-n", "api", "-n", "worker"); code != exitcode.Failed || !strings.Contains(stderr, "no ACTIVE revision of worker older than 1") {
		t.Errorf("exit %d, want 1\n%s", code, stderr)
	}
	// Invalid before anything changes: --to-revision names one family,
	// rollback-all has nothing to undo, a service given twice, and the
	// one-service rollback refuses the fleet flags.
	for _, args := range [][]string{
		{"rollback", "-c", "c", "-n", "api", "-n", "web", "--to-revision", "1"},
		{"rollback", "-c", "c", "-n", "api", "-n", "web", "--on-failure", "rollback-all"},
		{"rollback", "-c", "c", "-n", "api", "-n", "api"},
		{"rollback", "-c", "c", "-n", "api", "--max-parallel", "2"},
	} {
		if code, _, stderr := l.run(t, args...); code != exitcode.Invalid {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, stderr)
		}
	}
	for _, name := range []string{"api", "web"} {
		if td := aws.ToString(l.named(t, name).TaskDefinition); !strings.HasSuffix(td, name+":2") {
			t.Fatalf("%s moved to %s on invalid input", name, td)
		}
	}
	// Revision 1 now crashes: its rollbacks fail (the circuit breaker
	// returns the services to 2), and the fleet exits 1.
	crash := 1
	if err := l.em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "*:1", ExitCode: &crash, ExitAfter: scenario.Duration(2 * time.Second)}}}); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := l.run(t, "rollback", "-c", "c", "-n", "api", "-n", "web", "--output", "json")
	if code != exitcode.Failed {
		t.Fatalf("exit %d, want 1", code)
	}
	if r, outcomes := parseFleet(t, stdout); outcomes["api"] != "failed" || outcomes["web"] != "failed" || r.ExitCode != 1 {
		t.Fatalf("outcomes %v (%s)", outcomes, r.Reason)
	}
	// Revision 1 now takes an hour to pull: api's rollback (to api:1) times
	// out; web, left on web:1 by the failed rollback (it has no circuit
	// breaker), goes back to web:2 and succeeds. One timed out and none
	// failed: the fleet exits 3.
	if err := l.em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "*:1", PullDuration: scenario.Duration(time.Hour)}}}); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = l.run(t, "rollback", "-c", "c", "-n", "api", "-n", "web", "-t", "2m", "--output", "json")
	if r, outcomes := parseFleet(t, stdout); code != exitcode.TimedOut || outcomes["api"] != "timed-out" || outcomes["web"] != "succeeded" || r.ExitCode != 3 {
		t.Fatalf("exit %d, outcomes %v (%s)", code, outcomes, r.Reason)
	}
}

func TestDiffShowsTheWholeFleetsPlan(t *testing.T) {
	t.Parallel()
	l := threeServices(t, nil)
	l.register(t, "migrate", "registry.example.com/app:1", serviceSpec{})
	file := writeTemp(t, "release.yaml", releaseFile)
	code, stdout, _ := l.run(t, "diff", "--fleet", file, "--var", "Tag=2")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	order := []string{"=== wave 1", "--- migrate: runs a task: ecsdeploy run --cluster c --task-definition migrate",
		"=== wave 2", "--- api", "service api in cluster c runs api:1", "registry.example.com/app:2",
		"--- worker", "=== wave 3", "--- web", "desiredCount"}
	at := 0
	for _, want := range order {
		i := strings.Index(stdout[at:], want)
		if i < 0 {
			t.Fatalf("%q missing (or out of order) in:\n%s", want, stdout)
		}
		at += i
	}
	code, stdout, _ = l.run(t, "diff", "-c", "c", "-n", "api", "-n", "web", "--tag-only", "3", "--output", "json")
	var r struct {
		Targets []struct {
			Name string `json:"name"`
			Plan *struct {
				Service           string `json:"service"`
				RegistersRevision bool   `json:"registersRevision"`
			} `json:"plan"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); code != 0 || err != nil || len(r.Targets) != 2 {
		t.Fatalf("exit %d, %v:\n%s", code, err, stdout)
	}
	for _, tr := range r.Targets {
		if tr.Plan == nil || tr.Plan.Service != tr.Name || !tr.Plan.RegistersRevision {
			t.Errorf("%s: plan %+v", tr.Name, tr.Plan)
		}
	}
	// A change that applies to no container of a target is invalid.
	code, _, stderr := l.run(t, "diff", "-c", "c", "-n", "api", "-n", "web", "-i", "sidecar=registry.example.com/side:2")
	if code != exitcode.Invalid || !strings.Contains(stderr, "api") || !strings.Contains(stderr, "sidecar") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestFleetBadInputIsRefusedBeforeAnyCall: every kind of bad fleet input
// exits 2 before the first AWS call, for deploy, diff, status and rollback.
func TestFleetBadInputIsRefusedBeforeAnyCall(t *testing.T) {
	t.Parallel()
	l := threeServices(t, nil)
	var many strings.Builder
	many.WriteString("defaults: {cluster: c}\ntargets:\n")
	for i := range 501 {
		fmt.Fprintf(&many, "  s%d: {tagOnly: \"2\"}\n", i)
	}
	cases := []struct {
		name, file string
		want       string
	}{
		{"duplicate target", "defaults: {cluster: c}\ntargets:\n  api: {tagOnly: \"2\"}\n  api-again: {service: api, tagOnly: \"2\"}\n",
			"api-again: service api of cluster c is also target api"},
		{"same key twice", "defaults: {cluster: c}\ntargets:\n  api: {tagOnly: \"2\"}\n  api: {tagOnly: \"3\"}\n", "targets.api: key given more than once"},
		{"wave naming an unknown target", "defaults: {cluster: c}\ntargets:\n  api: {tagOnly: \"2\"}\nwaves: [[api, nope]]\n", `"nope" is not a target`},
		// Waves are an order, not a graph: the one cycle they can express is
		// a target placed both before and after another.
		{"cycle", "defaults: {cluster: c}\ntargets:\n  api: {tagOnly: \"2\"}\n  web: {tagOnly: \"2\"}\nwaves: [[api], [web], [api]]\n", "already in wave 1"},
		{"unknown field", "defaults: {cluster: c}\ntargets:\n  api: {tagOnly: \"2\"}\nonFailur: stop\n", "onFailur"},
		{"unknown target field", "defaults: {cluster: c}\ntargets:\n  api: {tagOnyl: \"2\"}\n", "tagOnyl"},
		{"more than 500 targets", many.String(), "--max-parallel"},
	}
	for _, c := range cases {
		file := writeTemp(t, "fleet.yaml", c.file)
		for _, cmd := range []string{"deploy", "diff", "status", "rollback"} {
			if cmd != "deploy" && c.name == "more than 500 targets" {
				continue // only deploy and rollback start them; rollback below
			}
			var out, errOut bytes.Buffer
			d := runOpts{Local: l.em, Clock: emuClock{l.em}}.deps(&out, &errOut)
			code := execute(context.Background(), d, []string{"--local", cmd, "--fleet", file})
			if code != exitcode.Invalid || !strings.Contains(errOut.String(), c.want) {
				t.Errorf("%s, %s: exit %d, stderr %q; want 2 naming %q", c.name, cmd, code, errOut.String(), c.want)
			}
			if n := d.Clients.Calls().Total(); n != 0 {
				t.Errorf("%s, %s: %d API calls before refusing", c.name, cmd, n)
			}
		}
	}
	// Rollback of more than 500 services needs --max-parallel too.
	var args []string
	for i := range 501 {
		args = append(args, "-n", fmt.Sprintf("s%d", i))
	}
	var out, errOut bytes.Buffer
	d := runOpts{Local: l.em, Clock: emuClock{l.em}}.deps(&out, &errOut)
	if code := execute(context.Background(), d, append([]string{"--local", "rollback", "-c", "c"}, args...)); code != exitcode.Invalid || d.Clients.Calls().Total() != 0 {
		t.Errorf("rollback of 501 services: exit %d after %d calls, want 2 before any", code, d.Clients.Calls().Total())
	}
}

func TestStatusWatchOfSeveralServicesShowsChanges(t *testing.T) {
	t.Parallel()
	l := threeServices(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waits := 0
	// Wait three refreshes; between the first and the second, web is scaled.
	clock := interruptingClock{emuClock: emuClock{l.em}, cancel: cancel, once: &sync.Once{}, when: func() bool {
		waits++
		if waits == 1 {
			if code, _, _ := l.run(t, "scale", "-c", "c", "-n", "web", "3", "--no-wait"); code != 0 {
				t.Errorf("scale: exit %d", code)
			}
		}
		return waits == 3
	}}
	var out, errOut bytes.Buffer
	d := runOpts{Local: l.em, Clock: clock}.deps(&out, &errOut)
	code := execute(ctx, d, []string{"--local", "status", "-c", "c", "-n", "web", "-n", "api", "--watch", "--interval", "5s"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	views := strings.Split(out.String(), "--- ")
	if len(views) < 3 || !strings.Contains(views[1], "web (wave 1): service web in c: ACTIVE, web:1, 2/2 running") ||
		!strings.Contains(out.String(), "/3 running") {
		t.Fatalf("want a first view with web at 2 and a later one with 3 desired:\n%s", out.String())
	}
}

// TestSeveralBlueGreenServices: status of several services shows each
// one's blue/green state; a rollback of several refuses the blue/green
// ones (their rollback goes through their controller, one service at a
// time) before anything changes.
func TestSeveralBlueGreenServices(t *testing.T) {
	t.Parallel()
	e := newNativeECS(t, types.DeploymentConfiguration{Strategy: types.DeploymentStrategyBlueGreen, BakeTimeInMinutes: aws.Int32(1)})
	code, stdout, _ := e.run(t, "status", "-c", "c", "-n", "web", "-n", "api", "--output", "json")
	var st struct {
		Targets []struct {
			Name   string `json:"name"`
			Status *struct {
				BlueGreen *struct {
					Strategy string `json:"strategy"`
				} `json:"blueGreen"`
			} `json:"status"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(stdout), &st); err != nil || code != 0 || len(st.Targets) != 2 {
		t.Fatalf("status: exit %d, %v\n%s", code, err, stdout)
	}
	for _, tr := range st.Targets {
		if tr.Status == nil || tr.Status.BlueGreen == nil || tr.Status.BlueGreen.Strategy == "" {
			t.Errorf("%s: no blue/green state in %+v", tr.Name, tr.Status)
		}
	}
	code, _, stderr := e.run(t, "rollback", "-c", "c", "-n", "web", "-n", "api")
	if code != exitcode.Invalid || !strings.Contains(stderr, "roll it back on its own (ecsdeploy rollback -c c -n api)") ||
		!strings.Contains(stderr, "roll it back on its own (ecsdeploy rollback -c c -n web)") {
		t.Fatalf("rollback: exit %d\n%s", code, stderr)
	}
}
