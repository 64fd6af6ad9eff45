package fleet

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/bluegreen"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// DeployMember deploys one service of a fleet with the same engine and the
// same verdict as a single-service deploy (rollout.MakePlan, rollout.Deploy);
// a fleet only shares the client (batched reads, rate limits) between them.
type DeployMember struct {
	Target  string
	API     rollout.ECSAPI
	Request rollout.Request
	Options rollout.Options

	plan   *rollout.Plan
	result *rollout.Result
}

// Name implements Member.
func (m *DeployMember) Name() string { return m.Target }

// Result is the deploy's own report, once Do has run.
func (m *DeployMember) Result() *rollout.Result { return m.result }

// Plan reads what the deploy would do, without changing anything; Do uses
// the plan made here when there is one, so that a fleet can check every
// target before its first wave changes anything.
func (m *DeployMember) Plan(ctx context.Context) (*rollout.Plan, error) {
	if m.plan != nil {
		return m.plan, nil
	}
	plan, err := rollout.MakePlan(ctx, m.API, m.Request)
	if err != nil {
		return nil, err
	}
	if s := bluegreen.StrategyAfter(plan.Service, plan.Update); s != bluegreen.Rolling {
		// The fleet's verdict is the rolling one; a service deployment of
		// ECS's own strategies is judged by bluegreen alone.
		return nil, exitcode.Invalidf("service %s deploys with the %s strategy, and a fleet deploys rolling services only: deploy it on its own (or %s)", m.Request.Service, s, toRolling(m.Request.Origins.Of("strategy")))
	}
	m.plan = plan
	return plan, nil
}

// Do implements Member.
func (m *DeployMember) Do(ctx context.Context) Outcome {
	plan, err := m.Plan(ctx)
	if err != nil {
		return Outcome{Outcome: progress.Failed, Reason: err.Error(), Err: err}
	}
	res, err := rollout.Deploy(ctx, m.API, plan, m.Options)
	m.result = res
	o := Outcome{Outcome: res.Outcome, Reason: res.Reason, Err: err, Detail: res,
		Changed: res.Timings.ServiceUpdated != nil}
	if o.Outcome == "" {
		o.Outcome = progress.Failed
	}
	if o.Outcome == rollout.Updated {
		// --no-wait: updated counts as done for the fleet.
		o.Outcome = progress.Succeeded
	}
	return o
}

// Undo implements Member: it returns the service to the task definition
// and desired count it had before Do, unless it is already there (ECS's
// circuit breaker, or the deploy's own --rollback, may have done it).
func (m *DeployMember) Undo(ctx context.Context) Outcome {
	if m.result == nil || m.plan == nil || m.result.PreviousTaskDefinition == "" {
		return Outcome{Outcome: progress.Succeeded, Reason: "nothing to roll back"}
	}
	prevTD := m.result.PreviousTaskDefinition
	prevCount := m.plan.Service.DesiredCount
	out, err := m.API.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(m.Request.Cluster), Services: []string{m.Request.Service}})
	if err == nil && len(out.Services) == 1 {
		svc := out.Services[0]
		if aws.ToString(svc.TaskDefinition) == prevTD && svc.DesiredCount == prevCount && len(svc.Deployments) == 1 {
			return Outcome{Outcome: progress.Succeeded, Reason: fmt.Sprintf("already back on %s with %d desired", lastSegment(prevTD), prevCount)}
		}
	}
	rb, err := rollout.Rollback(ctx, m.API, rollout.RollbackRequest{
		Cluster: m.Request.Cluster, Service: m.Request.Service,
		TaskDefinition: prevTD, DesiredCount: aws.Int32(prevCount),
	}, rollout.RollbackOptions{Watch: m.Options.Watch})
	o := Outcome{Err: err, Detail: rb}
	if rb != nil {
		o.Outcome, o.Reason = rb.Outcome, rb.Reason
	}
	if o.Outcome == "" {
		o.Outcome = progress.Failed
	}
	return o
}

// toRolling says how to make a member's deploy a rolling one, where its
// strategy was given (at): "give it FLAG rolling" for a flag or for a
// strategy given nowhere (at names where to give it), "set strategy to
// rolling at FILE:LINE" for a file's.
func toRolling(at exitcode.Origin) string {
	if !at.IsFlag() && at.Line > 0 {
		return fmt.Sprintf("set %s to rolling at %s", at.Field, at)
	}
	return "give it " + at.Name() + " rolling"
}
