package runtask

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
)

// scriptedECS answers DescribeTasks with the next state of a script, then
// keeps answering with the last one.
type scriptedECS struct {
	mu        sync.Mutex
	states    [][]types.Task
	calls     int
	runInput  *ecs.RunTaskInput
	runOutput *ecs.RunTaskOutput
	errs      []error // returned, one per call, before any state
}

func (f *scriptedECS) RunTask(_ context.Context, in *ecs.RunTaskInput, _ ...func(*ecs.Options)) (*ecs.RunTaskOutput, error) {
	f.runInput = in
	return f.runOutput, nil
}

func (f *scriptedECS) DescribeTasks(_ context.Context, in *ecs.DescribeTasksInput, _ ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return nil, err
	}
	i := min(f.calls, len(f.states)-1)
	f.calls++
	return &ecs.DescribeTasksOutput{Tasks: f.states[i]}, nil
}

// streamLogs serves a fixed list of lines per stream, a few per call, with
// forward tokens that behave like CloudWatch Logs'.
type streamLogs struct {
	lines map[string][]string // stream name → lines
	page  int
}

func (l *streamLogs) GetLogEvents(_ context.Context, in *cloudwatchlogs.GetLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetLogEventsOutput, error) {
	lines, ok := l.lines[aws.ToString(in.LogStreamName)]
	if !ok {
		return nil, &logtypes.ResourceNotFoundException{Message: aws.String("The specified log stream does not exist.")}
	}
	from := 0
	if in.NextToken != nil {
		from = int((*in.NextToken)[2] - '0')
	}
	to := min(from+l.page, len(lines))
	out := &cloudwatchlogs.GetLogEventsOutput{NextForwardToken: aws.String("f/" + string(rune('0'+to)))}
	for i := from; i < to; i++ {
		out.Events = append(out.Events, logtypes.OutputLogEvent{Message: aws.String(lines[i]), Timestamp: aws.Int64(int64(1000 + i))})
	}
	return out, nil
}

const taskARN = "arn:aws:ecs:us-east-1:123456789012:task/default/0f1e2d3c"

func migrationTaskDef() *types.TaskDefinition {
	awslogs := func(prefix string) *types.LogConfiguration {
		return &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: map[string]string{
			"awslogs-group": "/ecs/migrate", "awslogs-stream-prefix": prefix, "awslogs-region": "us-east-1"}}
	}
	return &types.TaskDefinition{ContainerDefinitions: []types.ContainerDefinition{
		{Name: aws.String("migrate"), LogConfiguration: awslogs("ecs")},
		{Name: aws.String("logger"), Essential: aws.Bool(false), LogConfiguration: &types.LogConfiguration{LogDriver: types.LogDriverJsonFile}},
	}}
}

func taskIn(status string, cs ...types.Container) types.Task {
	t := types.Task{TaskArn: aws.String(taskARN), LastStatus: aws.String(status), Containers: cs}
	if status == "RUNNING" || status == "STOPPED" {
		t.StartedAt = aws.Time(time.Unix(1700000000, 0))
	}
	if status == "STOPPED" {
		t.StopCode = types.TaskStopCodeEssentialContainerExited
		t.StoppedReason = aws.String("Essential container in task exited")
	}
	return t
}

func TestWaitFollowsTheTaskAndItsLogs(t *testing.T) {
	api := &scriptedECS{
		runOutput: &ecs.RunTaskOutput{Tasks: []types.Task{{TaskArn: aws.String(taskARN)}}},
		states: [][]types.Task{
			{taskIn("PENDING")},
			{taskIn("RUNNING")},
			{taskIn("STOPPED", container("migrate", 42, ""), container("logger", 0, ""))},
		},
	}
	logs := &streamLogs{page: 2, lines: map[string][]string{
		"ecs/migrate/0f1e2d3c": {"connecting", "applying 001", "applying 002", "failed: duplicate column"},
	}}
	l, err := Start(context.Background(), api, &ecs.RunTaskInput{Cluster: aws.String("default"), TaskDefinition: aws.String("migrate:3")})
	if err != nil {
		t.Fatal(err)
	}
	var events []Event
	res, err := Wait(context.Background(), api, l, WaitOptions{
		TaskDefinition: migrationTaskDef(), PollInterval: time.Millisecond, Logs: logs,
		Report: func(e Event) { events = append(events, e) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 42 || res.Outcome != Failed {
		t.Fatalf("result = %+v; want failed with 42", res)
	}
	var statuses, lines []string
	var notices int
	for _, e := range events {
		switch e.Kind {
		case TaskStatusChanged:
			statuses = append(statuses, e.Status)
		case LogLine:
			if e.Container != "migrate" {
				t.Fatalf("log line from %q", e.Container)
			}
			lines = append(lines, e.Message)
		case Notice:
			notices++
			if !strings.Contains(e.Message, "logger") {
				t.Fatalf("unexpected notice %q", e.Message)
			}
		}
	}
	if got := strings.Join(statuses, ","); got != "PENDING,RUNNING,STOPPED" {
		t.Fatalf("statuses = %s", got)
	}
	if got := strings.Join(lines, "|"); got != "connecting|applying 001|applying 002|failed: duplicate column" {
		t.Fatalf("log lines = %s", got)
	}
	if notices != 1 {
		t.Fatalf("want one notice about the container logging with json-file, got %d", notices)
	}
}

func TestWaitTimesOutLeavingTheTaskRunning(t *testing.T) {
	api := &scriptedECS{states: [][]types.Task{{taskIn("RUNNING")}}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	res, err := Wait(ctx, api, Launched{Cluster: "default", TaskARNs: []string{taskARN}},
		WaitOptions{TaskDefinition: migrationTaskDef(), PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != TimedOut || res.ExitCode != 3 || !strings.Contains(res.Message, "still running") {
		t.Fatalf("result = %+v", res)
	}
}

func TestWaitWithNothingLaunched(t *testing.T) {
	api := &scriptedECS{}
	res, err := Wait(context.Background(), api, Launched{Failures: []LaunchFailure{{Reason: "RESOURCE:CPU"}}}, WaitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != ExitNotStarted || api.calls != 0 {
		t.Fatalf("result = %+v after %d describes", res, api.calls)
	}
}

func TestWaitRidesOutThrottlingButNotOtherErrors(t *testing.T) {
	throttle := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	api := &scriptedECS{errs: []error{throttle, throttle},
		states: [][]types.Task{{taskIn("STOPPED", container("migrate", 0, ""))}}}
	var notices int
	res, err := Wait(context.Background(), api, Launched{Cluster: "default", TaskARNs: []string{taskARN}},
		WaitOptions{TaskDefinition: migrationTaskDef(), PollInterval: time.Millisecond,
			Report: func(e Event) {
				if e.Kind == Notice && strings.Contains(e.Message, "Rate exceeded") {
					notices++
				}
			}})
	if err != nil || res.ExitCode != 0 || notices != 2 {
		t.Fatalf("result %+v, err %v, %d throttling notices", res, err, notices)
	}

	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not allowed"}
	api = &scriptedECS{errs: []error{denied}, states: [][]types.Task{{taskIn("RUNNING")}}}
	if _, err := Wait(context.Background(), api, Launched{Cluster: "default", TaskARNs: []string{taskARN}},
		WaitOptions{TaskDefinition: migrationTaskDef(), PollInterval: time.Millisecond}); err == nil || !strings.Contains(err.Error(), "not allowed") {
		t.Fatalf("access denied: err %v", err)
	}
}
