package emulator

import (
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// runHealthChecks runs the container's checks due by now, following
// Docker/ECS semantics: checks every interval; failures within startPeriod
// don't count, but a success there makes it HEALTHY; retries consecutive
// failures make it UNHEALTHY. It returns true if the status changed.
func runHealthChecks(ct *container, now time.Time) bool {
	hc := ct.Health
	if hc == nil {
		return false
	}
	before := ct.HealthStatus
	for !ct.NextCheckAt.IsZero() && !now.Before(ct.NextCheckAt) {
		at := ct.NextCheckAt
		elapsed := at.Sub(ct.StartedAt)
		if checkPasses(ct.Behaviour, elapsed) {
			ct.HealthStatus, ct.CheckFailures = "HEALTHY", 0
		} else if elapsed >= time.Duration(hc.StartPeriod)*time.Second {
			ct.CheckFailures++
			if ct.CheckFailures >= hc.Retries {
				ct.HealthStatus = "UNHEALTHY"
			}
		}
		ct.NextCheckAt = at.Add(time.Duration(hc.Interval) * time.Second)
	}
	return ct.HealthStatus != before
}

// checkPasses says whether the scenario's health outcome passes at elapsed
// time since the container started: failures (health, unhealthyAfter) end
// at healthyAfter. A timeout counts as a failure.
func checkPasses(b scenario.Image, elapsed time.Duration) bool {
	if b.HealthyAfter > 0 && elapsed >= b.HealthyAfter.D() {
		return true // the application recovered
	}
	switch b.Health {
	case scenario.HealthUnhealthy, scenario.HealthTimeout:
		return false
	}
	if b.UnhealthyAfter > 0 && elapsed >= b.UnhealthyAfter.D() {
		return false
	}
	return true
}

// taskHealth combines the essential containers that have a health check:
// any UNHEALTHY makes the task UNHEALTHY, any UNKNOWN makes it UNKNOWN,
// otherwise HEALTHY; with no such container it is UNKNOWN.
func taskHealth(t *task) string {
	status, any := "HEALTHY", false
	for _, ct := range t.Containers {
		if !ct.Essential || ct.Health == nil {
			continue
		}
		any = true
		switch ct.HealthStatus {
		case "UNHEALTHY":
			return "UNHEALTHY"
		case "UNKNOWN":
			status = "UNKNOWN"
		}
	}
	if !any {
		return "UNKNOWN"
	}
	return status
}

// hasHealthCheck reports whether the task's health comes from container checks.
func hasHealthCheck(t *task) bool {
	for _, ct := range t.Containers {
		if ct.Essential && ct.Health != nil {
			return true
		}
	}
	return false
}

// healthyForService says whether a service counts t as healthy: RUNNING and
// wanted, and either HEALTHY by its container checks or, without checks,
// RUNNING for 40 seconds; behind a load balancer, its targets must be healthy.
func healthyForService(t *task, now time.Time) bool {
	if t.LastStatus != "RUNNING" || t.DesiredStatus != "RUNNING" {
		return false
	}
	if healthy, ok := targetHealthy(t); ok {
		// Behind a load balancer, the targets decide (with the container
		// checks, if any) instead of the time spent RUNNING.
		return healthy && (!hasHealthCheck(t) || t.HealthStatus == "HEALTHY")
	}
	if hasHealthCheck(t) {
		return t.HealthStatus == "HEALTHY"
	}
	return !now.Before(t.StartedAt.Add(healthyAfterRunning))
}
