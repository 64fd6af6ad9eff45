package elbv2

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/internal/awsmodel"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// TestAWSCLIRunsABlueGreenDeployment: `aws ecs update-service` with the
// BLUE_GREEN strategy and a PAUSE hook, `describe-service-deployments`
// while it waits, `continue-service-deployment`, and the end state; every
// ECS reply on the way is checked against botocore's ECS model.
func TestAWSCLIRunsABlueGreenDeployment(t *testing.T) {
	t.Parallel() // the fake AWS environment is set by TestMain
	model := awsmodel.Load(t, "ecs")
	em, svc, _ := newServer(t)
	srv := httptest.NewServer(em)
	t.Cleanup(srv.Close)
	_, _, prod, _ := bgSetup(t, em, `{"strategy":"ROLLING"}`)
	registerWeb(t, em, "web:2")
	cli := func(into any, args ...string) {
		t.Helper()
		out := testenv.RunAWSCLI(t, srv.URL, args...)
		if err := json.Unmarshal([]byte(out), into); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	}
	var upd map[string]any
	cli(&upd, "ecs", "update-service", "--service", "web", "--task-definition", "web:2", "--deployment-configuration",
		`{"strategy":"BLUE_GREEN","bakeTimeInMinutes":1,"lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["PRE_PRODUCTION_TRAFFIC_SHIFT"]}]}`)
	if cfg := upd["service"].(map[string]any)["deploymentConfiguration"].(map[string]any); cfg["strategy"] != "BLUE_GREEN" {
		t.Fatalf("update-service deploymentConfiguration: %v", cfg)
	}
	em.Advance(3 * time.Minute)
	var list struct {
		ServiceDeployments []struct{ ServiceDeploymentArn string }
	}
	cli(&list, "ecs", "list-service-deployments", "--service", "web")
	arn := list.ServiceDeployments[0].ServiceDeploymentArn
	var desc struct {
		ServiceDeployments []struct {
			Status, LifecycleStage string
			LifecycleHookDetails   []struct{ HookId, Status, TargetType string }
		}
	}
	cli(&desc, "ecs", "describe-service-deployments", "--service-deployment-arns", arn)
	d := desc.ServiceDeployments[0]
	if d.LifecycleStage != "PRODUCTION_TRAFFIC_SHIFT" || len(d.LifecycleHookDetails) != 1 || d.LifecycleHookDetails[0].Status != "AWAITING_ACTION" {
		t.Fatalf("waiting at the PAUSE hook: %+v", d)
	}
	if got := weights(t, svc, prod); got != "blue=100 green=0" {
		t.Errorf("production rule before continuing: %s", got)
	}
	var cont map[string]any
	cli(&cont, "ecs", "continue-service-deployment", "--service-deployment-arn", arn, "--hook-id", d.LifecycleHookDetails[0].HookId)
	em.Advance(3 * time.Minute)
	cli(&desc, "ecs", "describe-service-deployments", "--service-deployment-arns", arn)
	if d := desc.ServiceDeployments[0]; d.Status != "SUCCESSFUL" {
		t.Fatalf("after continuing: %+v", d)
	}
	for _, op := range []struct{ name, body string }{
		{"DescribeServiceDeployments", fmt.Sprintf(`{"serviceDeploymentArns":[%q]}`, arn)},
		{"DescribeServices", `{"services":["web"]}`},
	} {
		out, err := em.InvokeECS(t.Context(), "us-east-1", op.name, []byte(op.body))
		if err != nil {
			t.Fatal(err)
		}
		var v any
		_ = json.Unmarshal(out, &v)
		for _, p := range model.CheckJSON(op.name, v) {
			t.Error(p)
		}
	}
}

// TestCanaryAndLinearShiftInSteps: CANARY sends its percentage first and
// the rest after the canary bake time; LINEAR moves step by step.
func TestCanaryAndLinearShiftInSteps(t *testing.T) {
	for _, c := range []struct {
		config string
		want   []string // production weights seen, in order
	}{
		{`{"strategy":"CANARY","canaryConfiguration":{"canaryPercent":10,"canaryBakeTimeInMinutes":2}}`,
			[]string{"blue=100 green=0", "blue=90 green=10", "blue=0 green=100"}},
		{`{"strategy":"LINEAR","linearConfiguration":{"stepPercent":25,"stepBakeTimeInMinutes":1}}`,
			[]string{"blue=100 green=0", "blue=75 green=25", "blue=50 green=50", "blue=25 green=75", "blue=0 green=100"}},
	} {
		t.Run(c.config[13:19], func(t *testing.T) {
			em, svc, _ := newServer(t)
			_, _, prod, _ := bgSetup(t, em, c.config)
			registerWeb(t, em, "web:2")
			ecsCall(t, em, "UpdateService", `{"service":"web","taskDefinition":"web:2"}`)
			var seen []string
			for i := 0; i < 900; i++ {
				em.Advance(time.Second)
				if w := weights(t, svc, prod); len(seen) == 0 || seen[len(seen)-1] != w {
					seen = append(seen, w)
				}
			}
			if strings.Join(seen, ", ") != strings.Join(c.want, ", ") {
				t.Errorf("production weights %v, want %v", seen, c.want)
			}
			if d := latestDeployment(t, em); d["status"] != "SUCCESSFUL" {
				t.Errorf("ended %v", d["status"])
			}
		})
	}
}

// TestNativeStrategyNeedsAdvancedConfiguration: BLUE_GREEN without the
// alternate target group, or with a malformed hook ARN, is refused.
func TestNativeStrategyNeedsAdvancedConfiguration(t *testing.T) {
	em, _, _ := newServer(t)
	tg := albWithGroup(t, em, "web")
	registerWeb(t, em, "web:1")
	for _, c := range []struct{ config, want string }{
		{`{"strategy":"BLUE_GREEN"}`, "advancedConfiguration with alternateTargetGroupArn"},
		{`{"strategy":"SIDEWAYS"}`, "strategy \"SIDEWAYS\" is not valid"},
		{`{"strategy":"LINEAR"}`, "linearConfiguration is required"},
		{`{"lifecycleHooks":[{"hookTargetArn":"smoke","roleArn":"arn:aws:iam::000000000000:role/r","lifecycleStages":["POST_SCALE_UP"]}]}`, "not a valid Lambda function ARN"},
	} {
		_, err := em.InvokeECS(t.Context(), "us-east-1", "CreateService", []byte(fmt.Sprintf(`{"serviceName":"web","taskDefinition":"web:1",
		  "desiredCount":1,"launchType":"FARGATE","networkConfiguration":{"awsvpcConfiguration":{"subnets":["s"]}},
		  "deploymentConfiguration":%s,"loadBalancers":[{"targetGroupArn":%q,"containerName":"web","containerPort":80}]}`, c.config, tg)))
		var ae *emulator.APIError
		if !errorsAs(err, &ae) || ae.Code != "InvalidParameterException" || !strings.Contains(ae.Message, c.want) {
			t.Errorf("%s: %v, want InvalidParameterException with %q", c.config, err, c.want)
		}
	}
}
