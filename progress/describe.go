package progress

import (
	"fmt"
	"strings"
	"time"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
)

// DescribeDeployment renders a deployment on one line.
func DescribeDeployment(d Deployment) string {
	var b strings.Builder
	b.WriteString("deployment ")
	b.WriteString(d.ID)
	switch {
	case d.Awaited:
		b.WriteString(" (awaited)")
	case d.Ours:
		b.WriteString(" (ours)")
	}
	if d.Status == Gone {
		// Its counts and state are from the poll before it went; printing
		// them as current would show a failed deployment as IN_PROGRESS.
		fmt.Fprintf(&b, " %s is no longer listed by the service (last seen", ecsref.Short(d.TaskDefinition))
		if d.RolloutState != "" {
			b.WriteString(" " + d.RolloutState + ",")
		}
		fmt.Fprintf(&b, " %d of %d running)", d.Running, d.Desired)
		return b.String()
	}
	fmt.Fprintf(&b, " %s %s", d.Status, ecsref.Short(d.TaskDefinition))
	if d.RolloutState != "" {
		b.WriteString(" " + d.RolloutState)
	}
	fmt.Fprintf(&b, ": desired %d, pending %d, running %d", d.Desired, d.Pending, d.Running)
	if d.Failed > 0 {
		fmt.Fprintf(&b, ", failed %d", d.Failed)
	}
	// The reason only says something new when the rollout failed or is a
	// rollback; "ECS deployment … in progress/completed." repeats the state.
	if r := d.RolloutStateReason; r != "" && (d.RolloutState == "FAILED" || strings.Contains(strings.ToLower(r), "rolling back")) {
		b.WriteString(" — " + r)
	}
	return b.String()
}

// DescribeTask renders a task on one line, with its stop reasons and every
// container's exit code when it stopped.
func DescribeTask(t Task) string {
	var b strings.Builder
	b.WriteString("task ")
	b.WriteString(t.ID)
	if t.Ours {
		b.WriteString(" (new)")
	} else {
		b.WriteString(" (old)")
	}
	b.WriteString(" " + t.LastStatus)
	if t.HealthStatus != "" && t.HealthStatus != "UNKNOWN" && !t.Stopped() {
		b.WriteString(" " + t.HealthStatus)
	}
	if t.Stopped() {
		if t.StopCode != "" {
			b.WriteString(" " + t.StopCode)
		}
		if t.StoppedReason != "" {
			b.WriteString(": " + t.StoppedReason)
		}
		for _, c := range t.Containers {
			b.WriteString("; " + DescribeContainer(c))
		}
	}
	return b.String()
}

// DescribeContainer renders a stopped container: name, exit code and reason.
func DescribeContainer(c Container) string {
	s := "container " + c.Name
	if c.ExitCode != nil {
		s += fmt.Sprintf(" exit %d", *c.ExitCode)
	} else {
		s += " no exit code"
	}
	if c.HealthStatus == "UNHEALTHY" {
		s += " UNHEALTHY"
	}
	if c.Reason != "" {
		s += " (" + c.Reason + ")"
	}
	return s
}

// Describe renders any event as one line of text, without a timestamp.
func Describe(e Event) string {
	switch e := e.(type) {
	case Step:
		return e.Message
	case Warning:
		return "warning: " + e.Message
	case DeploymentChanged:
		return DescribeDeployment(e.Deployment)
	case TaskChanged:
		return DescribeTask(e.Task)
	case ServiceEvent:
		if e.Created.IsZero() {
			return "event: " + e.Message
		}
		return "event (created " + e.Created.UTC().Format("15:04:05Z") + "): " + e.Message
	case Verdict:
		if e.Awaited {
			return fmt.Sprintf("deployment %s (awaited) %s: %s", e.DeploymentID, e.Outcome, e.Reason)
		}
		return fmt.Sprintf("deployment %s %s: %s", e.DeploymentID, e.Outcome, e.Reason)
	case Polled:
		return "polled; no change"
	case Throttled:
		return fmt.Sprintf("throttled by AWS; polling every %s", e.Interval.Round(time.Millisecond))
	default:
		return fmt.Sprintf("%v", e)
	}
}
