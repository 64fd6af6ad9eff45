package emulator

import (
	"encoding/json"
	"regexp"
	"slices"
	"sync"
)

// ECS-native deployment strategies: deploymentConfiguration.strategy
// BLUE_GREEN, LINEAR or CANARY with bakeTimeInMinutes, the linear and canary
// settings and lifecycleHooks (see service_bluegreen.go for how they run).

// nativeStrategyIn is the strategy part of deploymentConfiguration as sent.
type nativeStrategyIn struct {
	Strategy            *string         `json:"strategy"`
	BakeTimeInMinutes   *int            `json:"bakeTimeInMinutes"`
	LifecycleHooks      []lifecycleHook `json:"lifecycleHooks"`
	LinearConfiguration *struct {
		StepPercent           *float64 `json:"stepPercent"`
		StepBakeTimeInMinutes *int     `json:"stepBakeTimeInMinutes"`
	} `json:"linearConfiguration"`
	CanaryConfiguration *struct {
		CanaryPercent           *float64 `json:"canaryPercent"`
		CanaryBakeTimeInMinutes *int     `json:"canaryBakeTimeInMinutes"`
	} `json:"canaryConfiguration"`
}

// lifecycleHook is one deploymentConfiguration.lifecycleHooks entry.
type lifecycleHook struct {
	TargetType           string          `json:"targetType,omitempty"`
	HookTargetArn        string          `json:"hookTargetArn,omitempty"`
	RoleArn              string          `json:"roleArn,omitempty"`
	LifecycleStages      []string        `json:"lifecycleStages"`
	HookDetails          json.RawMessage `json:"hookDetails,omitempty"`
	TimeoutConfiguration *hookTimeout    `json:"timeoutConfiguration,omitempty"`
}

// hookTimeout is a lifecycle hook's timeoutConfiguration.
type hookTimeout struct {
	TimeoutInMinutes *int   `json:"timeoutInMinutes,omitempty"`
	Action           string `json:"action,omitempty"`
}

// nativeStrategy is the strategy part of a service's deployment configuration.
type nativeStrategy struct {
	Strategy       string          `json:"strategy,omitempty"` // "" is ROLLING
	BakeMinutes    *int            `json:"bakeMinutes,omitempty"`
	Hooks          []lifecycleHook `json:"hooks,omitempty"`
	StepPercent    float64         `json:"stepPercent,omitempty"`
	StepBake       int             `json:"stepBake,omitempty"`
	CanaryPercent  float64         `json:"canaryPercent,omitempty"`
	CanaryBake     int             `json:"canaryBake,omitempty"`
	ExplicitRoll   bool            `json:"explicitRolling,omitempty"` // strategy ROLLING was given
	LinearExplicit bool            `json:"linearExplicit,omitempty"`
	CanaryExplicit bool            `json:"canaryExplicit,omitempty"`
}

type nativeStrategyOut struct {
	Strategy            string          `json:"strategy,omitempty"`
	BakeTimeInMinutes   *int            `json:"bakeTimeInMinutes,omitempty"`
	LifecycleHooks      []lifecycleHook `json:"lifecycleHooks,omitempty"`
	LinearConfiguration *struct {
		StepPercent           float64 `json:"stepPercent"`
		StepBakeTimeInMinutes int     `json:"stepBakeTimeInMinutes"`
	} `json:"linearConfiguration,omitempty"`
	CanaryConfiguration *struct {
		CanaryPercent           float64 `json:"canaryPercent"`
		CanaryBakeTimeInMinutes int     `json:"canaryBakeTimeInMinutes"`
	} `json:"canaryConfiguration,omitempty"`
}

// native reports whether deployments run ECS's blue/green machinery.
func (n nativeStrategy) native() bool {
	return n.Strategy == "BLUE_GREEN" || n.Strategy == "LINEAR" || n.Strategy == "CANARY"
}

func (n nativeStrategy) bakeTime() int {
	if n.BakeMinutes == nil {
		return 0
	}
	return *n.BakeMinutes
}

func (n nativeStrategy) output() nativeStrategyOut {
	o := nativeStrategyOut{LifecycleHooks: n.Hooks}
	if n.Strategy != "" || n.ExplicitRoll {
		o.Strategy = n.Strategy
		if o.Strategy == "" {
			o.Strategy = "ROLLING"
		}
	}
	if n.native() || n.BakeMinutes != nil { // as given, whatever the strategy
		b := n.bakeTime()
		o.BakeTimeInMinutes = &b
	}
	if n.LinearExplicit {
		o.LinearConfiguration = &struct {
			StepPercent           float64 `json:"stepPercent"`
			StepBakeTimeInMinutes int     `json:"stepBakeTimeInMinutes"`
		}{n.StepPercent, n.StepBake}
	}
	if n.CanaryExplicit {
		o.CanaryConfiguration = &struct {
			CanaryPercent           float64 `json:"canaryPercent"`
			CanaryBakeTimeInMinutes int     `json:"canaryBakeTimeInMinutes"`
		}{n.CanaryPercent, n.CanaryBake}
	}
	return o
}

var (
	lambdaARN = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$`)
	})
	roleARN = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`) })
)

// hookStages are the stages a lifecycle hook can run at.
var hookStages = []string{"RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT",
	"POST_TEST_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT"}

// applyNativeStrategy validates and applies the strategy members.
func applyNativeStrategy(cfg *deploymentConfiguration, in *nativeStrategyIn) error {
	n := cfg.nativeStrategy
	if in.Strategy != nil {
		switch *in.Strategy {
		case "ROLLING":
			n.Strategy, n.ExplicitRoll = "", true
		case "BLUE_GREEN", "LINEAR", "CANARY":
			n.Strategy = *in.Strategy
		default:
			return invalidParameter("deploymentConfiguration.strategy %q is not valid: use ROLLING, BLUE_GREEN, LINEAR or CANARY.", *in.Strategy)
		}
	}
	if in.BakeTimeInMinutes != nil {
		if err := checkBakeMinutes("bakeTimeInMinutes", *in.BakeTimeInMinutes); err != nil {
			return err
		}
		b := *in.BakeTimeInMinutes
		n.BakeMinutes = &b
	}
	if in.LifecycleHooks != nil {
		for i, h := range in.LifecycleHooks {
			if err := checkLifecycleHook(i, h); err != nil {
				return err
			}
		}
		n.Hooks = in.LifecycleHooks
	}
	if lc := in.LinearConfiguration; lc != nil {
		if err := checkShift("linearConfiguration.stepPercent", lc.StepPercent, 3,
			"linearConfiguration.stepBakeTimeInMinutes", lc.StepBakeTimeInMinutes); err != nil {
			return err
		}
		n.StepPercent, n.LinearExplicit = *lc.StepPercent, true
		if lc.StepBakeTimeInMinutes != nil {
			n.StepBake = *lc.StepBakeTimeInMinutes
		}
	}
	if cc := in.CanaryConfiguration; cc != nil {
		if err := checkShift("canaryConfiguration.canaryPercent", cc.CanaryPercent, 0.1,
			"canaryConfiguration.canaryBakeTimeInMinutes", cc.CanaryBakeTimeInMinutes); err != nil {
			return err
		}
		n.CanaryPercent, n.CanaryExplicit = *cc.CanaryPercent, true
		if cc.CanaryBakeTimeInMinutes != nil {
			n.CanaryBake = *cc.CanaryBakeTimeInMinutes
		}
	}
	if n.Strategy == "LINEAR" && !n.LinearExplicit {
		return invalidParameter("linearConfiguration is required when the deployment strategy is LINEAR.")
	}
	if n.Strategy == "CANARY" && !n.CanaryExplicit {
		return invalidParameter("canaryConfiguration is required when the deployment strategy is CANARY.")
	}
	cfg.nativeStrategy = n
	return nil
}

// checkBakeMinutes checks a bake time, 0 to 1440 minutes; field names it
// in the error.
func checkBakeMinutes(field string, minutes int) error {
	if minutes < 0 || minutes > 1440 {
		return invalidParameter("%s must be between 0 and 1440.", field)
	}
	return nil
}

// checkShift checks a linear or canary configuration: its percentage is
// required, from lowest to 100; its bake time is optional.
func checkShift(percentField string, percent *float64, lowest float64, bakeField string, bake *int) error {
	if percent == nil || *percent < lowest || *percent > 100 {
		return invalidParameter("%s must be between %.1f and 100.0.", percentField, lowest)
	}
	if bake != nil {
		return checkBakeMinutes(bakeField, *bake)
	}
	return nil
}

func checkLifecycleHook(i int, h lifecycleHook) error {
	at := func(format string, args ...any) error {
		return invalidParameter("deploymentConfiguration.lifecycleHooks[%d]: "+format, append([]any{i}, args...)...)
	}
	switch h.TargetType {
	case "", "AWS_LAMBDA":
		if !lambdaARN().MatchString(h.HookTargetArn) {
			return at("hookTargetArn %q is not a valid Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME).", h.HookTargetArn)
		}
		if !roleARN().MatchString(h.RoleArn) {
			return at("roleArn %q is not a valid IAM role ARN; ECS needs a role to invoke the function.", h.RoleArn)
		}
	case "PAUSE":
		if h.HookTargetArn != "" {
			return at("a PAUSE hook takes no hookTargetArn.")
		}
	default:
		return at("targetType %q is not valid: use AWS_LAMBDA or PAUSE.", h.TargetType)
	}
	if len(h.LifecycleStages) == 0 {
		return at("lifecycleStages must name at least one stage.")
	}
	for _, st := range h.LifecycleStages {
		if !slices.Contains(hookStages, st) {
			return at("lifecycle stage %q is not valid.", st)
		}
	}
	if tc := h.TimeoutConfiguration; tc != nil {
		if tc.Action != "" && tc.Action != "ROLLBACK" && tc.Action != "CONTINUE" {
			return at("timeoutConfiguration.action %q: use ROLLBACK or CONTINUE.", tc.Action)
		}
		if tc.TimeoutInMinutes != nil && (*tc.TimeoutInMinutes < 1 || *tc.TimeoutInMinutes > 1440) {
			return at("timeoutConfiguration.timeoutInMinutes must be between 1 and 1440.")
		}
	}
	return nil
}
