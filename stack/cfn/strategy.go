package cfn

import "github.com/ecsdeploy/ecsdeploy/stack"

// strategyOf writes the spec's ECS deployment strategy and its settings
// into the service's DeploymentConfiguration.
func strategyOf(s *stack.Spec, dc *DeploymentConfiguration) {
	d := s.Deployment
	dc.Strategy = d.EffectiveStrategy()
	dc.BakeTimeInMinutes = d.BakeTimeInMinutes
	if c := d.CanaryConfiguration; c != nil {
		dc.CanaryConfiguration = &CanaryConfiguration{CanaryPercent: c.CanaryPercent, CanaryBakeTimeInMinutes: c.CanaryBakeTimeInMinutes}
	}
	if l := d.LinearConfiguration; l != nil {
		dc.LinearConfiguration = &LinearConfiguration{StepPercent: l.StepPercent, StepBakeTimeInMinutes: l.StepBakeTimeInMinutes}
	}
	for _, h := range d.LifecycleHooks {
		dc.LifecycleHooks = append(dc.LifecycleHooks, LifecycleHook{HookTargetArn: h.HookTargetArn, RoleArn: h.RoleArn, LifecycleStages: h.LifecycleStages})
	}
}

// advancedOf is a load balancer's AdvancedConfiguration, or nil.
func advancedOf(lb stack.LoadBalancer) *AdvancedConfiguration {
	a := lb.AdvancedConfiguration
	if a == nil {
		return nil
	}
	return &AdvancedConfiguration{AlternateTargetGroupArn: a.AlternateTargetGroupArn, ProductionListenerRule: a.ProductionListenerRule,
		TestListenerRule: a.TestListenerRule, RoleArn: a.RoleArn}
}
