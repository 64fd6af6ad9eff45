package runtask

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// LaunchFailure is a task RunTask could not launch (no capacity, a missing
// attribute, ...), as ECS reported it.
type LaunchFailure struct {
	Arn    string `json:"arn,omitempty"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// LaunchFailures converts RunTask's failures.
func LaunchFailures(fs []types.Failure) []LaunchFailure {
	out := make([]LaunchFailure, 0, len(fs))
	for _, f := range fs {
		out = append(out, LaunchFailure{Arn: aws.ToString(f.Arn), Reason: aws.ToString(f.Reason), Detail: aws.ToString(f.Detail)})
	}
	return out
}

// Result is the outcome of a whole run: every task's verdict, the tasks
// RunTask could not launch, and the exit code the command ends with.
type Result struct {
	TaskARNs       []string        `json:"taskArns"`
	Tasks          []TaskVerdict   `json:"tasks,omitempty"`
	LaunchFailures []LaunchFailure `json:"launchFailures,omitempty"`
	Outcome        Outcome         `json:"outcome"`
	ExitCode       int             `json:"exitCode"`
	Message        string          `json:"message"`
}

// Combine makes one result of the verdicts of a run's tasks, in the order
// RunTask returned them: the first task that did not succeed decides the exit
// code; tasks RunTask could not launch count as not started, after those.
func Combine(taskARNs []string, verdicts []TaskVerdict, launch []LaunchFailure) Result {
	r := Result{TaskARNs: taskARNs, Tasks: verdicts, LaunchFailures: launch, Outcome: Succeeded}
	for _, v := range verdicts {
		if v.Outcome != Succeeded {
			r.Outcome, r.ExitCode = v.Outcome, v.ExitCode
			r.Message = fmt.Sprintf("task %s: %s", TaskID(v.TaskARN), v.Message)
			return r
		}
	}
	if len(launch) > 0 {
		var reasons []string
		for _, f := range launch {
			s := f.Reason
			if f.Detail != "" {
				s += " (" + f.Detail + ")"
			}
			if f.Arn != "" {
				s += " on " + f.Arn
			}
			reasons = append(reasons, s)
		}
		r.Outcome, r.ExitCode = NotStarted, ExitNotStarted
		r.Message = "ECS could not launch the task: " + strings.Join(reasons, "; ")
		return r
	}
	switch len(verdicts) {
	case 0:
		r.Outcome, r.ExitCode = NotStarted, ExitNotStarted
		r.Message = "ECS launched no task"
	case 1:
		r.Message = fmt.Sprintf("task %s: %s", TaskID(verdicts[0].TaskARN), verdicts[0].Message)
	default:
		r.Message = fmt.Sprintf("all %d tasks succeeded", len(verdicts))
	}
	return r
}

// Err returns the error the command ends with: nil on success, otherwise
// an error carrying the exit code.
func (r Result) Err() error {
	if r.ExitCode == 0 {
		return nil
	}
	return exitcode.With(r.ExitCode, fmt.Errorf("%s", r.Message))
}

// TaskID is the last part of a task ARN (the id logs streams are named by).
func TaskID(arn string) string { return ecsref.Short(arn) }
