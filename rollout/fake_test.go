package rollout

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const arnPrefix = "arn:aws:ecs:us-east-1:123456789012:task-definition/"

// fakeECS is a small in-memory ECS: task definitions, services, and a
// rollout that a test drives with onPoll, called on every DescribeServices.
type fakeECS struct {
	mu        sync.Mutex
	taskDefs  map[string]*types.TaskDefinition // by ARN
	tags      map[string][]types.Tag
	services  map[string]*types.Service
	nextDep   int
	writes    []string // "Register web", "Update web", "Deregister web:2"
	failWrite map[string]error
	// failDescribeTaskDefinition, when set, is every DescribeTaskDefinition's answer.
	failDescribeTaskDefinition error
	// lostReplies UpdateService calls are applied and then answered with a
	// dropped connection; dropUpdates calls are dropped before applying.
	lostReplies, dropUpdates int
	// lostRegisters RegisterTaskDefinition calls register and then answer
	// with a dropped connection.
	lostRegisters int
	onPoll        func(svc *types.Service, poll int)
	polls         int
	// tdReads are the references DescribeTaskDefinition was asked for.
	tdReads []string
}

func newFake() *fakeECS {
	return &fakeECS{taskDefs: map[string]*types.TaskDefinition{}, tags: map[string][]types.Tag{}, services: map[string]*types.Service{}, failWrite: map[string]error{}}
}

func (f *fakeECS) addTaskDef(family string, containers ...types.ContainerDefinition) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.registerLocked(&ecs.RegisterTaskDefinitionInput{Family: aws.String(family), ContainerDefinitions: containers})
}

func (f *fakeECS) registerLocked(in *ecs.RegisterTaskDefinitionInput) string {
	family := aws.ToString(in.Family)
	rev := int32(1)
	for _, td := range f.taskDefs {
		if aws.ToString(td.Family) == family && td.Revision >= rev {
			rev = td.Revision + 1
		}
	}
	arn := fmt.Sprintf("%s%s:%d", arnPrefix, family, rev)
	f.taskDefs[arn] = &types.TaskDefinition{
		TaskDefinitionArn: aws.String(arn), Family: aws.String(family), Revision: rev, Status: types.TaskDefinitionStatusActive,
		ContainerDefinitions: in.ContainerDefinitions, Cpu: in.Cpu, Memory: in.Memory, NetworkMode: in.NetworkMode,
	}
	f.tags[arn] = in.Tags
	return arn
}

func (f *fakeECS) addService(name, taskDef string, desired int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextDep++
	f.services[name] = &types.Service{
		ServiceName: aws.String(name), ServiceArn: aws.String("arn:aws:ecs:us-east-1:123456789012:service/c/" + name),
		ClusterArn: aws.String("arn:aws:ecs:us-east-1:123456789012:cluster/c"), Status: aws.String("ACTIVE"),
		TaskDefinition: aws.String(taskDef), DesiredCount: desired, RunningCount: desired,
		DeploymentConfiguration: &types.DeploymentConfiguration{MinimumHealthyPercent: aws.Int32(100), MaximumPercent: aws.Int32(200),
			DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}},
		Deployments: []types.Deployment{{Id: aws.String(fmt.Sprintf("ecs-svc/%d", f.nextDep)), Status: aws.String("PRIMARY"), TaskDefinition: aws.String(taskDef),
			RolloutState: types.DeploymentRolloutStateCompleted, DesiredCount: desired, RunningCount: desired, CreatedAt: aws.Time(time.Now().Add(-time.Hour))}},
	}
}

func (f *fakeECS) resolve(ref string) *types.TaskDefinition {
	if td, ok := f.taskDefs[ref]; ok {
		return td
	}
	ref = strings.TrimPrefix(ref, arnPrefix)
	var best *types.TaskDefinition
	for _, td := range f.taskDefs {
		name := fmt.Sprintf("%s:%d", aws.ToString(td.Family), td.Revision)
		if name == ref {
			return td
		}
		if aws.ToString(td.Family) == ref && td.Status == types.TaskDefinitionStatusActive && (best == nil || td.Revision > best.Revision) {
			best = td
		}
	}
	return best
}

func (f *fakeECS) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, _ ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &ecs.DescribeServicesOutput{}
	for _, name := range in.Services {
		name = name[strings.LastIndex(name, "/")+1:]
		svc, ok := f.services[name]
		if !ok {
			out.Failures = append(out.Failures, types.Failure{Arn: aws.String(name), Reason: aws.String("MISSING")})
			continue
		}
		if f.onPoll != nil {
			f.polls++
			f.onPoll(svc, f.polls)
		}
		out.Services = append(out.Services, *svc)
	}
	return out, nil
}

func (f *fakeECS) ListTasks(ctx context.Context, in *ecs.ListTasksInput, _ ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	return &ecs.ListTasksOutput{}, nil
}

func (f *fakeECS) DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, _ ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	return &ecs.DescribeTasksOutput{}, nil
}

func (f *fakeECS) DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, _ ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tdReads = append(f.tdReads, aws.ToString(in.TaskDefinition))
	if f.failDescribeTaskDefinition != nil {
		return nil, f.failDescribeTaskDefinition
	}
	td := f.resolve(aws.ToString(in.TaskDefinition))
	if td == nil {
		return nil, &types.ClientException{Message: aws.String("Unable to describe task definition.")}
	}
	return &ecs.DescribeTaskDefinitionOutput{TaskDefinition: td, Tags: f.tags[aws.ToString(td.TaskDefinitionArn)]}, nil
}

func (f *fakeECS) RegisterTaskDefinition(ctx context.Context, in *ecs.RegisterTaskDefinitionInput, _ ...func(*ecs.Options)) (*ecs.RegisterTaskDefinitionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes = append(f.writes, "Register "+aws.ToString(in.Family))
	if err := f.failWrite["Register"]; err != nil {
		return nil, err
	}
	arn := f.registerLocked(in)
	if f.lostRegisters > 0 {
		f.lostRegisters--
		return nil, droppedConnection()
	}
	return &ecs.RegisterTaskDefinitionOutput{TaskDefinition: f.taskDefs[arn]}, nil
}

func (f *fakeECS) DeregisterTaskDefinition(ctx context.Context, in *ecs.DeregisterTaskDefinitionInput, _ ...func(*ecs.Options)) (*ecs.DeregisterTaskDefinitionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	td := f.resolve(aws.ToString(in.TaskDefinition))
	f.writes = append(f.writes, fmt.Sprintf("Deregister %s:%d", aws.ToString(td.Family), td.Revision))
	td.Status = types.TaskDefinitionStatusInactive
	return &ecs.DeregisterTaskDefinitionOutput{TaskDefinition: td}, nil
}

func (f *fakeECS) ListTaskDefinitions(ctx context.Context, in *ecs.ListTaskDefinitionsInput, _ ...func(*ecs.Options)) (*ecs.ListTaskDefinitionsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var arns []string
	for arn, td := range f.taskDefs {
		if strings.HasPrefix(aws.ToString(td.Family), aws.ToString(in.FamilyPrefix)) && (in.Status == "" || td.Status == in.Status) {
			arns = append(arns, arn)
		}
	}
	sort.Strings(arns)
	return &ecs.ListTaskDefinitionsOutput{TaskDefinitionArns: arns}, nil
}

func (f *fakeECS) ListServices(ctx context.Context, in *ecs.ListServicesInput, _ ...func(*ecs.Options)) (*ecs.ListServicesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var arns []string
	for _, s := range f.services {
		arns = append(arns, aws.ToString(s.ServiceArn))
	}
	sort.Strings(arns)
	return &ecs.ListServicesOutput{ServiceArns: arns}, nil
}

func (f *fakeECS) UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, _ ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes = append(f.writes, "Update "+aws.ToString(in.Service))
	if err := f.failWrite["Update"]; err != nil {
		return nil, err
	}
	if f.dropUpdates > 0 {
		f.dropUpdates--
		return nil, droppedConnection()
	}
	if f.lostReplies > 0 {
		f.lostReplies--
		f.applyUpdate(in)
		return nil, droppedConnection()
	}
	return &ecs.UpdateServiceOutput{Service: f.applyUpdate(in)}, nil
}

func droppedConnection() error {
	return &smithyhttp.RequestSendError{Err: fmt.Errorf("read tcp: %w", io.EOF)}
}

func (f *fakeECS) applyUpdate(in *ecs.UpdateServiceInput) *types.Service {
	svc := f.services[aws.ToString(in.Service)]
	if in.DesiredCount != nil {
		svc.DesiredCount = *in.DesiredCount
		if len(svc.Deployments) > 0 {
			svc.Deployments[0].DesiredCount = svc.DesiredCount
		}
	}
	if in.TaskDefinition == nil && !in.ForceNewDeployment {
		// A count alone starts no deployment, as in ECS.
		return svc
	}
	td := f.resolve(aws.ToString(in.TaskDefinition))
	if aws.ToString(td.TaskDefinitionArn) != aws.ToString(svc.TaskDefinition) || in.ForceNewDeployment {
		f.nextDep++
		for i := range svc.Deployments {
			svc.Deployments[i].Status = aws.String("ACTIVE")
		}
		svc.TaskDefinition = td.TaskDefinitionArn
		svc.Deployments = append([]types.Deployment{{Id: aws.String(fmt.Sprintf("ecs-svc/%d", f.nextDep)), Status: aws.String("PRIMARY"),
			TaskDefinition: td.TaskDefinitionArn, RolloutState: types.DeploymentRolloutStateInProgress, DesiredCount: svc.DesiredCount,
			CreatedAt: aws.Time(time.Now())}}, svc.Deployments...)
	}
	return svc
}

func (f *fakeECS) TagResource(ctx context.Context, in *ecs.TagResourceInput, _ ...func(*ecs.Options)) (*ecs.TagResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes = append(f.writes, "Tag "+aws.ToString(in.ResourceArn))
	return &ecs.TagResourceOutput{}, nil
}

// completeRollout makes the PRIMARY deployment finish on the given poll:
// old deployments drop out and the new one is COMPLETED with all tasks running.
func completeRollout(onPoll int) func(*types.Service, int) {
	return func(svc *types.Service, poll int) {
		if poll < onPoll {
			return
		}
		p := svc.Deployments[0]
		p.RolloutState, p.RunningCount = types.DeploymentRolloutStateCompleted, p.DesiredCount
		svc.Deployments = []types.Deployment{p}
	}
}

// breakerRollback makes ECS's circuit breaker fail the PRIMARY deployment and
// roll back to the task definition rollbackTo, which then completes.
func breakerRollback(rollbackTo string) func(*types.Service, int) {
	return func(svc *types.Service, poll int) {
		switch {
		case poll == 2:
			ours := svc.Deployments[0]
			ours.Status, ours.RolloutState, ours.FailedTasks = aws.String("ACTIVE"), types.DeploymentRolloutStateFailed, 3
			ours.RolloutStateReason = aws.String("ECS deployment circuit breaker: tasks failed to start.")
			rb := types.Deployment{Id: aws.String("ecs-svc/rollback"), Status: aws.String("PRIMARY"), TaskDefinition: aws.String(rollbackTo),
				RolloutState: types.DeploymentRolloutStateInProgress, DesiredCount: ours.DesiredCount, CreatedAt: aws.Time(time.Now()),
				RolloutStateReason: aws.String("ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.")}
			svc.TaskDefinition = aws.String(rollbackTo)
			svc.Deployments = []types.Deployment{rb, ours}
		case poll >= 4:
			rb := svc.Deployments[0]
			rb.RolloutState, rb.RunningCount = types.DeploymentRolloutStateCompleted, rb.DesiredCount
			svc.Deployments = []types.Deployment{rb}
		}
	}
}

func apiError(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: code + " for a test"}
}
