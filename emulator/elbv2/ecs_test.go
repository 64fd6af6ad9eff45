package elbv2

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/internal/awsmodel"
)

// ecsCall invokes an ECS operation and decodes the reply.
func ecsCall(t *testing.T, em *emulator.Emulator, op, body string) map[string]any {
	t.Helper()
	out, err := em.InvokeECS(context.Background(), "us-east-1", op, []byte(body))
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// albWithGroup builds an ALB, an ip target group (interval 10 s, healthy
// threshold 2, unhealthy threshold 2, deregistration delay 20 s) and a
// listener forwarding to it; it returns the target group's ARN.
func albWithGroup(t *testing.T, em *emulator.Emulator, name string) string {
	t.Helper()
	_, body := query(t, em, "CreateLoadBalancer", "Name", name, "Subnets.member.1", "subnet-1", "Subnets.member.2", "subnet-2")
	lb := firstARN(body, "LoadBalancerArn")
	_, body = query(t, em, "CreateTargetGroup", "Name", name, "Protocol", "HTTP", "Port", "80", "VpcId", "vpc-1", "TargetType", "ip",
		"HealthCheckIntervalSeconds", "10", "HealthyThresholdCount", "2", "UnhealthyThresholdCount", "2")
	tg := firstARN(body, "TargetGroupArn")
	if code, body := query(t, em, "ModifyTargetGroupAttributes", "TargetGroupArn", tg,
		"Attributes.member.1.Key", "deregistration_delay.timeout_seconds", "Attributes.member.1.Value", "20"); code != 200 {
		t.Fatal(body)
	}
	if code, body := query(t, em, "CreateListener", "LoadBalancerArn", lb, "Protocol", "HTTP", "Port", "80",
		"DefaultActions.member.1.Type", "forward", "DefaultActions.member.1.TargetGroupArn", tg); code != 200 {
		t.Fatal(body)
	}
	return tg
}

func registerWeb(t *testing.T, em *emulator.Emulator, image string) {
	t.Helper()
	ecsCall(t, em, "RegisterTaskDefinition", fmt.Sprintf(`{"family":"web","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],
	  "cpu":"256","memory":"512","containerDefinitions":[{"name":"web","image":%q,"portMappings":[{"containerPort":80}]}]}`, image))
}

func serviceState(t *testing.T, em *emulator.Emulator) map[string]any {
	t.Helper()
	return ecsCall(t, em, "DescribeServices", `{"services":["web"]}`)["services"].([]any)[0].(map[string]any)
}

func events(svc map[string]any) string {
	var b strings.Builder
	for _, e := range svc["events"].([]any) {
		b.WriteString(e.(map[string]any)["message"].(string) + "\n")
	}
	return b.String()
}

// TestServiceTasksAreTargets: a service behind a target group registers its
// tasks' IPs, its deployment completes only once the targets are healthy,
// and a stopped task's target drains for the deregistration delay.
func TestServiceTasksAreTargets(t *testing.T) {
	em, svc, _ := newServer(t)
	tg := albWithGroup(t, em, "web")
	registerWeb(t, em, "web:1")
	ecsCall(t, em, "CreateService", fmt.Sprintf(`{"serviceName":"web","taskDefinition":"web","desiredCount":2,"launchType":"FARGATE",
	  "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"]}},
	  "loadBalancers":[{"targetGroupArn":%q,"containerName":"web","containerPort":80}]}`, tg))
	em.Advance(31 * time.Second) // the tasks are RUNNING after about 30 s
	h, err := svc.TargetHealth(em.Now(), tg)
	if err != nil || len(h) != 2 {
		t.Fatalf("targets after the tasks started: %+v %v", h, err)
	}
	for _, d := range h {
		if d.Health.State != "initial" || d.Target.Port != 80 || !strings.HasPrefix(d.Target.ID, "10.0.") {
			t.Errorf("a new target: %+v", d)
		}
	}
	if got := serviceState(t, em)["deployments"].([]any)[0].(map[string]any)["rolloutState"]; got != "IN_PROGRESS" {
		t.Errorf("rollout before the targets are healthy: %v", got)
	}
	em.Advance(15 * time.Second) // one passing check at 10 s
	h, _ = svc.TargetHealth(em.Now(), tg)
	for _, d := range h {
		if d.Health.State != "healthy" {
			t.Errorf("target after its first check: %+v", d)
		}
	}
	em.Advance(5 * time.Second)
	s := serviceState(t, em)
	if got := s["deployments"].([]any)[0].(map[string]any)["rolloutState"]; got != "COMPLETED" {
		t.Fatalf("rollout once the targets are healthy: %v\n%s", got, events(s))
	}
	if ev := events(s); !strings.Contains(ev, "registered 2 targets in (target-group "+tg+")") {
		t.Errorf("events lack the registration:\n%s", ev)
	}

	ecsCall(t, em, "UpdateService", `{"service":"web","desiredCount":1}`)
	em.Advance(2 * time.Second)
	tasks := ecsCall(t, em, "ListTasks", `{"serviceName":"web","desiredStatus":"STOPPED"}`)["taskArns"].([]any)
	if len(tasks) != 1 {
		t.Fatalf("stopped tasks after scaling in: %v", tasks)
	}
	desc := ecsCall(t, em, "DescribeTasks", fmt.Sprintf(`{"tasks":[%q]}`, tasks[0]))["tasks"].([]any)[0].(map[string]any)
	if desc["lastStatus"] != "DEACTIVATING" {
		t.Errorf("a task being drained is %v, want DEACTIVATING", desc["lastStatus"])
	}
	h, _ = svc.TargetHealth(em.Now(), tg)
	draining := 0
	for _, d := range h {
		if d.Health.State == "draining" {
			draining++
		}
	}
	if draining != 1 {
		t.Errorf("draining targets: %+v", h)
	}
	em.Advance(25 * time.Second) // the 20 s delay, then SIGTERM and deprovisioning
	desc = ecsCall(t, em, "DescribeTasks", fmt.Sprintf(`{"tasks":[%q]}`, tasks[0]))["tasks"].([]any)[0].(map[string]any)
	if desc["lastStatus"] != "STOPPED" {
		t.Errorf("after the deregistration delay the task is %v", desc["lastStatus"])
	}
	if h, _ = svc.TargetHealth(em.Now(), tg); len(h) != 1 {
		t.Errorf("targets after draining: %+v", h)
	}
}

// TestUnhealthyTargetsTripTheCircuitBreaker: a rolling deployment to an
// image whose targets fail their health checks replaces the tasks with
// ECS's event, counts them in failedTasks and rolls back.
func TestUnhealthyTargetsTripTheCircuitBreaker(t *testing.T) {
	em, _, _ := newServer(t)
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "web:bad",
		TargetBehaviour: scenario.TargetBehaviour{TargetHealth: scenario.HealthUnhealthy}}}}); err != nil {
		t.Fatal(err)
	}
	tg := albWithGroup(t, em, "web")
	registerWeb(t, em, "web:1")
	ecsCall(t, em, "CreateService", fmt.Sprintf(`{"serviceName":"web","taskDefinition":"web:1","desiredCount":2,"launchType":"FARGATE",
	  "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"]}},"healthCheckGracePeriodSeconds":15,
	  "deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":true}},
	  "loadBalancers":[{"targetGroupArn":%q,"containerName":"web","containerPort":80}]}`, tg))
	em.Advance(2 * time.Minute)
	registerWeb(t, em, "web:bad")
	ecsCall(t, em, "UpdateService", `{"service":"web","taskDefinition":"web:2"}`)
	em.Advance(10 * time.Minute)
	s := serviceState(t, em)
	ev := events(s)
	if !strings.Contains(ev, "is unhealthy in (target-group "+tg+") due to (reason Health checks failed with these codes: [502]).") {
		t.Errorf("no unhealthy-target event:\n%s", ev)
	}
	if !strings.Contains(ev, "deployment failed: tasks failed to start.") || !strings.Contains(ev, "rolling back to deployment") {
		t.Errorf("the circuit breaker did not fail and roll back the deployment:\n%s", ev)
	}
	// Only the replaced tasks can have tripped the breaker: nothing else fails.
	list := ecsCall(t, em, "ListServiceDeployments", `{"service":"web"}`)["serviceDeployments"].([]any)
	counted := false
	for _, sd := range list {
		arn := sd.(map[string]any)["serviceDeploymentArn"].(string)
		d := ecsCall(t, em, "DescribeServiceDeployments", fmt.Sprintf(`{"serviceDeploymentArns":[%q]}`, arn))["serviceDeployments"].([]any)[0].(map[string]any)
		if d["status"] == "ROLLBACK_SUCCESSFUL" {
			counted = true
		}
	}
	if !counted {
		t.Errorf("no deployment ended ROLLBACK_SUCCESSFUL: %v", list)
	}
	stopped := ecsCall(t, em, "ListTasks", `{"serviceName":"web","desiredStatus":"STOPPED"}`)["taskArns"].([]any)
	ids, _ := json.Marshal(stopped)
	found := false
	for _, tk := range ecsCall(t, em, "DescribeTasks", fmt.Sprintf(`{"tasks":%s}`, ids))["tasks"].([]any) {
		if r := tk.(map[string]any)["stoppedReason"]; r == "Task failed ELB health checks in (target-group "+tg+")" {
			found = true
		}
	}
	if !found {
		t.Errorf("no task stopped with ECS's ELB reason")
	}
	if got := s["taskDefinition"].(string); !strings.HasSuffix(got, ":1") {
		t.Errorf("after the rollback the service runs %s", got)
	}
}

// TestMembersNotSimulatedAreKeptAndWarnedOnce: Service Connect, volume
// configurations and zone rebalancing come back as given, each with one
// warning per process.
func TestMembersNotSimulatedAreKeptAndWarnedOnce(t *testing.T) {
	var warnings []string
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(t0), Seed: 1, DefaultCluster: true,
		Warn: func(m string) { warnings = append(warnings, m) }})
	t.Cleanup(func() { _ = em.Close() })
	registerWeb(t, em, "web:1")
	create := `{"serviceName":"%s","taskDefinition":"web","desiredCount":1,"launchType":"FARGATE",
	  "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"]}},"availabilityZoneRebalancing":"ENABLED",
	  "serviceConnectConfiguration":{"enabled":true,"namespace":"local"},
	  "volumeConfigurations":[{"name":"data","managedEBSVolume":{"roleArn":"arn:aws:iam::000000000000:role/ebs","sizeInGiB":10}}]}`
	out := ecsCall(t, em, "CreateService", fmt.Sprintf(create, "web"))["service"].(map[string]any)
	ecsCall(t, em, "CreateService", fmt.Sprintf(create, "api"))
	if out["availabilityZoneRebalancing"] != "ENABLED" {
		t.Errorf("availabilityZoneRebalancing: %v", out["availabilityZoneRebalancing"])
	}
	d := out["deployments"].([]any)[0].(map[string]any)
	if sc := d["serviceConnectConfiguration"].(map[string]any); sc["namespace"] != "local" {
		t.Errorf("serviceConnectConfiguration: %v", sc)
	}
	if v := d["volumeConfigurations"].([]any); len(v) != 1 {
		t.Errorf("volumeConfigurations: %v", v)
	}
	if len(warnings) != 3 || !strings.Contains(strings.Join(warnings, "\n"), "serviceConnectConfiguration is accepted and returned as given, but not simulated") {
		t.Errorf("warnings: %q", warnings)
	}
	model := awsmodel.Load(t, "ecs")
	raw, err := em.InvokeECS(t.Context(), "us-east-1", "DescribeServices", []byte(`{"services":["web"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	for _, p := range model.CheckJSON("DescribeServices", v) {
		t.Error(p)
	}
	_, err = em.InvokeECS(t.Context(), "us-east-1", "UpdateService", []byte(`{"service":"web","availabilityZoneRebalancing":"SOMETIMES"}`))
	if err == nil || !strings.Contains(err.Error(), "availabilityZoneRebalancing") {
		t.Errorf("a bad availabilityZoneRebalancing: %v", err)
	}
}

// TestSlowStartingTargetsRecoverWithinTheGracePeriod: targets failing their
// checks at first (targetHealth unhealthy) and passing from healthyAfter on
// go initial → unhealthy → healthy; within the service's grace period ECS
// leaves their tasks alone and the deployment completes. Without a grace
// period the same tasks are replaced.
func TestSlowStartingTargetsRecoverWithinTheGracePeriod(t *testing.T) {
	for _, grace := range []int{120, 0} {
		t.Run(fmt.Sprintf("grace %ds", grace), func(t *testing.T) {
			em, svc, _ := newServer(t)
			if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "web:slow",
				TargetBehaviour: scenario.TargetBehaviour{TargetHealth: scenario.HealthUnhealthy},
				HealthyAfter:    scenario.Duration(70 * time.Second)}}}); err != nil {
				t.Fatal(err)
			}
			tg := albWithGroup(t, em, "web")
			registerWeb(t, em, "web:slow")
			ecsCall(t, em, "CreateService", fmt.Sprintf(`{"serviceName":"web","taskDefinition":"web","desiredCount":1,"launchType":"FARGATE",
			  "healthCheckGracePeriodSeconds":%d,"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"]}},
			  "loadBalancers":[{"targetGroupArn":%q,"containerName":"web","containerPort":80}]}`, grace, tg))
			seen := map[string]bool{}
			for i := 0; i < 150; i++ {
				em.Advance(time.Second)
				h, err := svc.TargetHealth(em.Now(), tg)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range h {
					seen[d.Health.State+"/"+d.Health.Reason] = true
				}
			}
			s := serviceState(t, em)
			replaced := strings.Contains(events(s), "is unhealthy in (target-group "+tg+")")
			rollout := s["deployments"].([]any)[0].(map[string]any)["rolloutState"]
			if grace > 0 {
				for _, want := range []string{"initial/Elb.InitialHealthChecking", "unhealthy/Target.ResponseCodeMismatch", "healthy/"} {
					if !seen[want] {
						t.Errorf("target states %v lack %s", seen, want)
					}
				}
				if replaced || rollout != "COMPLETED" {
					t.Errorf("within the grace period: replaced %v, rollout %v\n%s", replaced, rollout, events(s))
				}
			} else if !replaced {
				t.Errorf("without a grace period the unhealthy task was not replaced:\n%s", events(s))
			}
		})
	}
}
