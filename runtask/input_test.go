package runtask

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

func vpcTaskDefinition(containers ...string) *ecs.RegisterTaskDefinitionInput {
	td := &ecs.RegisterTaskDefinitionInput{Family: aws.String("job"), NetworkMode: types.NetworkModeAwsvpc}
	for _, c := range containers {
		td.ContainerDefinitions = append(td.ContainerDefinitions, types.ContainerDefinition{Name: aws.String(c)})
	}
	return td
}

// TestInputCopiesTheServiceAndAppliesTheTask: the service's network,
// platform and capacity providers are copied; a launch type replaces the
// providers, subnets replace the service's while its security groups and
// public IP stay; overrides go one per container, commands first.
func TestInputCopiesTheServiceAndAppliesTheTask(t *testing.T) {
	svc := &types.Service{
		CapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT")}},
		PlatformVersion:          aws.String("1.4.0"),
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
			Subnets: []string{"subnet-svc"}, SecurityGroups: []string{"sg-svc"}, AssignPublicIp: types.AssignPublicIpEnabled}},
	}
	in, described, err := Input(vpcTaskDefinition("app", "side"), Task{Cluster: "prod", Count: 2, StartedBy: "me", Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	if in.LaunchType != "" || len(in.CapacityProviderStrategy) != 1 || aws.ToString(in.PlatformVersion) != "1.4.0" ||
		in.NetworkConfiguration.AwsvpcConfiguration.Subnets[0] != "subnet-svc" || in.Overrides != nil || described != nil ||
		aws.ToString(in.ClientToken) == "" || aws.ToInt32(in.Count) != 2 {
		t.Fatalf("service copied as %+v, %v", in, described)
	}

	in, described, err = Input(vpcTaskDefinition("app", "side"), Task{Cluster: "prod", Count: 1, Service: svc,
		LaunchType: types.LaunchTypeFargate, Network: &Network{Subnets: []string{"subnet-1", "subnet-2"}},
		Commands: []CommandOverride{{Container: "side", Command: []string{"true"}}},
		Env:      []taskdef.KeyValueChange{{Container: "app", Key: "A", Value: "1"}, {Container: "side", Key: "B", Value: "2"}}})
	if err != nil {
		t.Fatal(err)
	}
	vpc := in.NetworkConfiguration.AwsvpcConfiguration
	if in.LaunchType != types.LaunchTypeFargate || in.CapacityProviderStrategy != nil || strings.Join(vpc.Subnets, ",") != "subnet-1,subnet-2" ||
		vpc.SecurityGroups[0] != "sg-svc" || vpc.AssignPublicIp != types.AssignPublicIpEnabled {
		t.Fatalf("launch %s %v, network %+v", in.LaunchType, in.CapacityProviderStrategy, vpc)
	}
	if svc.NetworkConfiguration.AwsvpcConfiguration.Subnets[0] != "subnet-svc" {
		t.Fatal("the service's own network configuration was changed")
	}
	ovs := in.Overrides.ContainerOverrides
	if len(ovs) != 2 || aws.ToString(ovs[0].Name) != "side" || ovs[0].Command[0] != "true" || len(ovs[0].Environment) != 1 ||
		aws.ToString(ovs[1].Name) != "app" || aws.ToString(ovs[1].Environment[0].Name) != "A" {
		t.Fatalf("overrides %+v", ovs)
	}
	if strings.Join(described, "; ") != "side: command; app: environment A; side: environment B" {
		t.Fatalf("described %q", described)
	}
}

// TestInputRefusesUnknownContainersAndAMissingNetwork: every problem at
// once, each at the origin its field was given at, else under the field.
func TestInputRefusesUnknownContainersAndAMissingNetwork(t *testing.T) {
	task := Task{Cluster: "c", Count: 1, ExitCodeFrom: "nope", Commands: []CommandOverride{{Container: "ghost"}}}
	_, _, err := Input(vpcTaskDefinition("app"), task)
	var ps exitcode.Problems
	if !errors.As(err, &ps) || len(ps) != 3 {
		t.Fatalf("got %v, want three problems", err)
	}
	got := map[string]string{}
	for _, p := range ps {
		got[p.Field] = p.Message
	}
	if !strings.Contains(got["exitCodeFrom"], "container nope is not in the task definition (it has app)") ||
		!strings.Contains(got["commands"], "container ghost") || !strings.Contains(got["subnets"], "awsvpc") {
		t.Fatalf("problems %v", got)
	}
	task.Origins = exitcode.Origins{"subnets": exitcode.FlagOrigin("--subnets")}
	_, _, err = Input(vpcTaskDefinition("app"), task)
	if !strings.Contains(err.Error(), "--subnets: the task definition uses the awsvpc network mode") {
		t.Fatalf("with an origin: %v", err)
	}
	bridge := &ecs.RegisterTaskDefinitionInput{ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app")}}}
	if _, _, err := Input(bridge, Task{Cluster: "c", Count: 1, ExitCodeFrom: "app"}); err != nil {
		t.Fatalf("bridge network, known container: %v", err)
	}
}

func TestNeedsRevision(t *testing.T) {
	from := &types.TaskDefinition{}
	env := taskdef.KeyValueChange{Container: "app", Key: "A", Value: "1"}
	cases := []struct {
		name     string
		from     *types.TaskDefinition
		template string
		changes  taskdef.Changes
		want     bool
	}{
		{"nothing", from, "", taskdef.Changes{}, false},
		{"environment, merge", from, "", taskdef.Changes{Env: []taskdef.KeyValueChange{env}}, false},
		{"tags go on the task", from, "", taskdef.Changes{Tags: []types.Tag{{Key: aws.String("k")}}}, false},
		{"environment replace", from, "", taskdef.Changes{Env: []taskdef.KeyValueChange{env}, EnvMode: "replace"}, true},
		{"environment unset", from, "", taskdef.Changes{Env: []taskdef.KeyValueChange{{Container: "app", Key: "A", Unset: true}}}, true},
		{"image", from, "", taskdef.Changes{Images: []taskdef.ImageChange{{Container: "app", Image: "x:1"}}}, true},
		{"secret", from, "", taskdef.Changes{Secrets: []taskdef.KeyValueChange{env}}, true},
		{"a template family", from, "base", taskdef.Changes{}, true},
		{"from a file", nil, "", taskdef.Changes{}, true},
	}
	for _, tc := range cases {
		if got := NeedsRevision(tc.from, tc.template, tc.changes); got != tc.want {
			t.Errorf("%s: NeedsRevision = %v, want %v", tc.name, got, tc.want)
		}
	}
}
