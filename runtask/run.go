package runtask

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig/transient"
)

// ECSAPI is the part of ECS that running a task needs; *ecs.Client satisfies it.
type ECSAPI interface {
	RunTask(ctx context.Context, in *ecs.RunTaskInput, optFns ...func(*ecs.Options)) (*ecs.RunTaskOutput, error)
	DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
}

// Launched is what RunTask started.
type Launched struct {
	Cluster  string
	TaskARNs []string
	Failures []LaunchFailure
}

// Start calls RunTask once. ECS launches at most 10 tasks per call; the
// caller validates Count before.
func Start(ctx context.Context, api ECSAPI, in *ecs.RunTaskInput) (Launched, error) {
	out, err := api.RunTask(ctx, in)
	if err != nil {
		return Launched{}, fmt.Errorf("run task from %s: %w", aws.ToString(in.TaskDefinition), err)
	}
	l := Launched{Cluster: aws.ToString(in.Cluster), Failures: LaunchFailures(out.Failures)}
	for _, t := range out.Tasks {
		l.TaskARNs = append(l.TaskARNs, aws.ToString(t.TaskArn))
	}
	return l, nil
}

// WaitOptions say how to wait for launched tasks.
type WaitOptions struct {
	// TaskDefinition tells which containers are essential and where their
	// logs go. Required.
	TaskDefinition *types.TaskDefinition
	// ExitCodeFrom names the container whose exit code is the run's.
	ExitCodeFrom string
	// PollInterval between DescribeTasks calls; 0 means one second.
	PollInterval time.Duration
	// Logs, when set, follows the containers' awslogs streams.
	Logs LogsAPI
	// Report receives what happens; nil discards it.
	Report Reporter
}

// maxDescribe is how many tasks one DescribeTasks call may name.
const maxDescribe = 100

// Wait polls the launched tasks until all are STOPPED, then judges them.
// When ctx ends first (the caller's timeout), the result is TimedOut with
// exit code 3 and the tasks are left running. An error is returned only when
// ECS refuses a call.
func Wait(ctx context.Context, api ECSAPI, l Launched, o WaitOptions) (Result, error) {
	if len(l.TaskARNs) == 0 {
		return Combine(nil, nil, l.Failures), nil
	}
	interval := o.PollInterval
	if interval <= 0 {
		interval = time.Second
	}
	essential := Essentials(o.TaskDefinition)
	var follower *Follower
	if o.Logs != nil {
		follower = &Follower{API: o.Logs}
		for _, arn := range l.TaskARNs {
			streams, unfollowable := LogStreams(o.TaskDefinition, arn)
			follower.Streams = append(follower.Streams, streams...)
			if arn == l.TaskARNs[0] {
				for _, why := range unfollowable {
					o.Report.emit(Event{Time: time.Now(), Kind: Notice, Message: "logs: " + why})
				}
			}
		}
	}

	w := &watcher{report: o.Report, status: map[string]string{}, exited: map[string]bool{}}
	pause := interval
	for {
		tasks, err := describe(ctx, api, l.Cluster, l.TaskARNs)
		switch {
		case err != nil && ctx.Err() != nil:
			return timedOut(l), nil
		case err != nil && transient.Is(err):
			// Back off and keep waiting: the task runs on whether or not we can see it.
			pause = min(2*pause, maxBackoff)
			o.Report.emit(Event{Time: time.Now(), Kind: Notice, Message: fmt.Sprintf("%v; polling again in %s", err, pause)})
			if !sleep(ctx, pause) {
				return timedOut(l), nil
			}
			continue
		case err != nil:
			return Result{}, err
		}
		pause = interval
		w.observe(tasks)
		if follower != nil {
			if err := follower.Poll(ctx, o.Report); err != nil && ctx.Err() == nil && !transient.Is(err) {
				// Logs are a convenience: losing them must not fail the run.
				// (A throttled read is simply tried again at the next poll.)
				o.Report.emit(Event{Time: time.Now(), Kind: Notice, Message: err.Error() + "; no longer following logs"})
				follower = nil
			}
		}
		if allStopped(tasks, len(l.TaskARNs)) {
			verdicts := make([]TaskVerdict, 0, len(tasks))
			for _, t := range ordered(tasks, l.TaskARNs) {
				verdicts = append(verdicts, Judge(t, essential, o.ExitCodeFrom))
			}
			return Combine(l.TaskARNs, verdicts, l.Failures), nil
		}
		if !sleep(ctx, interval) {
			return timedOut(l), nil
		}
	}
}

// sleep pauses for d, or less if ctx ends first (then it reports false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func timedOut(l Launched) Result {
	r := Result{TaskARNs: l.TaskARNs, LaunchFailures: l.Failures, Outcome: TimedOut, ExitCode: 3}
	r.Message = fmt.Sprintf("timed out waiting for %d task(s) to stop; they are still running", len(l.TaskARNs))
	return r
}

// describe reads every task, at most maxDescribe per call. Tasks that ECS
// reports MISSING are an error: they cannot be judged.
func describe(ctx context.Context, api ECSAPI, cluster string, arns []string) ([]types.Task, error) {
	var tasks []types.Task
	for start := 0; start < len(arns); start += maxDescribe {
		end := min(start+maxDescribe, len(arns))
		out, err := api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: arns[start:end]})
		if err != nil {
			return nil, fmt.Errorf("describe tasks: %w", err)
		}
		for _, f := range out.Failures {
			return nil, fmt.Errorf("describe task %s: %s", aws.ToString(f.Arn), aws.ToString(f.Reason))
		}
		tasks = append(tasks, out.Tasks...)
	}
	return tasks, nil
}

func allStopped(tasks []types.Task, want int) bool {
	if len(tasks) < want {
		return false
	}
	for _, t := range tasks {
		if aws.ToString(t.LastStatus) != "STOPPED" {
			return false
		}
	}
	return true
}

// ordered returns tasks in the order of arns (RunTask's order), so that
// "the first task that failed" is stable.
func ordered(tasks []types.Task, arns []string) []types.Task {
	byARN := make(map[string]types.Task, len(tasks))
	for _, t := range tasks {
		byARN[aws.ToString(t.TaskArn)] = t
	}
	out := make([]types.Task, 0, len(arns))
	for _, a := range arns {
		if t, ok := byARN[a]; ok {
			out = append(out, t)
		}
	}
	return out
}

// watcher turns successive DescribeTasks answers into change events.
type watcher struct {
	report Reporter
	status map[string]string // task ARN → lastStatus last reported
	exited map[string]bool   // task ARN + "/" + container → exit reported
}

func (w *watcher) observe(tasks []types.Task) {
	now := time.Now()
	for _, t := range tasks {
		arn := aws.ToString(t.TaskArn)
		last := aws.ToString(t.LastStatus)
		if w.status[arn] != last {
			w.status[arn] = last
			w.report.emit(Event{Time: now, Kind: TaskStatusChanged, TaskARN: arn, Status: last})
		}
		for _, c := range t.Containers {
			key := arn + "/" + aws.ToString(c.Name)
			if c.ExitCode == nil && !(last == "STOPPED" && aws.ToString(c.Reason) != "") {
				continue
			}
			if w.exited[key] {
				continue
			}
			w.exited[key] = true
			w.report.emit(Event{Time: now, Kind: ContainerExited, TaskARN: arn, Container: aws.ToString(c.Name),
				Status: aws.ToString(c.LastStatus), ExitCode: c.ExitCode, Message: aws.ToString(c.Reason)})
		}
		if last == "STOPPED" && !w.exited[arn] {
			w.exited[arn] = true
			w.report.emit(Event{Time: now, Kind: TaskStopped, TaskARN: arn, Status: string(t.StopCode), Message: aws.ToString(t.StoppedReason)})
		}
	}
}
