package bluegreen

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

const (
	testBlue  = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/0123456789abcdef"
	testGreen = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/0123456789abcdef"
	testRule  = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/alb/0123456789abcdef/0123456789abcdef/0123456789abcdef"
	testRole  = "arn:aws:iam::123456789012:role/ecs-hooks"
	testFn    = "arn:aws:lambda:us-east-1:123456789012:function:smoke"
)

func testService(dc *types.DeploymentConfiguration, adv *types.AdvancedConfiguration) types.Service {
	return types.Service{ServiceName: aws.String("web"), DeploymentConfiguration: dc,
		LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String(testBlue), ContainerName: aws.String("app"), ContainerPort: aws.Int32(80), AdvancedConfiguration: adv}}}
}

// TestStrategyChangeApplyKeepsWhatItDoesNotSet: a canary percent alone on a
// canary service keeps the service's canary bake time; a PAUSE stage
// replaces the PAUSE hooks and keeps the Lambda ones; the load balancers are
// not sent when their advanced configuration does not change.
func TestStrategyChangeApplyKeepsWhatItDoesNotSet(t *testing.T) {
	svc := testService(&types.DeploymentConfiguration{Strategy: types.DeploymentStrategyCanary, BakeTimeInMinutes: aws.Int32(3),
		CanaryConfiguration: &types.CanaryConfiguration{CanaryPercent: aws.Float64(5), CanaryBakeTimeInMinutes: aws.Int32(7)},
		LifecycleHooks: []types.DeploymentLifecycleHook{
			{TargetType: types.DeploymentLifecycleHookTargetTypeAwsLambda, HookTargetArn: aws.String(testFn), RoleArn: aws.String(testRole), LifecycleStages: []types.DeploymentLifecycleHookStage{"POST_SCALE_UP"}},
			{TargetType: types.DeploymentLifecycleHookTargetTypePause, LifecycleStages: []types.DeploymentLifecycleHookStage{"PRE_SCALE_UP"}},
		}}, &types.AdvancedConfiguration{AlternateTargetGroupArn: aws.String(testGreen), ProductionListenerRule: aws.String(testRule)})
	in := &ecs.UpdateServiceInput{}
	c := StrategyChange{CanaryPercent: aws.Float64(12.5), PauseAt: []types.DeploymentLifecycleHookStage{"POST_TEST_TRAFFIC_SHIFT"}}
	if ps := c.Apply(svc, in); len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	cc := in.DeploymentConfiguration.CanaryConfiguration
	if aws.ToFloat64(cc.CanaryPercent) != 12.5 || aws.ToInt32(cc.CanaryBakeTimeInMinutes) != 7 {
		t.Errorf("canaryConfiguration %+v, want 12.5%% with the service's 7 minutes", cc)
	}
	hooks := in.DeploymentConfiguration.LifecycleHooks
	if len(hooks) != 2 || aws.ToString(hooks[0].HookTargetArn) != testFn || hooks[1].TargetType != types.DeploymentLifecycleHookTargetTypePause ||
		len(hooks[1].LifecycleStages) != 1 || hooks[1].LifecycleStages[0] != "POST_TEST_TRAFFIC_SHIFT" {
		t.Errorf("hooks %+v: want the Lambda hook kept and the pause moved to POST_TEST_TRAFFIC_SHIFT", hooks)
	}
	if in.DeploymentConfiguration.Strategy != "" || in.LoadBalancers != nil {
		t.Errorf("sent strategy %q and load balancers %+v, which do not change", in.DeploymentConfiguration.Strategy, in.LoadBalancers)
	}
}

// TestStrategyChangeApplyBuildsNewStrategy: switching a rolling service to
// linear fills ECS's defaults for what is not given, groups one function's
// stages into one hook with the given role, and adds the advanced
// configuration to the service's load balancer.
func TestStrategyChangeApplyBuildsNewStrategy(t *testing.T) {
	svc := testService(nil, nil)
	in := &ecs.UpdateServiceInput{}
	bake := 2 * time.Minute
	c := StrategyChange{Strategy: Linear, LinearStepBakeTime: &bake, AlternateTargetGroup: testGreen, ProductionListenerRule: testRule,
		LambdaHooks:       []LifecycleHook{{Stage: "POST_SCALE_UP", Function: testFn}, {Stage: "POST_TEST_TRAFFIC_SHIFT", Function: testFn}},
		LifecycleHookRole: testRole}
	if ps := c.Apply(svc, in); len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	dc := in.DeploymentConfiguration
	if dc.Strategy != types.DeploymentStrategyLinear || aws.ToFloat64(dc.LinearConfiguration.StepPercent) != 10 || aws.ToInt32(dc.LinearConfiguration.StepBakeTimeInMinutes) != 2 {
		t.Errorf("deploymentConfiguration %+v %+v", dc, dc.LinearConfiguration)
	}
	if len(dc.LifecycleHooks) != 1 || len(dc.LifecycleHooks[0].LifecycleStages) != 2 || aws.ToString(dc.LifecycleHooks[0].RoleArn) != testRole {
		t.Errorf("hooks %+v: want one hook at two stages with the role", dc.LifecycleHooks)
	}
	if len(in.LoadBalancers) != 1 || aws.ToString(in.LoadBalancers[0].ContainerName) != "app" ||
		aws.ToString(in.LoadBalancers[0].AdvancedConfiguration.AlternateTargetGroupArn) != testGreen {
		t.Errorf("load balancers %+v", in.LoadBalancers)
	}
	if svc.LoadBalancers[0].AdvancedConfiguration != nil {
		t.Error("Apply changed the service it was given")
	}
	if StrategyAfter(svc, in) != Linear || StrategyOf(svc) != Rolling {
		t.Errorf("StrategyAfter %s, StrategyOf %s", StrategyAfter(svc, in), StrategyOf(svc))
	}
}

// TestStrategyChangeCheck: ECS's ranges, from botocore's ecs model.
func TestStrategyChangeCheck(t *testing.T) {
	d := func(s string) *time.Duration { v, _ := time.ParseDuration(s); return &v }
	for _, tc := range []struct {
		c     StrategyChange
		field string // "" for none
	}{
		{StrategyChange{Strategy: Canary, CanaryPercent: aws.Float64(0.1)}, ""},
		{StrategyChange{Strategy: Canary, CanaryPercent: aws.Float64(100)}, ""},
		{StrategyChange{Strategy: Canary, CanaryPercent: aws.Float64(0.09)}, FieldCanaryPercent},
		{StrategyChange{Strategy: Canary, CanaryPercent: aws.Float64(10.05)}, FieldCanaryPercent},
		{StrategyChange{Strategy: Linear, LinearStepPercent: aws.Float64(3)}, ""},
		{StrategyChange{Strategy: Linear, LinearStepPercent: aws.Float64(2.9)}, FieldLinearStepPercent},
		{StrategyChange{Strategy: Linear, LinearStepPercent: aws.Float64(100.1)}, FieldLinearStepPercent},
		{StrategyChange{Strategy: BlueGreen, BakeTime: d("24h")}, ""},
		{StrategyChange{Strategy: BlueGreen, BakeTime: d("24h1m")}, FieldBakeTime},
		{StrategyChange{Strategy: Canary, CanaryBakeTime: d("30s")}, FieldCanaryBakeTime},
		{StrategyChange{Strategy: BlueGreen, CanaryPercent: aws.Float64(5)}, FieldCanaryPercent},
		{StrategyChange{PauseAt: []types.DeploymentLifecycleHookStage{"TEST_TRAFFIC_SHIFT"}}, FieldPauseAt},
		{StrategyChange{PauseAt: []types.DeploymentLifecycleHookStage{"PRE_PRODUCTION_TRAFFIC_SHIFT"}}, ""},
		{StrategyChange{LambdaHooks: []LifecycleHook{{Stage: "POST_SCALE_UP", Function: "smoke"}}}, FieldLifecycleHooks},
		{StrategyChange{AlternateTargetGroup: "green"}, FieldAlternateTargetGroup},
		{StrategyChange{LifecycleHookRole: "ecs-hooks"}, FieldLifecycleHookRole},
	} {
		ps := tc.c.Check()
		switch {
		case tc.field == "" && len(ps) > 0:
			t.Errorf("%+v: unexpected problems %v", tc.c, ps)
		case tc.field != "" && (len(ps) != 1 || ps[0].Field != tc.field):
			t.Errorf("%+v: problems %v, want one on %s", tc.c, ps, tc.field)
		}
	}
}

// TestParseStrategyAndHook: the flag forms.
func TestParseStrategyAndHook(t *testing.T) {
	for in, want := range map[string]Strategy{"rolling": Rolling, "BLUE_GREEN": BlueGreen, "blue-green": BlueGreen, "Canary": Canary, "linear": Linear} {
		if got, err := ParseStrategy(in); err != nil || got != want {
			t.Errorf("ParseStrategy(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseStrategy("codedeploy"); err == nil || !strings.Contains(err.Error(), "rolling, blue-green, linear or canary") {
		t.Errorf("ParseStrategy(codedeploy): %v", err)
	}
	h, err := ParseLifecycleHook("post_scale_up=" + testFn)
	if err != nil || h.Stage != "POST_SCALE_UP" || h.Function != testFn {
		t.Errorf("ParseLifecycleHook: %+v %v", h, err)
	}
	if _, err := ParseLifecycleHook(testFn); err == nil {
		t.Error("a hook without a stage was taken")
	}
}
