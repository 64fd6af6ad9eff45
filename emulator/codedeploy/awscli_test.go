package codedeploy

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/elbv2"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// TestAWSCLIBlueGreenDeployment is the whole blue/green story told with
// the AWS CLI against the local endpoint: an ALB with two target groups and
// production and test listeners, a CODE_DEPLOY service, an application, a
// deployment group and a deployment whose `wait deployment-successful`
// passes, after which production traffic is on the other target group and
// the PRIMARY task set runs the new task definition; then a deployment
// whose AfterAllowTraffic hook fails, which the waiter reports as failed and
// which leaves traffic where it was.
func TestAWSCLIBlueGreenDeployment(t *testing.T) {
	testenv.SetFakeAWSEnv(t)
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(t0), Seed: 1})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	lb := elbv2.Register(em)
	Register(em, NewELBTraffic(lb))
	srv := httptest.NewServer(em)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cli := func(into any, args ...string) {
		t.Helper()
		out := testenv.RunAWSCLI(t, srv.URL, args...)
		if into != nil {
			if err := json.Unmarshal([]byte(out), into); err != nil {
				t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
	}
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return "file://" + p
	}

	// The load balancer side.
	var lbs struct {
		LoadBalancers []struct{ LoadBalancerArn string }
	}
	cli(&lbs, "elbv2", "create-load-balancer", "--name", "web", "--subnets", "subnet-a", "subnet-b")
	tg := func(name string) string {
		var out struct {
			TargetGroups []struct{ TargetGroupArn string }
		}
		cli(&out, "elbv2", "create-target-group", "--name", name, "--protocol", "HTTP", "--port", "8080", "--vpc-id", "vpc-1", "--target-type", "ip")
		return out.TargetGroups[0].TargetGroupArn
	}
	blue, green := tg("blue"), tg("green")
	listener := func(port string) string {
		var out struct {
			Listeners []struct{ ListenerArn string }
		}
		cli(&out, "elbv2", "create-listener", "--load-balancer-arn", lbs.LoadBalancers[0].LoadBalancerArn, "--protocol", "HTTP",
			"--port", port, "--default-actions", "Type=forward,TargetGroupArn="+blue)
		return out.Listeners[0].ListenerArn
	}
	prod, test := listener("80"), listener("8080")

	// The ECS side: two revisions and a CODE_DEPLOY service on blue.
	cli(nil, "ecs", "create-cluster", "--cluster-name", "c")
	for i := 1; i <= 3; i++ {
		cli(nil, "ecs", "register-task-definition", "--cli-input-json", file(fmt.Sprintf("td%d.json", i), fmt.Sprintf(`{"family":"web",
		  "networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
		  "containerDefinitions":[{"name":"app","image":"app:%d","portMappings":[{"containerPort":8080}]}]}`, i)))
	}
	cli(nil, "ecs", "create-service", "--cluster", "c", "--service-name", "web", "--task-definition", "web:1", "--desired-count", "2",
		"--launch-type", "FARGATE", "--deployment-controller", "type=CODE_DEPLOY",
		"--network-configuration", "awsvpcConfiguration={subnets=[subnet-a,subnet-b]}",
		"--load-balancers", "targetGroupArn="+blue+",containerName=app,containerPort=8080")
	em.Advance(time.Minute)

	// CodeDeploy.
	cli(nil, "deploy", "create-application", "--application-name", "app", "--compute-platform", "ECS")
	cli(nil, "deploy", "create-deployment-group", "--cli-input-json", file("dg.json", fmt.Sprintf(`{
	  "applicationName": "app", "deploymentGroupName": "dg",
	  "serviceRoleArn": "arn:aws:iam::000000000000:role/codedeploy",
	  "deploymentConfigName": "CodeDeployDefault.ECSAllAtOnce",
	  "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
	  "blueGreenDeploymentConfiguration": {
	    "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
	    "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 5}},
	  "autoRollbackConfiguration": {"enabled": true, "events": ["DEPLOYMENT_FAILURE"]},
	  "ecsServices": [{"clusterName": "c", "serviceName": "web"}],
	  "loadBalancerInfo": {"targetGroupPairInfoList": [{"targetGroups": [{"name": "blue"}, {"name": "green"}],
	    "prodTrafficRoute": {"listenerArns": [%q]}, "testTrafficRoute": {"listenerArns": [%q]}}]}}`, prod, test)))
	deploy := func(rev int, hooks string) string {
		spec := fmt.Sprintf("version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"+
			"        TaskDefinition: arn:aws:ecs:us-east-1:000000000000:task-definition/web:%d\n"+
			"        LoadBalancerInfo:\n          ContainerName: app\n          ContainerPort: 8080\n%s", rev, hooks)
		rv, _ := json.Marshal(map[string]any{"revisionType": "AppSpecContent", "appSpecContent": map[string]string{"content": spec}})
		var out struct {
			DeploymentID string `json:"deploymentId"`
		}
		cli(&out, "deploy", "create-deployment", "--application-name", "app", "--deployment-group-name", "dg",
			"--revision", file(fmt.Sprintf("rev%d.json", rev), string(rv)))
		return out.DeploymentID
	}
	forwardsTo := func(listenerARN string) string {
		var out struct {
			Listeners []struct {
				DefaultActions []struct {
					ForwardConfig struct {
						TargetGroups []struct {
							TargetGroupArn string
							Weight         int
						}
					}
				}
			}
		}
		cli(&out, "elbv2", "describe-listeners", "--listener-arns", listenerARN)
		var on []string
		for _, g := range out.Listeners[0].DefaultActions[0].ForwardConfig.TargetGroups {
			if g.Weight > 0 {
				on = append(on, targetGroupName(g.TargetGroupArn))
			}
		}
		return strings.Join(on, ",")
	}

	id := deploy(2, "Hooks:\n  - AfterAllowTestTraffic: smoke-test\n")
	// Through the lifecycle, the 5-minute termination wait and the original
	// tasks' draining from blue.
	em.Advance(15 * time.Minute)
	if status := testenv.RunAWSCLI(t, srv.URL, "deploy", "get-deployment", "--deployment-id", id, "--query", "deploymentInfo.[status,errorInformation]"); !strings.Contains(status, "Succeeded") {
		t.Fatalf("the deployment did not succeed: %s", status) // before a waiter that would poll for 30 minutes
	}
	cli(nil, "deploy", "wait", "deployment-successful", "--deployment-id", id)
	var got struct {
		DeploymentInfo struct {
			Status                              string
			CreateTime, StartTime, CompleteTime float64
		} `json:"deploymentInfo"`
	}
	cli(&got, "deploy", "get-deployment", "--deployment-id", id)
	// The AWS CLI (v1) prints JSON-protocol timestamps as it parsed them:
	// seconds since the epoch, here within the emulated quarter hour.
	for _, ts := range []float64{got.DeploymentInfo.CreateTime, got.DeploymentInfo.StartTime, got.DeploymentInfo.CompleteTime} {
		if at := time.UnixMilli(int64(ts * 1000)); at.Before(t0) || at.After(t0.Add(20*time.Minute)) {
			t.Errorf("timestamp %v (%v) is not in the emulated time of the test", ts, at)
		}
	}
	if on := forwardsTo(prod); on != "green" {
		t.Fatalf("after the deployment production forwards to %q, want green", on)
	}
	var svc struct {
		Services []struct {
			TaskSets []struct{ Status, TaskDefinition string }
		}
	}
	cli(&svc, "ecs", "describe-services", "--cluster", "c", "--services", "web")
	sets := svc.Services[0].TaskSets
	if len(sets) != 1 || sets[0].Status != "PRIMARY" || !strings.HasSuffix(sets[0].TaskDefinition, "task-definition/web:2") {
		t.Fatalf("after the deployment the service's task sets are %+v", sets)
	}
	var targets struct{ TargetIds []string }
	cli(&targets, "deploy", "list-deployment-targets", "--deployment-id", id)
	var target struct {
		DeploymentTarget struct {
			EcsTarget struct {
				Status          string
				LifecycleEvents []struct{ LifecycleEventName, Status string }
			}
		}
	}
	cli(&target, "deploy", "get-deployment-target", "--deployment-id", id, "--target-id", targets.TargetIds[0])
	var names []string
	for _, ev := range target.DeploymentTarget.EcsTarget.LifecycleEvents {
		names = append(names, ev.LifecycleEventName+"="+ev.Status)
	}
	if strings.Join(names, " ") != "BeforeInstall=Succeeded Install=Succeeded AfterInstall=Succeeded AllowTestTraffic=Succeeded "+
		"AfterAllowTestTraffic=Succeeded BeforeAllowTraffic=Succeeded AllowTraffic=Succeeded AfterAllowTraffic=Succeeded" {
		t.Fatalf("lifecycle events: %v", names)
	}

	// A failing AfterAllowTraffic hook: the waiter fails, traffic goes back.
	if err := em.SetScenario(&scenario.Scenario{Hooks: []scenario.Hook{{Match: "check-*", Result: scenario.HookFailed}}}); err != nil {
		t.Fatal(err)
	}
	id = deploy(3, "Hooks:\n  - AfterAllowTraffic: arn:aws:lambda:us-east-1:000000000000:function:check-prod\n")
	em.Advance(5 * time.Minute)
	out, err := testenv.AWSCLI(t, srv.URL, "deploy", "wait", "deployment-successful", "--deployment-id", id)
	if err == nil || !strings.Contains(err.Error(), "Waiter DeploymentSuccessful failed") {
		t.Fatalf("wait deployment-successful on a failed deployment: %v\n%s", err, out)
	}
	cli(&got, "deploy", "get-deployment", "--deployment-id", id)
	if got.DeploymentInfo.Status != "Failed" {
		t.Fatalf("status %s", got.DeploymentInfo.Status)
	}
	if on := forwardsTo(prod); on != "green" {
		t.Fatalf("after the failed deployment production forwards to %q, want green (where it was)", on)
	}
	em.Advance(drainTime) // the replacement's tasks drain from blue
	cli(&svc, "ecs", "describe-services", "--cluster", "c", "--services", "web")
	if sets := svc.Services[0].TaskSets; len(sets) != 1 || !strings.HasSuffix(sets[0].TaskDefinition, "task-definition/web:2") {
		t.Fatalf("after the rollback the service's task sets are %+v", sets)
	}
	_ = green
}
