// Package progress is the vocabulary of what a deployment engine reports
// while it works, and the renderers that turn those reports into output: a
// live view for terminals, one timestamped line per change for CI logs, and
// nothing at all for --quiet. The engines (watch, rollout) never print; they
// send Events to a Reporter.
package progress

import "time"

// Event is one thing an engine reports. The concrete types below are the
// whole vocabulary; renderers switch on them.
type Event interface {
	// When is the moment the engine saw it happen.
	When() time.Time
}

// Reporter receives events. Implementations must be safe for use by one
// engine goroutine at a time; they are not called concurrently.
type Reporter interface {
	Report(Event)
}

// ReporterFunc adapts a function to Reporter.
type ReporterFunc func(Event)

// Report implements Reporter.
func (f ReporterFunc) Report(e Event) { f(e) }

// Discard is a Reporter that drops everything (--quiet, tests).
var Discard Reporter = ReporterFunc(func(Event) {})

// Multi sends every event to each reporter in turn.
func Multi(rs ...Reporter) Reporter {
	return ReporterFunc(func(e Event) {
		for _, r := range rs {
			if r != nil {
				r.Report(e)
			}
		}
	})
}

// Step is a milestone of the engine: a revision registered, the service
// updated, a rollback started, revisions pruned.
type Step struct {
	At      time.Time
	Message string
}

// Warning is something the user should know that does not stop the work.
type Warning struct {
	At      time.Time
	Message string
}

// Deployment is the state of one ECS deployment of the watched service.
type Deployment struct {
	ID                 string
	Status             string // PRIMARY, ACTIVE, or Gone once ECS dropped it
	TaskDefinition     string // ARN
	RolloutState       string // IN_PROGRESS, COMPLETED, FAILED, or "" where ECS reports none
	RolloutStateReason string
	Desired            int32
	Pending            int32
	Running            int32
	Failed             int32
	Ours               bool // the deployment this run started (or waits for)
	Awaited            bool // with Ours: someone else's deployment, waited for before ours starts
}

// Gone is the Status of a deployment that ECS no longer lists (it finished
// draining, or was replaced); the rest of the Deployment is as last seen.
const Gone = "GONE"

// DeploymentChanged reports a deployment seen for the first time or whose
// counts or state changed since the last poll.
type DeploymentChanged struct {
	At         time.Time
	Deployment Deployment
}

// Container is one container of a task, as far as a stopped task's
// diagnosis needs it.
type Container struct {
	Name         string `json:"name"`
	LastStatus   string `json:"lastStatus"`
	ExitCode     *int32 `json:"exitCode,omitempty"`
	Reason       string `json:"reason,omitempty"`
	HealthStatus string `json:"healthStatus,omitempty"`
}

// Task is one task of the watched service.
type Task struct {
	ID            string      `json:"id"`         // the last part of the ARN
	Deployment    string      `json:"deployment"` // startedBy: the deployment that started it
	Ours          bool        `json:"ours"`
	LastStatus    string      `json:"lastStatus"`
	HealthStatus  string      `json:"healthStatus,omitempty"`
	StopCode      string      `json:"stopCode,omitempty"`
	StoppedReason string      `json:"stoppedReason,omitempty"`
	StartedAt     *time.Time  `json:"startedAt,omitempty"`
	StoppedAt     *time.Time  `json:"stoppedAt,omitempty"`
	Containers    []Container `json:"containers"`
}

// Stopped reports whether the task counts as stopped: it is STOPPED, or it
// has a stop code whatever its lastStatus. A task that failed fast is still
// DEACTIVATING or DEPROVISIONING when a verdict comes, with its stop code and
// reason already set; that is the evidence a diagnosis needs.
func (t Task) Stopped() bool {
	return t.LastStatus == "STOPPED" || t.StopCode != ""
}

// TaskChanged reports a task seen for the first time or whose status or
// health changed.
type TaskChanged struct {
	At   time.Time
	Task Task
}

// ServiceEvent is one of the service's own events (the messages ECS writes),
// reported once each, only those since the watched deployment began.
//
// It carries two times on purpose: At, when the watcher saw it, stamps the
// line like every other event, so a log reads in the order things were
// observed; Created is ECS's own createdAt, shown inline, which is when it
// happened by ECS's clock (a few seconds earlier on AWS, and on another clock
// altogether on a local ECS that runs faster than real time).
type ServiceEvent struct {
	At      time.Time // when the watcher saw it
	Created time.Time // when ECS wrote it (createdAt); zero if unknown
	ID      string
	Message string
}

// Time is when ECS wrote the event, or when it was seen if ECS gave no time.
func (e ServiceEvent) Time() time.Time {
	if e.Created.IsZero() {
		return e.At
	}
	return e.Created
}

// Outcome is how a wait ended.
type Outcome string

// The outcomes of a wait. They map onto exit codes in the CLI.
const (
	Succeeded Outcome = "succeeded"
	Failed    Outcome = "failed"
	TimedOut  Outcome = "timed-out"
)

// Verdict is the end of one wait: our deployment succeeded, failed or ran out
// of time, with the reason in one sentence.
type Verdict struct {
	At           time.Time
	DeploymentID string
	Outcome      Outcome
	Reason       string
	// Awaited marks the end of waiting for someone else's deployment, not
	// the verdict on ours.
	Awaited bool
}

// Polled marks a poll that changed nothing worth a line. Renderers that keep
// a clock on screen (the live view) redraw on it; line renderers skip it.
type Polled struct {
	At time.Time
}

// Throttled reports that AWS asked us to slow down and the poller backed off.
type Throttled struct {
	At       time.Time
	Interval time.Duration
}

func (e Step) When() time.Time              { return e.At }
func (e Warning) When() time.Time           { return e.At }
func (e DeploymentChanged) When() time.Time { return e.At }
func (e TaskChanged) When() time.Time       { return e.At }
func (e ServiceEvent) When() time.Time      { return e.At }
func (e Verdict) When() time.Time           { return e.At }
func (e Throttled) When() time.Time         { return e.At }
func (e Polled) When() time.Time            { return e.At }
