package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/stack/cfn"
	"github.com/ecsdeploy/ecsdeploy/stack/lifecycle"
)

// stackReporter turns the lifecycle's reports into the shared progress
// vocabulary, so stack events render like every other progress line.
type stackReporter struct {
	r progress.Reporter
	// serviceFailed, when set, runs when the service resource fails: that
	// is the moment to read why its tasks stopped, before the rollback
	// deletes the service (and maybe its cluster).
	serviceFailed func()
	// operationStart, when set, receives the time of the first stack event
	// of this operation: its start in AWS's clock, which is the clock the
	// tasks' creation times are in (the local ECS's clock may run faster
	// than this machine's).
	operationStart *time.Time
}

func (s stackReporter) Step(message string) {
	s.r.Report(progress.Step{At: time.Now(), Message: message})
}

func (s stackReporter) Changes(changes []lifecycle.Change) {
	if len(changes) == 0 {
		s.Step("the change set changes no resource")
		return
	}
	for _, c := range changes {
		line := fmt.Sprintf("change: %s %s (%s)", c.Action, c.LogicalResourceID, c.ResourceType)
		if c.Replacement != "" && c.Replacement != "False" {
			line += ", replacement: " + c.Replacement
		}
		s.Step(line)
	}
}

func (s stackReporter) StackEvent(e lifecycle.Event) {
	msg := fmt.Sprintf("stack: %s %s %s", e.LogicalResourceID, e.ResourceType, e.Status)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	s.r.Report(progress.Step{At: e.Time, Message: msg})
	if s.operationStart != nil && s.operationStart.IsZero() {
		*s.operationStart = e.Time
	}
	if s.serviceFailed != nil && e.LogicalResourceID == cfn.LogicalService && strings.HasSuffix(e.Status, "_FAILED") {
		s.serviceFailed()
	}
}

// outcomeOf maps an error to the outcome a result reports.
func outcomeOf(err error) progress.Outcome {
	if exitcode.Of(err) == exitcode.TimedOut || errors.Is(err, context.DeadlineExceeded) {
		return progress.TimedOut
	}
	return progress.Failed
}
