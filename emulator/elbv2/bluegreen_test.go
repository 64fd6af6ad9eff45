package elbv2

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// bgSetup builds an ALB with a production listener (port 80) and a test
// listener (port 8080), each with a rule forwarding to the blue group, and
// a service on them with the given deployment configuration. It returns
// the blue and green groups and the production and test rules.
func bgSetup(t *testing.T, em *emulator.Emulator, deploymentConfig string) (blue, green, prod, test string) {
	t.Helper()
	_, body := query(t, em, "CreateLoadBalancer", "Name", "web", "Subnets.member.1", "subnet-1", "Subnets.member.2", "subnet-2")
	lb := firstARN(body, "LoadBalancerArn")
	group := func(name string) string {
		_, body := query(t, em, "CreateTargetGroup", "Name", name, "Protocol", "HTTP", "Port", "80", "VpcId", "vpc-1", "TargetType", "ip",
			"HealthCheckIntervalSeconds", "10", "HealthyThresholdCount", "2")
		arn := firstARN(body, "TargetGroupArn")
		query(t, em, "ModifyTargetGroupAttributes", "TargetGroupArn", arn,
			"Attributes.member.1.Key", "deregistration_delay.timeout_seconds", "Attributes.member.1.Value", "5")
		return arn
	}
	blue, green = group("blue"), group("green")
	rule := func(port string) string {
		code, body := query(t, em, "CreateListener", "LoadBalancerArn", lb, "Protocol", "HTTP", "Port", port,
			"DefaultActions.member.1.Type", "fixed-response", "DefaultActions.member.1.FixedResponseConfig.StatusCode", "404")
		if code != 200 {
			t.Fatal(body)
		}
		code, body = query(t, em, "CreateRule", "ListenerArn", firstARN(body, "ListenerArn"), "Priority", "1",
			"Conditions.member.1.Field", "path-pattern", "Conditions.member.1.Values.member.1", "/*",
			"Actions.member.1.Type", "forward", "Actions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn", blue,
			"Actions.member.1.ForwardConfig.TargetGroups.member.1.Weight", "100",
			"Actions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn", green,
			"Actions.member.1.ForwardConfig.TargetGroups.member.2.Weight", "0")
		if code != 200 {
			t.Fatal(body)
		}
		return firstARN(body, "RuleArn")
	}
	prod, test = rule("80"), rule("8080")
	registerWeb(t, em, "web:1")
	ecsCall(t, em, "CreateService", fmt.Sprintf(`{"serviceName":"web","taskDefinition":"web:1","desiredCount":2,"launchType":"FARGATE",
	  "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"]}},
	  "deploymentConfiguration":%s,
	  "loadBalancers":[{"targetGroupArn":%q,"containerName":"web","containerPort":80,
	    "advancedConfiguration":{"alternateTargetGroupArn":%q,"productionListenerRule":%q,"testListenerRule":%q,"roleArn":"arn:aws:iam::000000000000:role/ecs-lb"}}]}`,
		deploymentConfig, blue, green, prod, test))
	em.Advance(2 * time.Minute)
	return blue, green, prod, test
}

func weights(t *testing.T, svc *Service, rule string) string {
	t.Helper()
	ws, err := svc.ForwardWeights(rule)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, w := range ws {
		name := w.TargetGroupARN[strings.Index(w.TargetGroupARN, "targetgroup/")+len("targetgroup/"):]
		parts = append(parts, fmt.Sprintf("%s=%d", name[:strings.Index(name, "/")], w.Weight))
	}
	return strings.Join(parts, " ")
}

// latestDeployment describes the service's newest service deployment.
func latestDeployment(t *testing.T, em *emulator.Emulator) map[string]any {
	t.Helper()
	list := ecsCall(t, em, "ListServiceDeployments", `{"service":"web"}`)["serviceDeployments"].([]any)
	arn := list[0].(map[string]any)["serviceDeploymentArn"].(string)
	return ecsCall(t, em, "DescribeServiceDeployments", fmt.Sprintf(`{"serviceDeploymentArns":[%q]}`, arn))["serviceDeployments"].([]any)[0].(map[string]any)
}

// TestBlueGreenWalksTheLifecycle: an update with strategy BLUE_GREEN starts
// the green tasks in the alternate target group, walks every stage in
// order, waits at a PAUSE hook until ContinueServiceDeployment, shifts the
// test and then the production rule, bakes, cleans up and succeeds.
func TestBlueGreenWalksTheLifecycle(t *testing.T) {
	em, svc, _ := newServer(t)
	if err := em.SetScenario(&scenario.Scenario{Hooks: []scenario.Hook{{Match: "smoke", Result: scenario.HookSucceeded, After: scenario.Duration(20 * time.Second)}}}); err != nil {
		t.Fatal(err)
	}
	_, green, prod, test := bgSetup(t, em, `{"strategy":"BLUE_GREEN","bakeTimeInMinutes":2,"lifecycleHooks":[
	  {"targetType":"AWS_LAMBDA","hookTargetArn":"arn:aws:lambda:us-east-1:000000000000:function:smoke","roleArn":"arn:aws:iam::000000000000:role/hooks","lifecycleStages":["POST_SCALE_UP"]},
	  {"targetType":"PAUSE","lifecycleStages":["POST_TEST_TRAFFIC_SHIFT"]}]}`)
	registerWeb(t, em, "web:2")
	ecsCall(t, em, "UpdateService", `{"service":"web","taskDefinition":"web:2"}`)
	var stages []string
	note := func() map[string]any {
		d := latestDeployment(t, em)
		if st, _ := d["lifecycleStage"].(string); len(stages) == 0 || stages[len(stages)-1] != st {
			stages = append(stages, st)
		}
		return d
	}
	var paused map[string]any
	for i := 0; i < 600 && paused == nil; i++ {
		em.Advance(time.Second)
		d := note()
		if d["lifecycleStage"] == "POST_TEST_TRAFFIC_SHIFT" {
			for _, h := range d["lifecycleHookDetails"].([]any) {
				if h := h.(map[string]any); h["status"] == "AWAITING_ACTION" {
					paused = h
				}
			}
		}
	}
	if paused == nil {
		t.Fatalf("never paused; stages %v", stages)
	}
	if got := weights(t, svc, test); got != "blue=0 green=100" {
		t.Errorf("test rule while paused: %s", got)
	}
	if got := weights(t, svc, prod); got != "blue=100 green=0" {
		t.Errorf("production rule while paused: %s", got)
	}
	h, _ := svc.TargetHealth(em.Now(), green)
	if len(h) != 2 || h[0].Health.State != "healthy" {
		t.Errorf("green targets while paused: %+v", h)
	}
	// The service event names the group the green tasks registered in.
	if ev := events(serviceState(t, em)); !strings.Contains(ev, "(service web) registered 2 targets in (target-group "+green+")") {
		t.Errorf("events do not name the green target group for the green tasks:\n%s", ev)
	}
	em.Advance(10 * time.Minute)
	if d := note(); d["lifecycleStage"] != "POST_TEST_TRAFFIC_SHIFT" || d["status"] != "IN_PROGRESS" {
		t.Fatalf("a PAUSE hook must wait: %v %v", d["lifecycleStage"], d["status"])
	}
	ecsCall(t, em, "ContinueServiceDeployment", fmt.Sprintf(`{"serviceDeploymentArn":%q,"hookId":%q,"action":"CONTINUE"}`,
		latestDeployment(t, em)["serviceDeploymentArn"], paused["hookId"]))
	var d map[string]any
	for i := 0; i < 600; i++ {
		em.Advance(time.Second)
		if d = note(); d["status"] != "IN_PROGRESS" {
			break
		}
	}
	if d["status"] != "SUCCESSFUL" {
		t.Fatalf("the deployment ended %v (%v); stages %v", d["status"], d["statusReason"], stages)
	}
	want := "RECONCILE_SERVICE PRE_SCALE_UP SCALE_UP POST_SCALE_UP TEST_TRAFFIC_SHIFT POST_TEST_TRAFFIC_SHIFT PRODUCTION_TRAFFIC_SHIFT POST_PRODUCTION_TRAFFIC_SHIFT BAKE_TIME CLEAN_UP"
	if got := strings.Join(stages, " "); got != want {
		t.Errorf("stages seen %s, want them in the order %s", got, want)
	}
	if got := weights(t, svc, prod); got != "blue=0 green=100" {
		t.Errorf("production rule after the deployment: %s", got)
	}
	if cfg := d["deploymentConfiguration"].(map[string]any); cfg["strategy"] != "BLUE_GREEN" || cfg["bakeTimeInMinutes"].(float64) != 2 {
		t.Errorf("deploymentConfiguration: %v", cfg)
	}
	s := serviceState(t, em)
	if len(s["deployments"].([]any)) != 1 || !strings.HasSuffix(s["taskDefinition"].(string), ":2") {
		t.Errorf("service after the deployment: %v", s["deployments"])
	}
	if running := ecsCall(t, em, "ListTasks", `{"serviceName":"web"}`)["taskArns"].([]any); len(running) != 2 {
		t.Errorf("running tasks after clean-up: %d", len(running))
	}
}

// TestBlueGreenRollsBackOnAnAlarmDuringBakeTime: an alarm of the
// deployment going off during bake time sends traffic back to blue, stops
// the green tasks and ends ROLLBACK_SUCCESSFUL.
func TestBlueGreenRollsBackOnAnAlarmDuringBakeTime(t *testing.T) {
	em, svc, _ := newServer(t)
	_, _, prod, _ := bgSetup(t, em, `{"strategy":"BLUE_GREEN","bakeTimeInMinutes":10,
	  "alarms":{"alarmNames":["web-5xx"],"enable":true,"rollback":true}}`)
	if err := em.SetScenario(&scenario.Scenario{Alarms: []scenario.Alarm{{Name: "web-5xx", State: "ALARM", After: scenario.Duration(3 * time.Minute)}}}); err != nil {
		t.Fatal(err)
	}
	registerWeb(t, em, "web:2")
	ecsCall(t, em, "UpdateService", `{"service":"web","taskDefinition":"web:2"}`)
	sawBake := false
	var d map[string]any
	for i := 0; i < 900; i++ {
		em.Advance(time.Second)
		d = latestDeployment(t, em)
		if d["lifecycleStage"] == "BAKE_TIME" && d["status"] == "IN_PROGRESS" {
			sawBake = true
			if got := weights(t, svc, prod); got != "blue=0 green=100" {
				t.Fatalf("production rule during bake time: %s", got)
			}
		}
		if d["status"] != "IN_PROGRESS" && d["status"] != "ROLLBACK_IN_PROGRESS" {
			break
		}
	}
	if !sawBake || d["status"] != "ROLLBACK_SUCCESSFUL" {
		t.Fatalf("baked %v, ended %v: %v", sawBake, d["status"], d["statusReason"])
	}
	if rb := d["rollback"].(map[string]any); !strings.Contains(rb["reason"].(string), "web-5xx") {
		t.Errorf("rollback reason %v", rb["reason"])
	}
	if a := d["alarms"].(map[string]any); a["status"] != "TRIGGERED" || a["triggeredAlarmNames"].([]any)[0] != "web-5xx" {
		t.Errorf("alarms: %v", a)
	}
	if got := weights(t, svc, prod); got != "blue=100 green=0" {
		t.Errorf("production rule after the rollback: %s", got)
	}
	s := serviceState(t, em)
	if !strings.HasSuffix(s["taskDefinition"].(string), ":1") || len(s["deployments"].([]any)) != 1 {
		t.Errorf("service after the rollback: %v %v", s["taskDefinition"], s["deployments"])
	}
}

// TestBlueGreenSurvivesSaveAndLoad: a deployment paused at a hook is saved
// with the state and continues after loading.
func TestBlueGreenSurvivesSaveAndLoad(t *testing.T) {
	em, _, _ := newServer(t)
	_, _, prod, _ := bgSetup(t, em, `{"strategy":"BLUE_GREEN","lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["POST_SCALE_UP"]}]}`)
	registerWeb(t, em, "web:2")
	ecsCall(t, em, "UpdateService", `{"service":"web","taskDefinition":"web:2"}`)
	em.Advance(2 * time.Minute)
	d := latestDeployment(t, em)
	if d["lifecycleStage"] != "POST_SCALE_UP" {
		t.Fatalf("stage before saving: %v", d["lifecycleStage"])
	}
	file := t.TempDir() + "/state.json"
	if err := em.SaveState(file); err != nil {
		t.Fatal(err)
	}
	em2 := emulator.New(emulator.Options{Clock: emulator.NewManualClock(em.Now()), Seed: 2})
	t.Cleanup(func() { _ = em2.Close() })
	svc2 := Register(em2)
	if err := em2.LoadState(file); err != nil {
		t.Fatal(err)
	}
	hook := d["lifecycleHookDetails"].([]any)[0].(map[string]any)["hookId"]
	ecsCall(t, em2, "ContinueServiceDeployment", fmt.Sprintf(`{"serviceDeploymentArn":%q,"hookId":%q}`, d["serviceDeploymentArn"], hook))
	em2.Advance(3 * time.Minute)
	if d := latestDeployment(t, em2); d["status"] != "SUCCESSFUL" {
		t.Fatalf("after loading and continuing: %v %v", d["status"], d["lifecycleStage"])
	}
	if got := weights(t, svc2, prod); got != "blue=0 green=100" {
		t.Errorf("production rule: %s", got)
	}
}
