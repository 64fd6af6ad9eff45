package emulator_test

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// TestAWSCLIDrivesTheEmulator runs the unchanged AWS CLI against the
// emulator over HTTP, the way `ecsdeploy local serve` serves it: create a
// cluster, register a task definition, create a service, wait with the
// CLI's own services-stable waiter, update the service, describe its tasks.
func TestAWSCLIDrivesTheEmulator(t *testing.T) {
	testenv.RequireTool(t, "aws")
	// On a manual clock, moved past the first rollout before the waiter
	// runs: the waiter (which polls every 15 s of wall time) must find the
	// service stable on its first poll, every time.
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)), Seed: 1, DefaultCluster: true})
	srv := httptest.NewServer(em)
	t.Cleanup(func() {
		srv.Close()
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	aws := func(args ...string) map[string]any {
		t.Helper()
		out := testenv.RunAWSCLI(t, srv.URL, args...)
		var v map[string]any
		if out != "" {
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("aws %v: output is not JSON: %v\n%s", args, err, out)
			}
		}
		return v
	}
	tdFile := filepath.Join(t.TempDir(), "td.json")
	td := `{"family":"hello","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
	  "containerDefinitions":[{"name":"web","image":"nginx:1.27","portMappings":[{"containerPort":80}],
	    "healthCheck":{"command":["CMD-SHELL","curl -f http://localhost/ || exit 1"],"interval":10,"retries":2}}]}`
	if err := os.WriteFile(tdFile, []byte(td), 0o600); err != nil {
		t.Fatal(err)
	}

	aws("ecs", "create-cluster", "--cluster-name", "demo")
	reg := aws("ecs", "register-task-definition", "--cli-input-json", "file://"+tdFile)
	tdArn := reg["taskDefinition"].(map[string]any)["taskDefinitionArn"].(string)
	aws("ecs", "create-service", "--cluster", "demo", "--service-name", "hello", "--task-definition", tdArn,
		"--desired-count", "2", "--launch-type", "FARGATE",
		"--network-configuration", "awsvpcConfiguration={subnets=[subnet-1,subnet-2],assignPublicIp=DISABLED}")
	em.Advance(2 * time.Minute) // the first rollout takes under a minute
	aws("ecs", "wait", "services-stable", "--cluster", "demo", "--services", "hello")

	reg2 := aws("ecs", "register-task-definition", "--cli-input-json", "file://"+tdFile)
	tdArn2 := reg2["taskDefinition"].(map[string]any)["taskDefinitionArn"].(string)
	up := aws("ecs", "update-service", "--cluster", "demo", "--service", "hello", "--task-definition", tdArn2)
	deployments := up["service"].(map[string]any)["deployments"].([]any)
	if len(deployments) != 2 || deployments[0].(map[string]any)["taskDefinition"] != tdArn2 {
		t.Fatalf("update-service deployments: %v", deployments)
	}
	list := aws("ecs", "list-tasks", "--cluster", "demo", "--service-name", "hello")
	arns := list["taskArns"].([]any)
	if len(arns) < 2 {
		t.Fatalf("list-tasks: %v", arns)
	}
	args := []string{"ecs", "describe-tasks", "--cluster", "demo", "--tasks"}
	for _, a := range arns {
		args = append(args, a.(string))
	}
	desc := aws(args...)
	for _, task := range desc["tasks"].([]any) {
		m := task.(map[string]any)
		if m["group"] != "service:hello" || m["launchType"] != "FARGATE" || m["availabilityZone"] == "" {
			t.Fatalf("task: %v", m)
		}
	}
	if f := desc["failures"].([]any); len(f) != 0 {
		t.Fatalf("describe-tasks failures: %v", f)
	}
}
