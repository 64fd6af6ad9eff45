package stack

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/bluegreen"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// EffectiveStrategy is deploymentConfiguration.strategy as the template
// writes it (ROLLING, BLUE_GREEN, LINEAR, CANARY), or "" when the spec
// leaves it out (or it is not a strategy, which Validate reports).
func (d Deployment) EffectiveStrategy() string {
	if d.Strategy == "" {
		return ""
	}
	s, err := bluegreen.ParseStrategy(d.Strategy)
	if err != nil {
		return ""
	}
	return string(s.ECS())
}

// cfnHookStages are the lifecycle stages CloudFormation's AWS::ECS::Service
// takes for a hook (cfn-lint's schema, which lacks PRE_PRODUCTION_TRAFFIC_SHIFT).
var cfnHookStages = []string{"RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT",
	"POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT"}

// strategy checks the deployment strategy and its settings with the rules
// deploy --strategy follows (bluegreen.StrategyChange), naming the spec's
// fields, plus what CloudFormation needs of a lifecycle hook.
func (v *validator) strategy(s *Spec) {
	d := s.Deployment
	var c bluegreen.StrategyChange
	if d.Strategy != "" {
		st, err := bluegreen.ParseStrategy(d.Strategy)
		if err != nil {
			v.add("deployment.strategy", "%q is not a strategy: use ROLLING, BLUE_GREEN, LINEAR or CANARY", d.Strategy)
			return
		}
		c.Strategy = st
	}
	minutes := func(m *int) *time.Duration {
		if m == nil {
			return nil
		}
		t := time.Duration(*m) * time.Minute
		return &t
	}
	c.BakeTime = minutes(d.BakeTimeInMinutes)
	if cc := d.CanaryConfiguration; cc != nil {
		c.CanaryPercent, c.CanaryBakeTime = cc.CanaryPercent, minutes(cc.CanaryBakeTimeInMinutes)
	}
	if lc := d.LinearConfiguration; lc != nil {
		c.LinearStepPercent, c.LinearStepBakeTime = lc.StepPercent, minutes(lc.StepBakeTimeInMinutes)
	}
	for i, h := range d.LifecycleHooks {
		at := fmt.Sprintf("deployment.lifecycleHooks[%d]", i)
		if len(h.LifecycleStages) == 0 {
			v.add(at+".lifecycleStages", "name at least one stage: %s", strings.Join(cfnHookStages, ", "))
		}
		for j, st := range h.LifecycleStages {
			if st == string(types.DeploymentLifecycleHookStagePreProductionTrafficShift) {
				v.add(fmt.Sprintf("%s.lifecycleStages[%d]", at, j), "CloudFormation's AWS::ECS::Service does not take this stage (its stages: %s); set such a hook with a deploy's %s, which ECS takes through UpdateService",
					strings.Join(cfnHookStages, ", "), bluegreen.FieldLifecycleHooks)
				continue
			}
			c.LambdaHooks = append(c.LambdaHooks, bluegreen.LifecycleHook{Stage: types.DeploymentLifecycleHookStage(st), Function: h.HookTargetArn})
		}
		if h.RoleArn == "" {
			v.add(at+".roleArn", "required: the IAM role ECS invokes the function with")
		} else if c.LifecycleHookRole == "" {
			c.LifecycleHookRole = h.RoleArn
		}
		if h.RoleArn != "" && h.RoleArn != c.LifecycleHookRole {
			v.report(bluegreen.StrategyChange{LifecycleHookRole: h.RoleArn}.Check(), func(string) string { return at + ".roleArn" })
		}
	}
	svc := types.Service{ServiceName: aws.String(s.Name)}
	hasAdvanced := false
	for i, lb := range s.LoadBalancers {
		l := types.LoadBalancer{TargetGroupArn: aws.String(lb.TargetGroupArn), ContainerName: aws.String(lb.ContainerName), ContainerPort: aws.Int32(int32(lb.ContainerPort))}
		if a := lb.AdvancedConfiguration; a != nil {
			hasAdvanced = true
			l.AdvancedConfiguration = &types.AdvancedConfiguration{AlternateTargetGroupArn: aws.String(a.AlternateTargetGroupArn),
				ProductionListenerRule: aws.String(a.ProductionListenerRule), TestListenerRule: optional(a.TestListenerRule), RoleArn: optional(a.RoleArn)}
			at := fmt.Sprintf("loadBalancers[%d].advancedConfiguration.", i)
			if a.AlternateTargetGroupArn == "" {
				v.add(at+"alternateTargetGroupArn", "required: the second target group, where the new revision starts")
			}
			// The ARNs' forms, by the same rules as deploy's flags.
			v.report(bluegreen.StrategyChange{AlternateTargetGroup: a.AlternateTargetGroupArn, ProductionListenerRule: a.ProductionListenerRule,
				TestListenerRule: a.TestListenerRule, LoadBalancerRole: a.RoleArn}.Check(), func(f string) string { return at + advancedField[f] })
		}
		svc.LoadBalancers = append(svc.LoadBalancers, l)
	}
	if c.IsEmpty() {
		return
	}
	if c.Strategy.Native() && !hasAdvanced && len(s.LoadBalancers) > 0 {
		v.add("loadBalancers", "the %s strategy needs each load balancer's advancedConfiguration: alternateTargetGroupArn and productionListenerRule", d.Strategy)
		return
	}
	v.report(c.Apply(svc, &ecs.UpdateServiceInput{}), func(f string) string {
		if p, ok := strategyField[f]; ok {
			return p
		}
		return "loadBalancers"
	})
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// strategyField is the spec path of each StrategyChange field.
var strategyField = map[string]string{
	bluegreen.FieldStrategy: "deployment.strategy", bluegreen.FieldBakeTime: "deployment.bakeTimeInMinutes",
	bluegreen.FieldCanaryPercent: "deployment.canaryConfiguration.canaryPercent", bluegreen.FieldCanaryBakeTime: "deployment.canaryConfiguration.canaryBakeTimeInMinutes",
	bluegreen.FieldLinearStepPercent: "deployment.linearConfiguration.stepPercent", bluegreen.FieldLinearStepBakeTime: "deployment.linearConfiguration.stepBakeTimeInMinutes",
	bluegreen.FieldLifecycleHooks: "deployment.lifecycleHooks", bluegreen.FieldLifecycleHookRole: "deployment.lifecycleHooks",
}

// advancedField is the advancedConfiguration member of each StrategyChange field.
var advancedField = map[string]string{
	bluegreen.FieldAlternateTargetGroup: "alternateTargetGroupArn", bluegreen.FieldProductionListenerRule: "productionListenerRule",
	bluegreen.FieldTestListenerRule: "testListenerRule", bluegreen.FieldLoadBalancerRole: "roleArn",
}

// report adds problems found by bluegreen's rules under the spec's paths,
// one per path.
func (v *validator) report(ps exitcode.Problems, path func(field string) string) {
	for _, p := range ps {
		at := path(p.Field)
		if slices.ContainsFunc(v.problems, func(q exitcode.Problem) bool { return q.Field == at }) {
			continue
		}
		v.add(at, "%s", p.Message)
	}
}
