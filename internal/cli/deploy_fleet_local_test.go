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
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// addService creates one more Fargate service of cluster c, family and
// service both named name, container "app", and waits for it to settle.
func (l *localECS) addService(t *testing.T, name, image string, desired int32) {
	t.Helper()
	ctx := context.Background()
	td := l.register(t, name, image, serviceSpec{})
	if _, err := l.client.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String("c"), ServiceName: aws.String(name), TaskDefinition: aws.String(td), DesiredCount: aws.Int32(desired),
		LaunchType:              types.LaunchTypeFargate,
		NetworkConfiguration:    &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}},
		DeploymentConfiguration: &types.DeploymentConfiguration{DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}},
	}); err != nil {
		t.Fatal(err)
	}
	for range 600 {
		out, err := l.client.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{name}})
		if err == nil && len(out.Services) == 1 && len(out.Services[0].Deployments) == 1 &&
			out.Services[0].Deployments[0].RolloutState == types.DeploymentRolloutStateCompleted {
			return
		}
		l.em.Advance(time.Second)
	}
	t.Fatalf("service %s did not settle", name)
}

func (l *localECS) named(t *testing.T, name string) types.Service {
	t.Helper()
	out, err := l.client.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{name}})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("describe %s: %v", name, err)
	}
	return out.Services[0]
}

type fleetJSON struct {
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason"`
	ExitCode int    `json:"exitCode"`
	Targets  []struct {
		Name     string `json:"name"`
		Wave     int    `json:"wave"`
		Outcome  string `json:"outcome"`
		Reason   string `json:"reason"`
		Rollback *struct {
			Outcome string `json:"outcome"`
		} `json:"rollback"`
	} `json:"targets"`
}

func parseFleet(t *testing.T, stdout string) (fleetJSON, map[string]string) {
	t.Helper()
	var r fleetJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("stdout is not one JSON report: %v\n%s", err, stdout)
	}
	outcomes := map[string]string{}
	for _, tr := range r.Targets {
		outcomes[tr.Name] = tr.Outcome
	}
	return r, outcomes
}

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDeployFleetFileThreeWavesWithAMigration(t *testing.T) {
	t.Parallel()
	done := 0
	l := newLocalECS(t, &scenario.Scenario{Images: []scenario.Image{{Match: "*:migrate", ExitCode: &done, ExitAfter: scenario.Duration(5 * time.Second)}}})
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 2})
	l.addService(t, "api", "registry.example.com/app:1", 2)
	l.addService(t, "worker", "registry.example.com/app:1", 1)
	l.register(t, "migrate", "registry.example.com/app:migrate", serviceSpec{})
	fleetFile := writeTemp(t, "release.yaml", `
defaults:
  cluster: c
targets:
  migrate:
    run:
      taskDefinition: migrate
      command: ["app=bin/migrate --yes"]
      subnets: [subnet-1]
  api:
    images:
      app: "registry.example.com/app:#{Tag}"
  worker:
    tagOnly: "#{Tag}"
  web:
    images:
      app: "registry.example.com/app:#{Tag}"
    desiredCount: 3
waves:
  - [migrate]
  - [api, worker]
  - [web]
`)
	outputs := filepath.Join(t.TempDir(), "outputs")
	code, stdout, stderr := l.run(t, "deploy", "--fleet", fleetFile, "--var", "Tag=2", "--output", "json", "--outputs-file", outputs)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	r, outcomes := parseFleet(t, stdout)
	for _, name := range []string{"migrate", "api", "worker", "web"} {
		if outcomes[name] != "succeeded" {
			t.Fatalf("%s: %s (%s)", name, outcomes[name], r.Reason)
		}
	}
	for _, name := range []string{"api", "worker", "web"} {
		svc := l.named(t, name)
		if !strings.HasSuffix(aws.ToString(svc.TaskDefinition), name+":2") {
			t.Errorf("%s runs %s, want %s:2", name, aws.ToString(svc.TaskDefinition), name)
		}
	}
	if n := l.named(t, "web").DesiredCount; n != 3 {
		t.Errorf("web has %d desired, want 3", n)
	}
	// The migration ran before wave 2 started.
	if i, j := strings.Index(stderr, "[migrate] run succeeded"), strings.Index(stderr, "wave 2 of 3"); i < 0 || j < 0 || i > j {
		t.Errorf("the migration's success should come before wave 2 starts:\n%s", stderr)
	}
	data, err := os.ReadFile(outputs)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"api_TaskDefinitionRevision=2", "worker_TaskDefinitionFamily=worker", "web_ServiceName=web", "FleetOutcome=succeeded"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("outputs lack %q:\n%s", want, data)
		}
	}
}

func TestDeploySeveralServicesRollbackAll(t *testing.T) {
	t.Parallel()
	crash := 1
	l := newLocalECS(t, &scenario.Scenario{Images: []scenario.Image{{Match: "*:crash", ExitCode: &crash, ExitAfter: scenario.Duration(2 * time.Second)}}})
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 2})
	l.addService(t, "api", "registry.example.com/app:1", 2)
	// -n api -n web: both get the crashing image; the breaker rolls them
	// back, and rollback-all leaves both on revision 1 with 2 desired.
	code, stdout, _ := l.run(t, "deploy", "-c", "c", "-n", "api", "-n", "web", "-i", "app=registry.example.com/app:crash",
		"-D", "4", "--on-failure", "rollback-all", "--output", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	r, outcomes := parseFleet(t, stdout)
	if outcomes["api"] != "failed" || outcomes["web"] != "failed" || r.ExitCode != 1 {
		t.Fatalf("outcomes %v (%s)", outcomes, r.Reason)
	}
	for _, name := range []string{"api", "web"} {
		svc := l.named(t, name)
		if !strings.HasSuffix(aws.ToString(svc.TaskDefinition), name+":1") || svc.DesiredCount != 2 {
			t.Errorf("%s runs %s with %d desired, want %s:1 with 2", name, aws.ToString(svc.TaskDefinition), svc.DesiredCount, name)
		}
	}
}

func TestDeployFleetInvalidInputChangesNothing(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	l.addService(t, "api", "registry.example.com/app:1", 1)
	bad := writeTemp(t, "f.yaml", "defaults: {cluster: c}\ntargets:\n  api: {tagOnly: \"2\"}\nwaves: [[api, nope]]\n")
	for _, args := range [][]string{
		{"deploy", "--fleet", bad},
		{"deploy", "-c", "c", "-n", "api", "-n", "web", "-i", "sidecar=registry.example.com/side:2"},
		{"deploy", "-c", "c", "-n", "api", "-n", "api", "--tag-only", "2"},
		{"deploy", "-c", "c", "-n", "web", "--tag-only", "2", "--on-failure", "continue"},
		{"register", "-c", "c", "-n", "api", "-n", "web", "--tag-only", "2"},
	} {
		code, _, stderr := l.run(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, stderr)
		}
	}
	for _, name := range []string{"api", "web"} {
		if td := aws.ToString(l.named(t, name).TaskDefinition); !strings.HasSuffix(td, name+":1") {
			t.Errorf("%s moved to %s on invalid input", name, td)
		}
	}
}

func TestDeploySkipMissing(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	ctx := context.Background()
	// A service whose container is named differently.
	out, err := l.client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("other"),
		NetworkMode: types.NetworkModeAwsvpc, RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("main"), Image: aws.String("registry.example.com/other:1"), Essential: aws.Bool(true)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.client.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("c"), ServiceName: aws.String("other"),
		TaskDefinition: out.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(1), LaunchType: types.LaunchTypeFargate,
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}}}); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := l.run(t, "deploy", "-c", "c", "-n", "web", "-n", "other", "-i", "app=registry.example.com/app:2")
	if code != 2 || !strings.Contains(stderr, `no container "app"`) {
		t.Fatalf("without --skip-missing a service lacking the container is refused: exit %d\n%s", code, stderr)
	}
	code, stdout, _ := l.run(t, "deploy", "-c", "c", "-n", "web", "-n", "other", "-i", "app=registry.example.com/app:2", "--skip-missing", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if _, outcomes := parseFleet(t, stdout); outcomes["web"] != "succeeded" || outcomes["other"] != "skipped" {
		t.Fatalf("outcomes %v", outcomes)
	}
}
