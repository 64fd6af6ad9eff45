package emulator

import (
	"slices"
	"time"
)

// stepLocked advances every region's ECS state to now: task lifecycles and
// health checks first, then each service's scheduler.
func (e *Emulator) stepLocked(now time.Time) {
	e.forEachCluster(func(r *regionState, c *cluster) {
		if c.Status == "ACTIVE" {
			e.stepCluster(r, c, now)
		}
	})
}

// forEachCluster visits clusters in a fixed order (region, then cluster
// name), so that ids drawn from the seeded source are reproducible.
func (e *Emulator) forEachCluster(fn func(*regionState, *cluster)) {
	regions := make([]string, 0, len(e.state.Regions))
	for name := range e.state.Regions {
		regions = append(regions, name)
	}
	slices.Sort(regions)
	for _, rn := range regions {
		r := e.state.Regions[rn]
		names := make([]string, 0, len(r.Clusters))
		for name := range r.Clusters {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, cn := range names {
			fn(r, r.Clusters[cn])
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
	standalone := false
	for _, t := range c.due(now) {
		if t.LastStatus == "STOPPED" {
			if now.Sub(t.StoppedAt) >= stoppedTaskTTL {
				c.removeTask(t) // ECS keeps stopped tasks visible for about an hour
			} else {
				c.wake(t, nextWake(t))
			}
			continue
		}
		if e.advanceTask(t, now) {
			if t.Service != "" {
				changed[t.Service] = true
			} else {
				standalone = true
			}
		}
		if t.Service != "" && !t.TargetCheckAt.IsZero() && !now.Before(t.TargetCheckAt) {
			changed[t.Service] = true // its load balancer targets' health changes
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
		e.recordTimeline(s, c.byService[s.Name], now)
		e.feed.publish(Change{Region: r.Name, Cluster: c.Name, Service: s.Name})
	}
	if standalone {
		e.feed.publish(Change{Region: r.Name, Cluster: c.Name})
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
