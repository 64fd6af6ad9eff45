package bluegreen

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// StrategyChange changes a service's ECS deployment strategy and its
// settings: deploy's --strategy flags and the deploy spec's keys of the same
// names. A nil or empty member leaves the service's value as it is.
// Problems name the members by the spec's keys (the Field constants), which
// a command renames after its flags.
type StrategyChange struct {
	Strategy             Strategy // "" keeps the service's
	BakeTime             *time.Duration
	CanaryPercent        *float64
	CanaryBakeTime       *time.Duration
	LinearStepPercent    *float64
	LinearStepBakeTime   *time.Duration
	AlternateTargetGroup string
	// ProductionListenerRule and TestListenerRule are listener rule ARNs (a
	// listener ARN for a Network Load Balancer).
	ProductionListenerRule string
	TestListenerRule       string
	// LoadBalancerRole is advancedConfiguration.roleArn, the role ECS uses
	// to change the listener rules; empty keeps the service's.
	LoadBalancerRole string
	// LambdaHooks, when not nil, replace the service's AWS_LAMBDA lifecycle
	// hooks; PauseAt, when not nil, replaces its PAUSE hooks.
	LambdaHooks []LifecycleHook
	PauseAt     []types.DeploymentLifecycleHookStage
	// LifecycleHookRole is the role ECS invokes the Lambda hooks with;
	// empty takes the role of a Lambda hook the service already has.
	LifecycleHookRole string
	// Origins names, for a service whose traffic CodeDeploy shifts, where
	// to give CodeDeployRequest's DeploymentGroup, Config and Hooks instead
	// (fields "deploymentGroup", "deploymentConfig" and "hooks"); a field
	// it does not hold is named as the field.
	Origins exitcode.Origins
}

// Field names of a StrategyChange in problems: the deploy spec's keys.
const (
	FieldStrategy               = "strategy"
	FieldBakeTime               = "bakeTime"
	FieldCanaryPercent          = "canaryPercent"
	FieldCanaryBakeTime         = "canaryBakeTime"
	FieldLinearStepPercent      = "linearStepPercent"
	FieldLinearStepBakeTime     = "linearStepBakeTime"
	FieldAlternateTargetGroup   = "alternateTargetGroup"
	FieldProductionListenerRule = "productionListenerRule"
	FieldTestListenerRule       = "testListenerRule"
	FieldLoadBalancerRole       = "loadBalancerRole"
	FieldLifecycleHooks         = "lifecycleHooks"
	FieldPauseAt                = "pauseAt"
	FieldLifecycleHookRole      = "lifecycleHookRole"
)

// LifecycleHook is a Lambda function ECS invokes at a lifecycle stage.
type LifecycleHook struct {
	Stage    types.DeploymentLifecycleHookStage
	Function string // the function's ARN
}

// ECS's limits (botocore's ecs model: CanaryConfiguration, LinearConfiguration,
// DeploymentConfiguration.bakeTimeInMinutes).
const (
	MaxBakeTime          = 1440 * time.Minute
	MinCanaryPercent     = 0.1
	MinLinearStepPercent = 3.0
)

var (
	lambdaFunctionARN = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$`)
	})
	iamRoleARN = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`) })
	elbRuleARN = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener(-rule)?/(app|net)/[^/]+/[0-9a-f]+/[0-9a-f]+(/[0-9a-f]+)?$`)
	})
	targetGroupARN = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/[^/]+/[0-9a-f]+$`)
	})
)

// ParseStrategy reads a strategy as deploy's --strategy takes it: rolling,
// blue-green, linear or canary (ECS's ROLLING, BLUE_GREEN, LINEAR and
// CANARY are taken too).
func ParseStrategy(s string) (Strategy, error) {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", "-")) {
	case "rolling":
		return Rolling, nil
	case "blue-green", "bluegreen":
		return BlueGreen, nil
	case "linear":
		return Linear, nil
	case "canary":
		return Canary, nil
	}
	return "", fmt.Errorf("%q is not a strategy: use rolling, blue-green, linear or canary", s)
}

// ECS is the deploymentConfiguration.strategy of s (ROLLING for any
// strategy that is not one of ECS's own).
func (s Strategy) ECS() types.DeploymentStrategy {
	switch s {
	case BlueGreen:
		return types.DeploymentStrategyBlueGreen
	case Linear:
		return types.DeploymentStrategyLinear
	case Canary:
		return types.DeploymentStrategyCanary
	}
	return types.DeploymentStrategyRolling
}

// Native reports whether s is one of ECS's own traffic-shifting strategies.
func (s Strategy) Native() bool { return s == BlueGreen || s == Linear || s == Canary }

// ParseLifecycleHook reads STAGE=FUNCTION_ARN (deploy's --lifecycle-hook).
func ParseLifecycleHook(s string) (LifecycleHook, error) {
	stage, fn, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(stage) == "" || strings.TrimSpace(fn) == "" {
		return LifecycleHook{}, fmt.Errorf("%q: expected STAGE=FUNCTION_ARN, e.g. POST_TEST_TRAFFIC_SHIFT=arn:aws:lambda:us-east-1:123456789012:function:smoke-test", s)
	}
	return LifecycleHook{Stage: types.DeploymentLifecycleHookStage(strings.ToUpper(strings.TrimSpace(stage))), Function: strings.TrimSpace(fn)}, nil
}

// IsEmpty reports whether c changes nothing.
func (c StrategyChange) IsEmpty() bool {
	return c.Strategy == "" && c.BakeTime == nil && c.CanaryPercent == nil && c.CanaryBakeTime == nil &&
		c.LinearStepPercent == nil && c.LinearStepBakeTime == nil && c.AlternateTargetGroup == "" &&
		c.ProductionListenerRule == "" && c.TestListenerRule == "" && c.LoadBalancerRole == "" &&
		c.LambdaHooks == nil && c.PauseAt == nil && c.LifecycleHookRole == ""
}

// given lists the fields c sets, in a fixed order.
func (c StrategyChange) given() []string {
	var out []string
	add := func(ok bool, f string) {
		if ok {
			out = append(out, f)
		}
	}
	add(c.Strategy != "", FieldStrategy)
	add(c.BakeTime != nil, FieldBakeTime)
	add(c.CanaryPercent != nil, FieldCanaryPercent)
	add(c.CanaryBakeTime != nil, FieldCanaryBakeTime)
	add(c.LinearStepPercent != nil, FieldLinearStepPercent)
	add(c.LinearStepBakeTime != nil, FieldLinearStepBakeTime)
	add(c.AlternateTargetGroup != "", FieldAlternateTargetGroup)
	add(c.ProductionListenerRule != "", FieldProductionListenerRule)
	add(c.TestListenerRule != "", FieldTestListenerRule)
	add(c.LoadBalancerRole != "", FieldLoadBalancerRole)
	add(c.LambdaHooks != nil, FieldLifecycleHooks)
	add(c.PauseAt != nil, FieldPauseAt)
	add(c.LifecycleHookRole != "", FieldLifecycleHookRole)
	return out
}

// Check applies the rules that need no service: ranges, stage names, ARNs,
// and settings that belong to another strategy than the one given.
func (c StrategyChange) Check() exitcode.Problems {
	var ps exitcode.Problems
	minutes := func(field string, d *time.Duration) {
		switch {
		case d == nil:
		case *d < 0 || *d > MaxBakeTime:
			ps.Add(field, 0, "%s is outside 0 to 24h (ECS takes at most 1440 minutes)", *d)
		case *d%time.Minute != 0:
			ps.Add(field, 0, "ECS counts it in whole minutes; %s is not (write 5m, 90m, 2h)", *d)
		}
	}
	minutes(FieldBakeTime, c.BakeTime)
	minutes(FieldCanaryBakeTime, c.CanaryBakeTime)
	minutes(FieldLinearStepBakeTime, c.LinearStepBakeTime)
	percent := func(field string, p *float64, lo float64) {
		switch {
		case p == nil:
		case math.IsNaN(*p) || *p < lo || *p > 100:
			ps.Add(field, 0, "%g is outside %g to 100 (percent of production traffic)", *p, lo)
		case math.Abs(*p*10-math.Round(*p*10)) > 1e-9:
			ps.Add(field, 0, "%g is not a multiple of 0.1, which ECS requires", *p)
		}
	}
	percent(FieldCanaryPercent, c.CanaryPercent, MinCanaryPercent)
	percent(FieldLinearStepPercent, c.LinearStepPercent, MinLinearStepPercent)
	if c.Strategy != "" {
		for _, f := range c.misplacedFor(c.Strategy) {
			ps.Add(f, 0, "belongs to the %s strategy, but the strategy is %s", ownerOf(f), c.Strategy)
		}
	}
	for i, h := range c.LambdaHooks {
		if !slices.Contains(types.DeploymentLifecycleHookStage("").Values(), h.Stage) {
			ps.Add(FieldLifecycleHooks, 0, "%q is not a lifecycle stage; stages: %s", h.Stage, stageList(nil))
		}
		if !lambdaFunctionARN().MatchString(h.Function) {
			ps.Add(FieldLifecycleHooks, 0, "hook %d (%s): %q is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)", i+1, h.Stage, h.Function)
		}
	}
	for _, st := range c.PauseAt {
		switch {
		case !slices.Contains(types.DeploymentLifecycleHookStage("").Values(), st):
			ps.Add(FieldPauseAt, 0, "%q is not a lifecycle stage; a deployment can pause at %s", st, stageList(pauseless))
		case slices.Contains(pauseless, st):
			ps.Add(FieldPauseAt, 0, "ECS cannot pause at %s (it shifts traffic then); pause at %s", st, stageList(pauseless))
		}
	}
	if r := c.LifecycleHookRole; r != "" && !iamRoleARN().MatchString(r) {
		ps.Add(FieldLifecycleHookRole, 0, "%q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", r)
	}
	if r := c.LoadBalancerRole; r != "" && !iamRoleARN().MatchString(r) {
		ps.Add(FieldLoadBalancerRole, 0, "%q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", r)
	}
	if tg := c.AlternateTargetGroup; tg != "" && !targetGroupARN().MatchString(tg) {
		ps.Add(FieldAlternateTargetGroup, 0, "%q is not a target group ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID)", tg)
	}
	for _, r := range []struct{ field, arn string }{{FieldProductionListenerRule, c.ProductionListenerRule}, {FieldTestListenerRule, c.TestListenerRule}} {
		if r.arn != "" && !elbRuleARN().MatchString(r.arn) {
			ps.Add(r.field, 0, "%q is not a listener rule ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener-rule/app/…), or a listener ARN for a Network Load Balancer", r.arn)
		}
	}
	return ps
}

// pauseless are the stages a PAUSE hook cannot be configured at.
var pauseless = []types.DeploymentLifecycleHookStage{
	types.DeploymentLifecycleHookStageTestTrafficShift, types.DeploymentLifecycleHookStageProductionTrafficShift,
}

// stageList lists the hook stages, leaving out those in except.
func stageList(except []types.DeploymentLifecycleHookStage) string {
	var out []string
	for _, s := range types.DeploymentLifecycleHookStage("").Values() {
		if !slices.Contains(except, s) {
			out = append(out, string(s))
		}
	}
	return strings.Join(out, ", ")
}

// misplacedFor lists the settings c gives that deployments of strategy s do not use.
func (c StrategyChange) misplacedFor(s Strategy) []string {
	var out []string
	if s != Canary {
		if c.CanaryPercent != nil {
			out = append(out, FieldCanaryPercent)
		}
		if c.CanaryBakeTime != nil {
			out = append(out, FieldCanaryBakeTime)
		}
	}
	if s != Linear {
		if c.LinearStepPercent != nil {
			out = append(out, FieldLinearStepPercent)
		}
		if c.LinearStepBakeTime != nil {
			out = append(out, FieldLinearStepBakeTime)
		}
	}
	if !s.Native() {
		if c.BakeTime != nil {
			out = append(out, FieldBakeTime)
		}
		if c.LambdaHooks != nil {
			out = append(out, FieldLifecycleHooks)
		}
		if c.PauseAt != nil {
			out = append(out, FieldPauseAt)
		}
	}
	return out
}

func ownerOf(field string) string {
	switch field {
	case FieldCanaryPercent, FieldCanaryBakeTime:
		return "canary"
	case FieldLinearStepPercent, FieldLinearStepBakeTime:
		return "linear"
	}
	return "blue-green, linear and canary"
}

// Apply checks c against the service as it is and writes what changes into
// in: deploymentConfiguration's strategy, bakeTimeInMinutes,
// canaryConfiguration, linearConfiguration and lifecycleHooks, and the
// advancedConfiguration of the service's load balancer. Members of in's
// deploymentConfiguration that c does not set are left as they are (a
// spec's service: mapping may have given them). The rules of Check apply
// too, so a caller that did not call Check gets every problem here.
func (c StrategyChange) Apply(svc types.Service, in *ecs.UpdateServiceInput) exitcode.Problems {
	ps := c.Check()
	if c.IsEmpty() {
		return ps
	}
	name := aws.ToString(svc.ServiceName)
	if dc := svc.DeploymentController; dc != nil && dc.Type != "" && dc.Type != types.DeploymentControllerTypeEcs {
		field := c.given()[0]
		how := fmt.Sprintf("its traffic is shifted by CodeDeploy: use %s, %s and %s",
			c.Origins.Of("deploymentGroup").Name(), c.Origins.Of("deploymentConfig").Name(), c.Origins.Of("hooks").Name())
		if dc.Type == types.DeploymentControllerTypeExternal {
			how = "its deployments are made by another tool with task sets"
		}
		ps.Add(field, 0, "service %s uses the %s deployment controller, which cannot run ECS's rolling, blue-green, linear or canary strategies (%s); only a service created with the ECS controller can", name, dc.Type, how)
		return ps
	}
	var cur types.DeploymentConfiguration
	if svc.DeploymentConfiguration != nil {
		cur = *svc.DeploymentConfiguration
	}
	strategy := c.Strategy
	if strategy == "" {
		strategy = StrategyOf(svc)
		for _, f := range c.misplacedFor(strategy) {
			ps.Add(f, 0, "belongs to the %s strategy, but service %s deploys with %s: give the strategy too", ownerOf(f), name, strategy)
		}
	}
	if in.DeploymentConfiguration == nil {
		in.DeploymentConfiguration = &types.DeploymentConfiguration{}
	}
	dc := in.DeploymentConfiguration
	if c.Strategy != "" {
		dc.Strategy = c.Strategy.ECS()
	}
	if c.BakeTime != nil {
		dc.BakeTimeInMinutes = aws.Int32(int32(*c.BakeTime / time.Minute))
	} else if c.Strategy == BlueGreen && StrategyOf(svc) != BlueGreen && cur.BakeTimeInMinutes == nil && dc.BakeTimeInMinutes == nil {
		ps.Add(FieldBakeTime, 0, "required: service %s has no bake time, and ECS needs one for blue-green (0 cleans up as soon as traffic has shifted)", name)
	}
	if strategy == Canary && (c.CanaryPercent != nil || c.CanaryBakeTime != nil || (cur.CanaryConfiguration == nil && dc.CanaryConfiguration == nil)) {
		// ECS's documented defaults fill what neither c nor the service gives.
		cc := types.CanaryConfiguration{CanaryPercent: aws.Float64(5), CanaryBakeTimeInMinutes: aws.Int32(10)}
		if cur.CanaryConfiguration != nil {
			cc = *cur.CanaryConfiguration
		}
		if c.CanaryPercent != nil {
			cc.CanaryPercent = c.CanaryPercent
		}
		if c.CanaryBakeTime != nil {
			cc.CanaryBakeTimeInMinutes = aws.Int32(int32(*c.CanaryBakeTime / time.Minute))
		}
		dc.CanaryConfiguration = &cc
	}
	if strategy == Linear && (c.LinearStepPercent != nil || c.LinearStepBakeTime != nil || (cur.LinearConfiguration == nil && dc.LinearConfiguration == nil)) {
		lc := types.LinearConfiguration{StepPercent: aws.Float64(10), StepBakeTimeInMinutes: aws.Int32(6)}
		if cur.LinearConfiguration != nil {
			lc = *cur.LinearConfiguration
		}
		if c.LinearStepPercent != nil {
			lc.StepPercent = c.LinearStepPercent
		}
		if c.LinearStepBakeTime != nil {
			lc.StepBakeTimeInMinutes = aws.Int32(int32(*c.LinearStepBakeTime / time.Minute))
		}
		dc.LinearConfiguration = &lc
	}
	if c.LambdaHooks != nil || c.PauseAt != nil {
		hooks, hps := c.hooks(cur.LifecycleHooks, name)
		ps = append(ps, hps...)
		dc.LifecycleHooks = hooks
	}
	if strategy.Native() || c.AlternateTargetGroup != "" || c.ProductionListenerRule != "" || c.TestListenerRule != "" || c.LoadBalancerRole != "" {
		lbs, lps := c.loadBalancers(svc, strategy)
		ps = append(ps, lps...)
		if lbs != nil {
			in.LoadBalancers = lbs
		}
	}
	if reflect.ValueOf(*dc).IsZero() {
		in.DeploymentConfiguration = nil
	}
	return ps
}

// hooks builds the lifecycle hooks: the service's, with its Lambda hooks
// replaced when c gives them and its PAUSE hooks replaced when c gives
// pause stages. Lambda hooks of one function share one entry.
func (c StrategyChange) hooks(cur []types.DeploymentLifecycleHook, service string) ([]types.DeploymentLifecycleHook, exitcode.Problems) {
	var ps exitcode.Problems
	role := c.LifecycleHookRole
	out := []types.DeploymentLifecycleHook{}
	for _, h := range cur {
		pause := h.TargetType == types.DeploymentLifecycleHookTargetTypePause
		if role == "" && !pause {
			role = aws.ToString(h.RoleArn)
		}
		if (pause && c.PauseAt != nil) || (!pause && c.LambdaHooks != nil) {
			continue
		}
		out = append(out, h)
	}
	for _, h := range c.LambdaHooks {
		i := slices.IndexFunc(out, func(x types.DeploymentLifecycleHook) bool {
			return x.TargetType != types.DeploymentLifecycleHookTargetTypePause && aws.ToString(x.HookTargetArn) == h.Function
		})
		if i < 0 {
			out = append(out, types.DeploymentLifecycleHook{TargetType: types.DeploymentLifecycleHookTargetTypeAwsLambda,
				HookTargetArn: aws.String(h.Function), RoleArn: aws.String(role)})
			i = len(out) - 1
		}
		if !slices.Contains(out[i].LifecycleStages, h.Stage) {
			out[i].LifecycleStages = append(out[i].LifecycleStages, h.Stage)
		}
	}
	if len(c.LambdaHooks) > 0 && role == "" {
		ps.Add(FieldLifecycleHookRole, 0, "required with a Lambda lifecycle hook: the IAM role ECS invokes the function with (service %s has no Lambda hook whose role could be reused)", service)
	}
	if len(c.PauseAt) > 0 {
		var stages []types.DeploymentLifecycleHookStage
		for _, s := range c.PauseAt {
			if !slices.Contains(stages, s) {
				stages = append(stages, s)
			}
		}
		out = append(out, types.DeploymentLifecycleHook{TargetType: types.DeploymentLifecycleHookTargetTypePause, LifecycleStages: stages})
	}
	return out, ps
}

// loadBalancers returns the service's load balancers with c's advanced
// configuration, or nil when nothing changes; a native strategy needs one
// load balancer with a target group and an advanced configuration.
func (c StrategyChange) loadBalancers(svc types.Service, strategy Strategy) ([]types.LoadBalancer, exitcode.Problems) {
	var ps exitcode.Problems
	name := aws.ToString(svc.ServiceName)
	var idx []int
	for i, lb := range svc.LoadBalancers {
		if aws.ToString(lb.TargetGroupArn) != "" {
			idx = append(idx, i)
		}
	}
	field := FieldStrategy
	if c.Strategy == "" {
		field = c.given()[0]
	}
	switch {
	case len(idx) == 0:
		ps.Add(field, 0, "service %s has no load balancer with a target group; ECS's blue-green, linear and canary strategies shift traffic between two target groups behind one (create the service with a load balancer)", name)
		return nil, ps
	case len(idx) > 1 && (c.AlternateTargetGroup != "" || c.ProductionListenerRule != "" || c.TestListenerRule != "" || c.LoadBalancerRole != ""):
		ps.Add(field, 0, "service %s has %d load balancers with target groups; give each one's advancedConfiguration in the spec's service: mapping (loadBalancers) instead", name, len(idx))
		return nil, ps
	}
	lbs := slices.Clone(svc.LoadBalancers)
	changed := false
	for _, i := range idx {
		lb := lbs[i]
		var adv types.AdvancedConfiguration
		if lb.AdvancedConfiguration != nil {
			adv = *lb.AdvancedConfiguration
		}
		next := adv
		set := func(dst **string, v string) {
			if v != "" && aws.ToString(*dst) != v {
				*dst, changed = aws.String(v), true
			}
		}
		set(&next.AlternateTargetGroupArn, c.AlternateTargetGroup)
		set(&next.ProductionListenerRule, c.ProductionListenerRule)
		set(&next.TestListenerRule, c.TestListenerRule)
		set(&next.RoleArn, c.LoadBalancerRole)
		prod := aws.ToString(lb.TargetGroupArn)
		switch {
		case aws.ToString(next.AlternateTargetGroupArn) == prod:
			// Also when the service has it so: the fix is the right one.
			ps.Add(FieldAlternateTargetGroup, 0, "%s is the production target group of service %s (loadBalancers[%d].targetGroupArn); the alternate target group is the other one of the pair, where the new revision starts", prod, name, i)
		case strategy.Native() && aws.ToString(next.AlternateTargetGroupArn) == "":
			ps.Add(FieldAlternateTargetGroup, 0, "required: the load balancer of service %s (target group %s) has no advanced configuration; give the alternate target group and the production listener rule", name, prod)
		case strategy.Native() && aws.ToString(next.ProductionListenerRule) == "":
			ps.Add(FieldProductionListenerRule, 0, "required: the load balancer of service %s (target group %s) has no production listener rule; give the rule (or, for a Network Load Balancer, the listener) that forwards production traffic", name, prod)
		}
		if next.TestListenerRule != nil && aws.ToString(next.TestListenerRule) == aws.ToString(next.ProductionListenerRule) {
			ps.Add(FieldTestListenerRule, 0, "is the production listener rule; test traffic needs a rule of its own (or leave it out)")
		}
		lbs[i].AdvancedConfiguration = &next
	}
	if !changed {
		return nil, ps
	}
	return lbs, ps
}

// StrategyAfter is the strategy the service deploys with once in is
// applied: in's deploymentConfiguration.strategy when it sets one, else the
// service's own.
func StrategyAfter(svc types.Service, in *ecs.UpdateServiceInput) Strategy {
	if in == nil || in.DeploymentConfiguration == nil || in.DeploymentConfiguration.Strategy == "" {
		return StrategyOf(svc)
	}
	next := svc
	dc := types.DeploymentConfiguration{}
	if svc.DeploymentConfiguration != nil {
		dc = *svc.DeploymentConfiguration
	}
	dc.Strategy = in.DeploymentConfiguration.Strategy
	next.DeploymentConfiguration = &dc
	return StrategyOf(next)
}
