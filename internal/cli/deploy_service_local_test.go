package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// A spec's service: mapping sets UpdateService members in the API's shape;
// they reach the service, and a second deploy of the same spec sends none.
func TestLocalSpecServiceSectionRoundTrips(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	spec := filepath.Join(t.TempDir(), "deploy.yaml")
	mustWrite(t, spec, `cluster: c
service:
  service: web
  enableExecuteCommand: true
  enableECSManagedTags: true
  propagateTags: SERVICE
  healthCheckGracePeriodSeconds: 45
  deploymentConfiguration:
    maximumPercent: 300
    alarms: {alarmNames: [web-5xx], enable: true, rollback: true}
images: {app: "registry.example.com/app:2"}
`)
	code, stdout, _ := l.run(t, []string{"deploy", "-f", spec, "--output", "json", "-t", "5m"}...)
	if r := parseReport(t, stdout); code != 0 || r.Outcome != "succeeded" {
		t.Fatalf("exit %d, report %+v", code, r)
	}
	svc := l.service(t)
	dc := svc.DeploymentConfiguration
	if !svc.EnableExecuteCommand || !svc.EnableECSManagedTags || svc.PropagateTags != types.PropagateTagsService ||
		aws.ToInt32(svc.HealthCheckGracePeriodSeconds) != 45 || aws.ToInt32(dc.MaximumPercent) != 300 {
		t.Errorf("service after deploy: %+v", svc)
	}
	if dc.Alarms == nil || len(dc.Alarms.AlarmNames) != 1 || dc.Alarms.AlarmNames[0] != "web-5xx" || !dc.Alarms.Rollback {
		t.Errorf("alarms after deploy: %+v", dc.Alarms)
	}
	// The same spec again: nothing in the service differs.
	code, stdout, _ = l.run(t, "diff", "-f", spec)
	if code != 0 {
		t.Fatalf("diff exit %d", code)
	}
	for _, member := range []string{"enableExecuteCommand", "propagateTags", "alarms", "maximumPercent", "healthCheckGracePeriodSeconds"} {
		if strings.Contains(stdout, member+":") {
			t.Errorf("diff of an applied spec lists %s:\n%s", member, stdout)
		}
	}
}

// The flags for the common members, shown by diff and applied by deploy.
func TestLocalServiceFlags(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	flags := []string{"--enable-execute-command", "--propagate-tags", "task_definition", "--enable-ecs-managed-tags",
		"--alarm", "web-latency", "--alarm-rollback"}
	code, stdout, _ := l.run(t, append([]string{"diff", "-c", "c", "-n", "web"}, flags...)...)
	for _, want := range []string{"enableExecuteCommand: false → true", "propagateTags: NONE → TASK_DEFINITION",
		"enableECSManagedTags: false → true", `alarms: (none) → {"alarmNames":["web-latency"],"enable":true,"rollback":true}`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("diff lacks %q:\n%s", want, stdout)
		}
	}
	if code != 0 {
		t.Fatalf("diff exit %d", code)
	}
	code, _, _ = l.run(t, deployArgs(flags...)...)
	svc := l.service(t)
	if code != 0 || !svc.EnableExecuteCommand || svc.PropagateTags != types.PropagateTagsTaskDefinition || !svc.EnableECSManagedTags ||
		svc.DeploymentConfiguration.Alarms == nil {
		t.Fatalf("exit %d, service %+v", code, svc)
	}
	// A capacity provider strategy starts a new deployment (it applies to
	// new tasks), and --launch-type moves the service back.
	code, _, _ = l.run(t, deployArgs("--capacity-provider", "FARGATE_SPOT:2:1")...)
	svc = l.service(t)
	if code != 0 || len(svc.CapacityProviderStrategy) != 1 || aws.ToString(svc.CapacityProviderStrategy[0].CapacityProvider) != "FARGATE_SPOT" ||
		svc.CapacityProviderStrategy[0].Weight != 2 || svc.CapacityProviderStrategy[0].Base != 1 {
		t.Fatalf("capacity provider: exit %d, %+v", code, svc.CapacityProviderStrategy)
	}
	code, _, _ = l.run(t, deployArgs("--launch-type", "FARGATE")...)
	svc = l.service(t)
	if code != 0 || len(svc.CapacityProviderStrategy) != 0 || svc.LaunchType != types.LaunchTypeFargate {
		t.Fatalf("back to a launch type: exit %d, strategy %+v, launch type %q", code, svc.CapacityProviderStrategy, svc.LaunchType)
	}
	// Bad values are named before any call.
	code, _, stderr := l.run(t, deployArgs("--propagate-tags", "ALL", "--capacity-provider", "FARGATE:x", "--alarm-rollback", "--launch-type", "MOON")...)
	for _, want := range []string{"--propagate-tags", "--capacity-provider", "--alarm-rollback", "--launch-type"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("problems lack %s:\n%s", want, stderr)
		}
	}
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
}

// --family registers into another family (Octopus's task definition name).
func TestLocalDeployFamily(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	code, stdout, _ := l.run(t, deployArgs("--family", "web-blue", "-i", "app=registry.example.com/app:2")...)
	r := parseReport(t, stdout)
	if code != 0 || !strings.Contains(r.TaskDefinition, "task-definition/web-blue:1") || !strings.Contains(aws.ToString(l.service(t).TaskDefinition), "web-blue:1") {
		t.Fatalf("exit %d, report %+v", code, r)
	}
}
