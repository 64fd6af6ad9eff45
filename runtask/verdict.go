package runtask

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// ExitNotStarted is the exit code of a run whose task never started: its
// image could not be pulled, ECS could not place it, or it stopped with
// TaskFailedToStart. It follows `docker run`, which exits 125 when the
// container could not be run at all, so a CI script can tell "the job failed"
// from "the job never ran".
const ExitNotStarted = 125

// Outcome says how a task (or a whole run) ended.
type Outcome string

// Outcomes of a task or a run.
const (
	Succeeded  Outcome = "succeeded"   // every essential container that decided exited 0
	Failed     Outcome = "failed"      // an essential container (or the one ExitCodeFrom names) exited non-zero
	NotStarted Outcome = "not-started" // the task never ran its containers
	TimedOut   Outcome = "timed-out"   // the wait ran out of time; the task may still run
	Started    Outcome = "started"     // not waited for (NoWait)
)

// ContainerResult is what one container of a stopped task reported.
type ContainerResult struct {
	Name      string `json:"name"`
	Essential bool   `json:"essential"`
	Status    string `json:"lastStatus,omitempty"`
	ExitCode  *int32 `json:"exitCode,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// TaskVerdict is the judgement of one stopped task.
type TaskVerdict struct {
	TaskARN       string            `json:"taskArn"`
	Outcome       Outcome           `json:"outcome"`
	ExitCode      int               `json:"exitCode"`
	Container     string            `json:"decidedBy,omitempty"` // the container whose exit code is ExitCode
	StopCode      string            `json:"stopCode,omitempty"`
	StoppedReason string            `json:"stoppedReason,omitempty"`
	Message       string            `json:"message"`
	Containers    []ContainerResult `json:"containers"`
}

// Essentials maps each container name of td to whether it is essential
// (ECS's default is essential).
func Essentials(td *types.TaskDefinition) map[string]bool {
	out := map[string]bool{}
	if td == nil {
		return out
	}
	for _, c := range td.ContainerDefinitions {
		out[aws.ToString(c.Name)] = c.Essential == nil || *c.Essential
	}
	return out
}

// collateral reports whether a container's exit looks like a consequence of
// the task being stopped (SIGTERM 143, or SIGKILL 137 after the stop
// timeout) rather than the container's own failure. When an essential
// container exits, ECS stops the others this way, so their codes must not
// hide the one that decided. A 137 with an out-of-memory reason is the
// container's own failure.
func collateral(c ContainerResult) bool {
	if c.ExitCode == nil {
		return false
	}
	switch *c.ExitCode {
	case 143:
		return true
	case 137:
		return !strings.Contains(strings.ToLower(c.Reason), "outofmemory")
	}
	return false
}

// Judge decides the outcome and exit code of a stopped task:
//
//   - With exitCodeFrom, that container's exit code is the task's.
//   - Otherwise only essential containers count. The first (in the task's
//     order) that exited non-zero on its own decides; codes 143 and 137
//     (without an out-of-memory reason) are taken as the result of ECS
//     stopping the task and count only when no essential container has
//     another code.
//   - A task that never started (stopCode TaskFailedToStart, or no container
//     ran) is NotStarted with ExitNotStarted and ECS's reasons.
//
// Exit codes outside 1..255 cannot be a process exit code; they become 1 and
// the message keeps the real value.
func Judge(task types.Task, essential map[string]bool, exitCodeFrom string) TaskVerdict {
	v := TaskVerdict{
		TaskARN:       aws.ToString(task.TaskArn),
		StopCode:      string(task.StopCode),
		StoppedReason: aws.ToString(task.StoppedReason),
	}
	anyExit := false
	for _, c := range task.Containers {
		name := aws.ToString(c.Name)
		ess, known := essential[name]
		if !known {
			ess = true
		}
		r := ContainerResult{Name: name, Essential: ess, Status: aws.ToString(c.LastStatus), ExitCode: c.ExitCode, Reason: aws.ToString(c.Reason)}
		if c.ExitCode != nil {
			anyExit = true
		}
		v.Containers = append(v.Containers, r)
	}
	neverStarted := task.StopCode == types.TaskStopCodeTaskFailedToStart || (task.StartedAt == nil && !anyExit)

	if exitCodeFrom != "" {
		for _, c := range v.Containers {
			if c.Name != exitCodeFrom {
				continue
			}
			if c.ExitCode == nil {
				return v.notStartedOr(neverStarted, c.Name, fmt.Sprintf("container %s reported no exit code", c.Name))
			}
			return v.decide(c)
		}
		return v.notStartedOr(neverStarted, exitCodeFrom, fmt.Sprintf("container %s is not in the task", exitCodeFrom))
	}

	var own, signalled []ContainerResult
	for _, c := range v.Containers {
		if !c.Essential || c.ExitCode == nil {
			continue
		}
		if collateral(c) {
			signalled = append(signalled, c)
		} else {
			own = append(own, c)
		}
	}
	for _, c := range own {
		if *c.ExitCode != 0 {
			return v.decide(c)
		}
	}
	if len(own) > 0 {
		return v.decide(own[0])
	}
	if len(signalled) > 0 {
		return v.decide(signalled[0])
	}
	return v.notStartedOr(neverStarted, "", "no essential container reported an exit code")
}

// decide makes c's exit code the task's.
func (v TaskVerdict) decide(c ContainerResult) TaskVerdict {
	code := int(*c.ExitCode)
	v.Container = c.Name
	if code == 0 {
		v.Outcome, v.ExitCode = Succeeded, 0
		v.Message = fmt.Sprintf("container %s exited 0", c.Name)
		return v
	}
	v.Outcome, v.ExitCode = Failed, code
	v.Message = fmt.Sprintf("container %s exited %d", c.Name, code)
	if code < 1 || code > 255 {
		v.ExitCode = 1
		v.Message += " (reported as exit code 1: not a valid process exit code)"
	}
	if c.Reason != "" {
		v.Message += ": " + c.Reason
	}
	return v
}

// notStartedOr reports a task that never started, or, when it did start,
// a failure described by why.
func (v TaskVerdict) notStartedOr(neverStarted bool, container, why string) TaskVerdict {
	v.Container = container
	if neverStarted {
		v.Outcome, v.ExitCode = NotStarted, ExitNotStarted
		v.Message = "task never started: " + v.startFailureReason()
		return v
	}
	v.Outcome, v.ExitCode = Failed, 1
	v.Message = why
	if v.StoppedReason != "" {
		v.Message += " (" + v.StoppedReason + ")"
	}
	return v
}

// startFailureReason collects the task's and its containers' reasons, which
// is where ECS says what went wrong (CannotPullContainerError, ...).
// The task's reason is left out when a container gives the same one: said
// with the container's name, it says more.
func (v TaskVerdict) startFailureReason() string {
	var parts []string
	taskReason := v.StoppedReason
	for _, c := range v.Containers {
		if c.Reason != "" {
			parts = append(parts, c.Name+": "+c.Reason)
			if c.Reason == taskReason {
				taskReason = ""
			}
		}
	}
	if taskReason != "" {
		parts = append([]string{taskReason}, parts...)
	}
	if len(parts) == 0 {
		return "ECS gave no reason"
	}
	return strings.Join(parts, "; ")
}
