package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/codedeploy"
	"github.com/ecsdeploy/ecsdeploy/emulator/elbv2"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/progress"
)

// codeDeployECS is a local ECS on a manual clock with a load balancer and a
// CODE_DEPLOY service "web" in cluster "c" (container "app", port 8080) on
// target group "blue", production listener :80 and test listener :8080, and
// the CodeDeploy application "app" with deployment group "dg" for it.
type codeDeployECS struct {
	*localECS
	lb              *elbv2.Service
	elb             *elb.Client
	cd              *cd.Client
	blue, green     string // target group ARNs
	prod, testRoute string // listener ARNs
}

// newCodeDeployECS builds a codeDeployECS; tweaks change the deployment
// group before it is created.
func newCodeDeployECS(t testing.TB, sc *scenario.Scenario, tweaks ...func(*cd.CreateDeploymentGroupInput)) *codeDeployECS {
	t.Helper()
	ctx := context.Background()
	em := newManualEmulator(emulator.Options{Seed: 7, Scenario: sc})
	t.Cleanup(func() { _ = em.Close() })
	lb := elbv2.Register(em)
	codedeploy.Register(em, codedeploy.NewELBTraffic(lb))
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	e := &codeDeployECS{localECS: &localECS{em: em, client: ecs.NewFromConfig(cfg)}, lb: lb, elb: elb.NewFromConfig(cfg), cd: cd.NewFromConfig(cfg)}
	e.setUp(t, em.Advance, tweaks...)
	return e
}

// setUp creates the load balancer, the service and the deployment group
// through e's clients; wait lets emulated time pass.
func (e *codeDeployECS) setUp(t testing.TB, wait func(time.Duration), tweaks ...func(*cd.CreateDeploymentGroupInput)) {
	t.Helper()
	ctx := context.Background()
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	lbOut, err := e.elb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("alb"), Subnets: []string{"subnet-1", "subnet-2"}})
	check(err)
	e.blue, e.green = targetGroupPair(t, e.elb, "blue", "green")
	listener := func(port int32) string {
		out, err := e.elb.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbOut.LoadBalancers[0].LoadBalancerArn, Port: aws.Int32(port),
			Protocol:       elbtypes.ProtocolEnumHttp,
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(e.blue)}}})
		check(err)
		return aws.ToString(out.Listeners[0].ListenerArn)
	}
	e.prod, e.testRoute = listener(80), listener(8080)
	_, err = e.client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c")})
	check(err)
	td := registerFargateWeb(t, e.client)
	_, err = e.client.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("c"), ServiceName: aws.String("web"),
		TaskDefinition: td, DesiredCount: aws.Int32(2), LaunchType: types.LaunchTypeFargate,
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeCodeDeploy},
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1", "subnet-2"}}},
		LoadBalancers:        []types.LoadBalancer{{TargetGroupArn: aws.String(e.blue), ContainerName: aws.String("app"), ContainerPort: aws.Int32(8080)}}})
	check(err)
	wait(time.Minute)
	_, err = e.cd.CreateApplication(ctx, &cd.CreateApplicationInput{ApplicationName: aws.String("app"), ComputePlatform: cdtypes.ComputePlatformEcs})
	check(err)
	group := &cd.CreateDeploymentGroupInput{
		ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg"),
		ServiceRoleArn:  aws.String("arn:aws:iam::000000000000:role/codedeploy"),
		DeploymentStyle: &cdtypes.DeploymentStyle{DeploymentType: cdtypes.DeploymentTypeBlueGreen, DeploymentOption: cdtypes.DeploymentOptionWithTrafficControl},
		BlueGreenDeploymentConfiguration: &cdtypes.BlueGreenDeploymentConfiguration{
			DeploymentReadyOption:                     &cdtypes.DeploymentReadyOption{ActionOnTimeout: cdtypes.DeploymentReadyActionContinueDeployment},
			TerminateBlueInstancesOnDeploymentSuccess: &cdtypes.BlueInstanceTerminationOption{Action: cdtypes.InstanceActionTerminate, TerminationWaitTimeInMinutes: 1},
		},
		AutoRollbackConfiguration: &cdtypes.AutoRollbackConfiguration{Enabled: true, Events: []cdtypes.AutoRollbackEvent{cdtypes.AutoRollbackEventDeploymentFailure}},
		EcsServices:               []cdtypes.ECSService{{ClusterName: aws.String("c"), ServiceName: aws.String("web")}},
		LoadBalancerInfo: &cdtypes.LoadBalancerInfo{TargetGroupPairInfoList: []cdtypes.TargetGroupPairInfo{{
			TargetGroups:     []cdtypes.TargetGroupInfo{{Name: aws.String("blue")}, {Name: aws.String("green")}},
			ProdTrafficRoute: &cdtypes.TrafficRoute{ListenerArns: []string{e.prod}},
			TestTrafficRoute: &cdtypes.TrafficRoute{ListenerArns: []string{e.testRoute}},
		}}},
	}
	for _, tweak := range tweaks {
		tweak(group)
	}
	_, err = e.cd.CreateDeploymentGroup(ctx, group)
	check(err)
}

// share is the percentage of the listener's traffic forwarded to the
// target group, from its forward weights.
func (e *codeDeployECS) share(t *testing.T, listener, targetGroup string) int {
	t.Helper()
	ws, err := e.lb.ForwardWeights(listener)
	if err != nil {
		t.Fatal(err)
	}
	total, ours := 0, 0
	for _, w := range ws {
		total += w.Weight
		if w.TargetGroupARN == targetGroup {
			ours += w.Weight
		}
	}
	if total == 0 {
		t.Fatalf("listener %s forwards nowhere: %+v", listener, ws)
	}
	return ours * 100 / total
}

// primary is the task definition of the service's PRIMARY task set.
func (e *codeDeployECS) primary(t *testing.T) string {
	t.Helper()
	for _, ts := range e.service(t).TaskSets {
		if aws.ToString(ts.Status) == "PRIMARY" {
			return aws.ToString(ts.TaskDefinition)
		}
	}
	return ""
}

type codeDeployJSON struct {
	Strategy              string `json:"strategy"`
	DeploymentID          string `json:"deploymentId"`
	Outcome               string `json:"outcome"`
	Reason                string `json:"reason"`
	TaskDefinition        string `json:"taskDefinition"`
	PrimaryTaskDefinition string `json:"primaryTaskDefinition"`
	Registered            bool   `json:"registered"`
	Remaining             string `json:"remaining"`
	Traffic               string `json:"traffic"`
	Failure               *struct {
		StoppedTasks []progress.Task `json:"stoppedTasks"`
	} `json:"failure"`
}

func decodeCodeDeploy(t *testing.T, stdout string) codeDeployJSON {
	t.Helper()
	var r codeDeployJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("deploy --output json: %v\n%s", err, stdout)
	}
	return r
}

// TestLocalDeployCodeDeploySucceeds: deploy on a CODE_DEPLOY service
// registers the new revision, creates a CodeDeploy deployment with the
// generated AppSpec and follows it to Succeeded; afterwards the PRIMARY task
// set runs the new revision and production traffic goes to the other target
// group.
func TestLocalDeployCodeDeploySucceeds(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, nil)
	code, stdout, stderr := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--hook", "AfterAllowTestTraffic=smoke", "-t", "30m", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	r := decodeCodeDeploy(t, stdout)
	if r.Strategy != "codedeploy" || r.Outcome != "succeeded" || !r.Registered || r.DeploymentID == "" {
		t.Fatalf("report: %+v", r)
	}
	if !strings.HasSuffix(r.TaskDefinition, "task-definition/web:2") || r.PrimaryTaskDefinition != r.TaskDefinition {
		t.Fatalf("report names %s, primary %s; want web:2 on both", r.TaskDefinition, r.PrimaryTaskDefinition)
	}
	if got := e.primary(t); got != r.TaskDefinition {
		t.Fatalf("PRIMARY task set runs %s, want %s", got, r.TaskDefinition)
	}
	if p := e.share(t, e.prod, e.green); p != 100 {
		t.Fatalf("production listener forwards %d%% to green, want 100%%", p)
	}
	if !strings.Contains(stderr, "AfterAllowTestTraffic") {
		t.Errorf("progress does not show the hook's lifecycle event:\n%s", stderr)
	}
	out, err := e.cd.GetDeployment(context.Background(), &cd.GetDeploymentInput{DeploymentId: aws.String(r.DeploymentID)})
	if err != nil || out.DeploymentInfo.Status != cdtypes.DeploymentStatusSucceeded {
		t.Fatalf("CodeDeploy says %+v %v", out, err)
	}
}

// TestLocalDeployCodeDeployFailingHook: a hook failing at AfterAllowTraffic
// fails the deploy (exit 1) with the lifecycle event named, and the group's
// auto-rollback leaves production traffic on the original target group.
func TestLocalDeployCodeDeployFailingHook(t *testing.T) {
	t.Parallel()
	sc := &scenario.Scenario{Hooks: []scenario.Hook{{Match: "check-prod", Result: scenario.HookFailed}}}
	e := newCodeDeployECS(t, sc)
	before := e.primary(t)
	code, stdout, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--hook", "AfterAllowTraffic=check-prod", "-t", "30m", "--output", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	r := decodeCodeDeploy(t, stdout)
	if r.Outcome != "failed" || !strings.Contains(r.Reason, "AfterAllowTraffic") {
		t.Fatalf("report: %+v; want a failure naming AfterAllowTraffic", r)
	}
	if got := e.primary(t); got != before {
		t.Errorf("after the rollback the PRIMARY task set runs %s, want %s", got, before)
	}
	if p := e.share(t, e.prod, e.blue); p != 100 {
		t.Errorf("production listener forwards %d%% to blue, want all back on it", p)
	}
}

// TestLocalDeployCodeDeployBadInput: a bad hook event, a bad --wait-until
// or a group that does not exist exit 2 before any revision is registered.
func TestLocalDeployCodeDeployBadInput(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, nil)
	for _, args := range [][]string{
		{"--hook", "AfterEverything=f"},
		{"--wait-until", "soon"},
		{"--codedeploy-application", "app", "--codedeploy-deployment-group", "nope"},
	} {
		code, _, stderr := e.run(t, append([]string{"deploy", "-c", "c", "-n", "web", "-i", "app=web:2"}, args...)...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
	out, err := e.client.ListTaskDefinitions(context.Background(), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("web")})
	if err != nil || len(out.TaskDefinitionArns) != 1 {
		t.Fatalf("revisions after refused deploys: %v %v, want only web:1", out, err)
	}
}

// TestLocalAppSpec: appspec prints the AppSpec of a CODE_DEPLOY service
// (YAML, and JSON with --output json) with the container and port of its
// load balancer, its subnets and the hooks in CodeDeploy's order; a
// nonexistent hook event exits 2.
func TestLocalAppSpec(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, nil)
	code, stdout, _ := e.run(t, "appspec", "-c", "c", "-n", "web", "--hook", "AfterAllowTraffic=last", "--hook", "BeforeInstall=first")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"TaskDefinition: arn:aws:ecs:us-east-1:000000000000:task-definition/web:1", "ContainerName: app", "ContainerPort: 8080", "- subnet-1"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("YAML lacks %q:\n%s", want, stdout)
		}
	}
	if i, j := strings.Index(stdout, "BeforeInstall: first"), strings.Index(stdout, "AfterAllowTraffic: last"); i < 0 || j < i {
		t.Errorf("hooks missing or out of CodeDeploy's order:\n%s", stdout)
	}
	code, stdout, _ = e.run(t, "appspec", "-c", "c", "-n", "web", "--output", "json")
	var spec struct {
		Resources []map[string]struct {
			Properties struct {
				LoadBalancerInfo struct {
					ContainerPort int
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &spec); err != nil || code != 0 || len(spec.Resources) != 1 || spec.Resources[0]["TargetService"].Properties.LoadBalancerInfo.ContainerPort != 8080 {
		t.Fatalf("JSON AppSpec: exit %d, %v, %+v", code, err, spec)
	}
	if code, _, _ := e.run(t, "appspec", "-c", "c", "-n", "web", "--hook", "Whenever=f"); code != 2 {
		t.Errorf("a nonexistent hook event: exit %d, want 2", code)
	}
}

// TestLocalDeployNativeBlueGreen: deploy on a service with ECS's BLUE_GREEN
// strategy registers the revision, updates the service and follows the
// service deployment to SUCCESSFUL; the PRIMARY deployment then runs the new
// revision and the production listener rule forwards to the other target
// group.
func TestLocalDeployNativeBlueGreen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCodeDeployECS(t, nil) // its CODE_DEPLOY service is left alone
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	lbs, err := e.elb.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
	check(err)
	blue, green := targetGroupPair(t, e.elb, "nblue", "ngreen")
	lis, err := e.elb.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn, Port: aws.Int32(81),
		Protocol:       elbtypes.ProtocolEnumHttp,
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse, FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("404")}}}})
	check(err)
	rule, err := e.elb.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: lis.Listeners[0].ListenerArn, Priority: aws.Int32(1),
		Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{"/*"}}},
		Actions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, ForwardConfig: &elbtypes.ForwardActionConfig{TargetGroups: []elbtypes.TargetGroupTuple{
			{TargetGroupArn: aws.String(blue), Weight: aws.Int32(100)}, {TargetGroupArn: aws.String(green), Weight: aws.Int32(0)}}}}}})
	check(err)
	prodRule := aws.ToString(rule.Rules[0].RuleArn)
	_, err = e.client.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("c"), ServiceName: aws.String("api"),
		TaskDefinition: aws.String("web:1"), DesiredCount: aws.Int32(2), LaunchType: types.LaunchTypeFargate,
		DeploymentConfiguration: &types.DeploymentConfiguration{Strategy: types.DeploymentStrategyBlueGreen, BakeTimeInMinutes: aws.Int32(1)},
		NetworkConfiguration:    &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}},
		LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String(blue), ContainerName: aws.String("app"), ContainerPort: aws.Int32(8080),
			AdvancedConfiguration: &types.AdvancedConfiguration{AlternateTargetGroupArn: aws.String(green), ProductionListenerRule: aws.String(prodRule),
				RoleArn: aws.String("arn:aws:iam::000000000000:role/ecs-lb")}}}})
	check(err)
	e.em.Advance(2 * time.Minute)
	code, stdout, stderr := e.run(t, "deploy", "-c", "c", "-n", "api", "-i", "app=web:2", "-t", "30m", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	r := decodeCodeDeploy(t, stdout)
	if r.Strategy != "blue-green" || r.Outcome != "succeeded" || !strings.Contains(r.DeploymentID, "service-deployment") {
		t.Fatalf("report: %+v", r)
	}
	if !strings.HasSuffix(r.PrimaryTaskDefinition, "task-definition/web:2") || r.PrimaryTaskDefinition != r.TaskDefinition {
		t.Fatalf("PRIMARY runs %s, deployed %s; want web:2", r.PrimaryTaskDefinition, r.TaskDefinition)
	}
	if p := e.share(t, prodRule, green); p != 100 {
		t.Fatalf("production rule forwards %d%% to the alternate target group, want 100%%", p)
	}
	if !strings.Contains(stderr, "BAKE_TIME") {
		t.Errorf("progress does not show the bake time stage:\n%s", stderr)
	}
	if code, _, _ := e.run(t, "deploy", "-c", "c", "-n", "api", "-i", "app=web:3", "--hook", "BeforeInstall=f"); code != 2 {
		t.Errorf("--hook on an ECS blue/green service: exit %d, want 2", code)
	}
}

// targetGroupPair creates the two target groups a blue/green fixture
// shifts traffic between: ip targets on port 8080.
func targetGroupPair(t testing.TB, c *elb.Client, blueName, greenName string) (blue, green string) {
	t.Helper()
	create := func(name string) string {
		out, err := c.CreateTargetGroup(context.Background(), &elb.CreateTargetGroupInput{Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp,
			Port: aws.Int32(8080), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.TargetGroups[0].TargetGroupArn)
	}
	return create(blueName), create(greenName)
}

// registerFargateWeb registers web:1, a Fargate task definition whose one
// container "app" listens on 8080, and returns its ARN.
func registerFargateWeb(t testing.TB, c *ecs.Client) *string {
	t.Helper()
	td, err := c.RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
		NetworkMode: types.NetworkModeAwsvpc, RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("web:1"), Essential: aws.Bool(true),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(8080)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	return td.TaskDefinition.TaskDefinitionArn
}
