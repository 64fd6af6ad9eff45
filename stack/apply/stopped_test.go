package apply

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// stoppedTasksAPI lists and describes a fixed set of stopped tasks.
type stoppedTasksAPI struct{ tasks []types.Task }

func (a stoppedTasksAPI) DescribeServices(context.Context, *ecs.DescribeServicesInput, ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	return &ecs.DescribeServicesOutput{}, nil
}

func (a stoppedTasksAPI) ListTasks(context.Context, *ecs.ListTasksInput, ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	out := &ecs.ListTasksOutput{}
	for _, t := range a.tasks {
		out.TaskArns = append(out.TaskArns, aws.ToString(t.TaskArn))
	}
	return out, nil
}

func (a stoppedTasksAPI) DescribeTasks(context.Context, *ecs.DescribeTasksInput, ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	return &ecs.DescribeTasksOutput{Tasks: a.tasks}, nil
}

// TestStoppedTasksLeaveOutScaling: a failure report gives the tasks that
// failed, not those the scheduler stopped because a deployment wanted fewer
// (replaced old tasks, new ones drained after a cancel).
func TestStoppedTasksLeaveOutScaling(t *testing.T) {
	s := parse(t, "nginx:1")
	now := time.Now()
	task := func(id, image, stopCode, reason string, exit int32) types.Task {
		return types.Task{TaskArn: aws.String("arn:aws:ecs:us-east-1:1:task/c/" + id), CreatedAt: aws.Time(now),
			Group: aws.String("service:" + s.ServiceName()), LastStatus: aws.String("STOPPED"),
			StopCode: types.TaskStopCode(stopCode), StoppedReason: aws.String(reason),
			Containers: []types.Container{{Name: aws.String("app"), Image: aws.String(image), ExitCode: aws.Int32(exit)}}}
	}
	api := stoppedTasksAPI{tasks: []types.Task{
		task("old", "nginx:1.27", "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/1)", 0),
		task("crashed", "nginx:broken", "EssentialContainerExited", "Essential container in task exited", 1),
		task("unhealthy", "nginx:broken", "ServiceSchedulerInitiated", "Task failed ELB health checks in (target-group tg)", 0),
	}}
	got := stoppedTaskReasons(context.Background(), api, s, now)
	joined := strings.Join(got, "\n")
	if len(got) != 2 || !strings.Contains(joined, "crashed") || !strings.Contains(joined, "unhealthy") || strings.Contains(joined, "old") {
		t.Fatalf("stopped tasks listed:\n%s\nwant the crashed and the unhealthy task, not the one stopped for scaling", joined)
	}
}
