package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/runtask"
)

// runScenario: images whose containers exit with a chosen code, one that
// cannot be pulled, and a migration that prints log lines.
func runScenario() *scenario.Scenario {
	migrate := exitsWith(fastImage("registry.example.com/migrate:*"), 0, 6*time.Second)
	migrate.Logs = []string{"connecting to db", "applying 0001_init", "applying 0002_users", "migrations done"}
	pull := fastImage("registry.example.com/missing:*")
	pull.PullFailure = "pull access denied for registry.example.com/missing, repository does not exist"
	return &scenario.Scenario{Images: []scenario.Image{
		exitsWith(fastImage("job:ok"), 0, 3*time.Second),
		exitsWith(fastImage("job:fail"), 1, 3*time.Second),
		exitsWith(fastImage("job:answer"), 42, 3*time.Second),
		exitsWith(fastImage("sidecar:fail-early"), 3, time.Second),
		exitsWith(fastImage("sidecar:ok-early"), 0, time.Second),
		fastImage("sidecar:forever"),
		migrate, pull,
	}}
}

func TestRunPropagatesExitCodes(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, runScenario())
	for _, tc := range []struct {
		image string
		code  int
	}{{"job:ok", 0}, {"job:fail", 1}, {"job:answer", 42}} {
		family := "job-" + strings.TrimPrefix(tc.image, "job:")
		l.registerFamily(t, family, taskContainer("job", tc.image, true), taskContainer("proxy", "sidecar:forever", true))
		code, _, stderr := l.exec(t, "run", "--task-definition", family)
		if code != tc.code {
			t.Fatalf("%s: exit %d, want %d", tc.image, code, tc.code)
		}
		if tc.code != 0 && !strings.Contains(stderr, "container job exited "+strconv.Itoa(tc.code)) {
			t.Fatalf("%s: the message does not name the failing container:\n%s", tc.image, stderr)
		}
	}
}

func TestRunConsidersEveryContainer(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, runScenario())
	// A non-essential sidecar that fails does not fail the run.
	l.registerFamily(t, "with-optional-sidecar",
		taskContainer("sidecar", "sidecar:fail-early", false), taskContainer("job", "job:ok", true))
	if code, _, _ := l.exec(t, "run", "--task-definition", "with-optional-sidecar"); code != 0 {
		t.Fatalf("failing non-essential sidecar: exit %d, want 0", code)
	}
	// An essential one that fails does, even when it is not the first container.
	l.registerFamily(t, "with-essential-sidecar",
		taskContainer("job", "job:ok", true), taskContainer("sidecar", "sidecar:fail-early", true))
	code, _, stderr := l.exec(t, "run", "--task-definition", "with-essential-sidecar")
	if code != 3 || !strings.Contains(stderr, "container sidecar exited 3") {
		t.Fatalf("failing essential sidecar: exit %d, want 3", code)
	}
	// --exit-code-from takes one container's code, essential or not.
	code, _, _ = l.exec(t, "run", "--task-definition", "with-optional-sidecar", "--exit-code-from", "sidecar")
	if code != 3 {
		t.Fatalf("--exit-code-from sidecar: exit %d, want 3", code)
	}
}

func TestRunPullFailureNeverStarted(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, runScenario())
	l.registerFamily(t, "broken", taskContainer("app", "registry.example.com/missing:1", true))
	code, stdout, stderr := l.exec(t, "run", "--task-definition", "broken", "--output", "json")
	if code != runtask.ExitNotStarted {
		t.Fatalf("exit %d, want %d", code, runtask.ExitNotStarted)
	}
	var rep runReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, stdout)
	}
	if rep.Outcome != runtask.NotStarted || !strings.Contains(rep.Message, "CannotPullContainerError") || len(rep.TaskARNs) != 1 {
		t.Fatalf("report = %+v", rep.Result)
	}
	if strings.Contains(stderr, "error:") {
		t.Fatalf("the outcome is in the report; stderr should not repeat it as an error:\n%s", stderr)
	}
}

func TestRunLogsShowTheScenarioLinesInOrder(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, runScenario())
	l.registerFamily(t, "migrate",
		withAWSLogs(taskContainer("migrate", "registry.example.com/migrate:7", true), "/ecs/migrate", "ecs"),
		taskContainer("proxy", "sidecar:forever", true))
	code, stdout, stderr := l.exec(t, "run", "--task-definition", "migrate", "--logs")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := "[migrate] connecting to db\n[migrate] applying 0001_init\n[migrate] applying 0002_users\n[migrate] migrations done\n"
	if stdout != want {
		t.Fatalf("stdout = %q\nwant     %q", stdout, want)
	}
	if !strings.Contains(stderr, "container proxy has no log configuration") {
		t.Fatalf("the container whose logs cannot be followed is not mentioned:\n%s", stderr)
	}
}

func TestRunFromServiceWithOverridesOrANewRevision(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, runScenario())
	td := l.registerFamily(t, "web", taskContainer("app", "sidecar:forever", true))
	l.createService(t, "web", td, 1)

	// --env and --command are container overrides: nothing is registered.
	// The service's image runs forever, so the run also shows a timeout:
	// exit 3, with the task left running.
	code, stdout, _ := l.exec(t, "run", "--service", "web", "--env", "app:MODE=migrate",
		"--command", "app=bin/migrate --all", "--timeout", "1", "--output", "json")
	var rep runReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 3 {
		t.Fatalf("exit %d, report %v:\n%s", code, err, stdout)
	}
	if rep.Outcome != runtask.TimedOut || !strings.Contains(rep.Message, "still running") {
		t.Fatalf("timeout report: %+v", rep.Result)
	}
	if rep.RegisteredRevision || rep.TaskDefinition != td || len(rep.Overrides) != 2 {
		t.Fatalf("overrides run: %+v", rep)
	}
	task := describeTask(t, l, rep.TaskARNs[0])
	ov := task.Overrides.ContainerOverrides
	if len(ov) != 1 || strings.Join(ov[0].Command, " ") != "bin/migrate --all" || aws.ToString(ov[0].Environment[0].Value) != "migrate" {
		t.Fatalf("container overrides sent: %+v", ov)
	}
	if task.StartedBy == nil || *task.StartedBy != "ecsdeploy" {
		t.Fatalf("startedBy = %v", aws.ToString(task.StartedBy))
	}

	// An image change cannot be an override: a new revision is registered
	// for the run, and the service is left alone.
	code, stdout, _ = l.exec(t, "run", "--service", "web", "--image", "app=job:answer", "--output", "json")
	rep = runReport{}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 42 {
		t.Fatalf("exit %d, report %v:\n%s", code, err, stdout)
	}
	if !rep.RegisteredRevision || !strings.HasSuffix(rep.TaskDefinition, "web:2") {
		t.Fatalf("image run: %+v", rep)
	}
	if got := aws.ToString(l.service(t, "web").TaskDefinition); got != td {
		t.Fatalf("the service changed to %s", got)
	}
}

func TestRunNoWaitPrintsTaskARNs(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, runScenario())
	l.registerFamily(t, "job", taskContainer("job", "job:ok", true))
	code, stdout, _ := l.exec(t, "run", "--task-definition", "job:1", "--count", "2", "--no-wait")
	arns := strings.Fields(stdout)
	if code != 0 || len(arns) != 2 || !strings.Contains(arns[0], ":task/default/") {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
}

func TestRunBadInputStartsNothing(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, runScenario())
	l.registerFamily(t, "job", taskContainer("job", "job:ok", true))
	l.registerFamily(t, "job", taskContainer("job", "job:fail", true))
	if _, err := l.client.DeregisterTaskDefinition(t.Context(), deregisterInput("job:1")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"missing family", []string{"--task-definition", "nosuch"}, "task definition nosuch not found"},
		{"missing service", []string{"--service", "nosuch"}, "service nosuch not found in cluster default"},
		{"inactive revision", []string{"--task-definition", "job:1"}, "job:1 is INACTIVE"},
		{"unknown container in a change", []string{"--task-definition", "job", "--env", "nope:A=1"}, "nope"},
		{"unknown container for the exit code", []string{"--task-definition", "job", "--exit-code-from", "nope"}, "container nope is not in the task definition"},
		{"unknown container for a command", []string{"--task-definition", "job", "--command", "nope=true"}, "container nope is not in the task definition"},
		{"a command without its container", []string{"--task-definition", "job", "--command", "true"}, `error: invalid input: --command: "true": want container=COMMAND`},
		{"count below one", []string{"--task-definition", "job", "--count", "-1"}, "--count"},
		{"no task definition", []string{}, "name the task definition"},
		{"missing cluster, with a change that registers a revision", []string{"--task-definition", "job", "-i", "job=job:new", "--cluster", "nowhere"}, "cluster nowhere not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := l.exec(t, append([]string{"run"}, tc.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2", code)
			}
			if stdout != "" {
				t.Fatalf("stdout = %q", stdout)
			}
			oneLine(t, stderr, tc.want)
		})
	}
	if n := l.taskCount(t); n != 0 {
		t.Fatalf("%d tasks were started by invalid runs", n)
	}
	if got := l.revisionStatus(t, "job:2"); got != types.TaskDefinitionStatusActive {
		t.Fatalf("job:2 is %s", got)
	}
	if _, err := l.client.DescribeTaskDefinition(t.Context(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("job:3")}); err == nil {
		t.Fatal("an invalid run registered job:3")
	}
}

// TestRunWithTheLocalFlag goes through --local as a user does: the state
// file, a scenario set with "local scenario", a revision registered from a
// file, and a run that prints the scenario's log lines.
func TestRunWithTheLocalFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scenarioFile := filepath.Join(dir, "scenario.yaml")
	taskDefFile := filepath.Join(dir, "migrate.json")
	writeFile(t, scenarioFile, `images:
  - match: "registry.example.com/migrate:*"
    pullDuration: 1s
    startupDelay: 1s
    exitCode: 7
    exitAfter: 3s
    logs: ["step one", "step two", "giving up"]
`)
	writeFile(t, taskDefFile, `{"family": "migrate", "networkMode": "bridge", "containerDefinitions": [
  {"name": "migrate", "image": "registry.example.com/migrate:3", "memory": 128, "essential": true,
   "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/migrate", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}}}]}`)
	execLocal := func(args ...string) (int, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := execute(context.Background(), runOpts{State: dir}.deps(&out, &errOut), append([]string{"--local"}, args...))
		t.Logf("ecsdeploy --local %s → exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out.String(), errOut.String())
		return code, out.String()
	}
	if code, _ := execLocal("local", "scenario", scenarioFile); code != 0 {
		t.Fatalf("local scenario: exit %d", code)
	}
	if code, stdout := execLocal("register", "--task-definition-file", taskDefFile); code != 0 || !strings.HasSuffix(strings.TrimSpace(stdout), "task-definition/migrate:1") {
		t.Fatalf("register: exit %d, %q", code, stdout)
	}
	code, stdout := execLocal("run", "--task-definition", "migrate", "--logs", "--poll-interval", "100ms")
	if code != 7 || stdout != "[migrate] step one\n[migrate] step two\n[migrate] giving up\n" {
		t.Fatalf("run: exit %d, stdout %q", code, stdout)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRunWithoutCapacityNeverStarts(t *testing.T) {
	t.Parallel()
	sc := runScenario()
	sc.Capacity = &scenario.Capacity{Zones: []scenario.Zone{{Name: "a", Instances: 1, Memory: 64}}}
	l := newTaskECS(t, sc)
	l.registerFamily(t, "job", taskContainer("job", "job:ok", true))
	for _, extra := range [][]string{nil, {"--no-wait"}} {
		code, _, stderr := l.exec(t, append([]string{"run", "--task-definition", "job"}, extra...)...)
		if code != runtask.ExitNotStarted || !strings.Contains(stderr, "ECS could not launch the task: RESOURCE:MEMORY") {
			t.Fatalf("%v: exit %d, want %d with the placement reason", extra, code, runtask.ExitNotStarted)
		}
	}
}
