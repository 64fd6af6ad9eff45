package bluegreen

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// DeployECSAPI is the ECS client of a planned blue/green deploy: it
// registers the revision (rollout.ECSAPI) and operates the service
// deployment (OperatorECSAPI). *ecs.Client satisfies it.
type DeployECSAPI interface {
	rollout.ECSAPI
	OperatorECSAPI
}

// DeployAPIs are the clients of a planned blue/green deploy.
type DeployAPIs struct {
	ECS        DeployECSAPI
	CodeDeploy OperatorCodeDeployAPI
	ELB        ELBAPI
}

// PlanRequest is a deploy, already planned by rollout.MakePlan, of a
// service whose strategy after the update (StrategyAfter) is not rolling.
type PlanRequest struct {
	Plan *rollout.Plan
	// Application, DeploymentGroup, Config and Hooks apply to a CodeDeploy
	// service: the group (found from the service when not named), the
	// deployment configuration overriding the group's, and Lambda hooks.
	Application, DeploymentGroup, Config string
	Hooks                                []Hook
	// Until returns with success at an earlier stage (default: done).
	Until WaitUntil
	// Origins say where options were given ("hooks", "stableFor",
	// "keepRevisions", "skipDeploymentsCheck", and "application" and
	// "deploymentGroup" for a rollback at the timeout); problems name them.
	Origins exitcode.Origins
}

// PlanResult is what a planned blue/green deploy did.
type PlanResult struct {
	Strategy Strategy
	// Group is the CodeDeploy deployment group, for a CodeDeploy service.
	Group *Group
	// Registered is the revision deployed (registered for it, or reused)
	// and the one the service ran before.
	Registered *rollout.Result
	// Result is the deployment's report; nil when the deploy stopped
	// before a deployment was attempted (invalid input, AWS refused a read
	// or the registration), and the error says why.
	Result *Result
	// Rollback is what opts.Rollback did to a deployment still running at
	// the timeout: stopped with a rollback and followed. Nil when there was
	// nothing to do (a failed deployment is rolled back by its controller).
	Rollback *Operation
}

// DeployPlan carries a planned deploy through a blue/green controller:
// CodeDeploy, or ECS's own blue/green, linear and canary strategies. It
// refuses what the controller cannot take (setting changes besides a new
// revision for CodeDeploy; the rolling-only options StableFor,
// KeepRevisions and SkipDeploymentsCheck), finds the CodeDeploy group,
// registers the revision, creates the deployment and follows it to its
// verdict. With opts.Rollback a deployment still running when opts.Timeout
// passes is stopped with a rollback and followed back. The error carries
// the exit code; the result is returned with it.
func DeployPlan(ctx context.Context, apis DeployAPIs, req PlanRequest, opts rollout.Options) (*PlanResult, error) {
	plan := req.Plan
	cluster, service := plan.Request.Cluster, plan.Request.Service
	res := &PlanResult{Strategy: StrategyAfter(plan.Service, plan.Update)}
	if res.Strategy != CodeDeploy && !res.Strategy.Native() {
		return res, exitcode.Invalidf("service %s deploys with the %s strategy, which rollout.Deploy carries out, not a blue/green controller", service, res.Strategy)
	}
	var ps exitcode.Problems
	if res.Strategy == CodeDeploy {
		for _, c := range plan.SettingChanges {
			if c.Name != "forceNewDeployment" {
				ps.Add(c.Name, 0, "service %s is deployed by CodeDeploy, which takes only a new revision: change %s with UpdateService or the deployment group, not with deploy", service, c.Name)
			}
		}
		if _, err := NewAppSpec("arn:aws:ecs:placeholder:task-definition/check:1", plan.Service, req.Hooks); err != nil {
			ps.At(req.Origins.Of("hooks"), "%v", err)
		}
	}
	ends := fmt.Sprintf("a %s deployment ends with its bake time and clean-up", res.Strategy)
	if res.Strategy == CodeDeploy {
		ends = "a blue/green deployment ends by its own configuration (the group's termination wait)"
	}
	for _, o := range []struct {
		field string
		set   bool
	}{{"stableFor", opts.Watch.StableFor > 0}, {"keepRevisions", opts.KeepRevisions > 0}, {"skipDeploymentsCheck", opts.SkipDeploymentsCheck}} {
		if o.set {
			ps.At(req.Origins.Of(o.field), "is for rolling deploys; %s", ends)
		}
	}
	if err := ps.Err(); err != nil {
		return res, err
	}
	if res.Strategy == CodeDeploy {
		g, err := FindGroup(ctx, apis.CodeDeploy, cluster, service, req.Application, req.DeploymentGroup)
		if err != nil {
			return res, err
		}
		res.Group = g
	}
	if opts.Timeout <= 0 {
		opts.Timeout = rollout.DefaultTimeout
	}
	reg, err := rollout.RegisterRevision(ctx, apis.ECS, plan, opts)
	if err != nil {
		return res, err
	}
	res.Registered = reg
	follow := FollowOptions{Until: req.Until, Timeout: opts.Timeout, Reporter: opts.Reporter, Clock: opts.Watch.Clock}
	var derr error
	if res.Strategy == CodeDeploy {
		res.Result, derr = DeployCodeDeploy(ctx, apis.ECS, apis.CodeDeploy, CodeDeployRequest{
			Cluster: cluster, Service: plan.Service, TaskDefinition: reg.TaskDefinition,
			Application: res.Group.Application, DeploymentGroup: res.Group.Name, Config: req.Config, Hooks: req.Hooks,
			Description: "ecsdeploy deploy of " + ecsref.Short(reg.TaskDefinition), NoWait: opts.NoWait,
		}, follow)
	} else {
		in := *plan.Update
		in.TaskDefinition = aws.String(reg.TaskDefinition)
		res.Result, derr = DeployNative(ctx, apis.ECS, NativeRequest{
			Cluster: cluster, Service: service, TaskDefinition: reg.TaskDefinition, Update: &in, NoWait: opts.NoWait,
		}, follow)
	}
	if opts.Rollback {
		res.Rollback = rollbackOnTimeout(ctx, apis, reg, res.Result, follow, req.Origins)
	}
	return res, derr
}

// rollbackOnTimeout stops a deployment still running when the deploy's
// timeout passed with a rollback, and follows it until traffic is back on
// the old revision (a failed deployment is rolled back by its controller
// already). A deployment that ended meanwhile is followed by a deployment
// of the revision the service ran before. It returns nil when there was
// nothing to do.
func rollbackOnTimeout(ctx context.Context, apis DeployAPIs, reg *rollout.Result, res *Result, follow FollowOptions, origins exitcode.Origins) *Operation {
	if res == nil || res.Outcome != progress.TimedOut || reg.PreviousTaskDefinition == "" {
		return nil
	}
	req := Request{Cluster: reg.Cluster, Service: reg.Service, Application: res.Application, DeploymentGroup: res.DeploymentGroup,
		Origins: origins}
	previous := func(context.Context) (string, string, error) {
		return reg.PreviousTaskDefinition, "the revision the service ran before this deploy", nil
	}
	// The rollback is followed as long again, and at least the default
	// timeout: stopping the new tasks waits for the targets to drain.
	back := FollowOptions{Timeout: max(follow.Timeout, rollout.DefaultTimeout), Reporter: follow.Reporter, Clock: follow.Clock}
	op, ok, err := Rollback(ctx, APIs{ECS: apis.ECS, CodeDeploy: apis.CodeDeploy, ELB: apis.ELB}, req, previous, back)
	if !ok {
		return nil
	}
	if op == nil {
		op = &Operation{}
	}
	if op.Result == nil {
		op.Result = &Result{}
	}
	if err != nil && (op.Outcome == "" || op.Outcome == progress.Succeeded) {
		op.Outcome, op.Reason = progress.Failed, err.Error()
	}
	return op
}
