package emulator

import "time"

// stepLocked advances every region's ECS state to now: task lifecycles,
// health checks, then each service's scheduler.
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
	// Filled in by the lifecycle and service scheduler.
}
