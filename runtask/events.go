package runtask

import "time"

// EventKind says what an Event reports.
type EventKind string

// Kinds of events Wait emits.
const (
	TaskStatusChanged EventKind = "task-status"    // a task's lastStatus moved (Status)
	ContainerExited   EventKind = "container-exit" // a container reported its exit code (ExitCode, Message = reason)
	TaskStopped       EventKind = "task-stopped"   // a task reached STOPPED (Message = stoppedReason)
	LogLine           EventKind = "log"            // a line a container printed (Message)
	Notice            EventKind = "notice"         // something the user should know (Message)
	Registered        EventKind = "registered"     // Run registered a revision for the run (Message = family:revision)
	TaskStarted       EventKind = "task-started"   // Run started a task (TaskARN, Message = family:revision)
)

// Event is one thing Wait saw. Fields not relevant to the kind are zero.
type Event struct {
	Time      time.Time // when it happened (a log line's timestamp) or was seen
	Kind      EventKind
	TaskARN   string
	Container string
	Status    string
	ExitCode  *int32
	Message   string
}

// Reporter receives events; nil means nobody listens.
type Reporter func(Event)

func (r Reporter) emit(e Event) {
	if r != nil {
		r(e)
	}
}
