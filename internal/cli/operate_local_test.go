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

	"github.com/ecsdeploy/ecsdeploy/bluegreen"
)

// operationJSON is the part of the report of promote, abort and a
// blue/green rollback the tests check.
type operationJSON struct {
	Command               string           `json:"command"`
	Strategy              string           `json:"strategy"`
	DeploymentID          string           `json:"deploymentId"`
	Action                string           `json:"action"`
	Outcome               string           `json:"outcome"`
	Reason                string           `json:"reason"`
	Remaining             string           `json:"remaining"`
	Expected              string           `json:"expectedTaskDefinition"`
	PrimaryTaskDefinition string           `json:"primaryTaskDefinition"`
	RollbackDeploymentID  string           `json:"rollbackDeploymentId"`
	Redeployed            bool             `json:"redeployed"`
	Note                  string           `json:"note"`
	State                 *bluegreen.State `json:"state"`
}

func decodeOperation(t *testing.T, stdout string) operationJSON {
	t.Helper()
	var r operationJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("not one JSON report: %v\n%s", err, stdout)
	}
	return r
}

// withReadyWait replaces deployment group "dg" by the same group with a
// ready wait that stops the deployment unless it is continued within an hour.
func withReadyWait(t *testing.T, e *codeDeployECS) {
	t.Helper()
	ctx := context.Background()
	g, err := e.cd.GetDeploymentGroup(ctx, &cd.GetDeploymentGroupInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg")})
	if err != nil {
		t.Fatal(err)
	}
	info := g.DeploymentGroupInfo
	if _, err := e.cd.DeleteDeploymentGroup(ctx, &cd.DeleteDeploymentGroupInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg")}); err != nil {
		t.Fatal(err)
	}
	bg := info.BlueGreenDeploymentConfiguration
	bg.DeploymentReadyOption = &cdtypes.DeploymentReadyOption{ActionOnTimeout: cdtypes.DeploymentReadyActionStopDeployment, WaitTimeInMinutes: 60}
	if _, err := e.cd.CreateDeploymentGroup(ctx, &cd.CreateDeploymentGroupInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg"),
		ServiceRoleArn: info.ServiceRoleArn, DeploymentStyle: info.DeploymentStyle, BlueGreenDeploymentConfiguration: bg,
		AutoRollbackConfiguration: info.AutoRollbackConfiguration, EcsServices: info.EcsServices, LoadBalancerInfo: info.LoadBalancerInfo}); err != nil {
		t.Fatal(err)
	}
}

// taskSetsOf lists the service's task sets as "STATUS family:rev".
func taskSetsOf(t *testing.T, svc types.Service) []string {
	t.Helper()
	var out []string
	for _, ts := range svc.TaskSets {
		out = append(out, aws.ToString(ts.Status)+" "+shortName(aws.ToString(ts.TaskDefinition)))
	}
	return out
}

// advanceUntil moves the emulator's time in steps of 5 s until ok holds.
func advanceUntil(t *testing.T, e *codeDeployECS, what string, ok func() bool) {
	t.Helper()
	for i := 0; i < 720; i++ {
		if ok() {
			return
		}
		e.em.Advance(5 * time.Second)
	}
	t.Fatalf("an hour of emulated time passed without %s", what)
}

// TestLocalPromoteCodeDeployReadyWait: on a group whose ready wait stops
// the deployment unless it is continued, a linear deploy --wait-until test-traffic
// returns with the deployment Ready; status shows it (text and JSON) with
// both task sets and the test listener on the replacement; promote
// continues it through the linear shift to the end (exit 0): production traffic on the new target
// group, the PRIMARY task set on the new revision. A second promote has
// nothing to continue (exit 2, naming the state).
func TestLocalPromoteCodeDeployReadyWait(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, nil)
	withReadyWait(t, e)
	code, stdout, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--wait-until", "test-traffic", "-t", "30m", "--output", "json",
		"--deployment-config", "CodeDeployDefault.ECSLinear10PercentEvery1Minutes")
	if code != 0 {
		t.Fatalf("deploy --wait-until test-traffic: exit %d", code)
	}
	dep := decodeCodeDeploy(t, stdout)
	if p := e.share(t, e.prod, e.blue); p != 100 {
		t.Fatalf("before promote production sends %d%% to blue, want 100%%", p)
	}

	code, stdout, _ = e.run(t, "status", "-c", "c", "-n", "web")
	for _, want := range []string{"blue/green (codedeploy)", "deployment " + dep.DeploymentID + ": Ready", "`ecsdeploy promote` continues it",
		"PRIMARY", "web:1 on blue", "web:2 on green", "production listener", "test listener", "green 100%", "blue: 2 healthy"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("status (exit %d) lacks %q:\n%s", code, want, stdout)
		}
	}
	code, stdout, _ = e.run(t, "status", "-c", "c", "-n", "web", "--output", "json")
	var st struct {
		BlueGreen *bluegreen.State `json:"blueGreen"`
	}
	if err := json.Unmarshal([]byte(stdout), &st); err != nil || code != 0 || st.BlueGreen == nil {
		t.Fatalf("status --output json: exit %d, %v\n%s", code, err, stdout)
	}
	if cdAt := st.BlueGreen.CodeDeploy; cdAt == nil || cdAt.DeploymentID != dep.DeploymentID || cdAt.Status != "Ready" || len(st.BlueGreen.TaskSets) != 2 {
		t.Errorf("status JSON: %+v", st.BlueGreen)
	}
	if p := st.BlueGreen.Production(); p != "blue 100%" {
		t.Errorf("status JSON production traffic %q, want blue 100%%", p)
	}

	code, stdout, stderr := e.run(t, "promote", "-c", "c", "-n", "web", "-t", "30m", "--output", "json")
	if code != 0 {
		t.Fatalf("promote: exit %d", code)
	}
	r := decodeOperation(t, stdout)
	if r.Action != "ContinueDeployment READY_WAIT" || r.Outcome != "succeeded" || r.DeploymentID != dep.DeploymentID || r.PrimaryTaskDefinition != dep.TaskDefinition {
		t.Fatalf("promote report: %+v", r)
	}
	if p := e.share(t, e.prod, e.green); p != 100 {
		t.Errorf("after promote production sends %d%% to green, want 100%%", p)
	}
	if got := e.primary(t); got != dep.TaskDefinition {
		t.Errorf("PRIMARY task set runs %s, want %s", got, dep.TaskDefinition)
	}
	if !strings.Contains(stderr, "AllowTraffic") {
		t.Errorf("promote's progress does not follow the lifecycle:\n%s", stderr)
	}
	code, _, stderr = e.run(t, "promote", "-c", "c", "-n", "web")
	if code != 2 || !strings.Contains(stderr, dep.DeploymentID+" of service web is Succeeded") || !strings.Contains(stderr, "nothing to promote") {
		t.Errorf("promote with nothing waiting: exit %d, %s", code, stderr)
	}
}

// TestLocalPromoteCodeDeployTerminationWait: after deploy --wait-until
// traffic-shifted the deployment is in its termination wait; promote ends
// it (TERMINATION_WAIT): the original task set goes at once and the
// deployment succeeds.
func TestLocalPromoteCodeDeployTerminationWait(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, nil)
	code, stdout, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--wait-until", "traffic-shifted", "-t", "30m", "--output", "json")
	if code != 0 {
		t.Fatalf("deploy: exit %d", code)
	}
	dep := decodeCodeDeploy(t, stdout)
	if n := len(e.service(t).TaskSets); n != 2 {
		t.Fatalf("%d task sets in the termination wait, want 2", n)
	}
	start := e.em.Now()
	code, stdout, _ = e.run(t, "promote", "-c", "c", "-n", "web", "--output", "json")
	r := decodeOperation(t, stdout)
	if code != 0 || r.Action != "ContinueDeployment TERMINATION_WAIT" || r.Outcome != "succeeded" {
		t.Fatalf("promote: exit %d, %+v", code, r)
	}
	if sets := strings.Join(taskSetsOf(t, e.service(t)), ", "); sets != "DRAINING web:1, PRIMARY web:2" {
		t.Errorf("task sets after promote: %s, want the original DRAINING and PRIMARY web:2", sets)
	}
	if waited := e.em.Now().Sub(start); waited >= time.Minute {
		t.Errorf("promote waited %s: the one-minute termination wait was not ended early", waited)
	}
	out, err := e.cd.GetDeployment(context.Background(), &cd.GetDeploymentInput{DeploymentId: aws.String(dep.DeploymentID)})
	if err != nil || out.DeploymentInfo.Status != cdtypes.DeploymentStatusSucceeded {
		t.Fatalf("CodeDeploy says %v %v", out, err)
	}
}

// canaryMidShift deploys web:2 with a canary configuration and moves time
// until 10% of production traffic is on green.
func canaryMidShift(t *testing.T, e *codeDeployECS) codeDeployJSON {
	t.Helper()
	code, stdout, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--deployment-config", "CodeDeployDefault.ECSCanary10Percent5Minutes",
		"--wait-until", "test-traffic", "-t", "30m", "--output", "json")
	if code != 0 {
		t.Fatalf("deploy: exit %d", code)
	}
	advanceUntil(t, e, "the canary step", func() bool { return e.share(t, e.prod, e.green) == 10 })
	return decodeCodeDeploy(t, stdout)
}

// TestLocalRollbackCodeDeployMidShift: rollback while a canary has 10% of
// production traffic stops the deployment with a rollback (exit 0):
// traffic is all back on blue, the replacement task set is gone and the
// PRIMARY one runs the original revision.
func TestLocalRollbackCodeDeployMidShift(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, nil)
	dep := canaryMidShift(t, e)
	code, stdout, _ := e.run(t, "rollback", "-c", "c", "-n", "web", "--output", "json")
	if code != 0 {
		t.Fatalf("rollback: exit %d", code)
	}
	r := decodeOperation(t, stdout)
	if r.Action != "StopDeployment autoRollbackEnabled=true" || r.DeploymentID != dep.DeploymentID || r.RollbackDeploymentID == "" ||
		!strings.HasSuffix(r.PrimaryTaskDefinition, "web:1") || r.State.Production() != "blue 100%" {
		t.Fatalf("rollback report: %+v", r)
	}
	if p := e.share(t, e.prod, e.blue); p != 100 {
		t.Errorf("production sends %d%% to blue, want 100%%", p)
	}
	if sets := strings.Join(taskSetsOf(t, e.service(t)), ", "); sets != "PRIMARY web:1, DRAINING web:2" {
		t.Errorf("task sets after the rollback: %s, want PRIMARY web:1 and the replacement DRAINING", sets)
	}
	out, err := e.cd.GetDeployment(context.Background(), &cd.GetDeploymentInput{DeploymentId: aws.String(dep.DeploymentID)})
	if err != nil || out.DeploymentInfo.Status != cdtypes.DeploymentStatusStopped {
		t.Fatalf("CodeDeploy says %v %v, want Stopped", out, err)
	}
}

// TestLocalAbortCodeDeployMidShift: abort stops the canary without a
// rollback (exit 0) and says what that leaves: traffic stays split 90/10
// and both task sets keep running.
func TestLocalAbortCodeDeployMidShift(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, nil)
	dep := canaryMidShift(t, e)
	code, _, stderr := e.run(t, "promote", "-c", "c", "-n", "web")
	if code != 2 || !strings.Contains(stderr, "is InProgress (lifecycle event AllowTraffic InProgress)") || !strings.Contains(stderr, "not waiting for promote") {
		t.Errorf("promote while traffic shifts: exit %d, %s", code, stderr)
	}
	code, stdout, _ := e.run(t, "abort", "-c", "c", "-n", "web", "--output", "json")
	if code != 0 {
		t.Fatalf("abort: exit %d", code)
	}
	r := decodeOperation(t, stdout)
	if r.Action != "StopDeployment autoRollbackEnabled=false" || r.DeploymentID != dep.DeploymentID ||
		!strings.Contains(r.Remaining, "production traffic: blue 90%, green 10%") || !strings.Contains(r.Remaining, "web:2 (2 running)") {
		t.Fatalf("abort report: %+v", r)
	}
	if p := e.share(t, e.prod, e.green); p != 10 {
		t.Errorf("production sends %d%% to green after abort, want the 10%% it had", p)
	}
	if sets := taskSetsOf(t, e.service(t)); len(sets) != 2 {
		t.Errorf("task sets after abort: %v, want both", sets)
	}
	out, err := e.cd.GetDeployment(context.Background(), &cd.GetDeploymentInput{DeploymentId: aws.String(dep.DeploymentID)})
	if err != nil || out.DeploymentInfo.Status != cdtypes.DeploymentStatusStopped || out.DeploymentInfo.RollbackInfo != nil {
		t.Fatalf("CodeDeploy says %+v %v, want Stopped without rollback", out.DeploymentInfo, err)
	}
	if code, _, stderr := e.run(t, "abort", "-c", "c", "-n", "web"); code != 2 || !strings.Contains(stderr, "nothing to abort") {
		t.Errorf("abort with nothing in progress: exit %d, %s", code, stderr)
	}
}

// TestLocalRollbackCodeDeployFinished: once a CodeDeploy deployment is
// over, rollback deploys the previous revision through CodeDeploy again.
func TestLocalRollbackCodeDeployFinished(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, nil)
	if code, _, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "-t", "30m"); code != 0 {
		t.Fatalf("deploy: exit %d", code)
	}
	code, stdout, _ := e.run(t, "rollback", "-c", "c", "-n", "web", "-t", "30m", "--output", "json")
	r := decodeOperation(t, stdout)
	if code != 0 || !r.Redeployed || r.Strategy != "codedeploy" || !strings.HasSuffix(r.PrimaryTaskDefinition, "web:1") || !strings.Contains(r.Note, "newest ACTIVE revision older") {
		t.Fatalf("rollback: exit %d, %+v", code, r)
	}
	if got := e.primary(t); !strings.HasSuffix(got, "web:1") {
		t.Errorf("PRIMARY task set runs %s, want web:1", got)
	}
	if p := e.share(t, e.prod, e.blue); p != 100 {
		t.Errorf("production sends %d%% to blue, want 100%% (web:1 deployed to the other target group again)", p)
	}
}

// nativeECS is codeDeployECS's load balancer with a second service "api"
// on an ECS-native strategy: target groups nblue and ngreen, a production
// listener rule on :81 and a test rule on :82.
type nativeECS struct {
	*codeDeployECS
	nblue, ngreen      string
	prodRule, testRule string
	web2               string // revision web:2, registered
}

func newNativeECS(t *testing.T, cfg types.DeploymentConfiguration) *nativeECS {
	t.Helper()
	ctx := context.Background()
	e := &nativeECS{codeDeployECS: newCodeDeployECS(t, nil)}
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	lbs, err := e.elb.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
	check(err)
	e.nblue, e.ngreen = targetGroupPair(t, e.elb, "nblue", "ngreen")
	rule := func(port int32) string {
		lis, err := e.elb.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn, Port: aws.Int32(port),
			Protocol:       elbtypes.ProtocolEnumHttp,
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse, FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("404")}}}})
		check(err)
		r, err := e.elb.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: lis.Listeners[0].ListenerArn, Priority: aws.Int32(1),
			Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{"/*"}}},
			Actions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, ForwardConfig: &elbtypes.ForwardActionConfig{TargetGroups: []elbtypes.TargetGroupTuple{
				{TargetGroupArn: aws.String(e.nblue), Weight: aws.Int32(100)}, {TargetGroupArn: aws.String(e.ngreen), Weight: aws.Int32(0)}}}}}})
		check(err)
		return aws.ToString(r.Rules[0].RuleArn)
	}
	e.prodRule, e.testRule = rule(81), rule(82)
	_, err = e.client.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("c"), ServiceName: aws.String("api"),
		TaskDefinition: aws.String("web:1"), DesiredCount: aws.Int32(2), LaunchType: types.LaunchTypeFargate,
		DeploymentConfiguration: &cfg,
		NetworkConfiguration:    &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}},
		LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String(e.nblue), ContainerName: aws.String("app"), ContainerPort: aws.Int32(8080),
			AdvancedConfiguration: &types.AdvancedConfiguration{AlternateTargetGroupArn: aws.String(e.ngreen), ProductionListenerRule: aws.String(e.prodRule),
				TestListenerRule: aws.String(e.testRule), RoleArn: aws.String("arn:aws:iam::000000000000:role/ecs-lb")}}}})
	check(err)
	td, err := e.client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web:1")})
	check(err)
	d := td.TaskDefinition
	d.ContainerDefinitions[0].Image = aws.String("web:2")
	reg, err := e.client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: d.Family, NetworkMode: d.NetworkMode,
		RequiresCompatibilities: d.RequiresCompatibilities, Cpu: d.Cpu, Memory: d.Memory, ContainerDefinitions: d.ContainerDefinitions})
	check(err)
	e.web2 = aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
	e.em.Advance(2 * time.Minute)
	return e
}

// api reads service "api".
func (e *nativeECS) api(t *testing.T) types.Service {
	t.Helper()
	out, err := e.client.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{"api"}})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("describe api: %v", err)
	}
	return out.Services[0]
}

// primaryOf is the task definition of the PRIMARY deployment of "api".
func (e *nativeECS) primaryOf(t *testing.T) string {
	t.Helper()
	for _, d := range e.api(t).Deployments {
		if aws.ToString(d.Status) == "PRIMARY" {
			return aws.ToString(d.TaskDefinition)
		}
	}
	return ""
}

// update starts a deployment of web:2 on "api" with UpdateService and
// returns the service deployment's ARN.
func (e *nativeECS) update(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	if _, err := e.client.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("c"), Service: aws.String("api"), TaskDefinition: aws.String(e.web2)}); err != nil {
		t.Fatal(err)
	}
	list, err := e.client.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Cluster: aws.String("c"), Service: aws.String("api"),
		Status: []types.ServiceDeploymentStatus{types.ServiceDeploymentStatusPending, types.ServiceDeploymentStatusInProgress}})
	if err != nil || len(list.ServiceDeployments) != 1 {
		t.Fatalf("service deployments in progress: %v %v", list, err)
	}
	return aws.ToString(list.ServiceDeployments[0].ServiceDeploymentArn)
}

func (e *nativeECS) serviceDeployment(t *testing.T, arn string) types.ServiceDeployment {
	t.Helper()
	out, err := e.client.DescribeServiceDeployments(context.Background(), &ecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{arn}})
	if err != nil || len(out.ServiceDeployments) != 1 {
		t.Fatalf("describe %s: %v", arn, err)
	}
	return out.ServiceDeployments[0]
}

// TestLocalPromoteNativePause: a BLUE_GREEN service with a PAUSE hook at
// POST_TEST_TRAFFIC_SHIFT stops there; status shows the stage and the
// paused hook (text and JSON); promote resumes it and follows it to
// SUCCESSFUL (exit 0) with production on the green target group and the
// PRIMARY deployment on web:2.
func TestLocalPromoteNativePause(t *testing.T) {
	t.Parallel()
	e := newNativeECS(t, types.DeploymentConfiguration{Strategy: types.DeploymentStrategyBlueGreen, BakeTimeInMinutes: aws.Int32(1),
		LifecycleHooks: []types.DeploymentLifecycleHook{{TargetType: types.DeploymentLifecycleHookTargetTypePause,
			LifecycleStages: []types.DeploymentLifecycleHookStage{types.DeploymentLifecycleHookStagePostTestTrafficShift}}}})
	if code, _, stderr := e.run(t, "promote", "-c", "c", "-n", "api"); code != 2 || !strings.Contains(stderr, "no deployment is in progress") {
		t.Errorf("promote before any deployment: exit %d, %s", code, stderr)
	}
	arn := e.update(t)
	advanceUntil(t, e.codeDeployECS, "the pause", func() bool {
		return len(e.serviceDeployment(t, arn).LifecycleHookDetails) > 0
	})
	code, stdout, _ := e.run(t, "status", "-c", "c", "-n", "api")
	for _, want := range []string{"blue/green (blue-green)", "IN_PROGRESS, stage POST_TEST_TRAFFIC_SHIFT", "`ecsdeploy promote` resumes it",
		"production rule", "test rule", "nblue 100%", "ngreen 100%", "ngreen: 2 healthy"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("status (exit %d) lacks %q:\n%s", code, want, stdout)
		}
	}
	code, stdout, _ = e.run(t, "status", "-c", "c", "-n", "api", "--output", "json")
	var st struct {
		BlueGreen *bluegreen.State `json:"blueGreen"`
	}
	if err := json.Unmarshal([]byte(stdout), &st); err != nil || code != 0 || st.BlueGreen == nil || st.BlueGreen.Native == nil {
		t.Fatalf("status --output json: exit %d, %v\n%s", code, err, stdout)
	}
	if n := st.BlueGreen.Native; n.ARN != arn || n.Stage != "POST_TEST_TRAFFIC_SHIFT" || len(n.PausedHooks) != 1 || len(st.BlueGreen.Deployments) != 2 {
		t.Errorf("status JSON: %+v %+v", n, st.BlueGreen.Deployments)
	}
	code, stdout, stderr := e.run(t, "promote", "-c", "c", "-n", "api", "-t", "30m", "--output", "json")
	if code != 0 {
		t.Fatalf("promote: exit %d", code)
	}
	r := decodeOperation(t, stdout)
	if !strings.HasPrefix(r.Action, "ContinueServiceDeployment CONTINUE") || r.DeploymentID != arn || r.PrimaryTaskDefinition != e.web2 || r.Outcome != "succeeded" {
		t.Fatalf("promote report: %+v", r)
	}
	if sd := e.serviceDeployment(t, arn); sd.Status != types.ServiceDeploymentStatusSuccessful {
		t.Errorf("service deployment %s, want SUCCESSFUL", sd.Status)
	}
	if p := e.share(t, e.prodRule, e.ngreen); p != 100 {
		t.Errorf("production rule sends %d%% to ngreen, want 100%%", p)
	}
	if !strings.Contains(stderr, "BAKE_TIME") {
		t.Errorf("promote's progress does not follow the stages:\n%s", stderr)
	}
}

// canaryService is a CANARY service of newNativeECS moved to the point
// where its canary has 10% of production traffic.
func canaryService(t *testing.T) (*nativeECS, string) {
	t.Helper()
	e := newNativeECS(t, types.DeploymentConfiguration{Strategy: types.DeploymentStrategyCanary, BakeTimeInMinutes: aws.Int32(1),
		CanaryConfiguration: &types.CanaryConfiguration{CanaryPercent: aws.Float64(10), CanaryBakeTimeInMinutes: aws.Int32(10)}})
	arn := e.update(t)
	advanceUntil(t, e.codeDeployECS, "the canary step", func() bool { return e.share(t, e.prodRule, e.ngreen) == 10 })
	return e, arn
}

// TestLocalRollbackNativeMidShift: rollback during a canary stops the
// service deployment with ROLLBACK (exit 0): all production traffic back
// on nblue and web:1 PRIMARY again.
func TestLocalRollbackNativeMidShift(t *testing.T) {
	t.Parallel()
	e, arn := canaryService(t)
	code, _, stderr := e.run(t, "promote", "-c", "c", "-n", "api")
	if code != 2 || !strings.Contains(stderr, "at stage PRODUCTION_TRAFFIC_SHIFT, not paused") {
		t.Errorf("promote during the canary: exit %d, %s", code, stderr)
	}
	code, stdout, stderr := e.run(t, "rollback", "-c", "c", "-n", "api")
	if code != 0 {
		t.Fatalf("rollback: exit %d", code)
	}
	if !strings.HasPrefix(stdout, "succeeded: rollback of service api in c (canary service deployment ") || !strings.Contains(stdout, "StopServiceDeployment ROLLBACK") ||
		!strings.Contains(stderr, "production traffic: nblue 100%, ngreen 0%") || !strings.Contains(stderr, "production is served by web:1") {
		t.Fatalf("rollback says:\n%s\n%s", stdout, stderr)
	}
	if sd := e.serviceDeployment(t, arn); sd.Status != types.ServiceDeploymentStatusRollbackSuccessful {
		t.Errorf("service deployment %s, want ROLLBACK_SUCCESSFUL", sd.Status)
	}
	if p := e.share(t, e.prodRule, e.nblue); p != 100 {
		t.Errorf("production rule sends %d%% to nblue, want 100%%", p)
	}
	if got := e.primaryOf(t); !strings.HasSuffix(got, "web:1") {
		t.Errorf("PRIMARY deployment runs %s, want web:1", got)
	}
}

// TestLocalAbortNative: abort during a canary stops the service deployment
// with ABORT (exit 0) and says where that leaves traffic (split 90/10) and
// which deployments run; a rolling service cannot be aborted (exit 2,
// naming rollback).
func TestLocalAbortNative(t *testing.T) {
	t.Parallel()
	e, arn := canaryService(t)
	code, stdout, _ := e.run(t, "abort", "-c", "c", "-n", "api", "--output", "json")
	if code != 0 {
		t.Fatalf("abort: exit %d", code)
	}
	r := decodeOperation(t, stdout)
	if r.Action != "StopServiceDeployment ABORT" || r.DeploymentID != arn || !strings.Contains(r.Remaining, "production traffic: nblue 90%, ngreen 10%") {
		t.Fatalf("abort report: %+v", r)
	}
	if sd := e.serviceDeployment(t, arn); sd.Status != types.ServiceDeploymentStatusStopped {
		t.Errorf("service deployment %s, want STOPPED", sd.Status)
	}
	if p := e.share(t, e.prodRule, e.ngreen); p != 10 {
		t.Errorf("production rule sends %d%% to ngreen after abort, want 10%%", p)
	}

	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "web:1", desired: 1})
	code, _, stderr := l.run(t, "abort", "-c", "c", "-n", "web")
	if code != 2 || !strings.Contains(stderr, "rolling updates") || !strings.Contains(stderr, "ecsdeploy rollback") {
		t.Errorf("abort on a rolling service: exit %d, %s", code, stderr)
	}
	if code, _, stderr := l.run(t, "promote", "-c", "c", "-n", "web"); code != 2 || !strings.Contains(stderr, "nothing to promote") {
		t.Errorf("promote on a rolling service: exit %d, %s", code, stderr)
	}
}

// TestLocalRollbackNativeFinished: once a BLUE_GREEN deployment is over,
// rollback deploys the previous revision with UpdateService and follows
// the new service deployment to SUCCESSFUL.
func TestLocalRollbackNativeFinished(t *testing.T) {
	t.Parallel()
	e := newNativeECS(t, types.DeploymentConfiguration{Strategy: types.DeploymentStrategyBlueGreen, BakeTimeInMinutes: aws.Int32(1)})
	if code, _, _ := e.run(t, "deploy", "-c", "c", "-n", "api", "--task-definition", e.web2, "-t", "30m"); code != 0 {
		t.Fatalf("deploy: exit %d", code)
	}
	if p := e.share(t, e.prodRule, e.ngreen); p != 100 {
		t.Fatalf("after deploy production sends %d%% to ngreen", p)
	}
	// A rollback that must deploy anew cannot return at once: the flag that
	// asked for it is named, once as where and once as what to drop.
	if code, _, stderr := e.run(t, "rollback", "-c", "c", "-n", "api", "--no-wait"); code != 2 ||
		!strings.HasPrefix(stderr, "error: --no-wait: ") || !strings.HasSuffix(strings.TrimSpace(stderr), "; drop --no-wait") {
		t.Fatalf("rollback --no-wait of a finished deployment: exit %d, %s", code, stderr)
	}
	code, stdout, _ := e.run(t, "rollback", "-c", "c", "-n", "api", "-t", "30m", "--output", "json")
	r := decodeOperation(t, stdout)
	if code != 0 || !r.Redeployed || r.Strategy != "blue-green" || !strings.HasSuffix(r.PrimaryTaskDefinition, "web:1") || !strings.HasPrefix(r.Action, "UpdateService to web:1") {
		t.Fatalf("rollback: exit %d, %+v", code, r)
	}
	if p := e.share(t, e.prodRule, e.nblue); p != 100 {
		t.Errorf("production sends %d%% to nblue after the rollback, want 100%%", p)
	}
}

// TestLocalPromoteNoWaitAndTimeout: promote --no-wait returns once the
// paused hook is resumed (exit 0, the deployment goes on by itself); on
// CodeDeploy, a promote whose timeout ends in the termination wait exits 3
// saying so.
func TestLocalPromoteNoWaitAndTimeout(t *testing.T) {
	t.Parallel()
	e := newNativeECS(t, types.DeploymentConfiguration{Strategy: types.DeploymentStrategyBlueGreen, BakeTimeInMinutes: aws.Int32(1),
		LifecycleHooks: []types.DeploymentLifecycleHook{{TargetType: types.DeploymentLifecycleHookTargetTypePause,
			LifecycleStages: []types.DeploymentLifecycleHookStage{types.DeploymentLifecycleHookStagePostScaleUp}}}})
	arn := e.update(t)
	advanceUntil(t, e.codeDeployECS, "the pause", func() bool { return len(e.serviceDeployment(t, arn).LifecycleHookDetails) > 0 })
	start := e.em.Now()
	code, stdout, _ := e.run(t, "promote", "-c", "c", "-n", "api", "--no-wait", "--output", "json")
	r := decodeOperation(t, stdout)
	if code != 0 || r.Outcome != "succeeded" || !strings.Contains(r.Remaining, "--no-wait") || e.em.Now() != start {
		t.Fatalf("promote --no-wait: exit %d, %+v, %s of emulated time", code, r, e.em.Now().Sub(start))
	}
	if h := e.serviceDeployment(t, arn).LifecycleHookDetails[0]; h.Status != types.DeploymentLifecycleHookStatusSucceeded {
		t.Errorf("hook %s after promote --no-wait, want SUCCEEDED", h.Status)
	}
	advanceUntil(t, e.codeDeployECS, "the end of the deployment", func() bool {
		return e.serviceDeployment(t, arn).Status == types.ServiceDeploymentStatusSuccessful
	})

	withReadyWait(t, e.codeDeployECS)
	if code, _, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:3", "--wait-until", "test-traffic", "-t", "30m"); code != 0 {
		t.Fatalf("deploy: exit %d", code)
	}
	code, stdout, _ = e.run(t, "promote", "-c", "c", "-n", "web", "-t", "20s", "--output", "json")
	r = decodeOperation(t, stdout)
	if code != 3 || r.Outcome != "timed-out" || !strings.Contains(r.Reason, "termination wait") {
		t.Fatalf("promote -t 20s: exit %d, %+v", code, r)
	}
}

// TestLocalPromoteCrashingReplacement: the new revision passes its checks
// and then keeps crashing while the deployment waits to be promoted;
// CodeDeploy succeeds after promote, but promote exits 1 with the
// replacement's stopped tasks, as deploy would.
func TestLocalPromoteCrashingReplacement(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, crashing(5*time.Second))
	withReadyWait(t, e)
	if code, _, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--wait-until", "test-traffic", "-t", "30m"); code != 0 {
		t.Fatalf("deploy: exit %d", code)
	}
	code, stdout, _ := e.run(t, "promote", "-c", "c", "-n", "web", "-t", "30m", "--output", "json")
	var r struct {
		operationJSON
		Failure *struct {
			StoppedTasks []json.RawMessage `json:"stoppedTasks"`
		} `json:"failure"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if code != 1 || r.Outcome != "failed" || !strings.Contains(r.Reason, "stopped for a failure") || r.Failure == nil || len(r.Failure.StoppedTasks) == 0 {
		t.Fatalf("promote: exit %d, %+v", code, r)
	}
}

// TestLocalStatusCodeDeployWithoutGroup: status of a CODE_DEPLOY service
// whose deployment group is gone still shows its task sets (exit 0) and
// says what it could not read; promote names the missing group (exit 2).
func TestLocalStatusCodeDeployWithoutGroup(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, nil)
	if _, err := e.cd.DeleteDeploymentGroup(context.Background(), &cd.DeleteDeploymentGroupInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg")}); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := e.run(t, "status", "-c", "c", "-n", "web")
	for _, want := range []string{"PRIMARY", "web:1 on blue", "could not read: no CodeDeploy deployment group deploys service web"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("status (exit %d) lacks %q:\n%s", code, want, stdout)
		}
	}
	if code, _, stderr := e.run(t, "promote", "-c", "c", "-n", "web"); code != 2 ||
		!strings.Contains(stderr, "create one, or name it with --codedeploy-application and --codedeploy-deployment-group\n") {
		t.Errorf("promote without a group: exit %d, %s", code, stderr)
	}
	// deploy names the same flags, once.
	if code, _, stderr := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2"); code != 2 ||
		strings.Count(stderr, "--codedeploy-application and --codedeploy-deployment-group") != 1 {
		t.Errorf("deploy without a group: exit %d, %s", code, stderr)
	}
}
