package watch

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/progress"
)

// describeBatch is DescribeTasks' limit of tasks per call.
const describeBatch = 100

// fetchTasks lists the service's running tasks (when running is set) and our
// deployment's stopped tasks, and describes them in batches of 100. Stopped
// tasks of other deployments are never fetched: they are not ours to diagnose.
func fetchTasks(ctx context.Context, api ECSAPI, t Target, running bool, opt func(*ecs.Options)) ([]types.Task, error) {
	var arns []string
	seen := map[string]bool{}
	add := func(in *ecs.ListTasksInput) error {
		p := ecs.NewListTasksPaginator(api, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx, opt)
			if err != nil {
				return err
			}
			for _, a := range out.TaskArns {
				if !seen[a] {
					seen[a] = true
					arns = append(arns, a)
				}
			}
		}
		return nil
	}
	if running {
		if err := add(&ecs.ListTasksInput{Cluster: aws.String(t.Cluster), ServiceName: aws.String(t.Service)}); err != nil {
			return nil, err
		}
	}
	if err := add(&ecs.ListTasksInput{Cluster: aws.String(t.Cluster), StartedBy: aws.String(t.DeploymentID), DesiredStatus: types.DesiredStatusStopped}); err != nil {
		return nil, err
	}
	var tasks []types.Task
	for start := 0; start < len(arns); start += describeBatch {
		end := min(start+describeBatch, len(arns))
		out, err := api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(t.Cluster), Tasks: arns[start:end]}, opt)
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, out.Tasks...)
	}
	return tasks, nil
}

// taskView turns an SDK task into the progress vocabulary.
func taskView(task types.Task, ourDeployment string) progress.Task {
	v := progress.Task{
		ID:            ecsref.Short(aws.ToString(task.TaskArn)),
		Deployment:    aws.ToString(task.StartedBy),
		LastStatus:    aws.ToString(task.LastStatus),
		HealthStatus:  string(task.HealthStatus),
		StopCode:      string(task.StopCode),
		StoppedReason: aws.ToString(task.StoppedReason),
		StartedAt:     task.StartedAt,
		StoppedAt:     task.StoppedAt,
	}
	v.Ours = v.Deployment == ourDeployment
	for _, c := range task.Containers {
		v.Containers = append(v.Containers, progress.Container{
			Name:         aws.ToString(c.Name),
			LastStatus:   aws.ToString(c.LastStatus),
			ExitCode:     c.ExitCode,
			Reason:       aws.ToString(c.Reason),
			HealthStatus: string(c.HealthStatus),
		})
	}
	return v
}

// taskFailed reports whether a stopped task stopped because it failed (could
// not start, an essential container exited, a health check failed), as
// opposed to being stopped on purpose (scale-in, a user, a newer deployment).
func taskFailed(t progress.Task) bool {
	if !t.Stopped() {
		return false
	}
	switch t.StopCode {
	case "TaskFailedToStart", "EssentialContainerExited":
		return true
	case "UserInitiated", "SpotInterruption", "TerminationNotice":
		return false
	}
	r := strings.ToLower(t.StoppedReason)
	return strings.Contains(r, "health check") || strings.Contains(r, "cannotpull") ||
		strings.Contains(r, "outofmemory") || strings.Contains(r, "essential container")
}
