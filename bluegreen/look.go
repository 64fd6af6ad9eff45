package bluegreen

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// ELBAPI is the part of the Elastic Load Balancing v2 API that shows where
// a blue/green service's traffic goes and how healthy its targets are.
type ELBAPI interface {
	DescribeListeners(ctx context.Context, in *elb.DescribeListenersInput, optFns ...func(*elb.Options)) (*elb.DescribeListenersOutput, error)
	DescribeRules(ctx context.Context, in *elb.DescribeRulesInput, optFns ...func(*elb.Options)) (*elb.DescribeRulesOutput, error)
	DescribeTargetHealth(ctx context.Context, in *elb.DescribeTargetHealthInput, optFns ...func(*elb.Options)) (*elb.DescribeTargetHealthOutput, error)
}

// OperatorECSAPI is the part of the ECS API the operator commands
// (promote, rollback, abort, status) use on a blue/green service.
type OperatorECSAPI interface {
	ECSAPI
	ListServiceDeployments(ctx context.Context, in *ecs.ListServiceDeploymentsInput, optFns ...func(*ecs.Options)) (*ecs.ListServiceDeploymentsOutput, error)
	ContinueServiceDeployment(ctx context.Context, in *ecs.ContinueServiceDeploymentInput, optFns ...func(*ecs.Options)) (*ecs.ContinueServiceDeploymentOutput, error)
	StopServiceDeployment(ctx context.Context, in *ecs.StopServiceDeploymentInput, optFns ...func(*ecs.Options)) (*ecs.StopServiceDeploymentOutput, error)
}

// OperatorCodeDeployAPI is CodeDeployAPI with ListDeployments, which finds
// a deployment group's deployment in progress.
type OperatorCodeDeployAPI interface {
	CodeDeployAPI
	ListDeployments(ctx context.Context, in *codedeploy.ListDeploymentsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentsOutput, error)
}

// APIs are the clients the operator commands use; *ecs.Client,
// *codedeploy.Client and *elasticloadbalancingv2.Client satisfy them.
type APIs struct {
	ECS        OperatorECSAPI
	CodeDeploy OperatorCodeDeployAPI
	ELB        ELBAPI
}

var (
	_ OperatorECSAPI        = (*ecs.Client)(nil)
	_ OperatorCodeDeployAPI = (*codedeploy.Client)(nil)
	_ ELBAPI                = (*elb.Client)(nil)
)

// Current is a blue/green service as it is now: its strategy and, for
// CodeDeploy, its deployment group and newest deployment (the one in
// progress when there is one), or, for ECS's own strategies, its newest
// service deployment.
type Current struct {
	Cluster  string
	Service  types.Service
	Strategy Strategy
	// Group, Deployment and Target are CodeDeploy's; Deployment is nil
	// when the group has never deployed.
	Group      *Group
	Deployment *cdtypes.DeploymentInfo
	Target     *cdtypes.ECSTarget
	// ServiceDeployment is ECS's; nil when the service has none.
	ServiceDeployment *types.ServiceDeployment
}

// InProgress reports whether a deployment is under way (including one
// waiting to be continued or in its termination wait or bake time).
func (c *Current) InProgress() bool {
	switch c.Strategy {
	case Rolling:
		return false
	case CodeDeploy:
		return c.Deployment != nil && !cdDone(c.Deployment.Status)
	}
	return c.ServiceDeployment != nil && sdInProgress(c.ServiceDeployment.Status)
}

func cdDone(s cdtypes.DeploymentStatus) bool {
	return s == cdtypes.DeploymentStatusSucceeded || s == cdtypes.DeploymentStatusFailed || s == cdtypes.DeploymentStatusStopped
}

func sdInProgress(s types.ServiceDeploymentStatus) bool {
	switch s {
	case types.ServiceDeploymentStatusPending, types.ServiceDeploymentStatusInProgress,
		types.ServiceDeploymentStatusStopRequested, types.ServiceDeploymentStatusRollbackRequested,
		types.ServiceDeploymentStatusRollbackInProgress:
		return true
	}
	return false
}

// Locate reads the service and the deployment it is in. A cluster or
// service that does not exist is invalid input, in rollout's words; the
// Current is nil only when the service could not be read. application and
// group name the CodeDeploy deployment group when the service's cannot be
// found by its ecsServices alone.
func Locate(ctx context.Context, apis APIs, cluster, service, application, group string) (*Current, error) {
	svc, err := rollout.DescribeService(ctx, apis.ECS, cluster, service)
	if err != nil {
		return nil, err
	}
	c := &Current{Cluster: cluster, Service: svc, Strategy: StrategyOf(svc)}
	switch c.Strategy {
	case Rolling:
		return c, nil
	case CodeDeploy:
		return c, c.locateCodeDeploy(ctx, apis.CodeDeploy, application, group)
	}
	return c, c.locateServiceDeployment(ctx, apis.ECS)
}

// activeStatuses are the statuses of a CodeDeploy deployment not over yet.
var activeStatuses = []cdtypes.DeploymentStatus{cdtypes.DeploymentStatusCreated, cdtypes.DeploymentStatusQueued,
	cdtypes.DeploymentStatusInProgress, cdtypes.DeploymentStatusReady, cdtypes.DeploymentStatusBaking}

func (c *Current) locateCodeDeploy(ctx context.Context, api OperatorCodeDeployAPI, application, group string) error {
	g, err := FindGroup(ctx, api, c.Cluster, aws.ToString(c.Service.ServiceName), application, group)
	if err != nil {
		return err
	}
	c.Group = g
	list, err := api.ListDeployments(ctx, &codedeploy.ListDeploymentsInput{ApplicationName: aws.String(g.Application),
		DeploymentGroupName: aws.String(g.Name), IncludeOnlyStatuses: activeStatuses})
	if err != nil {
		return fmt.Errorf("list deployments of %s/%s: %w", g.Application, g.Name, err)
	}
	id := ""
	if len(list.Deployments) > 0 {
		id = list.Deployments[0] // CodeDeploy runs one deployment of a group at a time
	} else if last := g.Info.LastAttemptedDeployment; last != nil {
		id = aws.ToString(last.DeploymentId)
	}
	if id == "" {
		return nil
	}
	d, err := api.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
	if err != nil {
		return fmt.Errorf("read CodeDeploy deployment %s: %w", id, err)
	}
	c.Deployment = d.DeploymentInfo
	if c.Deployment == nil || c.Deployment.Status == cdtypes.DeploymentStatusCreated || c.Deployment.Status == cdtypes.DeploymentStatusQueued {
		return nil // no target until it starts
	}
	targets, err := api.ListDeploymentTargets(ctx, &codedeploy.ListDeploymentTargetsInput{DeploymentId: aws.String(id)})
	if err != nil || len(targets.TargetIds) == 0 {
		return nil // the lifecycle is shown when CodeDeploy lists it
	}
	t, err := api.GetDeploymentTarget(ctx, &codedeploy.GetDeploymentTargetInput{DeploymentId: aws.String(id), TargetId: aws.String(targets.TargetIds[0])})
	if err != nil {
		return fmt.Errorf("read the target of CodeDeploy deployment %s: %w", id, err)
	}
	if t.DeploymentTarget != nil {
		c.Target = t.DeploymentTarget.EcsTarget
	}
	return nil
}

func (c *Current) locateServiceDeployment(ctx context.Context, api OperatorECSAPI) error {
	arn := aws.ToString(c.Service.CurrentServiceDeployment)
	if arn == "" {
		list, err := api.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Cluster: aws.String(c.Cluster), Service: c.Service.ServiceName})
		if err != nil {
			return fmt.Errorf("list the service deployments of %s: %w", aws.ToString(c.Service.ServiceName), err)
		}
		var newest types.ServiceDeploymentBrief
		for _, sd := range list.ServiceDeployments {
			if arn == "" || aws.ToTime(sd.CreatedAt).After(aws.ToTime(newest.CreatedAt)) ||
				(sdInProgress(sd.Status) && !sdInProgress(newest.Status)) {
				arn, newest = aws.ToString(sd.ServiceDeploymentArn), sd
			}
		}
	}
	if arn == "" {
		return nil
	}
	out, err := api.DescribeServiceDeployments(ctx, &ecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{arn}})
	if err != nil {
		return fmt.Errorf("read service deployment %s: %w", ecsref.Short(arn), err)
	}
	if len(out.ServiceDeployments) == 1 {
		c.ServiceDeployment = &out.ServiceDeployments[0]
	}
	return nil
}

// State is where a blue/green service stands: its task sets, where each
// listener (CodeDeploy) or listener rule (ECS) sends traffic, the health
// of the target groups, and the deployment and its lifecycle event or stage.
type State struct {
	Strategy Strategy  `json:"strategy"`
	TaskSets []TaskSet `json:"taskSets,omitempty"`
	// Deployments are an ECS-native service's deployments.
	Deployments  []Deployment  `json:"deployments,omitempty"`
	Traffic      []Route       `json:"traffic,omitempty"`
	TargetGroups []TargetGroup `json:"targetGroups,omitempty"`
	CodeDeploy   *CodeDeployAt `json:"codeDeploy,omitempty"`
	Native       *NativeAt     `json:"serviceDeployment,omitempty"`
	// Problems are parts that could not be read (a missing permission,
	// a listener that is gone); the rest of the view still holds.
	Problems []string `json:"problems,omitempty"`
}

// TaskSet is one task set of a CODE_DEPLOY (or EXTERNAL) service.
type TaskSet struct {
	ID             string  `json:"id"`
	Status         string  `json:"status"` // PRIMARY, ACTIVE, DRAINING
	TaskDefinition string  `json:"taskDefinition"`
	ExternalID     string  `json:"externalId,omitempty"` // the CodeDeploy deployment that created it
	TargetGroup    string  `json:"targetGroup,omitempty"`
	Desired        int32   `json:"desiredCount"`
	Running        int32   `json:"runningCount"`
	Pending        int32   `json:"pendingCount"`
	ScalePercent   float64 `json:"scalePercent"`
	Stability      string  `json:"stabilityStatus"`
}

// Deployment is one deployment of an ECS-native blue/green service.
type Deployment struct {
	ID             string `json:"id"`
	Status         string `json:"status"` // PRIMARY, ACTIVE
	TaskDefinition string `json:"taskDefinition"`
	Desired        int32  `json:"desiredCount"`
	Running        int32  `json:"runningCount"`
}

// Route is a listener or listener rule and the share of its traffic each
// target group gets.
type Route struct {
	Role string `json:"role"` // production listener, test listener, production rule, test rule
	// Name is the load balancer and port of a listener ("web-alb:80"),
	// or the load balancer and priority of a rule ("web-alb rule 10").
	Name    string   `json:"name"`
	ARN     string   `json:"arn"`
	Weights []Weight `json:"weights"`
}

// Weight is a target group's share of a route's traffic, in percent.
type Weight struct {
	TargetGroup string  `json:"targetGroup"` // its name
	ARN         string  `json:"targetGroupArn"`
	Percent     float64 `json:"percent"`
}

// TargetGroup counts a target group's targets by health state.
type TargetGroup struct {
	Name      string `json:"name"`
	ARN       string `json:"arn"`
	Healthy   int    `json:"healthy"`
	Unhealthy int    `json:"unhealthy"`
	Initial   int    `json:"initial"`
	Draining  int    `json:"draining"`
	Other     int    `json:"other"` // unused, unavailable
}

// CodeDeployAt is a CodeDeploy deployment and where its lifecycle is.
type CodeDeployAt struct {
	Application     string `json:"application"`
	DeploymentGroup string `json:"deploymentGroup"`
	DeploymentID    string `json:"deploymentId,omitempty"`
	Status          string `json:"status,omitempty"`
	// Event is the lifecycle event in progress, else the last one that
	// ended, with its status.
	Event       string `json:"lifecycleEvent,omitempty"`
	EventStatus string `json:"lifecycleEventStatus,omitempty"`
	// TerminationWait says the traffic has moved and the original task
	// set waits to be removed.
	TerminationWait bool   `json:"terminationWait,omitempty"`
	Rollback        string `json:"rollbackDeploymentId,omitempty"`
}

// NativeAt is an ECS service deployment and its lifecycle stage.
type NativeAt struct {
	ARN          string `json:"arn"`
	Status       string `json:"status"`
	StatusReason string `json:"statusReason,omitempty"`
	Stage        string `json:"lifecycleStage,omitempty"`
	// PausedHooks are the PAUSE hooks awaiting ContinueServiceDeployment.
	PausedHooks []string `json:"pausedHooks,omitempty"`
}

// Look gathers the State of a located blue/green service: nil for a
// rolling one. Parts it cannot read are named in State.Problems.
func Look(ctx context.Context, apis APIs, c *Current) *State {
	if c.Strategy == Rolling {
		return nil
	}
	st := &State{Strategy: c.Strategy}
	tgs := map[string]bool{}
	var order []string
	addTG := func(arn string) {
		if arn != "" && !tgs[arn] {
			tgs[arn] = true
			order = append(order, arn)
		}
	}
	for _, ts := range c.Service.TaskSets {
		t := TaskSet{ID: aws.ToString(ts.Id), Status: aws.ToString(ts.Status), TaskDefinition: aws.ToString(ts.TaskDefinition),
			ExternalID: aws.ToString(ts.ExternalId), Desired: ts.ComputedDesiredCount, Running: ts.RunningCount, Pending: ts.PendingCount,
			Stability: string(ts.StabilityStatus)}
		if ts.Scale != nil {
			t.ScalePercent = ts.Scale.Value
		}
		if len(ts.LoadBalancers) > 0 {
			t.TargetGroup = ecsref.TargetGroupName(aws.ToString(ts.LoadBalancers[0].TargetGroupArn))
			addTG(aws.ToString(ts.LoadBalancers[0].TargetGroupArn))
		}
		st.TaskSets = append(st.TaskSets, t)
	}
	for _, lb := range c.Service.LoadBalancers {
		addTG(aws.ToString(lb.TargetGroupArn))
		if a := lb.AdvancedConfiguration; a != nil {
			addTG(aws.ToString(a.AlternateTargetGroupArn))
		}
	}
	if c.Strategy == CodeDeploy {
		st.CodeDeploy = codeDeployAt(c)
		if c.Group != nil && c.Group.Info.LoadBalancerInfo != nil {
			for _, p := range c.Group.Info.LoadBalancerInfo.TargetGroupPairInfoList {
				if p.ProdTrafficRoute != nil {
					st.listeners(ctx, apis.ELB, "production listener", p.ProdTrafficRoute.ListenerArns)
				}
				if p.TestTrafficRoute != nil {
					st.listeners(ctx, apis.ELB, "test listener", p.TestTrafficRoute.ListenerArns)
				}
			}
		}
	} else {
		st.Native = nativeAt(c.ServiceDeployment)
		for _, d := range c.Service.Deployments {
			st.Deployments = append(st.Deployments, Deployment{ID: aws.ToString(d.Id), Status: aws.ToString(d.Status),
				TaskDefinition: aws.ToString(d.TaskDefinition), Desired: d.DesiredCount, Running: d.RunningCount})
		}
		for _, lb := range c.Service.LoadBalancers {
			if a := lb.AdvancedConfiguration; a != nil {
				st.rule(ctx, apis.ELB, "production rule", aws.ToString(a.ProductionListenerRule))
				st.rule(ctx, apis.ELB, "test rule", aws.ToString(a.TestListenerRule))
			}
		}
	}
	for _, r := range st.Traffic {
		for _, w := range r.Weights {
			addTG(w.ARN)
		}
	}
	for _, arn := range order {
		st.health(ctx, apis.ELB, arn)
	}
	return st
}

func codeDeployAt(c *Current) *CodeDeployAt {
	at := &CodeDeployAt{}
	if c.Group != nil {
		at.Application, at.DeploymentGroup = c.Group.Application, c.Group.Name
	}
	if d := c.Deployment; d != nil {
		at.DeploymentID, at.Status = aws.ToString(d.DeploymentId), string(d.Status)
		if rb := d.RollbackInfo; rb != nil {
			at.Rollback = aws.ToString(rb.RollbackDeploymentId)
		}
	}
	if t := c.Target; t != nil {
		for _, e := range t.LifecycleEvents {
			switch e.Status {
			case cdtypes.LifecycleEventStatusInProgress:
				at.Event, at.EventStatus = aws.ToString(e.LifecycleEventName), string(e.Status)
			case cdtypes.LifecycleEventStatusSucceeded, cdtypes.LifecycleEventStatusFailed:
				if at.EventStatus != string(cdtypes.LifecycleEventStatusInProgress) {
					at.Event, at.EventStatus = aws.ToString(e.LifecycleEventName), string(e.Status)
				}
			}
		}
		at.TerminationWait = t.Status == cdtypes.TargetStatusSucceeded && c.Deployment != nil && c.Deployment.Status == cdtypes.DeploymentStatusInProgress
	}
	return at
}

func nativeAt(sd *types.ServiceDeployment) *NativeAt {
	if sd == nil {
		return nil
	}
	at := &NativeAt{ARN: aws.ToString(sd.ServiceDeploymentArn), Status: string(sd.Status), StatusReason: aws.ToString(sd.StatusReason),
		Stage: string(sd.LifecycleStage)}
	for _, h := range pausedHooks(*sd) {
		at.PausedHooks = append(at.PausedHooks, aws.ToString(h.HookId))
	}
	return at
}

// pausedHooks are the PAUSE hooks of a service deployment awaiting action.
func pausedHooks(sd types.ServiceDeployment) []types.DeploymentLifecycleHookDetail {
	var out []types.DeploymentLifecycleHookDetail
	for _, h := range sd.LifecycleHookDetails {
		if h.TargetType == types.DeploymentLifecycleHookTargetTypePause && h.Status == types.DeploymentLifecycleHookStatusAwaitingAction {
			out = append(out, h)
		}
	}
	return out
}

func (st *State) listeners(ctx context.Context, api ELBAPI, role string, arns []string) {
	if len(arns) == 0 {
		return
	}
	out, err := api.DescribeListeners(ctx, &elb.DescribeListenersInput{ListenerArns: arns})
	if err != nil {
		st.Problems = append(st.Problems, fmt.Sprintf("%s %s: %v", role, strings.Join(arns, ", "), err))
		return
	}
	for _, l := range out.Listeners {
		name := fmt.Sprintf("%s:%d", loadBalancerName(aws.ToString(l.ListenerArn)), aws.ToInt32(l.Port))
		st.Traffic = append(st.Traffic, Route{Role: role, Name: name, ARN: aws.ToString(l.ListenerArn), Weights: forwardWeights(l.DefaultActions)})
	}
}

func (st *State) rule(ctx context.Context, api ELBAPI, role, arn string) {
	if arn == "" {
		return
	}
	out, err := api.DescribeRules(ctx, &elb.DescribeRulesInput{RuleArns: []string{arn}})
	if err != nil {
		st.Problems = append(st.Problems, fmt.Sprintf("%s %s: %v", role, arn, err))
		return
	}
	for _, r := range out.Rules {
		name := loadBalancerName(aws.ToString(r.RuleArn)) + " rule " + aws.ToString(r.Priority)
		st.Traffic = append(st.Traffic, Route{Role: role, Name: name, ARN: aws.ToString(r.RuleArn), Weights: forwardWeights(r.Actions)})
	}
}

// forwardWeights turns the forward action among actions into shares.
func forwardWeights(actions []elbtypes.Action) []Weight {
	for _, a := range actions {
		if a.Type != elbtypes.ActionTypeEnumForward {
			continue
		}
		if fc := a.ForwardConfig; fc != nil && len(fc.TargetGroups) > 0 {
			total := int32(0)
			for _, tg := range fc.TargetGroups {
				total += weightOf(tg, len(fc.TargetGroups))
			}
			var ws []Weight
			for _, tg := range fc.TargetGroups {
				arn, p := aws.ToString(tg.TargetGroupArn), 0.0
				if total > 0 {
					p = float64(weightOf(tg, len(fc.TargetGroups))) * 100 / float64(total)
				}
				ws = append(ws, Weight{TargetGroup: ecsref.TargetGroupName(arn), ARN: arn, Percent: p})
			}
			return ws
		}
		if arn := aws.ToString(a.TargetGroupArn); arn != "" {
			return []Weight{{TargetGroup: ecsref.TargetGroupName(arn), ARN: arn, Percent: 100}}
		}
	}
	return []Weight{}
}

// weightOf is a forward target's weight; a lone target without one gets
// all the traffic.
func weightOf(tg elbtypes.TargetGroupTuple, n int) int32 {
	if tg.Weight == nil {
		if n == 1 {
			return 1
		}
		return 0
	}
	return *tg.Weight
}

func (st *State) health(ctx context.Context, api ELBAPI, arn string) {
	tg := TargetGroup{Name: ecsref.TargetGroupName(arn), ARN: arn}
	out, err := api.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(arn)})
	if err != nil {
		st.Problems = append(st.Problems, fmt.Sprintf("target group %s: %v", tg.Name, err))
		return
	}
	for _, d := range out.TargetHealthDescriptions {
		state := elbtypes.TargetHealthStateEnum("")
		if d.TargetHealth != nil {
			state = d.TargetHealth.State
		}
		switch state {
		case elbtypes.TargetHealthStateEnumHealthy:
			tg.Healthy++
		case elbtypes.TargetHealthStateEnumUnhealthy, elbtypes.TargetHealthStateEnumUnhealthyDraining:
			tg.Unhealthy++
		case elbtypes.TargetHealthStateEnumInitial:
			tg.Initial++
		case elbtypes.TargetHealthStateEnumDraining:
			tg.Draining++
		default:
			tg.Other++
		}
	}
	st.TargetGroups = append(st.TargetGroups, tg)
}

// loadBalancerName is the load balancer's name in a listener or rule ARN
// (…:listener/app/NAME/… or …:listener-rule/app/NAME/…), or "".
func loadBalancerName(arn string) string {
	for _, kind := range []string{":listener-rule/", ":listener/"} {
		if _, rest, ok := strings.Cut(arn, kind); ok {
			if parts := strings.Split(rest, "/"); len(parts) > 1 {
				return parts[1]
			}
		}
	}
	return ""
}

// Production says where production traffic goes, for example
// "blue 90%, green 10%"; "" when no production route could be read.
func (st *State) Production() string {
	if st == nil {
		return ""
	}
	for _, r := range st.Traffic {
		if strings.HasPrefix(r.Role, "production") {
			return weightsText(r.Weights)
		}
	}
	return ""
}

// weightsText renders shares, the largest first.
func weightsText(ws []Weight) string {
	ws = slices.Clone(ws)
	slices.SortStableFunc(ws, func(a, b Weight) int {
		switch {
		case a.Percent > b.Percent:
			return -1
		case a.Percent < b.Percent:
			return 1
		}
		return 0
	})
	var parts []string
	for _, w := range ws {
		parts = append(parts, fmt.Sprintf("%s %s%%", w.TargetGroup, formatPercent(w.Percent)))
	}
	if len(parts) == 0 {
		return "nowhere (no forward action)"
	}
	return strings.Join(parts, ", ")
}

// WeightsText renders a route's shares, the largest first.
func (r Route) WeightsText() string { return weightsText(r.Weights) }
