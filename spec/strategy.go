package spec

// Strategy holds the deploy spec's keys that choose ECS's deployment
// strategy and its settings (deploy's --strategy flags); Deploy embeds it.
// bluegreen.StrategyChange checks them; docs/spec.md documents each.
type Strategy struct {
	Strategy               *string   `yaml:"strategy"` // rolling | blue-green | linear | canary
	BakeTime               *Duration `yaml:"bakeTime"`
	CanaryPercent          *float64  `yaml:"canaryPercent"`
	CanaryBakeTime         *Duration `yaml:"canaryBakeTime"`
	LinearStepPercent      *float64  `yaml:"linearStepPercent"`
	LinearStepBakeTime     *Duration `yaml:"linearStepBakeTime"`
	AlternateTargetGroup   *string   `yaml:"alternateTargetGroup"`
	ProductionListenerRule *string   `yaml:"productionListenerRule"`
	TestListenerRule       *string   `yaml:"testListenerRule"`
	LoadBalancerRole       *string   `yaml:"loadBalancerRole"`
	// LifecycleHooks are STAGE=FUNCTION_ARN entries, as --lifecycle-hook.
	LifecycleHooks    []string `yaml:"lifecycleHooks"`
	LifecycleHookRole *string  `yaml:"lifecycleHookRole"`
	PauseAt           []string `yaml:"pauseAt"`
}
