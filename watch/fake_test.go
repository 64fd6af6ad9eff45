package watch

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
)

// fakeECS answers DescribeServices from a script (one service per call, the
// last one repeating) and the task calls from a fixed list.
type fakeECS struct {
	mu       sync.Mutex
	script   []step
	calls    int
	tasks    []types.Task
	listed   []ecs.ListTasksInput
	describe int
	listErr  error // every ListTasks fails with it when set
	// listErrs, when positive, limits listErr to that many calls.
	listErrs int
	// onDescribe, when set, runs at each DescribeServices call with its
	// number (1 for the first), with the fake locked.
	onDescribe func(n int)
}

// step is one DescribeServices answer: a service or an error.
type step struct {
	svc types.Service
	err error
}

func (f *fakeECS) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, _ ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := min(f.calls, len(f.script)-1)
	f.calls++
	if f.onDescribe != nil {
		f.onDescribe(f.calls)
	}
	s := f.script[i]
	if s.err != nil {
		return nil, s.err
	}
	return &ecs.DescribeServicesOutput{Services: []types.Service{s.svc}}, nil
}

func (f *fakeECS) ListTasks(ctx context.Context, in *ecs.ListTasksInput, _ ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listed = append(f.listed, *in)
	if f.listErr != nil && (f.listErrs == 0 || len(f.listed) <= f.listErrs) {
		return nil, f.listErr
	}
	var arns []string
	for _, t := range f.tasks {
		// ListTasks filters on desiredStatus: a task being stopped
		// (DEACTIVATING, DEPROVISIONING) is listed as STOPPED already.
		stopped := aws.ToString(t.DesiredStatus) == "STOPPED" || aws.ToString(t.LastStatus) == "STOPPED"
		if in.DesiredStatus == types.DesiredStatusStopped {
			if stopped && aws.ToString(t.StartedBy) == aws.ToString(in.StartedBy) {
				arns = append(arns, aws.ToString(t.TaskArn))
			}
		} else if !stopped {
			arns = append(arns, aws.ToString(t.TaskArn))
		}
	}
	return &ecs.ListTasksOutput{TaskArns: arns}, nil
}

func (f *fakeECS) DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, _ ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.describe++
	want := map[string]bool{}
	for _, a := range in.Tasks {
		want[a] = true
	}
	var out []types.Task
	for _, t := range f.tasks {
		if want[aws.ToString(t.TaskArn)] {
			out = append(out, t)
		}
	}
	return &ecs.DescribeTasksOutput{Tasks: out}, nil
}

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

const (
	oldTD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
	newTD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"
)

func dep(id, status, td string, state types.DeploymentRolloutState, desired, running, failed int32) types.Deployment {
	created := t0
	if status == "PRIMARY" {
		created = t0.Add(time.Minute)
	}
	return types.Deployment{
		Id: aws.String(id), Status: aws.String(status), TaskDefinition: aws.String(td),
		RolloutState: state, DesiredCount: desired, RunningCount: running, FailedTasks: failed,
		CreatedAt: aws.Time(created),
	}
}

func service(breaker bool, deps ...types.Deployment) types.Service {
	return types.Service{
		ServiceName: aws.String("web"), Status: aws.String("ACTIVE"), Deployments: deps,
		DeploymentConfiguration: &types.DeploymentConfiguration{
			DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: breaker, Rollback: breaker},
		},
	}
}

func withEvents(svc types.Service, events ...types.ServiceEvent) types.Service {
	svc.Events = events
	return svc
}

func event(id string, at time.Time, msg string) types.ServiceEvent {
	return types.ServiceEvent{Id: aws.String(id), CreatedAt: aws.Time(at), Message: aws.String(msg)}
}

func stoppedTask(id, startedBy, stopCode, reason, container string, exit int32, containerReason string) types.Task {
	return types.Task{
		TaskArn: aws.String("arn:aws:ecs:us-east-1:123456789012:task/c/" + id), StartedBy: aws.String(startedBy),
		LastStatus: aws.String("STOPPED"), DesiredStatus: aws.String("STOPPED"), StopCode: types.TaskStopCode(stopCode),
		StoppedReason: aws.String(reason), StoppedAt: aws.Time(t0.Add(2 * time.Minute)),
		Containers: []types.Container{{Name: aws.String(container), ExitCode: aws.Int32(exit), Reason: aws.String(containerReason), LastStatus: aws.String("STOPPED")}},
	}
}

func throttle() error {
	return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
}
