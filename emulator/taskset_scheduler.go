package emulator

import (
	"fmt"
	"time"
)

// stepTaskSets is the scheduler of a service deployed through task sets:
// each task set keeps its computed desired count of tasks, a DRAINING (deleted)
// task set stops its tasks and disappears once they have stopped, and the
// service reaches a steady state when every task set has.
func (e *Emulator) stepTaskSets(r *regionState, c *cluster, s *service, tasks []*task, now time.Time) {
	e.countTaskFailures(s, tasks, now)
	e.syncTargets(c, s, tasks, now)
	e.replaceUnhealthy(s, tasks, now)
	e.replaceUnhealthyTargets(s, tasks, now)
	v := newServiceView(c, s, tasks, now)
	e.noteHealthyTasks(v)
	for _, ts := range s.TaskSets {
		ts.Computed = computedDesired(s.DesiredCount, ts.Scale)
		if ts.Status == "DRAINING" {
			ts.Computed = 0
		}
		e.scaleTaskSet(r, c, s, ts, v)
	}
	// Counts, stability, and the removal of drained task sets.
	running, pending, live := map[string]int{}, map[string]int{}, map[string]int{}
	healthy := map[string]int{}
	for _, t := range tasks {
		if t.LastStatus == "STOPPED" {
			continue
		}
		live[t.DeploymentID]++
		switch {
		case t.LastStatus == "RUNNING":
			running[t.DeploymentID]++
			if t.DesiredStatus == "RUNNING" && healthyForService(t, now) {
				healthy[t.DeploymentID]++
			}
		case t.DesiredStatus == "RUNNING":
			pending[t.DeploymentID]++
		}
	}
	allSteady := true
	kept := s.TaskSets[:0]
	for _, ts := range s.TaskSets {
		if ts.Running != running[ts.ID] || ts.Pending != pending[ts.ID] {
			ts.Running, ts.Pending, ts.UpdatedAt = running[ts.ID], pending[ts.ID], now
		}
		if ts.Status == "DRAINING" && live[ts.ID] == 0 {
			continue // deleted and drained: gone
		}
		kept = append(kept, ts)
		steady := ts.Status != "DRAINING" && ts.Running == ts.Computed && ts.Pending == 0 &&
			healthy[ts.ID] == ts.Computed && live[ts.ID] == ts.Computed
		state := "STABILIZING"
		if steady {
			state = "STEADY_STATE"
		} else {
			allSteady = false
		}
		if state != ts.Stability {
			ts.Stability, ts.StabilityAt = state, now
			if steady {
				e.addEvent(s, now, fmt.Sprintf("(service %s, taskSet %s) updated state to STEADY_STATE.", s.Name, ts.ID))
			}
		}
	}
	s.TaskSets = kept
	if p := s.primaryTaskSet(); p != nil {
		s.TaskDefinition = p.TaskDefinition
	}
	if s.Status == "DRAINING" && len(v.all) == 0 {
		s.Status, s.InactiveAt = "INACTIVE", now
		return
	}
	if !allSteady || s.Status != "ACTIVE" {
		s.Steady = false
		return
	}
	if !s.Steady || now.Sub(s.SteadyEventAt) >= 6*time.Hour {
		s.Steady, s.SteadyEventAt = true, now
		e.addEvent(s, now, fmt.Sprintf("(service %s) has reached a steady state.", s.Name))
	}
}

// scaleTaskSet starts or stops tasks of one task set towards its computed
// desired count, unhealthy and newest tasks first when scaling in.
func (e *Emulator) scaleTaskSet(r *regionState, c *cluster, s *service, ts *taskSet, v *serviceView) {
	alive := v.alive[ts.ID]
	want := ts.Computed
	if s.Status != "ACTIVE" {
		want = 0
	}
	reason := "Scaling activity initiated by (deployment " + ts.ID + ")"
	if len(alive) > want {
		victims := pickTasksToStop(alive, len(alive)-want, v.counts, v.healthy)
		e.stopForService(s, victims, reason, v.now)
		return
	}
	need := want - len(alive)
	if need == 0 || v.now.Before(s.BackoffUntil) {
		return
	}
	td := e.taskDefByARN(r, ts.TaskDefinition)
	if td == nil {
		return
	}
	launchType := cmpOr(ts.RunLaunchType, "EC2")
	rules, _ := placementFor(launchType, s.PlacementStrategy, s.PlacementConstraints, td) // checked when set
	providers, _ := parseCapacityStrategy(ts.CapacityProviders)
	byProvider := map[string]int{}
	for _, t := range alive {
		byProvider[t.CapacityProvider]++
	}
	var started []*task
	for range min(need, maxLaunchesPerStep) {
		where, fail := e.placeTask(r, c, td, launchType, ts.Network, v.counts, rules)
		if fail != nil {
			e.addEventDedup(s, v.now, fmt.Sprintf("(service %s) %s", s.Name, fail.message))
			break
		}
		provider := ""
		if ts.LaunchType == "" {
			provider = providers.next(byProvider)
			byProvider[provider]++
		}
		started = append(started, e.startServiceTask(r, c, s, v, launch{td: td, launchType: launchType, provider: provider,
			network: ts.Network, platformVersion: ts.PlatformVersion, deploymentID: ts.ID, where: where}))
	}
	e.noteStarted(s, "service "+s.Name+", taskSet "+ts.ID, started, v.now)
}
