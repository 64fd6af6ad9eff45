package stack

import (
	"os"
	"strings"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/vars"
)

// lbBase is validBase behind a load balancer.
const lbBase = validBase + `loadBalancers:
  - targetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/blue/0123456789abcdef
    containerName: app
    containerPort: 80
`

const advanced = `    advancedConfiguration:
      alternateTargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/green/0123456789abcdef
      productionListenerRule: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/a/0123456789abcdef/0123456789abcdef/0123456789abcdef
`

// TestStrategySpecErrors: the stack spec's strategy settings follow deploy
// --strategy's rules, each problem on its field and line.
func TestStrategySpecErrors(t *testing.T) {
	for _, tc := range []struct {
		name, spec, field, want string
	}{
		{"unknown strategy", lbBase + advanced + "deployment:\n  strategy: RED_BLACK\n", "deployment.strategy", "not a strategy"},
		{"canary percent out of range", lbBase + advanced + "deployment:\n  strategy: CANARY\n  canaryConfiguration: {canaryPercent: 0}\n", "deployment.canaryConfiguration.canaryPercent", "outside 0.1 to 100"},
		{"linear step out of range", lbBase + advanced + "deployment:\n  strategy: LINEAR\n  linearConfiguration: {stepPercent: 2}\n", "deployment.linearConfiguration.stepPercent", "outside 3 to 100"},
		{"bake time over a day", lbBase + advanced + "deployment:\n  strategy: BLUE_GREEN\n  bakeTimeInMinutes: 1441\n", "deployment.bakeTimeInMinutes", "outside 0 to 24h"},
		{"blue/green needs a bake time", lbBase + advanced + "deployment:\n  strategy: BLUE_GREEN\n", "deployment.bakeTimeInMinutes", "required"},
		{"canary settings with linear", lbBase + advanced + "deployment:\n  strategy: LINEAR\n  canaryConfiguration: {canaryPercent: 5}\n", "deployment.canaryConfiguration.canaryPercent", "belongs to the canary strategy"},
		{"no advanced configuration", lbBase + "deployment:\n  strategy: CANARY\n", "loadBalancers", "advancedConfiguration"},
		{"no load balancer", validBase + "deployment:\n  strategy: CANARY\n", "deployment.strategy", "no load balancer"},
		{"alternate is production", strings.Replace(lbBase+advanced, "targetgroup/green/", "targetgroup/blue/", 1) + "deployment:\n  strategy: CANARY\n", "loadBalancers", "is the production target group"},
		{"hook on rolling", lbBase + "deployment:\n  lifecycleHooks:\n    - {hookTargetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f', roleArn: 'arn:aws:iam::123456789012:role/r', lifecycleStages: [POST_SCALE_UP]}\n", "deployment.lifecycleHooks", "rolling"},
		{"hook at an unknown stage", lbBase + advanced + "deployment:\n  strategy: CANARY\n  lifecycleHooks:\n    - {hookTargetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f', roleArn: 'arn:aws:iam::123456789012:role/r', lifecycleStages: [WHENEVER]}\n", "deployment.lifecycleHooks", "not a lifecycle stage"},
		{"hook without a role", lbBase + advanced + "deployment:\n  strategy: CANARY\n  lifecycleHooks:\n    - {hookTargetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f', lifecycleStages: [POST_SCALE_UP]}\n", "deployment.lifecycleHooks[0].roleArn", "required"},
		{"stage CloudFormation lacks", lbBase + advanced + "deployment:\n  strategy: CANARY\n  lifecycleHooks:\n    - {hookTargetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f', roleArn: 'arn:aws:iam::123456789012:role/r', lifecycleStages: [PRE_PRODUCTION_TRAFFIC_SHIFT]}\n", "deployment.lifecycleHooks[0].lifecycleStages[0]", "does not take this stage (its stages: RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT); set such a hook with a deploy's lifecycleHooks"},
		{"malformed alternate target group", strings.Replace(lbBase+advanced, "alternateTargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/green/0123456789abcdef", "alternateTargetGroupArn: green", 1) + "deployment:\n  strategy: CANARY\n", "loadBalancers[0].advancedConfiguration.alternateTargetGroupArn", "not a target group ARN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := problemsOf(t, tc.spec)
			for _, p := range ps {
				if p.Field == tc.field && strings.Contains(p.Message, tc.want) {
					if p.Line == 0 {
						t.Errorf("%s has no line", p.Field)
					}
					return
				}
			}
			t.Fatalf("problems %v; want one on %s saying %q", ps, tc.field, tc.want)
		})
	}
}

// TestStrategySpecValid: the canary example parses, and its template
// carries the strategy (the golden test in stack/cfn lints it).
func TestStrategySpecValid(t *testing.T) {
	data, err := os.ReadFile("testdata/canary.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(data, vars.Resolver{})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Deployment.EffectiveStrategy(); got != "CANARY" {
		t.Fatalf("strategy %q", got)
	}
	if _, err := Parse([]byte(lbBase+advanced+"deployment:\n  strategy: blue-green\n  bakeTimeInMinutes: 0\n"), vars.Resolver{}); err != nil {
		t.Fatalf("deploy's spelling of the strategy: %v", err)
	}
}
