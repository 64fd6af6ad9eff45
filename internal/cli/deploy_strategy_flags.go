package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/bluegreen"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/spec"
)

// strategyFlags choose ECS's deployment strategy (rolling, blue-green,
// linear, canary) and its settings; they win over the spec's keys of the
// same names. bluegreen.StrategyChange holds the rules.
type strategyFlags struct {
	strategy, bakeTime                    string
	canaryPercent, canaryBakeTime         string
	linearStepPercent, linearStepBakeTime string
	alternateTargetGroup                  string
	productionRule, testRule, lbRole      string
	hooks                                 []string
	hookRole                              string
	pauseAt                               []string
}

// strategyFlagOf names the flag of each StrategyChange field.
var strategyFlagOf = map[string]string{
	bluegreen.FieldStrategy: "strategy", bluegreen.FieldBakeTime: "bake-time",
	bluegreen.FieldCanaryPercent: "canary-percent", bluegreen.FieldCanaryBakeTime: "canary-bake-time",
	bluegreen.FieldLinearStepPercent: "linear-step-percent", bluegreen.FieldLinearStepBakeTime: "linear-step-bake-time",
	bluegreen.FieldAlternateTargetGroup: "alternate-target-group", bluegreen.FieldProductionListenerRule: "production-listener-rule",
	bluegreen.FieldTestListenerRule: "test-listener-rule", bluegreen.FieldLoadBalancerRole: "load-balancer-role",
	bluegreen.FieldLifecycleHooks: "lifecycle-hook", bluegreen.FieldLifecycleHookRole: "lifecycle-hook-role",
	bluegreen.FieldPauseAt: "pause-at",
}

func (f *strategyFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.strategy, "strategy", "", "set the service's ECS deployment strategy: rolling, blue-green, linear or canary")
	fs.StringVar(&f.bakeTime, "bake-time", "", "blue-green, linear, canary: how long both revisions run after production traffic has shifted (whole minutes, up to 24h)")
	fs.StringVar(&f.canaryPercent, "canary-percent", "", "canary: percent of production traffic shifted first (0.1 to 100, in steps of 0.1)")
	fs.StringVar(&f.canaryBakeTime, "canary-bake-time", "", "canary: how long to wait before shifting the rest (whole minutes, up to 24h)")
	fs.StringVar(&f.linearStepPercent, "linear-step-percent", "", "linear: percent of production traffic shifted each step (3 to 100, in steps of 0.1)")
	fs.StringVar(&f.linearStepBakeTime, "linear-step-bake-time", "", "linear: how long to wait between steps (whole minutes, up to 24h)")
	fs.StringVar(&f.alternateTargetGroup, "alternate-target-group", "", "blue-green, linear, canary: ARN of the second target group, where the new revision starts")
	fs.StringVar(&f.productionRule, "production-listener-rule", "", "ARN of the listener rule (a Network Load Balancer's listener) that carries production traffic")
	fs.StringVar(&f.testRule, "test-listener-rule", "", "ARN of the listener rule (or listener) that carries test traffic")
	fs.StringVar(&f.lbRole, "load-balancer-role", "", "IAM role ECS changes the listener rules with (advancedConfiguration.roleArn)")
	stringArrayVar(fs, &f.hooks, "lifecycle-hook", "Lambda hook: STAGE=FUNCTION_ARN (repeatable; replaces the service's Lambda hooks)")
	fs.StringVar(&f.hookRole, "lifecycle-hook-role", "", "IAM role ECS invokes the Lambda hooks with (default: that of a Lambda hook the service has)")
	stringArrayVar(fs, &f.pauseAt, "pause-at", "pause the deployment at this lifecycle stage until ecsdeploy promote resumes it (a PAUSE hook; repeatable; replaces the service's PAUSE hooks)")
}

// apply writes the flags over the spec's strategy keys, each recorded as
// the origin of its key, checks them (ECS's ranges and names need no AWS
// call) and, when they change anything, has the plan apply them to the
// service it reads. Problems name the flag, or the spec's key and line.
func (f *strategyFlags) apply(x *expander, d *spec.Deploy, req *rollout.Request) {
	s := &d.Strategy
	given := func(field string, ok bool) { d.Given(field, exitcode.FlagOrigin(strategyFlagOf[field]), ok) }
	str := func(field, v string, dst **string) {
		flag := strategyFlagOf[field]
		if !x.given(flag) {
			return
		}
		e, ok := x.tryExpand(flag, v)
		given(field, ok)
		if ok {
			e = strings.TrimSpace(e)
			*dst = &e
		}
	}
	str(bluegreen.FieldStrategy, f.strategy, &s.Strategy)
	str(bluegreen.FieldAlternateTargetGroup, f.alternateTargetGroup, &s.AlternateTargetGroup)
	str(bluegreen.FieldProductionListenerRule, f.productionRule, &s.ProductionListenerRule)
	str(bluegreen.FieldTestListenerRule, f.testRule, &s.TestListenerRule)
	str(bluegreen.FieldLoadBalancerRole, f.lbRole, &s.LoadBalancerRole)
	str(bluegreen.FieldLifecycleHookRole, f.hookRole, &s.LifecycleHookRole)
	dur := func(field, v string, dst **spec.Duration) {
		if flag := strategyFlagOf[field]; x.given(flag) {
			*dst = x.duration(flag, v)
			given(field, *dst != nil)
		}
	}
	dur(bluegreen.FieldBakeTime, f.bakeTime, &s.BakeTime)
	dur(bluegreen.FieldCanaryBakeTime, f.canaryBakeTime, &s.CanaryBakeTime)
	dur(bluegreen.FieldLinearStepBakeTime, f.linearStepBakeTime, &s.LinearStepBakeTime)
	pct := func(field, v string, dst **float64) {
		flag := strategyFlagOf[field]
		if !x.given(flag) {
			return
		}
		t, ok := x.tryExpand(flag, v)
		if ok {
			p, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(t), "%"), 64)
			if err != nil {
				x.problems.At(exitcode.FlagOrigin(flag), "%q is not a number", t)
				ok = false
			} else {
				*dst = &p
			}
		}
		given(field, ok)
	}
	pct(bluegreen.FieldCanaryPercent, f.canaryPercent, &s.CanaryPercent)
	pct(bluegreen.FieldLinearStepPercent, f.linearStepPercent, &s.LinearStepPercent)
	list := func(field string, v []string, dst *[]string) {
		if flag := strategyFlagOf[field]; x.given(flag) {
			*dst = x.expandAll(flag, v)
			given(field, len(*dst) == len(v))
		}
	}
	list(bluegreen.FieldLifecycleHooks, f.hooks, &s.LifecycleHooks)
	list(bluegreen.FieldPauseAt, f.pauseAt, &s.PauseAt)

	var ps exitcode.Problems
	c := strategyChange(s, &ps)
	ps = append(ps, c.Check()...)
	*x.problems = append(*x.problems, strategyProblems(ps, d)...)
	if c.IsEmpty() {
		return
	}
	req.Adjust = func(svc types.Service, settings *rollout.ServiceSettings) error {
		extra := &ecs.UpdateServiceInput{}
		if settings.Extra != nil {
			e := *settings.Extra
			extra = &e
		}
		if dc := extra.DeploymentConfiguration; dc != nil {
			cp := *dc // the spec's service: mapping may share it
			extra.DeploymentConfiguration = &cp
		}
		ps := c.Apply(svc, extra)
		settings.Extra = extra
		return strategyProblems(ps, d).Err()
	}
}

// strategyChange converts the spec's strategy keys (with the flags applied).
func strategyChange(s *spec.Strategy, ps *exitcode.Problems) bluegreen.StrategyChange {
	c := bluegreen.StrategyChange{Origins: settingOrigins(nil, "deploymentGroup", "deploymentConfig", "hooks")}
	if s.Strategy != nil {
		st, err := bluegreen.ParseStrategy(*s.Strategy)
		if err != nil {
			ps.Add(bluegreen.FieldStrategy, 0, "%v", err)
		}
		c.Strategy = st
	}
	std := func(d *spec.Duration) *time.Duration {
		if d == nil {
			return nil
		}
		v := d.Std()
		return &v
	}
	c.BakeTime, c.CanaryBakeTime, c.LinearStepBakeTime = std(s.BakeTime), std(s.CanaryBakeTime), std(s.LinearStepBakeTime)
	c.CanaryPercent, c.LinearStepPercent = s.CanaryPercent, s.LinearStepPercent
	c.AlternateTargetGroup = aws.ToString(s.AlternateTargetGroup)
	c.ProductionListenerRule = aws.ToString(s.ProductionListenerRule)
	c.TestListenerRule = aws.ToString(s.TestListenerRule)
	c.LoadBalancerRole = aws.ToString(s.LoadBalancerRole)
	c.LifecycleHookRole = aws.ToString(s.LifecycleHookRole)
	if s.LifecycleHooks != nil {
		c.LambdaHooks = []bluegreen.LifecycleHook{}
		for _, h := range s.LifecycleHooks {
			lh, err := bluegreen.ParseLifecycleHook(h)
			if err != nil {
				ps.Add(bluegreen.FieldLifecycleHooks, 0, "%v", err)
				continue
			}
			c.LambdaHooks = append(c.LambdaHooks, lh)
		}
	}
	if s.PauseAt != nil {
		c.PauseAt = []types.DeploymentLifecycleHookStage{}
		for _, st := range s.PauseAt {
			c.PauseAt = append(c.PauseAt, types.DeploymentLifecycleHookStage(strings.ToUpper(strings.TrimSpace(st))))
		}
	}
	return c
}

// strategyProblems reports each problem of a StrategyChange at the origin
// of its field: the flag that gave it, or the spec's key and line. A field
// neither gave (a required setting) is named after its flag: that is what
// to type.
func strategyProblems(ps exitcode.Problems, d *spec.Deploy) exitcode.Problems {
	out := make(exitcode.Problems, 0, len(ps))
	for _, p := range ps {
		o := d.Origin(p.Field)
		if flag, ok := strategyFlagOf[p.Field]; ok && !o.IsFlag() && o.Line == 0 {
			o = exitcode.FlagOrigin(flag)
		}
		out = append(out, o.Problem("%s", p.Message))
	}
	return out
}

// nativeRollbackNote says what --rollback did for a deploy by one of ECS's
// own strategies that ended with an outcome, or "".
func nativeRollbackNote(strategy bluegreen.Strategy, rollback bool) func(progress.Outcome) string {
	return func(outcome progress.Outcome) string {
		switch {
		case !rollback || outcome == progress.Succeeded || outcome == bluegreen.Created:
			return ""
		case outcome == progress.TimedOut:
			return fmt.Sprintf("--rollback: the %s deployment is still running and ECS rolls it back only when it fails; `ecsdeploy rollback` stops it and returns traffic to the old revision", strategy)
		}
		return fmt.Sprintf("--rollback: ECS rolls a failed %s deployment back itself (traffic returns to the old revision); no second rollback is made", strategy)
	}
}

// codeDeployRollbackNote says what --rollback did for a CodeDeploy deploy
// to group g that ended with an outcome, or "": CodeDeploy rolls back by
// the group's own configuration, which deploy does not add to.
func codeDeployRollbackNote(g *bluegreen.Group, rollback bool) func(progress.Outcome) string {
	return func(outcome progress.Outcome) string {
		if !rollback || outcome == progress.Succeeded || outcome == bluegreen.Created {
			return ""
		}
		if arc := g.Info.AutoRollbackConfiguration; outcome != progress.TimedOut && arc != nil && arc.Enabled {
			return fmt.Sprintf("--rollback: deployment group %s rolls back by its own auto-rollback configuration; no second rollback is made", g.Name)
		}
		return fmt.Sprintf("--rollback: deployment group %s does not roll this deployment back by itself; `ecsdeploy rollback` stops it (or deploys the previous revision)", g.Name)
	}
}

// printTimeoutRollback writes what a rollback of a deployment still
// running at the timeout did, if anything.
func printTimeoutRollback(d *Deps, op *bluegreen.Operation) {
	if op == nil {
		return
	}
	fmt.Fprintf(d.IO.ErrOut, "rollback (%s) %s: %s\n", orDash(op.Action), op.Outcome, op.Reason)
	if op.PrimaryTaskDefinition != "" {
		fmt.Fprintf(d.IO.ErrOut, "  production is served by %s\n", shortName(op.PrimaryTaskDefinition))
	}
}

// finishBlueGreen completes a CodeDeploy deploy or one by ECS's own
// strategies: it says what --rollback means there and writes the CI
// outputs, as a rolling deploy does. It returns the deploy's error.
func finishBlueGreen(o *deployOptions, rollbackNote func(progress.Outcome) string, opts rollout.Options, reg *rollout.Result, res *bluegreen.Result, region string, derr error) error {
	if res != nil {
		if note := rollbackNote(res.Outcome); note != "" {
			opts.Reporter.Report(progress.Warning{At: o.deps.Clock.Now(), Message: note})
		}
	}
	if res == nil || res.DeploymentID == "" {
		return derr
	}
	out := *reg
	out.Region, out.DeploymentID, out.Strategy = region, res.DeploymentID, string(res.Strategy)
	if err := rollout.WriteOutputs(&out, o.outputsFile, os.Getenv); err != nil && derr == nil {
		return exitcode.With(exitcode.Failed, err)
	}
	return derr
}
