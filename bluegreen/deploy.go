package bluegreen

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// Strategy names how a deploy moves a service to a new revision.
type Strategy string

// Strategies.
const (
	Rolling    Strategy = "rolling"
	CodeDeploy Strategy = "codedeploy"
	BlueGreen  Strategy = "blue-green"
	Linear     Strategy = "linear"
	Canary     Strategy = "canary"
)

// StrategyOf reads a service's strategy from its deployment controller and,
// for an ECS-controlled service, its deploymentConfiguration.strategy.
func StrategyOf(svc types.Service) Strategy {
	if dc := svc.DeploymentController; dc != nil && dc.Type == types.DeploymentControllerTypeCodeDeploy {
		return CodeDeploy
	}
	if c := svc.DeploymentConfiguration; c != nil {
		switch c.Strategy {
		case types.DeploymentStrategyBlueGreen:
			return BlueGreen
		case types.DeploymentStrategyLinear:
			return Linear
		case types.DeploymentStrategyCanary:
			return Canary
		}
	}
	return Rolling
}

// ECSAPI is the part of the ECS API a blue/green deploy uses.
type ECSAPI interface {
	DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, optFns ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
	ServiceDeploymentsAPI
}

// CodeDeployRequest is a CodeDeploy blue/green deploy of a registered revision.
type CodeDeployRequest struct {
	Cluster        string
	Service        types.Service // as read before the deploy
	TaskDefinition string        // the new revision's ARN
	// Application and DeploymentGroup name the group; empty means the one
	// group whose ecsServices name this service.
	Application     string
	DeploymentGroup string
	Config          string // overrides the group's deployment configuration
	Hooks           []Hook
	Description     string
	// NoWait returns once the deployment is created, with its id and the
	// outcome Created.
	NoWait bool
}

// Result is the report of a blue/green deploy.
type Result struct {
	Strategy        Strategy         `json:"strategy"`
	DeploymentID    string           `json:"deploymentId"` // CodeDeploy deployment id or ECS service deployment ARN
	Application     string           `json:"application,omitempty"`
	DeploymentGroup string           `json:"deploymentGroup,omitempty"`
	Outcome         progress.Outcome `json:"outcome"`
	Reason          string           `json:"reason,omitempty"`
	Remaining       string           `json:"remaining,omitempty"`
	// RollbackDeploymentID is the deployment CodeDeploy rolled back with.
	RollbackDeploymentID string `json:"rollbackDeploymentId,omitempty"`
	// PrimaryTaskDefinition is what the service's production side runs at
	// the end: the PRIMARY task set (CodeDeploy) or deployment (ECS).
	PrimaryTaskDefinition string `json:"primaryTaskDefinition,omitempty"`
	// Traffic is where production traffic goes, as last read (CodeDeploy):
	// the task sets that carry some, for example "original (blue) 100%".
	Traffic string `json:"traffic,omitempty"`
	Reads   int    `json:"reads"`
	// Failure holds, after a failure or timeout, the tasks of the new
	// revision that stopped because they failed (the replacement task set's,
	// for CodeDeploy), with hints.
	Failure *watch.Diagnosis `json:"failure,omitempty"`
}

// DeployCodeDeploy creates a CodeDeploy deployment of the new revision and
// follows it. Success needs CodeDeploy's Succeeded (or the point o.Until
// names) and, once the deployment is over, the service's PRIMARY task set
// running our revision: CodeDeploy's word alone is not enough.
func DeployCodeDeploy(ctx context.Context, ecsAPI ECSAPI, cd CodeDeployAPI, req CodeDeployRequest, o FollowOptions) (*Result, error) {
	res := &Result{Strategy: CodeDeploy}
	svcName := aws.ToString(req.Service.ServiceName)
	g, err := FindGroup(ctx, cd, req.Cluster, svcName, req.Application, req.DeploymentGroup)
	if err != nil {
		return res, err
	}
	res.Application, res.DeploymentGroup = g.Application, g.Name
	spec, err := NewAppSpec(req.TaskDefinition, req.Service, req.Hooks)
	if err != nil {
		return res, err
	}
	id, err := CreateDeployment(ctx, cd, g, spec, req.Config, req.Description)
	if err != nil {
		return res, err
	}
	res.DeploymentID = id
	o.defaults()
	o.Reporter.Report(progress.Step{At: o.Clock.Now(), Message: fmt.Sprintf("created CodeDeploy deployment %s in %s/%s", id, g.Application, g.Name)})
	if req.NoWait {
		res.Outcome, res.Reason = Created, "CodeDeploy deployment "+id+" created; not waiting for it"
		return res, nil
	}
	if bg := g.Info.BlueGreenDeploymentConfiguration; bg != nil && bg.TerminateBlueInstancesOnDeploymentSuccess != nil && o.TerminationWait == 0 {
		o.TerminationWait = time.Duration(bg.TerminateBlueInstancesOnDeploymentSuccess.TerminationWaitTimeInMinutes) * time.Minute
	}
	var crash *crashCheck
	if tasks, ok := ecsAPI.(watch.ECSAPI); ok {
		crash = &crashCheck{api: tasks, cluster: req.Cluster}
	}
	fr, err := follow(ctx, cd, id, o, crash)
	if fr != nil {
		res.Reads = fr.Reads
		res.Outcome, res.Reason, res.Remaining = fr.Verdict.Outcome, fr.Verdict.Reason, fr.Verdict.Remaining
	}
	if err != nil {
		return res, err
	}
	if fr != nil {
		if rb := fr.Last.Info.RollbackInfo; rb != nil {
			res.RollbackDeploymentID = aws.ToString(rb.RollbackDeploymentId)
		}
		res.Traffic = trafficText(trafficOf(fr.Last))
		// Like a rolling deploy's verdict, success also needs none of the new
		// revision's tasks to have stopped for a failure: ECS replaces a task
		// that crashes after it passed its checks, and CodeDeploy does not look.
		res.Failure = stoppedTasks(ctx, ecsAPI, req.Cluster, replacementTaskSet(fr.Last))
		if res.Failure != nil && res.Outcome == progress.Succeeded {
			res.Outcome = progress.Failed
			res.Reason = fmt.Sprintf("%s, but %d task(s) of the replacement task set stopped for a failure since it started; CodeDeploy does not check them (`ecsdeploy rollback` deploys the previous revision)",
				res.Reason, len(res.Failure.StoppedTasks))
		}
	}
	primary, perr := primaryTaskSet(ctx, ecsAPI, req.Cluster, svcName)
	res.PrimaryTaskDefinition = primary
	if res.Outcome == progress.Succeeded && o.Until == UntilDone {
		switch {
		case perr != nil:
			res.Outcome, res.Reason = progress.Failed, "CodeDeploy reported success, but the service could not be read to confirm it: "+perr.Error()
		case primary != req.TaskDefinition:
			res.Outcome, res.Reason = progress.Failed, fmt.Sprintf("CodeDeploy reported success, but the service's PRIMARY task set runs %s, not %s", ecsref.Short(primary), ecsref.Short(req.TaskDefinition))
		}
	}
	return res, nil
}

// trafficOf is the task sets that carry production traffic.
func trafficOf(s Snapshot) []cdtypes.ECSTaskSet {
	if s.Target == nil {
		return nil
	}
	var sets []cdtypes.ECSTaskSet
	for _, ts := range s.Target.TaskSetsInfo {
		if ts.TrafficWeight > 0 {
			sets = append(sets, ts)
		}
	}
	return sets
}

// replacementTaskSet is the id of the deployment's replacement (green)
// task set, "" before CodeDeploy created it.
func replacementTaskSet(s Snapshot) string {
	if ts := replacementSet(s); ts != nil {
		return aws.ToString(ts.Identifer)
	}
	return ""
}

// replacementSet is the deployment's replacement (green) task set as its
// target last reported it, nil before CodeDeploy created it.
func replacementSet(s Snapshot) *cdtypes.ECSTaskSet {
	if s.Target == nil {
		return nil
	}
	for i, ts := range s.Target.TaskSetsInfo {
		if ts.TaskSetLabel == cdtypes.TargetLabelGreen {
			return &s.Target.TaskSetsInfo[i]
		}
	}
	return nil
}

// stoppedTasks is the diagnosis of the failed tasks startedBy started, or
// nil when there are none, startedBy is "" or api cannot list tasks. It is
// evidence for a verdict already reached, so a read that fails leaves it out.
func stoppedTasks(ctx context.Context, api ECSAPI, cluster, startedBy string) *watch.Diagnosis {
	tasks, ok := api.(watch.ECSAPI)
	if startedBy == "" || !ok {
		return nil
	}
	d, err := watch.DiagnoseStopped(ctx, tasks, cluster, startedBy)
	if err != nil || len(d.StoppedTasks) == 0 {
		return nil
	}
	return &d
}

// primaryTaskSet returns the task definition of the service's PRIMARY task set.
func primaryTaskSet(ctx context.Context, api ECSAPI, cluster, service string) (string, error) {
	out, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{service}})
	if err != nil {
		return "", err
	}
	if len(out.Services) != 1 {
		return "", fmt.Errorf("service %s not found", service)
	}
	for _, ts := range out.Services[0].TaskSets {
		if aws.ToString(ts.Status) == "PRIMARY" {
			return aws.ToString(ts.TaskDefinition), nil
		}
	}
	return "", nil
}

// NativeRequest is an ECS-native blue/green, linear or canary deploy: the
// UpdateService input with the new revision and the strategy's settings.
type NativeRequest struct {
	Cluster        string
	Service        string
	TaskDefinition string
	Update         *ecs.UpdateServiceInput
	// NoWait returns once the service deployment is created, with its ARN
	// and the outcome Created.
	NoWait bool
}

// Created is the outcome of a deploy that returned, without waiting, once
// its deployment was created (a rolling deploy's --no-wait says the same).
const Created progress.Outcome = "updated"

// DeployNative updates the service and follows the service deployment it
// starts. Success needs SUCCESSFUL (or the point o.Until names) and, once
// over, the service's PRIMARY deployment on our revision.
func DeployNative(ctx context.Context, api ECSAPI, req NativeRequest, o FollowOptions) (*Result, error) {
	res := &Result{Strategy: BlueGreen}
	out, err := api.UpdateService(ctx, req.Update)
	if err != nil {
		return res, err
	}
	svc := out.Service
	res.Strategy = StrategyOf(*svc)
	arn := aws.ToString(svc.CurrentServiceDeployment)
	if arn == "" {
		arn = newestServiceDeployment(ctx, api, req.Cluster, req.Service)
	}
	if arn == "" {
		return res, fmt.Errorf("UpdateService started no service deployment to follow (the endpoint does not report currentServiceDeployment)")
	}
	res.DeploymentID = arn
	if req.NoWait {
		res.Outcome, res.Reason = Created, "service deployment "+ecsref.Short(arn)+" started; not waiting for it"
		return res, nil
	}
	fr, err := FollowServiceDeployment(ctx, api, req.Cluster, arn, o)
	if fr != nil {
		res.Reads = fr.Reads
		res.Outcome, res.Reason, res.Remaining = fr.Verdict.Outcome, fr.Verdict.Reason, fr.Verdict.Remaining
	}
	if err != nil {
		return res, err
	}
	d, derr := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(req.Cluster), Services: []string{req.Service}})
	if derr == nil && len(d.Services) == 1 {
		if dep, ok := ecsref.PrimaryDeployment(d.Services[0]); ok {
			res.PrimaryTaskDefinition = aws.ToString(dep.TaskDefinition)
		}
	}
	if res.Outcome == progress.Succeeded && o.Until == UntilDone && res.PrimaryTaskDefinition != req.TaskDefinition {
		res.Outcome = progress.Failed
		res.Reason = fmt.Sprintf("ECS reported the service deployment successful, but the PRIMARY deployment runs %s, not %s", ecsref.Short(res.PrimaryTaskDefinition), ecsref.Short(req.TaskDefinition))
	}
	return res, nil
}

// serviceDeploymentLister is ListServiceDeployments, which *ecs.Client has.
type serviceDeploymentLister interface {
	ListServiceDeployments(ctx context.Context, in *ecs.ListServiceDeploymentsInput, optFns ...func(*ecs.Options)) (*ecs.ListServiceDeploymentsOutput, error)
}

// newestServiceDeployment is the ARN of the service's newest service
// deployment still under way, for an endpoint whose UpdateService reply
// lacks currentServiceDeployment; "" when there is none or api cannot list.
func newestServiceDeployment(ctx context.Context, api ECSAPI, cluster, service string) string {
	l, ok := api.(serviceDeploymentLister)
	if !ok {
		return ""
	}
	out, err := l.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Cluster: aws.String(cluster), Service: aws.String(service),
		Status: []types.ServiceDeploymentStatus{types.ServiceDeploymentStatusPending, types.ServiceDeploymentStatusInProgress}})
	if err != nil {
		return ""
	}
	var arn string
	var newest time.Time
	for _, sd := range out.ServiceDeployments {
		if t := aws.ToTime(sd.CreatedAt); arn == "" || t.After(newest) {
			arn, newest = aws.ToString(sd.ServiceDeploymentArn), t
		}
	}
	return arn
}
