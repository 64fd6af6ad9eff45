package rollout

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecsdocument "github.com/aws/aws-sdk-go-v2/service/ecs/document"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

func TestExtraUpdateMembersAreSentOnlyWhenTheyChange(t *testing.T) {
	svc := types.Service{ServiceName: aws.String("web"), EnableExecuteCommand: true, PropagateTags: types.PropagateTagsService,
		DeploymentConfiguration: &types.DeploymentConfiguration{MinimumHealthyPercent: aws.Int32(100), MaximumPercent: aws.Int32(200)}}
	extra := &ecs.UpdateServiceInput{
		EnableExecuteCommand:     aws.Bool(true),                    // same as now: left out
		PropagateTags:            types.PropagateTagsTaskDefinition, // changes
		EnableECSManagedTags:     aws.Bool(true),
		PlacementStrategy:        []types.PlacementStrategy{{Type: types.PlacementStrategyTypeSpread, Field: aws.String("attribute:ecs.availability-zone")}},
		CapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 3}},
		DesiredCount:             aws.Int32(9), // the typed setting below wins
		DeploymentConfiguration: &types.DeploymentConfiguration{MaximumPercent: aws.Int32(150), MinimumHealthyPercent: aws.Int32(10),
			Alarms: &types.DeploymentAlarms{AlarmNames: []string{"high-5xx"}, Enable: true, Rollback: true}},
	}
	in, changes := serviceUpdate(svc, ServiceSettings{DesiredCount: aws.Int32(4), MinHealthyPercent: aws.Int32(50), Extra: extra})
	if in.EnableExecuteCommand != nil {
		t.Errorf("enableExecuteCommand sent although unchanged")
	}
	if in.PropagateTags != types.PropagateTagsTaskDefinition || !aws.ToBool(in.EnableECSManagedTags) || len(in.PlacementStrategy) != 1 {
		t.Errorf("members not sent: %+v", in)
	}
	if aws.ToInt32(in.DesiredCount) != 4 {
		t.Errorf("desiredCount = %d, want the typed 4", aws.ToInt32(in.DesiredCount))
	}
	dc := in.DeploymentConfiguration
	if dc == nil || aws.ToInt32(dc.MaximumPercent) != 150 || aws.ToInt32(dc.MinimumHealthyPercent) != 50 || dc.Alarms == nil || dc.Alarms.AlarmNames[0] != "high-5xx" {
		t.Errorf("deploymentConfiguration = %+v", dc)
	}
	if !in.ForceNewDeployment {
		t.Errorf("a new capacity provider strategy must force a new deployment")
	}
	text := map[string]string{}
	for _, c := range changes {
		text[c.Name] = c.Old + " → " + c.New
	}
	for name, want := range map[string]string{
		"propagateTags":            "SERVICE → TASK_DEFINITION",
		"enableECSManagedTags":     "false → true",
		"placementStrategy":        `(none) → [{"field":"attribute:ecs.availability-zone","type":"spread"}]`,
		"capacityProviderStrategy": `(none) → [{"base":0,"capacityProvider":"FARGATE_SPOT","weight":3}]`,
		"maximumPercent":           "200 → 150",
		"minimumHealthyPercent":    "100 → 50",
		"alarms":                   `(none) → {"alarmNames":["high-5xx"],"enable":true,"rollback":true}`,
	} {
		if text[name] != want {
			t.Errorf("change %s = %q, want %q", name, text[name], want)
		}
	}
	if _, ok := text["enableExecuteCommand"]; ok {
		t.Errorf("unchanged member listed as a change")
	}
}

func TestFamilyRegistersIntoAnotherFamily(t *testing.T) {
	f, _ := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Family: "web-blue",
		Changes: imageChange("app", "registry.example.com/web:2.0")})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Family() != "web-blue" || aws.ToString(plan.New.Family) != "web-blue" {
		t.Fatalf("family = %s", plan.Family())
	}
	if !strings.Contains(strings.Join(plan.Notes, "\n"), "registered into family web-blue") {
		t.Errorf("notes = %q", plan.Notes)
	}
	// Even without changes a revision is registered in the other family.
	plan, err = MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Family: "web-green"})
	if err != nil || plan.New == nil || plan.Family() != "web-green" {
		t.Fatalf("no-change --family: %+v %v", plan, err)
	}
	_, err = MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Family: "x", Source: Source{Existing: "web:1"}})
	if exitcode.Of(err) != exitcode.Invalid {
		t.Errorf("--family with an existing revision: %v", err)
	}
}

func TestLaunchTypeCannotChangeInPlace(t *testing.T) {
	f, _ := setup(t)
	f.services["web"].LaunchType = types.LaunchTypeEc2
	_, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Settings: ServiceSettings{LaunchType: types.LaunchTypeFargate}})
	if exitcode.Of(err) != exitcode.Invalid || !strings.Contains(err.Error(), "launchType: service web runs on EC2") || !strings.Contains(err.Error(), "capacity provider") {
		t.Fatalf("err = %v", err)
	}
	if _, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Settings: ServiceSettings{LaunchType: types.LaunchTypeEc2}}); err != nil {
		t.Fatalf("same launch type: %v", err)
	}
	// From a capacity provider strategy back to a launch type.
	f.services["web"].LaunchType = ""
	f.services["web"].CapacityProviderStrategy = []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE"), Weight: 1}}
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Settings: ServiceSettings{LaunchType: types.LaunchTypeFargate}})
	if err != nil || plan.Update.CapacityProviderStrategy == nil || len(plan.Update.CapacityProviderStrategy) != 0 || !plan.Update.ForceNewDeployment {
		t.Fatalf("plan %+v, %v", plan, err)
	}
}

func TestParseServiceFlags(t *testing.T) {
	cp, err := ParseCapacityProvider("FARGATE_SPOT:3:1")
	if err != nil || aws.ToString(cp.CapacityProvider) != "FARGATE_SPOT" || cp.Weight != 3 || cp.Base != 1 {
		t.Errorf("capacity provider: %+v %v", cp, err)
	}
	if cp, _ := ParseCapacityProvider("FARGATE"); cp.Weight != 1 {
		t.Errorf("default weight = %d", cp.Weight)
	}
	for _, bad := range []string{"", "A:x", "A:1:2:3", "A:2000"} {
		if _, err := ParseCapacityProvider(bad); err == nil {
			t.Errorf("ParseCapacityProvider(%q) accepted", bad)
		}
	}
	pc, err := ParsePlacementConstraint("memberOf:attribute:ecs.instance-type =~ t3.*")
	if err != nil || pc.Type != types.PlacementConstraintTypeMemberOf || aws.ToString(pc.Expression) != "attribute:ecs.instance-type =~ t3.*" {
		t.Errorf("constraint: %+v %v", pc, err)
	}
	for _, bad := range []string{"memberOf", "nearby:x"} {
		if _, err := ParsePlacementConstraint(bad); err == nil {
			t.Errorf("ParsePlacementConstraint(%q) accepted", bad)
		}
	}
	ps, err := ParsePlacementStrategy("binpack:memory")
	if err != nil || ps.Type != types.PlacementStrategyTypeBinpack || aws.ToString(ps.Field) != "memory" {
		t.Errorf("strategy: %+v %v", ps, err)
	}
	if _, err := ParsePlacementStrategy("closest"); err == nil || !strings.Contains(err.Error(), "binpack, random, spread") {
		t.Errorf("bad strategy: %v", err)
	}
}

// Documents and union members read as the API writes them.
func TestAPITextDocumentsAndUnions(t *testing.T) {
	hook := types.DeploymentLifecycleHook{HookTargetArn: aws.String("arn:f"), HookDetails: ecsdocument.NewLazyDocument(map[string]any{"suite": "smoke"})}
	if got, want := APIText([]types.DeploymentLifecycleHook{hook}), `[{"hookDetails":{"suite":"smoke"},"hookTargetArn":"arn:f"}]`; got != want {
		t.Errorf("hook: %s, want %s", got, want)
	}
	sc := &types.ServiceConnectConfiguration{Enabled: true, ContainerConfigurations: []types.ServiceConnectContainerConfiguration{
		&types.ServiceConnectContainerConfigurationMemberLogLevel{Value: types.ServiceConnectContainerLogLevelDebug}}}
	if got, want := APIText(sc), `{"containerConfigurations":[{"logLevel":"debug"}],"enabled":true}`; got != want {
		t.Errorf("Service Connect: %s, want %s", got, want)
	}
}
