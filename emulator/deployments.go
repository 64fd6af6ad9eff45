package emulator

import (
	"encoding/json"
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
	e.failRollout(s, tasks, rolloutFailure{
		reason:   "ECS deployment circuit breaker: tasks failed to start.",
		event:    "tasks failed to start.",
		rollback: s.Config.Rollback, breaker: true,
		rollbackReason: func(to string) string {
			return fmt.Sprintf("ECS deployment circuit breaker: rolling back to deploymentId %s.", to)
		},
	}, now)
}

// checkDeploymentAlarms fails a rolling deployment in progress when one of
// the service's deployment alarms (deploymentConfiguration.alarms with
// enable) is in ALARM, and rolls it back when rollback is set, as ECS
// documents alarm-based failure detection for rolling updates. ECS-native
// blue/green deployments watch their alarms in service_bluegreen.go.
//
// The event and the reasons follow the circuit breaker's, naming the
// alarms; ECS's exact wording for alarms is not confirmed.
//
// PARTIAL: ECS keeps watching the alarms for a bake time after steady
// state, computed from the alarms' own settings; the local alarms have no
// such settings, so a deployment is watched until it completes.
func (e *Emulator) checkDeploymentAlarms(s *service, tasks []*task, now time.Time) {
	p := s.Deployments[0]
	if p.RolloutState != "IN_PROGRESS" || len(s.Config.Alarms) == 0 {
		return
	}
	if bg := s.BlueGreen; bg != nil && bg.DeploymentID == p.ID {
		return
	}
	var cfg struct {
		AlarmNames []string `json:"alarmNames"`
		Enable     bool     `json:"enable"`
		Rollback   bool     `json:"rollback"`
	}
	if json.Unmarshal(s.Config.Alarms, &cfg) != nil || !cfg.Enable {
		return
	}
	// Only an alarm that goes into ALARM while the deployment runs fails
	// it: one already in ALARM when it started (as it still is when the
	// rollback deployment starts) is not acted on. That ECS ignores alarms
	// already in ALARM at the start is how tools built on it describe it,
	// not confirmed in ECS's own documentation.
	var firing []string
	for _, n := range cfg.AlarmNames {
		if st, since, _ := e.alarmStateLocked(n, now); st.State == "ALARM" && since.After(p.CreatedAt) {
			firing = append(firing, n)
		}
	}
	if len(firing) == 0 {
		return
	}
	if sd := s.history(p.ID); sd != nil {
		sd.AlarmStatus, sd.TriggeredAlarms = "TRIGGERED", firing
	}
	names := strings.Join(firing, ", ")
	e.failRollout(s, tasks, rolloutFailure{
		reason:   fmt.Sprintf("ECS deployment alarm(s) in ALARM state: %s.", names),
		event:    fmt.Sprintf("alarm(s) %s in ALARM state.", names),
		rollback: cfg.Rollback,
		rollbackReason: func(to string) string {
			return fmt.Sprintf("ECS deployment alarm(s) %s in ALARM state: rolling back to deploymentId %s.", names, to)
		},
	}, now)
}

// rolloutFailure is why a rolling deployment failed and what follows.
type rolloutFailure struct {
	reason         string // the failed deployment's rolloutStateReason
	event          string // the end of the "deployment failed: " service event
	rollback       bool   // roll back to the last COMPLETED deployment
	breaker        bool   // the circuit breaker tripped (shown by DescribeServiceDeployments)
	rollbackReason func(to string) string
}

// failRollout marks the primary deployment FAILED and, when asked and
// possible, rolls back to the last COMPLETED deployment. The rollback
// deployment adopts the tasks still running from the last completed
// deployment, so the array shows just the rollback PRIMARY and the FAILED
// deployment, as ECS reports it.
func (e *Emulator) failRollout(s *service, tasks []*task, f rolloutFailure, now time.Time) {
	p := s.Deployments[0]
	p.RolloutState = "FAILED"
	p.RolloutStateReason = f.reason
	p.UpdatedAt = now
	e.addEvent(s, now, fmt.Sprintf("(service %s) (deployment %s) deployment failed: %s", s.Name, p.ID, f.event))
	s.noteHistoryCounts(p, now)
	last := s.LastCompleted
	if !f.rollback || last == nil || last.ID == p.ID {
		s.failHistory(p, p.RolloutStateReason, f.breaker, now)
		return
	}
	if sd := s.history(p.ID); sd != nil && f.breaker {
		sd.BreakerTripped = true
	}
	s.TaskDefinition, s.Network, s.LaunchType = last.TaskDefinition, last.Network, last.LaunchType
	s.CapacityProviders = last.CapacityProviders
	d := e.newDeployment(s, now, true)
	s.recordRollback(p.ID, d, last, p.RolloutStateReason, now)
	d.RolloutStateReason = f.rollbackReason(last.ID)
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
