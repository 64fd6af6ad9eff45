package apply

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/stack"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// clockSkew is how much earlier than our start, by this machine's clock, a
// task may have been created by AWS's clock and still belong to this
// operation. It applies only when no stack event of the operation gave the
// start in AWS's clock.
const clockSkew = time.Minute

// maxStoppedTasks bounds what a failure report lists.
const maxStoppedTasks = 10

// stoppedTaskReasons explains a failed stack operation from the service's
// side: why its tasks started during this operation stopped (image pull
// errors, crashing containers, failed health checks). It is best effort: a
// service that does not exist yet has no tasks, and errors are ignored.
func stoppedTaskReasons(ctx context.Context, api watch.ECSAPI, s *stack.Spec, since time.Time) []string {
	return stoppedTaskReasonsSince(ctx, api, s, since.Add(-clockSkew))
}

// stoppedTaskReasonsSince lists the reasons of the tasks created at or after
// since, a time in AWS's clock.
func stoppedTaskReasonsSince(ctx context.Context, api watch.ECSAPI, s *stack.Spec, since time.Time) []string {
	if api == nil {
		return nil
	}
	// By family, not service name: during a rollback the service may
	// already be deleted while its stopped tasks can still be described.
	list, err := api.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(s.ClusterName()),
		Family: aws.String(s.TaskFamily()), DesiredStatus: types.DesiredStatusStopped})
	if err != nil || len(list.TaskArns) == 0 {
		return nil
	}
	arns := list.TaskArns
	if len(arns) > 100 {
		arns = arns[:100]
	}
	out, err := api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(s.ClusterName()), Tasks: arns})
	if err != nil {
		return nil
	}
	var reasons []string
	for _, t := range out.Tasks {
		if t.CreatedAt != nil && t.CreatedAt.Before(since) {
			continue
		}
		if g := aws.ToString(t.Group); g != "" && g != "service:"+s.ServiceName() {
			continue
		}
		if stoppedForScaling(t) {
			continue
		}
		reasons = append(reasons, progress.DescribeTask(taskView(t)))
		if len(reasons) == maxStoppedTasks {
			break
		}
	}
	return reasons
}

// stoppedForScaling reports a task the service's scheduler stopped because
// a deployment wanted fewer of its kind: an old task replaced, or a new one
// drained when an update is cancelled or rolled back. It says nothing about
// why the operation failed. Without a stack event to date the operation,
// the tasks listed go back clockSkew before our start, which on a quick
// succession of updates reaches the previous deployment's replaced tasks.
func stoppedForScaling(t types.Task) bool {
	return t.StopCode == types.TaskStopCodeServiceSchedulerInitiated &&
		strings.HasPrefix(aws.ToString(t.StoppedReason), "Scaling activity initiated by")
}

func taskView(t types.Task) progress.Task {
	v := progress.Task{
		ID: aws.ToString(t.TaskArn), Deployment: aws.ToString(t.StartedBy), LastStatus: aws.ToString(t.LastStatus),
		HealthStatus: string(t.HealthStatus), StopCode: string(t.StopCode), StoppedReason: aws.ToString(t.StoppedReason),
		StartedAt: t.StartedAt, StoppedAt: t.StoppedAt,
		// Only tasks started during this operation are listed.
		Ours: true,
	}
	if i := lastSlash(v.ID); i >= 0 {
		v.ID = v.ID[i+1:]
	}
	for _, c := range t.Containers {
		v.Containers = append(v.Containers, progress.Container{Name: aws.ToString(c.Name), LastStatus: aws.ToString(c.LastStatus),
			ExitCode: c.ExitCode, Reason: aws.ToString(c.Reason), HealthStatus: string(c.HealthStatus)})
	}
	return v
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}
