package lifecycle

import (
	"fmt"
	"strings"
	"time"
)

// Event is one stack event of the operation being run.
type Event struct {
	Time              time.Time `json:"time"`
	LogicalResourceID string    `json:"logicalResourceId"`
	ResourceType      string    `json:"resourceType"`
	Status            string    `json:"status"`
	Reason            string    `json:"reason,omitempty"`
}

// Change is one resource change of a change set.
type Change struct {
	Action            string `json:"action"` // Add, Modify, Remove, ...
	LogicalResourceID string `json:"logicalResourceId"`
	ResourceType      string `json:"resourceType"`
	Replacement       string `json:"replacement,omitempty"` // True, False, Conditional
}

// Reporter receives what the lifecycle does, as it happens. The engine never
// prints; the command renders these.
type Reporter interface {
	// Step says what is being done, e.g. "deleting stack X left in ROLLBACK_COMPLETE".
	Step(message string)
	// Changes lists what an update will change, before it is executed.
	Changes(changes []Change)
	// StackEvent is one event of this operation, oldest first.
	StackEvent(e Event)
}

// NopReporter discards everything.
type NopReporter struct{}

func (NopReporter) Step(string)      {}
func (NopReporter) Changes([]Change) {}
func (NopReporter) StackEvent(Event) {}

// ResourceFailure is a resource that failed during the operation, with the
// reason CloudFormation gave.
type ResourceFailure struct {
	LogicalResourceID string `json:"logicalResourceId"`
	ResourceType      string `json:"resourceType"`
	Status            string `json:"status"`
	Reason            string `json:"reason"`
}

// StackFailedError says the stack operation failed: the status it ended in
// and the reasons of the resources that failed in this operation.
type StackFailedError struct {
	Stack    string
	StackID  string // of the stack that failed; after a failed delete, of the stack still there
	Status   string
	Failures []ResourceFailure
}

func (e *StackFailedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stack %s ended in %s", e.Stack, e.Status)
	b.WriteString(formatFailures(e.Failures))
	return b.String()
}

// formatFailures lists failed resources, one per line, after a colon.
func formatFailures(fs []ResourceFailure) string {
	if len(fs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(":")
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  - %s (%s) %s: %s", f.LogicalResourceID, f.ResourceType, f.Status, f.Reason)
	}
	return b.String()
}
