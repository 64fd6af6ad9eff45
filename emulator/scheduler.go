package emulator

import (
	"slices"
	"time"
)

// stepLocked advances every region's ECS state to now: task lifecycles and
// health checks first, then each service's scheduler.
func (e *Emulator) stepLocked(now time.Time) {
	for _, r := range e.state.Regions {
		for _, c := range r.Clusters {
			if c.Status != "ACTIVE" {
				continue
			}
			e.stepCluster(r, c, now)
		}
	}
}

// stepCluster advances the cluster's tasks, then runs the scheduler of
// every service that may have something to do. A service at steady state
// whose tasks did not change and that no API call touched is skipped: that
// keeps a step cheap with thousands of idle services.
func (e *Emulator) stepCluster(r *regionState, c *cluster, now time.Time) {
	changed := map[string]bool{}
	for id, t := range c.Tasks {
		if t.LastStatus == "STOPPED" {
			if now.Sub(t.StoppedAt) > stoppedTaskTTL {
				delete(c.Tasks, id) // ECS keeps stopped tasks visible for about an hour
			}
			continue
		}
		if e.advanceTask(t, now) && t.Service != "" {
			changed[t.Service] = true
		}
	}
	var services []*service
	for _, s := range c.Services {
		if s.Status == "INACTIVE" {
			continue
		}
		idle := s.Steady && !s.touched && !changed[s.Name] && now.Sub(s.SteadyEventAt) < 6*time.Hour
		if !idle {
			services = append(services, s)
		}
	}
	if len(services) == 0 {
		return
	}
	slices.SortFunc(services, func(a, b *service) int { return int(a.Seq - b.Seq) })
	wanted := make(map[string][]*task, len(services))
	for _, s := range services {
		wanted[s.Name] = nil
	}
	for _, t := range c.Tasks {
		if ts, ok := wanted[t.Service]; ok && t.Service != "" {
			wanted[t.Service] = append(ts, t)
		}
	}
	for _, s := range services {
		tasks := wanted[s.Name]
		sortBySeq(tasks)
		s.touched = false
		e.stepService(r, c, s, tasks, now)
	}
}
