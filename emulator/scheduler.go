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

func (e *Emulator) stepCluster(r *regionState, c *cluster, now time.Time) {
	byService := map[string][]*task{}
	for id, t := range c.Tasks {
		if t.LastStatus == "STOPPED" {
			if now.Sub(t.StoppedAt) > stoppedTaskTTL {
				delete(c.Tasks, id) // ECS keeps stopped tasks visible for about an hour
			}
			continue
		}
		e.advanceTask(t, now)
		if t.Service != "" {
			byService[t.Service] = append(byService[t.Service], t)
		}
	}
	services := make([]*service, 0, len(c.Services))
	for _, s := range c.Services {
		if s.Status != "INACTIVE" {
			services = append(services, s)
		}
	}
	slices.SortFunc(services, func(a, b *service) int { return int(a.Seq - b.Seq) })
	for _, s := range services {
		tasks := byService[s.Name]
		slices.SortFunc(tasks, func(a, b *task) int { return int(a.Seq - b.Seq) })
		e.stepService(r, c, s, tasks, now)
	}
}
