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

// stepCluster advances the tasks that are due, then runs the scheduler of
// every service that may have something to do. A service at steady state
// whose tasks did not change and that no API call touched is skipped: that
// keeps a step cheap with thousands of idle services.
func (e *Emulator) stepCluster(r *regionState, c *cluster, now time.Time) {
	c.ensureIndexes()
	changed := map[string]bool{}
	for _, t := range c.due(now) {
		if t.LastStatus == "STOPPED" {
			if now.Sub(t.StoppedAt) >= stoppedTaskTTL {
				c.removeTask(t) // ECS keeps stopped tasks visible for about an hour
			} else {
				c.wake(t, nextWake(t))
			}
			continue
		}
		if e.advanceTask(t, now) && t.Service != "" {
			changed[t.Service] = true
		}
		if next := nextWake(t); !next.IsZero() {
			c.wake(t, maxTime(next, now.Add(stepInterval)))
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
	slices.SortFunc(services, func(a, b *service) int { return int(a.Seq - b.Seq) })
	for _, s := range services {
		s.touched = false
		e.stepService(r, c, s, c.byService[s.Name], now)
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
