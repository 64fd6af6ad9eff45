package bluegreen

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ecsdeploy/ecsdeploy/progress"
)

const (
	tgBlue  = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/blue/aaa"
	tgGreen = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/green/bbb"
)

func TestForwardWeights(t *testing.T) {
	fwd := func(tgs ...elbtypes.TargetGroupTuple) []elbtypes.Action {
		return []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, ForwardConfig: &elbtypes.ForwardActionConfig{TargetGroups: tgs}}}
	}
	for _, c := range []struct {
		name    string
		actions []elbtypes.Action
		want    string
	}{
		{"weighted", fwd(elbtypes.TargetGroupTuple{TargetGroupArn: aws.String(tgBlue), Weight: aws.Int32(9)},
			elbtypes.TargetGroupTuple{TargetGroupArn: aws.String(tgGreen), Weight: aws.Int32(1)}), "blue 90%, green 10%"},
		{"lone target without weight", fwd(elbtypes.TargetGroupTuple{TargetGroupArn: aws.String(tgGreen)}), "green 100%"},
		{"plain forward", []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tgBlue)}}, "blue 100%"},
		{"fixed response", []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse}}, "nowhere (no forward action)"},
		{"all weights zero", fwd(elbtypes.TargetGroupTuple{TargetGroupArn: aws.String(tgBlue), Weight: aws.Int32(0)},
			elbtypes.TargetGroupTuple{TargetGroupArn: aws.String(tgGreen), Weight: aws.Int32(0)}), "blue 0%, green 0%"},
	} {
		if got := weightsText(forwardWeights(c.actions)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestLoadBalancerName(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:elasticloadbalancing:us-east-1:1:listener/app/web-alb/50dc6c495c0c9188/f2f7dc8efc522ab2":                       "web-alb",
		"arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/web-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee": "web-alb",
		"not-an-arn": "",
	} {
		if got := loadBalancerName(arn); got != want {
			t.Errorf("loadBalancerName(%q) = %q, want %q", arn, got, want)
		}
	}
}

// TestSituation: what a command with nothing to act on says of the service.
func TestSituation(t *testing.T) {
	svc := types.Service{ServiceName: aws.String("web")}
	ready := &Current{Service: svc, Strategy: CodeDeploy, Group: &Group{Application: "app", Name: "dg"},
		Deployment: &cdtypes.DeploymentInfo{DeploymentId: aws.String("d-1"), Status: cdtypes.DeploymentStatusInProgress},
		Target:     events("BeforeInstall", "Succeeded", "Install", "Succeeded", "AllowTraffic", "InProgress")}
	paused := &Current{Service: svc, Strategy: Canary, ServiceDeployment: &types.ServiceDeployment{
		ServiceDeploymentArn: aws.String("arn:aws:ecs:us-east-1:1:service-deployment/c/web/abc"), Status: types.ServiceDeploymentStatusInProgress,
		LifecycleStage: types.ServiceDeploymentLifecycleStageBakeTime}}
	for _, c := range []struct {
		cur        *Current
		want       string
		inProgress bool
	}{
		{&Current{Service: svc, Strategy: Rolling}, "service web deploys with ECS rolling updates", false},
		{&Current{Service: svc, Strategy: CodeDeploy, Group: &Group{Application: "app", Name: "dg"}}, "app/dg of service web has no deployment", false},
		{ready, "CodeDeploy deployment d-1 of service web is InProgress (lifecycle event AllowTraffic InProgress)", true},
		{paused, "service deployment abc of service web is IN_PROGRESS at stage BAKE_TIME", true},
		{&Current{Service: svc, Strategy: BlueGreen}, "service web (blue-green) has no service deployment", false},
	} {
		if got := c.cur.Situation(); !strings.Contains(got, c.want) {
			t.Errorf("Situation() = %q, want it to contain %q", got, c.want)
		}
		if got := c.cur.InProgress(); got != c.inProgress {
			t.Errorf("%q: InProgress() = %t, want %t", c.want, got, c.inProgress)
		}
	}
}

// TestCheckTrafficBack: a CodeDeploy rollback succeeds only when every
// production listener forwards to the original task set's target group alone.
func TestCheckTrafficBack(t *testing.T) {
	state := func(greenPercent float64) *State {
		return &State{
			TaskSets: []TaskSet{{Status: "PRIMARY", TaskDefinition: "web:1", TargetGroup: "blue"}},
			Traffic: []Route{{Role: "production listener", Weights: []Weight{{TargetGroup: "blue", Percent: 100 - greenPercent}, {TargetGroup: "green", Percent: greenPercent}}},
				{Role: "test listener", Weights: []Weight{{TargetGroup: "green", Percent: 100}}}},
		}
	}
	op := &Operation{Result: &Result{Outcome: progress.Succeeded, Reason: "stopped"}, State: state(0)}
	checkTrafficBack(op, "web:1")
	if op.Outcome != progress.Succeeded {
		t.Errorf("all production on blue judged %s: %s", op.Outcome, op.Reason)
	}
	op = &Operation{Result: &Result{Outcome: progress.Succeeded, Reason: "stopped"}, State: state(10)}
	checkTrafficBack(op, "web:1")
	if op.Outcome != progress.Failed || !strings.Contains(op.Reason, "still sends 10% of production traffic to green") {
		t.Errorf("10%% left on green judged %s: %s", op.Outcome, op.Reason)
	}
}

func TestLeftText(t *testing.T) {
	st := &State{
		TaskSets: []TaskSet{{ID: "ecs-svc/1", Status: "PRIMARY", TaskDefinition: "arn:aws:ecs:us-east-1:1:task-definition/web:1", Running: 2},
			{ID: "ecs-svc/2", Status: "ACTIVE", TaskDefinition: "arn:aws:ecs:us-east-1:1:task-definition/web:2", Running: 2}},
		Traffic: []Route{{Role: "production listener", Weights: []Weight{{TargetGroup: "green", Percent: 10}, {TargetGroup: "blue", Percent: 90}}}},
	}
	want := "production traffic: blue 90%, green 10%; task set ecs-svc/1 PRIMARY runs web:1 (2 running); task set ecs-svc/2 ACTIVE runs web:2 (2 running)"
	if got := leftText(st); got != want {
		t.Errorf("leftText:\n got %q\nwant %q", got, want)
	}
}
