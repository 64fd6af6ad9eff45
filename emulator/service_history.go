package emulator

import (
	"encoding/json"
	"strings"
	"time"
)

// serviceRevision is a snapshot of what a deployment deploys, as the
// DescribeServiceRevisions API shows it.
type serviceRevision struct {
	ARN               string                `json:"arn"`
	TaskDefinition    string                `json:"taskDefinition"`
	LaunchType        string                `json:"launchType,omitempty"`
	PlatformVersion   string                `json:"platformVersion,omitempty"`
	CapacityProviders json.RawMessage       `json:"capacityProviders,omitempty"`
	LoadBalancers     json.RawMessage       `json:"loadBalancers,omitempty"`
	ServiceRegistries json.RawMessage       `json:"serviceRegistries,omitempty"`
	Network           *networkConfiguration `json:"network,omitempty"`
	CreatedAt         time.Time             `json:"createdAt"`
	revisionMembers                         // Service Connect, volumes, VPC Lattice… (service_passthrough.go)
}

// serviceDeployment is one entry of the service's deployment history
// (ListServiceDeployments, DescribeServiceDeployments). It outlives the
// entry in the deployments array. A circuit-breaker rollback belongs to the
// deployment that failed: its status goes ROLLBACK_IN_PROGRESS, then
// ROLLBACK_SUCCESSFUL.
type serviceDeployment struct {
	ARN            string                  `json:"arn"`
	DeploymentIDs  []string                `json:"deploymentIds"` // the deployments array entries it covers
	Target         string                  `json:"target"`        // service revision ARN
	Sources        []string                `json:"sources,omitempty"`
	Status         string                  `json:"status"`
	StatusReason   string                  `json:"statusReason,omitempty"`
	CreatedAt      time.Time               `json:"createdAt"`
	FinishedAt     time.Time               `json:"finishedAt,omitzero"`
	StoppedAt      time.Time               `json:"stoppedAt,omitzero"`
	UpdatedAt      time.Time               `json:"updatedAt"`
	Config         deploymentConfiguration `json:"config"`
	Requested      int                     `json:"requested"`
	Running        int                     `json:"running"`
	Pending        int                     `json:"pending"`
	Failures       int                     `json:"failures"`
	BreakerTripped bool                    `json:"breakerTripped,omitempty"`
	RollbackReason string                  `json:"rollbackReason,omitempty"`
	RollbackAt     time.Time               `json:"rollbackAt,omitzero"`
	RollbackToRev  string                  `json:"rollbackToRev,omitempty"`
	nativeHistory                          // lifecycle stage, hooks and alarms (service_bluegreen.go)
}

// historyARN builds a service-deployment or service-revision ARN from the service ARN.
func historyARN(serviceARN, kind, id string) string {
	return strings.Replace(serviceARN, ":service/", ":"+kind+"/", 1) + "/" + id
}

// recordDeployment adds d to the history with a new service revision;
// deployments still in progress are superseded (STOPPED).
func (e *Emulator) recordDeployment(s *service, d *deployment, now time.Time) {
	rev := &serviceRevision{
		ARN:            historyARN(s.ARN, "service-revision", strings.TrimPrefix(e.ids.deploymentID(), "ecs-svc/")),
		TaskDefinition: d.TaskDefinition, LaunchType: d.LaunchType, PlatformVersion: s.PlatformVersion,
		CapacityProviders: s.CapacityProviders, LoadBalancers: s.LoadBalancers, ServiceRegistries: s.ServiceRegistries,
		Network: d.Network, CreatedAt: now, revisionMembers: s.revisionMembers.clone(),
	}
	s.Revisions = append(s.Revisions, rev)
	var sources []string
	for _, old := range s.Deployments[1:] {
		if sd := s.history(old.ID); sd != nil {
			sources = append(sources, sd.Target)
		}
	}
	for _, sd := range s.History {
		if sd.Status == "IN_PROGRESS" || sd.Status == "ROLLBACK_IN_PROGRESS" {
			sd.Status, sd.StatusReason, sd.StoppedAt, sd.UpdatedAt = "STOPPED", "Stopped by a newer deployment of the service.", now, now
		}
	}
	s.History = append(s.History, &serviceDeployment{
		ARN: historyARN(s.ARN, "service-deployment", e.ids.hex32()[:22]), DeploymentIDs: []string{d.ID},
		Target: rev.ARN, Sources: sources, Status: "IN_PROGRESS", CreatedAt: now, UpdatedAt: now,
		Config: s.Config, Requested: s.DesiredCount,
	})
}

// recordRollback attaches the rollback deployment d to the failed one's
// history entry and points it at the revision it returns to.
func (s *service) recordRollback(failedID string, d *deployment, to *deployment, reason string, now time.Time) {
	sd := s.history(failedID)
	if sd == nil {
		return
	}
	sd.DeploymentIDs = append(sd.DeploymentIDs, d.ID)
	sd.Status, sd.StatusReason, sd.UpdatedAt = "ROLLBACK_IN_PROGRESS", reason, now
	sd.RollbackReason, sd.RollbackAt = reason, now
	if prev := s.history(to.ID); prev != nil {
		sd.RollbackToRev = prev.Target
	}
}

// history finds the history entry covering deployment id.
func (s *service) history(deploymentID string) *serviceDeployment {
	for i := len(s.History) - 1; i >= 0; i-- {
		for _, id := range s.History[i].DeploymentIDs {
			if id == deploymentID {
				return s.History[i]
			}
		}
	}
	return nil
}

// noteHistoryCounts keeps a history entry's task counts current; during a
// rollback they are the rollback deployment's.
func (s *service) noteHistoryCounts(d *deployment, now time.Time) {
	if sd := s.history(d.ID); sd != nil && sd.DeploymentIDs[len(sd.DeploymentIDs)-1] == d.ID {
		sd.Running, sd.Pending, sd.Failures, sd.UpdatedAt = d.RunningCount, d.PendingCount, d.FailedTasks, now
		if d.Status == "PRIMARY" {
			sd.Requested = d.DesiredCount
		}
	}
}

// finishHistory marks the entry of a completed deployment.
func (s *service) finishHistory(d *deployment, now time.Time) {
	sd := s.history(d.ID)
	if sd == nil {
		return
	}
	switch sd.Status {
	case "IN_PROGRESS":
		sd.Status = "SUCCESSFUL"
	case "ROLLBACK_IN_PROGRESS":
		sd.Status = "ROLLBACK_SUCCESSFUL"
	default:
		return
	}
	sd.FinishedAt, sd.UpdatedAt = now, now
}

// failHistory marks the entry of a deployment that failed without a
// rollback (breaker: the circuit breaker stopped it).
func (s *service) failHistory(d *deployment, reason string, breaker bool, now time.Time) {
	if sd := s.history(d.ID); sd != nil {
		sd.BreakerTripped = sd.BreakerTripped || breaker
		sd.Status, sd.StatusReason, sd.StoppedAt, sd.UpdatedAt = "STOPPED", reason, now, now
	}
}

// stopHistory marks entries in progress as stopped (the service was deleted).
func (s *service) stopHistory(reason string, now time.Time) {
	for _, sd := range s.History {
		if sd.Status == "IN_PROGRESS" || sd.Status == "ROLLBACK_IN_PROGRESS" {
			sd.Status, sd.StatusReason, sd.StoppedAt, sd.UpdatedAt = "STOPPED", reason, now, now
		}
	}
}
