package runtask

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/transient"
	"github.com/ecsdeploy/ecsdeploy/watch"
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
	// Timeout ends the wait with outcome TimedOut, the tasks left running;
	// 0 waits until ctx ends.
	Timeout time.Duration
	// Clock gives the time and the pauses between polls; nil is the wall clock.
	Clock watch.Clock
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
	if o.Clock == nil {
		o.Clock = watch.WallClock{}
	}
	var deadline time.Time
	if o.Timeout > 0 {
		deadline = o.Clock.Now().Add(o.Timeout)
	}
	// pause waits d (less when the timeout comes first); false means stop:
	// the timeout passed or ctx ended.
	pause := func(d time.Duration) bool {
		if !deadline.IsZero() {
			left := deadline.Sub(o.Clock.Now())
			if left <= 0 {
				return false
			}
			d = min(d, left)
		}
		select {
		case <-ctx.Done():
			return false
		case <-o.Clock.After(d):
			return true
		}
	}
	stop := func() Result {
		r := Result{TaskARNs: l.TaskARNs, LaunchFailures: l.Failures, Outcome: TimedOut, ExitCode: 3}
		switch {
		case ctx.Err() != nil:
			r.Message = fmt.Sprintf("interrupted before %d task(s) stopped; they are still running", len(l.TaskARNs))
		default:
			r.Message = fmt.Sprintf("timed out after %s waiting for %d task(s) to stop; they are still running", o.Timeout, len(l.TaskARNs))
		}
		return r
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
					o.Report.emit(Event{Time: o.Clock.Now(), Kind: Notice, Message: "logs: " + why})
				}
			}
		}
	}

	w := &watcher{report: o.Report, clock: o.Clock, status: map[string]string{}, exited: map[string]bool{}}
	backoff := interval
	for {
		tasks, err := describe(ctx, api, l.Cluster, l.TaskARNs)
		switch {
		case err != nil && ctx.Err() != nil:
			return stop(), nil
		case err != nil && transient.Is(err):
			// Back off and keep waiting: the task runs on whether or not we can see it.
			backoff = min(2*backoff, maxBackoff)
			o.Report.emit(Event{Time: o.Clock.Now(), Kind: Notice, Message: fmt.Sprintf("%v; polling again in %s", err, backoff)})
			if !pause(backoff) {
				return stop(), nil
			}
			continue
		case err != nil:
			return Result{}, err
		}
		backoff = interval
		w.observe(tasks)
		if follower != nil {
			if err := follower.Poll(ctx, o.Report); err != nil && ctx.Err() == nil && !transient.Is(err) {
				// Logs are a convenience: losing them must not fail the run.
				// (A throttled read is simply tried again at the next poll.)
				o.Report.emit(Event{Time: o.Clock.Now(), Kind: Notice, Message: err.Error() + "; no longer following logs"})
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
		if !pause(interval) {
			return stop(), nil
		}
	}
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
	clock  watch.Clock
	status map[string]string // task ARN → lastStatus last reported
	exited map[string]bool   // task ARN + "/" + container → exit reported
}

func (w *watcher) observe(tasks []types.Task) {
	now := w.clock.Now()
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

// RunAPI is what Run calls; *ecs.Client satisfies it.
type RunAPI interface {
	ECSAPI
	RegisterTaskDefinition(ctx context.Context, in *ecs.RegisterTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.RegisterTaskDefinitionOutput, error)
	// DescribeTaskDefinition reads the family back after a registration
	// whose reply was lost.
	DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
}

// Request is one run: the revision to run, or one to register first, and
// the RunTask input without its task definition.
type Request struct {
	TaskDefinition *types.TaskDefinition
	// Register, when set, is registered and run instead of TaskDefinition.
	Register *ecs.RegisterTaskDefinitionInput
	Input    *ecs.RunTaskInput
	// NoWait returns once the tasks are started.
	NoWait bool
}

// Run is what a run did.
type Run struct {
	TaskDefinition *types.TaskDefinition
	Registered     bool // the revision was registered for this run
	Result
}

// Execute registers the revision when asked, starts the tasks and, unless
// NoWait, waits for them with o (its TaskDefinition is the one run). A
// revision registered, tasks started and a wait are reported as events.
func Execute(ctx context.Context, api RunAPI, req Request, o WaitOptions) (*Run, error) {
	if o.Clock == nil {
		o.Clock = watch.WallClock{}
	}
	run := &Run{TaskDefinition: req.TaskDefinition}
	if req.Register != nil {
		td, err := register(ctx, api, req.Register, req.TaskDefinition)
		if err != nil {
			return nil, fmt.Errorf("register a revision of %s for the run: %w", aws.ToString(req.Register.Family), err)
		}
		run.TaskDefinition, run.Registered = td, true
		o.Report.emit(Event{Time: o.Clock.Now(), Kind: Registered, Message: familyRevision(td)})
	}
	in := *req.Input
	in.TaskDefinition = run.TaskDefinition.TaskDefinitionArn
	launched, err := Start(ctx, api, &in)
	if err != nil {
		return nil, err
	}
	for _, arn := range launched.TaskARNs {
		o.Report.emit(Event{Time: o.Clock.Now(), Kind: TaskStarted, TaskARN: arn, Message: familyRevision(run.TaskDefinition)})
	}
	if req.NoWait {
		run.Result = Result{TaskARNs: launched.TaskARNs, LaunchFailures: launched.Failures, Outcome: Started,
			Message: fmt.Sprintf("started %d task(s); not waiting", len(launched.TaskARNs))}
		if len(launched.Failures) > 0 {
			// Some (or all) tasks could not be launched: that is the outcome
			// even without waiting for the others.
			run.Result = Combine(launched.TaskARNs, nil, launched.Failures)
		}
		return run, nil
	}
	o.TaskDefinition = run.TaskDefinition
	res, err := Wait(ctx, api, launched, o)
	if err != nil {
		return nil, err
	}
	run.Result = res
	return run, nil
}

func familyRevision(td *types.TaskDefinition) string {
	return fmt.Sprintf("%s:%d", aws.ToString(td.Family), td.Revision)
}
