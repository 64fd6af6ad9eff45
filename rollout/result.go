package rollout

import (
	"time"

	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// Outcome values beyond the watcher's, for deploys that did not wait or
// could not start.
const (
	// Updated: the service was updated and --no-wait returned at once.
	Updated progress.Outcome = "updated"
	// NotStarted: a deployment already in progress did not finish in time,
	// so ours was never started.
	NotStarted progress.Outcome = "not-started"
)

// Result is the report of one deploy: what was deployed, how it ended, and
// what was done about it.
type Result struct {
	Cluster                string            `json:"cluster"`
	Service                string            `json:"service"`
	Region                 string            `json:"region,omitempty"`
	Family                 string            `json:"family"`
	Revision               int32             `json:"revision"`
	TaskDefinition         string            `json:"taskDefinition"`
	PreviousTaskDefinition string            `json:"previousTaskDefinition"`
	Registered             bool              `json:"registered"`
	DeploymentID           string            `json:"deploymentId,omitempty"`
	Outcome                progress.Outcome  `json:"outcome"`
	Reason                 string            `json:"reason,omitempty"`
	RolloutState           string            `json:"rolloutState,omitempty"`
	RolloutStateReason     string            `json:"rolloutStateReason,omitempty"`
	Changes                *taskdef.Summary  `json:"changes,omitempty"`
	ServiceChanges         []SettingChange   `json:"serviceChanges,omitempty"`
	Timings                Timings           `json:"timings"`
	Failure                *watch.Diagnosis  `json:"failure,omitempty"`
	WaitedFor              *WaitedDeployment `json:"waitedFor,omitempty"`
	Rollback               *RollbackResult   `json:"rollback,omitempty"`
	Pruned                 []string          `json:"pruned,omitempty"`
	OrphanDeregistered     string            `json:"orphanDeregistered,omitempty"`
	Warnings               []string          `json:"warnings,omitempty"`
	// ThrottledPolls counts the watcher's polls that AWS throttled (and that
	// were repeated after backing off).
	ThrottledPolls int `json:"throttledPolls,omitempty"`
	// VerdictSeen is when the watcher's poll saw the outcome (for benchmarks).
	VerdictSeen time.Time `json:"-"`

	// Strategy is how the service was deployed: StrategyRolling for Deploy.
	Strategy string `json:"strategy,omitempty"`
}

// Timings are the moments of a deploy, in UTC, and its duration.
type Timings struct {
	Started         time.Time  `json:"started"`
	Registered      *time.Time `json:"registered,omitempty"`
	ServiceUpdated  *time.Time `json:"serviceUpdated,omitempty"`
	Finished        time.Time  `json:"finished"`
	DurationSeconds float64    `json:"durationSeconds"`
}

// WaitedDeployment is a deployment that was already in progress when the
// deploy began, and how waiting for it ended.
type WaitedDeployment struct {
	DeploymentID   string           `json:"deploymentId"`
	TaskDefinition string           `json:"taskDefinition"`
	Outcome        progress.Outcome `json:"outcome"`
	Reason         string           `json:"reason,omitempty"`
}

// RollbackResult is what a rollback did and how it ended.
type RollbackResult struct {
	TaskDefinition string           `json:"taskDefinition"`
	DesiredCount   *int32           `json:"desiredCount,omitempty"`
	DeploymentID   string           `json:"deploymentId,omitempty"`
	ByECS          bool             `json:"byEcs,omitempty"` // the circuit breaker rolled back; we followed it
	Outcome        progress.Outcome `json:"outcome"`
	Reason         string           `json:"reason,omitempty"`
	Failure        *watch.Diagnosis `json:"failure,omitempty"`
}
