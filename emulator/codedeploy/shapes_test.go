package codedeploy

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/internal/awsmodel"
)

// TestOutputsFollowBotocoreModel drives every operation through a
// deployment that rolls back and one that succeeds, and checks each reply
// against botocore's CodeDeploy model: member names, nesting, JSON types
// and enum values.
func TestOutputsFollowBotocoreModel(t *testing.T) {
	model := awsmodel.Load(t, "codedeploy")
	if p := model.CheckJSON("GetDeployment", map[string]any{"deploymentInfo": map[string]any{"status": "Done", "bogus": 1}}); len(p) != 2 {
		t.Fatalf("the check does not catch a bad enum and an unknown member: %v", p)
	}
	sc := &scenario.Scenario{Hooks: []scenario.Hook{{Match: "bad", Result: scenario.HookFailed}}}
	e := newEnv(t, sc)
	e.setup()
	var problems []string
	call := func(op string, in any) map[string]any {
		t.Helper()
		body, _ := json.Marshal(in)
		out, err := e.cd.ServeJSON(&emulator.RequestContext{Region: "us-east-1", Now: e.em.Now()}, op, body)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		data, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if out != nil {
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatal(err)
			}
		}
		if model.Operations[op].Output.Shape != "" {
			problems = append(problems, model.CheckJSON(op, v)...)
		}
		return v
	}
	call("CreateApplication", map[string]any{"applicationName": "app", "computePlatform": "ECS"})
	call("GetApplication", map[string]any{"applicationName": "app"})
	call("BatchGetApplications", map[string]any{"applicationNames": []string{"app"}})
	call("ListApplications", map[string]any{})
	call("CreateDeploymentConfig", map[string]any{"deploymentConfigName": "canary", "computePlatform": "ECS",
		"trafficRoutingConfig": map[string]any{"type": "TimeBasedCanary", "timeBasedCanary": map[string]int{"canaryPercentage": 20, "canaryInterval": 1}}})
	call("GetDeploymentConfig", map[string]any{"deploymentConfigName": "canary"})
	call("GetDeploymentConfig", map[string]any{"deploymentConfigName": "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"})
	call("ListDeploymentConfigs", map[string]any{})
	var group map[string]any
	raw, _ := json.Marshal(e.groupInput())
	_ = json.Unmarshal(raw, &group)
	lowerKeys(group)
	group["deploymentConfigName"] = "canary"
	group["alarmConfiguration"] = map[string]any{"enabled": false, "alarms": []any{map[string]string{"name": "errors"}}}
	call("CreateDeploymentGroup", group)
	call("GetDeploymentGroup", map[string]any{"applicationName": "app", "deploymentGroupName": "dg"})
	call("ListDeploymentGroups", map[string]any{"applicationName": "app"})
	deploy := func(hooks string) string {
		out := call("CreateDeployment", map[string]any{"applicationName": "app", "deploymentGroupName": "dg", "description": "shape check",
			"revision": map[string]any{"revisionType": "AppSpecContent", "appSpecContent": map[string]string{"content": e.appSpec(2, hooks)}}})
		return out["deploymentId"].(string)
	}
	failed := deploy("Hooks:\n  - AfterAllowTraffic: bad\n")
	e.em.Advance(10 * time.Second)
	call("GetDeployment", map[string]any{"deploymentId": failed})
	call("GetDeploymentTarget", map[string]any{"deploymentId": failed, "targetId": "c:web"})
	e.em.Advance(5 * time.Minute)
	call("GetDeployment", map[string]any{"deploymentId": failed})
	call("BatchGetDeploymentTargets", map[string]any{"deploymentId": failed, "targetIds": []string{"c:web"}})
	ok := deploy("Hooks:\n  - BeforeInstall: good\n")
	e.em.Advance(2 * time.Second)
	e.cd.mu.Lock()
	exec := e.cd.st.Deployments[ok].Hook.ExecutionID
	e.cd.mu.Unlock()
	call("PutLifecycleEventHookExecutionStatus", map[string]any{"deploymentId": ok, "lifecycleEventHookExecutionId": exec, "status": "Succeeded"})
	e.em.Advance(10 * time.Minute)
	call("ListDeployments", map[string]any{"applicationName": "app", "deploymentGroupName": "dg", "includeOnlyStatuses": []string{"Succeeded", "Failed"}})
	call("BatchGetDeployments", map[string]any{"deploymentIds": []string{failed, ok}})
	call("ListDeploymentTargets", map[string]any{"deploymentId": ok, "targetFilters": map[string][]string{"TargetStatus": {"Succeeded"}}})
	call("GetDeploymentGroup", map[string]any{"applicationName": "app", "deploymentGroupName": "dg"})
	stop := deploy("Hooks:\n  - BeforeInstall: good\n")
	call("StopDeployment", map[string]any{"deploymentId": stop})
	call("DeleteDeploymentConfig", map[string]any{"deploymentConfigName": "unused"})
	for _, p := range problems {
		t.Error(p)
	}
	if d := call("GetDeployment", map[string]any{"deploymentId": ok}); d["deploymentInfo"].(map[string]any)["status"] != "Succeeded" {
		t.Errorf("the second deployment: %v", d)
	}
}

// lowerKeys turns the SDK's Go field names into the wire's member names.
func lowerKeys(m map[string]any) {
	for k, v := range m {
		delete(m, k)
		switch x := v.(type) {
		case map[string]any:
			lowerKeys(x)
		case []any:
			for _, it := range x {
				if im, ok := it.(map[string]any); ok {
					lowerKeys(im)
				}
			}
		}
		if v == nil {
			continue
		}
		m[lowerFirst(k)] = v
	}
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }
