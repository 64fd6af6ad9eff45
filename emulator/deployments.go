package emulator

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

func (s *service) deployment(id string) *deployment {
	for _, d := range s.Deployments {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// startDeployment makes a new PRIMARY deployment from the service's current
// configuration; the previous ones become ACTIVE.
func (e *Emulator) startDeployment(s *service, now time.Time) *deployment {
	return e.newDeployment(s, now, false)
}

// newDeployment adds the PRIMARY entry; a rollback joins the history entry
// of the deployment that failed instead of starting one of its own.
func (e *Emulator) newDeployment(s *service, now time.Time, rollback bool) *deployment {
	for _, d := range s.Deployments {
		d.Status = "ACTIVE"
	}
	d := &deployment{
		ID: e.ids.deploymentID(), Status: "PRIMARY", TaskDefinition: s.TaskDefinition,
		DesiredCount: s.DesiredCount, CreatedAt: now, UpdatedAt: now, LaunchType: s.LaunchType,
		CapacityProviders: s.CapacityProviders, Network: s.Network, RolloutState: "IN_PROGRESS",
	}
	d.RunLaunchType = s.runLaunchType()
	if d.RunLaunchType == "FARGATE" {
		d.PlatformVersion = platformRevision(s.PlatformVersion, e.serviceTaskDef(s))
	}
	d.RolloutStateReason = fmt.Sprintf("ECS deployment %s in progress.", d.ID)
	s.Deployments = append([]*deployment{d}, s.Deployments...)
	if !rollback {
		e.recordDeployment(s, d, now)
	}
	s.StuckEventAt = time.Time{}
	s.StartFailures, s.BackoffUntil = 0, time.Time{} // a new task definition resets the backoff
	s.Steady = false
	s.touched = true
	return d
}

// circuitBreakerThreshold is ceil(0.5 × desiredCount) kept within [3, 200].
func circuitBreakerThreshold(desired int) int {
	return min(200, max(3, ceilDiv(desired, 2)))
}

// checkCircuitBreaker fails the primary deployment once failedTasks reaches
// the threshold, and rolls back to the last COMPLETED deployment if asked.
// The rollback deployment adopts the tasks still running from the last
// completed deployment, so the array shows just the rollback PRIMARY and the
// FAILED deployment, as ECS reports it.
func (e *Emulator) checkCircuitBreaker(s *service, tasks []*task, now time.Time) {
	p := s.Deployments[0]
	if !s.Config.CircuitBreaker || p.RolloutState != "IN_PROGRESS" || p.FailedTasks < circuitBreakerThreshold(s.DesiredCount) {
		return
	}
	p.RolloutState = "FAILED"
	p.RolloutStateReason = "ECS deployment circuit breaker: tasks failed to start."
	p.UpdatedAt = now
	e.addEvent(s, now, fmt.Sprintf("(service %s) (deployment %s) deployment failed: tasks failed to start.", s.Name, p.ID))
	s.noteHistoryCounts(p, now)
	last := s.LastCompleted
	if !s.Config.Rollback || last == nil || last.ID == p.ID {
		s.failHistory(p, p.RolloutStateReason, now)
		return
	}
	if sd := s.history(p.ID); sd != nil {
		sd.BreakerTripped = true
	}
	s.TaskDefinition, s.Network, s.LaunchType = last.TaskDefinition, last.Network, last.LaunchType
	s.CapacityProviders = last.CapacityProviders
	d := e.newDeployment(s, now, true)
	s.recordRollback(p.ID, d, last, p.RolloutStateReason, now)
	d.RolloutStateReason = fmt.Sprintf("ECS deployment circuit breaker: rolling back to deploymentId %s.", last.ID)
	for _, t := range tasks {
		if t.DeploymentID == last.ID {
			t.DeploymentID = d.ID
		}
	}
	s.Deployments = slices.DeleteFunc(s.Deployments, func(old *deployment) bool { return old.ID == last.ID })
	e.addEvent(s, now, fmt.Sprintf("(service %s) rolling back to deployment %s.", s.Name, last.ID))
}

// refreshDeployments recomputes each deployment's counts and drops ACTIVE
// deployments that have no task left. A FAILED deployment stays listed
// until the deployment that replaced it completes, as ECS shows it.
func (e *Emulator) refreshDeployments(s *service, tasks []*task, now time.Time) {
	type counts struct{ running, pending, live int }
	per := map[string]*counts{}
	for _, d := range s.Deployments {
		per[d.ID] = &counts{}
	}
	for _, t := range tasks {
		n := per[t.DeploymentID]
		if n == nil || t.LastStatus == "STOPPED" {
			continue
		}
		n.live++
		switch {
		case t.LastStatus == "RUNNING":
			n.running++
		case t.DesiredStatus == "RUNNING":
			n.pending++
		}
	}
	kept := s.Deployments[:0]
	for i, d := range s.Deployments {
		n := per[d.ID]
		// The PRIMARY deployment wants the service's count; an older one
		// wants only the tasks it still has.
		desired := n.running + n.pending
		if i == 0 {
			desired = s.DesiredCount
		}
		if d.RunningCount != n.running || d.PendingCount != n.pending || d.DesiredCount != desired {
			d.RunningCount, d.PendingCount, d.DesiredCount, d.UpdatedAt = n.running, n.pending, desired, now
			s.noteHistoryCounts(d, now)
		}
		if i > 0 && n.live == 0 && d.RolloutState != "FAILED" {
			continue
		}
		kept = append(kept, d)
	}
	s.Deployments = kept
}

// completeDeployment marks the primary COMPLETED when it alone runs
// desiredCount healthy tasks, and reports steady state.
func (e *Emulator) completeDeployment(s *service, tasks []*task, now time.Time) {
	p := s.Deployments[0]
	healthy, live := 0, 0
	for _, t := range tasks {
		if t.LastStatus == "STOPPED" {
			continue
		}
		live++
		if t.DeploymentID == p.ID && healthyForService(t, now) {
			healthy++
		}
	}
	settled := healthy == s.DesiredCount && live == s.DesiredCount && p.PendingCount == 0
	if settled && p.RolloutState == "IN_PROGRESS" {
		p.RolloutState = "COMPLETED"
		p.RolloutStateReason = fmt.Sprintf("ECS deployment %s completed.", p.ID)
		p.UpdatedAt = now
		s.Deployments = s.Deployments[:1]
		snapshot := *p
		s.LastCompleted = &snapshot
		s.noteHistoryCounts(p, now)
		s.finishHistory(p, now)
		e.addEvent(s, now, fmt.Sprintf("(service %s) (deployment %s) deployment completed.", s.Name, p.ID))
	}
	steady := settled && len(s.Deployments) == 1 && s.Status == "ACTIVE"
	if !steady {
		s.Steady = false
		return
	}
	// "has reached a steady state" repeats every 6 hours while it holds.
	if !s.Steady || now.Sub(s.SteadyEventAt) >= 6*time.Hour {
		s.Steady, s.SteadyEventAt = true, now
		e.addEvent(s, now, fmt.Sprintf("(service %s) has reached a steady state.", s.Name))
	}
}

func sortBySeq(ts []*task) {
	slices.SortFunc(ts, func(a, b *task) int { return int(a.Seq - b.Seq) })
}

// serviceTaskDef is the task definition s runs now (nil if unknown).
func (e *Emulator) serviceTaskDef(s *service) *taskDef {
	parts := strings.SplitN(s.ARN, ":", 5) // arn:aws:ecs:REGION:...
	if len(parts) < 5 {
		return nil
	}
	r := e.state.Regions[parts[3]]
	if r == nil {
		return nil
	}
	return e.taskDefByARN(r, s.TaskDefinition)
}
