package emulator

import (
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// TestContainerChecksRecoverAtHealthyAfter: a container whose checks fail
// until healthyAfter is UNHEALTHY after its retries, then HEALTHY again at
// the first check from healthyAfter on.
func TestContainerChecksRecoverAtHealthyAfter(t *testing.T) {
	ct := &container{Health: &healthCheck{Interval: 10, Retries: 2}, HealthStatus: "UNKNOWN",
		StartedAt: testStart, NextCheckAt: testStart.Add(10 * time.Second),
		Behaviour: scenario.Image{Health: scenario.HealthUnhealthy, HealthyAfter: scenario.Duration(45 * time.Second)}}
	at := func(s int) time.Time { return testStart.Add(time.Duration(s) * time.Second) }
	for _, step := range []struct {
		at   int
		want string
	}{{15, "UNKNOWN"}, {20, "UNHEALTHY"}, {45, "UNHEALTHY"}, {50, "HEALTHY"}, {120, "HEALTHY"}} {
		runHealthChecks(ct, at(step.at))
		if ct.HealthStatus != step.want {
			t.Errorf("at %ds: %s, want %s", step.at, ct.HealthStatus, step.want)
		}
	}
}
