package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

func TestLocalDeployTextOutputVerboseNeverShowsValuesAndWritesOutputs(t *testing.T) {
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	dir := t.TempDir()
	gh := filepath.Join(dir, "github_output")
	t.Setenv("GITHUB_OUTPUT", gh)
	outputs := filepath.Join(dir, "outputs.env")
	code, stdout, stderr := l.run(t, []string{"deploy", "-v", "-c", "c", "-n", "web", "--outputs-file", outputs,
		"--env", "app:DB_PASSWORD=hunter2-plain-value",
		"--secret", "app:API_KEY=arn:aws:secretsmanager:us-east-1:000000000000:secret:api-key-AbCdEf"}...)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(stdout, "succeeded: service web in c, web:2") {
		t.Fatalf("result line %q", stdout)
	}
	if !strings.Contains(stderr, "aws: ECS.UpdateService status=200") {
		t.Fatalf("-v did not log API calls:\n%s", stderr)
	}
	if strings.Contains(stdout+stderr, "hunter2") {
		t.Fatalf("an environment value was printed")
	}
	want := "TaskDefinitionRevision=2\nTaskDefinitionFamily=web\nClusterName=c\nServiceName=web\nRegion=us-east-1\nDeploymentId=" + aws.ToString(l.service(t).Deployments[0].Id) + "\nStrategy=rolling\n"
	for _, f := range []string{gh, outputs} {
		if b, err := os.ReadFile(f); err != nil || string(b) != want {
			t.Fatalf("%s: %q (%v), want %q", filepath.Base(f), b, err, want)
		}
	}
}

func TestLocalDeployFailureInTextShowsDiagnosisOnStderr(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, scen(scenario.Image{Match: "*/app:oom", OOMAfter: scenario.Duration(3 * time.Second)}))
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	code, stdout, stderr := l.run(t, []string{"deploy", "-c", "c", "-n", "web", "-i", "app=registry.example.com/app:oom", "--rollback"}...)
	if code != 1 || !strings.HasPrefix(stdout, "failed: ") {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	for _, want := range []string{"stopped task", "exit 137", "hint: a container ran out of memory",
		"rollback to web:1 (deployment ecs-svc/", ") succeeded: rollout COMPLETED"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	if strings.Contains(stderr, "error: ") {
		t.Errorf("the failure was printed twice (as an error too)")
	}
}

func TestLocalDeployWaitsForADeploymentAlreadyInProgress(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	td2 := l.register(t, "web", "registry.example.com/app:2", serviceSpec{})
	up, err := l.client.UpdateService(context.Background(), &ecs.UpdateServiceInput{Cluster: aws.String("c"), Service: aws.String("web"), TaskDefinition: aws.String(td2)})
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := l.run(t, deployArgs("-i", "app=registry.example.com/app:3")...)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var rep struct {
		PreviousTaskDefinition string
		WaitedFor              struct{ DeploymentID, Outcome string }
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.WaitedFor.DeploymentID != aws.ToString(up.Service.Deployments[0].Id) || rep.WaitedFor.Outcome != "succeeded" || rep.PreviousTaskDefinition != td2 {
		t.Fatalf("report %+v; want the in-progress deployment waited for and web:2 as the previous revision", rep)
	}
	if !strings.Contains(stderr, "already in progress") {
		t.Fatalf("the wait was not reported:\n%s", stderr)
	}
	// The deployment waited for is someone else's: never labelled ours.
	awaited := "deployment " + rep.WaitedFor.DeploymentID
	if strings.Contains(stderr, awaited+" (ours)") || !strings.Contains(stderr, awaited+" (awaited) PRIMARY") ||
		!strings.Contains(stderr, awaited+" (awaited) succeeded: ") {
		t.Fatalf("the awaited deployment must be shown as (awaited), not (ours):\n%s", stderr)
	}
}

func TestLocalDiffShowsPlanWithoutChangingAnything(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 2})
	code, stdout, _ := l.run(t, "diff", "-c", "c", "-n", "web", "-i", "app=registry.example.com/app:2", "--env", "app:MODE=green", "-D", "4")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"-", "+", "registry.example.com/app:2", "desiredCount: 2 → 4", "start 4 new task(s)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("diff lacks %q", want)
		}
	}
	if strings.Contains(stdout, "green") || strings.Contains(stdout, "blue") {
		t.Errorf("environment values shown without --show-values")
	}
	code, stdout, _ = l.run(t, "diff", "-c", "c", "-n", "web", "--env", "app:MODE=green", "--show-values")
	if code != 0 || !strings.Contains(stdout, "green") {
		t.Errorf("--show-values: exit %d\n%s", code, stdout)
	}
	list, err := l.client.ListTaskDefinitions(context.Background(), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("web")})
	if err != nil || len(list.TaskDefinitionArns) != 1 || l.service(t).DesiredCount != 2 {
		t.Fatalf("diff changed something: %v %v", list, err)
	}
}

func TestLocalDeployFromSpecFileWithVariables(t *testing.T) {
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	file := filepath.Join(t.TempDir(), "service.yaml")
	spec := "cluster: c\nservice: web\nimages:\n  app: registry.example.com/app:#{Tag}\nenv:\n  app:\n    STAGE: '#{Stage}'\n"
	if err := os.WriteFile(file, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ECSDEPLOY_VAR_Stage", "prod")
	code, stdout, _ := l.run(t, []string{"deploy", "-f", file, "--var", "Tag=7", "--output", "json"}...)
	r := parseReport(t, stdout)
	if code != 0 || r.Revision != 2 {
		t.Fatalf("exit %d, report %+v", code, r)
	}
	td, err := l.client.DescribeTaskDefinition(context.Background(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(r.TaskDefinition)})
	if err != nil {
		t.Fatal(err)
	}
	app := td.TaskDefinition.ContainerDefinitions[0]
	if aws.ToString(app.Image) != "registry.example.com/app:7" {
		t.Fatalf("image %s", aws.ToString(app.Image))
	}
	// An unresolved variable is invalid input, named, before any call.
	code, _, stderr := l.run(t, "deploy", "-f", file)
	if code != 2 || !strings.Contains(stderr, "Tag") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
}

// TestLocalDeployMissingClusterIsInvalidInput: deploy answers a missing
// cluster as status and run do (it was an AWS error, exit 4, with the SDK's text).
func TestLocalDeployMissingClusterIsInvalidInput(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	code, _, stderr := l.run(t, "deploy", "-c", "nope", "-n", "web", "-i", "app=x:1")
	if code != 2 || strings.TrimSpace(stderr) != "error: cluster nope not found" {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
}

func TestLocalDeployJSONReportsInvalidInputToo(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	code, stdout, _ := l.run(t, "deploy", "-c", "c", "-n", "web", "-i", "ghost=registry.example.com/app:2", "--output", "json")
	var rep struct {
		Outcome  string
		Problems []struct{ Field, Message string }
		APICalls map[string]int
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not one JSON report: %v\n%s", err, stdout)
	}
	if code != 2 || rep.Outcome != "invalid" || len(rep.Problems) == 0 || rep.APICalls["ECS.RegisterTaskDefinition"] != 0 {
		t.Fatalf("exit %d, report %+v", code, rep)
	}
}

func TestLocalDeployDeregistersTheOrphanWhenTheUpdateFails(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	if err := l.em.SetScenario(&scenario.Scenario{Faults: []scenario.Fault{{Operation: "UpdateService", Kind: scenario.FaultServer}}}); err != nil {
		t.Fatal(err)
	}
	noRetries := func(o *runOpts) { o.AWS.MaxAttempts = 1 }
	outputs := filepath.Join(t.TempDir(), "outputs")
	code, stdout, _ := l.runWith(t, noRetries, deployArgs("-i", "app=registry.example.com/app:2", "--outputs-file", outputs)...)
	var rep struct{ Outcome, OrphanDeregistered, Reason string }
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not one JSON report: %v\n%s", err, stdout)
	}
	if code != 4 || !strings.HasSuffix(rep.OrphanDeregistered, "task-definition/web:2") || !strings.Contains(rep.Reason, "UpdateService") {
		t.Fatalf("exit %d, report %+v", code, rep)
	}
	active, err := l.client.ListTaskDefinitions(context.Background(), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("web"), Status: "ACTIVE"})
	if err != nil || len(active.TaskDefinitionArns) != 1 {
		t.Fatalf("ACTIVE revisions after a failed update: %v %v", active, err)
	}
	// The deregistered revision must not reach a later CI step.
	if _, err := os.Stat(outputs); !os.IsNotExist(err) {
		t.Fatalf("outputs written for a revision that was deregistered again (%v)", err)
	}
	// In text, the result says the service was not updated, not that web:2 failed.
	_, text, _ := l.runWith(t, noRetries, "deploy", "-c", "c", "-n", "web", "-i", "app=registry.example.com/app:3")
	if !strings.Contains(text, "service web in c was not updated (web:3, registered for it, was deregistered again)") {
		t.Fatalf("text result %q does not say the service was not updated", text)
	}
}
