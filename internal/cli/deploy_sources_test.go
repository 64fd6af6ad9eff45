package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

func (l *localECS) image(t *testing.T, taskDef string) string {
	t.Helper()
	out, err := l.client.DescribeTaskDefinition(context.Background(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(taskDef)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.ContainerDefinitions[0].Image)
}

func TestLocalDeployFromTemplateFamilyRegistersIntoTheServiceFamily(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	l.register(t, "web-template", "registry.example.com/app:from-template", serviceSpec{})
	code, stdout, _ := l.run(t, deployArgs("--template-family", "web-template", "--tag", "team=shop")...)
	r := parseReport(t, stdout)
	if code != 0 || !strings.Contains(r.TaskDefinition, "task-definition/web:2") || l.image(t, r.TaskDefinition) != "registry.example.com/app:from-template" {
		t.Fatalf("exit %d, report %+v", code, r)
	}
	tags, err := l.client.ListTagsForResource(context.Background(), &ecs.ListTagsForResourceInput{ResourceArn: l.service(t).ServiceArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Fatalf("service tags %+v (%v), want team=shop", tags, err)
	}
}

func TestLocalDeployExistingRevisionAsItIs(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	td2 := l.register(t, "web", "registry.example.com/app:2", serviceSpec{})
	code, stdout, _ := l.run(t, deployArgs("--task-definition", "web:2", "--skip-deployments-check")...)
	r := parseReport(t, stdout)
	if code != 0 || r.TaskDefinition != td2 || r.Revision != 2 {
		t.Fatalf("exit %d, report %+v", code, r)
	}
	list, err := l.client.ListTaskDefinitions(context.Background(), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("web")})
	if err != nil || len(list.TaskDefinitionArns) != 2 {
		t.Fatalf("deploying an existing revision registered another: %v %v", list, err)
	}
	code, _, stderr := l.run(t, deployArgs("--task-definition", "web:2", "-i", "app=x:1")...)
	if code != 2 || !strings.Contains(stderr, "as it is") {
		t.Fatalf("--task-definition with changes: exit %d\n%s", code, stderr)
	}
}

func TestLocalDeployFromTaskDefinitionFileInASpec(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	dir := t.TempDir()
	described := `{"taskDefinition": {"taskDefinitionArn": "arn:aws:ecs:us-east-1:000000000000:task-definition/web:9", "revision": 9,
	  "status": "ACTIVE", "family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
	  "containerDefinitions": [{"name": "app", "image": "registry.example.com/app:from-file", "essential": true}]},
	  "tags": [{"key": "source", "value": "file"}]}`
	if err := os.WriteFile(filepath.Join(dir, "taskdef.json"), []byte(described), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(dir, "service.yaml")
	if err := os.WriteFile(spec, []byte("cluster: c\nservice: web\ntaskDefinitionFile: taskdef.json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := l.run(t, []string{"deploy", "-f", spec, "--output", "json"}...)
	r := parseReport(t, stdout)
	if code != 0 || l.image(t, r.TaskDefinition) != "registry.example.com/app:from-file" {
		t.Fatalf("exit %d, report %+v", code, r)
	}
}

func TestLocalDiffShowsCircuitBreakerAndPercentages(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 4})
	code, stdout, _ := l.run(t, "diff", "-c", "c", "-n", "web", "--circuit-breaker=rollback", "-m", "50", "-M", "100", "--tag-only", "2")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"deploymentCircuitBreaker: disabled → enabled with rollback", "minimumHealthyPercent: 100 → 50",
		"maximumPercent: 200 → 100", "registry.example.com/app:2", "1. stop 2 old task(s)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("diff lacks %q", want)
		}
	}
}

// -e takes the tag of the image given with -i from the variable, as the
// ecs-deploy script documents it; alone it is an error naming --tag-only.
func TestLocalDeployTagFromEnv(t *testing.T) {
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	t.Setenv("BUILD_TAG", "build-42")
	code, stdout, _ := l.run(t, deployArgs("-i", "registry.example.com/app:latest", "-e", "BUILD_TAG", "--no-wait")...)
	r := parseReport(t, stdout)
	if code != 0 || r.Outcome != "updated" || l.image(t, r.TaskDefinition) != "registry.example.com/app:build-42" {
		t.Fatalf("exit %d, report %+v", code, r)
	}
	code, _, stderr := l.run(t, deployArgs("-e", "BUILD_TAG", "--no-wait")...)
	if code != 2 || !strings.Contains(stderr, "--tag-only") {
		t.Fatalf("-e without -i: exit %d\n%s", code, stderr)
	}
}

func TestLocalDiffTakesVariablesInEveryFlag(t *testing.T) {
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 2})
	t.Setenv("ECSDEPLOY_VAR_Tag", "from-env")
	code, stdout, _ := l.run(t, "diff", "-c", "#{Cluster}", "-n", "web", "--var", "Cluster=c", "--var", "Count=3",
		"-D", "#{Count}", "--tag-only", "#{Tag}", "--health-check-grace-period", "90")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"desiredCount: 2 → 3", "registry.example.com/app:from-env", "healthCheckGracePeriodSeconds: 0 → 90"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("diff lacks %q", want)
		}
	}
}
