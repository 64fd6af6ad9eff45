package elbv2

import (
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// healthOf computes a target's health at now. Health checks run every
// interval from registration; a target becomes healthy after its first
// passing check (as ALB documents), and unhealthy after
// UnhealthyThresholdCount consecutive failures; once unhealthy it needs
// HealthyThresholdCount passes to come back (never, in the scenario's
// model: a target that failed keeps failing).
func healthOf(tg *TargetGroup, t *Target, now time.Time, inUse bool) emulator.LBTargetHealth {
	if !t.DeregisteredAt.IsZero() {
		return emulator.LBTargetHealth{State: "draining", Reason: "Target.DeregistrationInProgress",
			Description: "Target deregistration is in progress", Until: t.DeregisteredAt.Add(tg.DeregistrationDelay())}
	}
	if !inUse {
		return emulator.LBTargetHealth{State: "unused", Reason: "Target.NotInUse",
			Description: "Target group is not configured to receive traffic from the load balancer"}
	}
	hc := tg.HealthCheck
	if !hc.Enabled {
		return emulator.LBTargetHealth{State: "unavailable", Reason: "Target.HealthCheckDisabled",
			Description: "Health checks are disabled"}
	}
	interval := time.Duration(max(1, hc.IntervalSeconds)) * time.Second
	checkAt := func(k int) time.Time { return t.RegisteredAt.Add(time.Duration(k) * interval) }
	checks := int(now.Sub(t.RegisteredAt) / interval) // checks run so far
	// Checks pass up to some point and fail from then on, so the state is
	// decided by the first failing check and how many checks followed it.
	firstFail := 0
	switch {
	case t.Outcome == "unhealthy" || t.Outcome == "timeout":
		firstFail = 1
	case !t.FailAt.IsZero():
		firstFail = max(1, int((t.FailAt.Sub(t.RegisteredAt)+interval-1)/interval))
	}
	threshold := max(1, hc.UnhealthyThresholdCount)
	var turnsUnhealthy time.Time // when the threshold of failures is reached
	if firstFail > 0 {
		turnsUnhealthy = checkAt(firstFail + threshold - 1)
	}
	if checks <= 0 {
		return emulator.LBTargetHealth{State: "initial", Reason: "Elb.RegistrationInProgress",
			Description: "Target registration is in progress", Until: checkAt(1)}
	}
	switch {
	case firstFail == 0 || firstFail > checks || checks-firstFail+1 < threshold:
		if firstFail == 1 {
			return emulator.LBTargetHealth{State: "initial", Reason: "Elb.InitialHealthChecking",
				Description: "Initial health checks in progress", Until: turnsUnhealthy}
		}
		return emulator.LBTargetHealth{State: "healthy", Until: turnsUnhealthy}
	case t.Outcome == "timeout":
		return emulator.LBTargetHealth{State: "unhealthy", Reason: "Target.Timeout", Description: "Request timed out"}
	case tg.Protocol == "HTTP" || tg.Protocol == "HTTPS" || tg.Protocol == "":
		return emulator.LBTargetHealth{State: "unhealthy", Reason: "Target.ResponseCodeMismatch",
			Description: "Health checks failed with these codes: [" + failCode(hc.HTTPCode) + "]"}
	}
	return emulator.LBTargetHealth{State: "unhealthy", Reason: "Target.FailedHealthChecks", Description: "Health checks failed"}
}

// failCode is the status code a failing target answers: 502 unless the
// matcher accepts it, then 500.
func failCode(matcher string) string {
	if matcher == "502" {
		return "500"
	}
	return "502"
}
