package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func loadText(t *testing.T, text string, vars map[string]string) (*Deploy, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "deploy.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return LoadDeploy(p, resolver(vars))
}

func TestServiceSectionTakesUpdateServiceMembers(t *testing.T) {
	d, err := loadText(t, `
cluster: prod
service:
  service: web
  enableExecuteCommand: true
  propagateTags: SERVICE
  availabilityZoneRebalancing: ENABLED
  capacityProviderStrategy:
    - {capacityProvider: FARGATE_SPOT, weight: "#{Weight}", base: 1}
  placementConstraints: [{type: distinctInstance}]
  deploymentConfiguration:
    alarms: {alarmNames: [web-5xx], enable: true, rollback: true}
  serviceRegistries: [{registryArn: "arn:aws:servicediscovery:eu-west-1:123456789012:service/srv-1"}]
images: {web: "web:#{Weight}"}
`, map[string]string{"Weight": "3"})
	if err != nil {
		t.Fatal(err)
	}
	u := d.ServiceUpdate
	if d.Service != "web" || d.Cluster != "prod" || u == nil {
		t.Fatalf("service %q cluster %q update %+v", d.Service, d.Cluster, u)
	}
	if !aws.ToBool(u.EnableExecuteCommand) || u.PropagateTags != types.PropagateTagsService || u.AvailabilityZoneRebalancing != types.AvailabilityZoneRebalancingEnabled ||
		len(u.CapacityProviderStrategy) != 1 || u.CapacityProviderStrategy[0].Weight != 3 || u.CapacityProviderStrategy[0].Base != 1 ||
		u.PlacementConstraints[0].Type != types.PlacementConstraintTypeDistinctInstance ||
		u.DeploymentConfiguration.Alarms.AlarmNames[0] != "web-5xx" || len(u.ServiceRegistries) != 1 {
		t.Fatalf("update = %+v", u)
	}
	// The name alone still works, and the cluster may come from the section.
	d, err = loadText(t, "service: {service: api, cluster: jobs}\n", nil)
	if err != nil || d.Service != "api" || d.Cluster != "jobs" || d.ServiceUpdate == nil {
		t.Fatalf("%+v %v", d, err)
	}
	d, err = loadText(t, "service: api\n", nil)
	if err != nil || d.Service != "api" || d.ServiceUpdate != nil {
		t.Fatalf("%+v %v", d, err)
	}
}

func TestServiceSectionProblems(t *testing.T) {
	for text, want := range map[string]string{
		"service: {service: web, enableExecuteComand: true}\n":         `unknown UpdateService member "enableExecuteComand" (members: availabilityZoneRebalancing, capacityProviderStrategy,`,
		"service: {service: web, propagateTags: EVERYTHING}\n":         `propagateTags: "EVERYTHING" is not one of TASK_DEFINITION, SERVICE, NONE`,
		"service: {service: web, placementStrategy: [{type: near}]}\n": `placementStrategy[0].type: "near" is not one of`,
		"service: {service: web, desiredCount: many}\n":                "desiredCount",
		"service: {service: web, taskDefinition: web:3}\n":             "the task definition is set by deploy",
		"cluster: a\nservice: {service: web, cluster: b}\n":            `names cluster "b", but cluster is "a"`,
		"service: {service: web, platformVersion: \"#{Missing}\"}\n":   "#{Missing}",
	} {
		_, err := loadText(t, text, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to contain %q", text, err, want)
		}
	}
}

// A struct embedding Deploy (a fleet target) takes the service: mapping too,
// and keeps its own fields.
func TestServiceSectionInAStructEmbeddingDeploy(t *testing.T) {
	var target struct {
		Deploy `yaml:",inline"`
		Wave   int `yaml:"wave"`
	}
	err := Decode([]byte("wave: 2\nservice: {service: api, enableExecuteCommand: true}\n"), resolver(nil), &target)
	if err != nil || target.Wave != 2 || target.Service != "api" || target.ServiceUpdate == nil || !aws.ToBool(target.ServiceUpdate.EnableExecuteCommand) {
		t.Fatalf("%+v %v", target, err)
	}
}
