package elbv2

import (
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// healthOf computes a target's health at now. Health checks run every
// interval from registration. A new target becomes healthy after its first
// passing check and unhealthy after UnhealthyThresholdCount consecutive
// failures (Elb.InitialHealthChecking until then); a healthy target turns
// unhealthy after UnhealthyThresholdCount failures in a row, and an
// unhealthy one healthy again after HealthyThresholdCount passes in a row.
//
// The scenario gives each target one window of failing checks: from its
// first check (an unhealthy or timeout outcome) or from FailAt, until
// RecoverAt (never, when RecoverAt is zero).
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
	// firstCheckFrom is the index of the first check at or after at.
	firstCheckFrom := func(at time.Time) int {
		return max(1, int((at.Sub(t.RegisteredAt)+interval-1)/interval))
	}
	// Checks firstFail..lastPass-1 fail, the others pass; 0 means none
	// fail, and a zero lastPass that failures never end.
	firstFail, recovered := 0, 0
	switch {
	case t.Outcome == "unhealthy" || t.Outcome == "timeout":
		firstFail = 1
	case !t.FailAt.IsZero():
		firstFail = firstCheckFrom(t.FailAt)
	}
	if firstFail > 0 && !t.RecoverAt.IsZero() {
		recovered = firstCheckFrom(t.RecoverAt)
		if recovered <= firstFail {
			firstFail, recovered = 0, 0 // the window holds no check
		}
	}
	if checks <= 0 {
		return emulator.LBTargetHealth{State: "initial", Reason: "Elb.RegistrationInProgress",
			Description: "Target registration is in progress", Until: checkAt(1)}
	}
	if firstFail == 0 {
		return emulator.LBTargetHealth{State: "healthy"}
	}
	// turnsUnhealthy is the check that reaches the threshold of failures;
	// failures that end before it leave the target as it was.
	turnsUnhealthy := firstFail + max(1, hc.UnhealthyThresholdCount) - 1
	everUnhealthy := recovered == 0 || turnsUnhealthy < recovered
	// turnsHealthy is the check after which an unhealthy target is healthy
	// again (0: never).
	turnsHealthy := 0
	if recovered > 0 {
		turnsHealthy = recovered + max(1, hc.HealthyThresholdCount) - 1
	}
	initial := func(until int) emulator.LBTargetHealth {
		return emulator.LBTargetHealth{State: "initial", Reason: "Elb.InitialHealthChecking",
			Description: "Initial health checks in progress", Until: checkAt(until)}
	}
	switch {
	case !everUnhealthy && firstFail == 1 && checks < recovered:
		return initial(recovered) // one pass makes a new target healthy
	case !everUnhealthy:
		return emulator.LBTargetHealth{State: "healthy"}
	case checks < turnsUnhealthy && firstFail == 1:
		return initial(turnsUnhealthy)
	case checks < turnsUnhealthy:
		return emulator.LBTargetHealth{State: "healthy", Until: checkAt(turnsUnhealthy)}
	case turnsHealthy > 0 && checks >= turnsHealthy:
		return emulator.LBTargetHealth{State: "healthy"}
	}
	h := unhealthy(tg, t)
	if turnsHealthy > 0 {
		h.Until = checkAt(turnsHealthy)
	}
	return h
}

// unhealthy is the state of a target whose checks fail, with ELB's reason.
func unhealthy(tg *TargetGroup, t *Target) emulator.LBTargetHealth {
	switch {
	case t.Outcome == "timeout":
		return emulator.LBTargetHealth{State: "unhealthy", Reason: "Target.Timeout", Description: "Request timed out"}
	case tg.Protocol == "HTTP" || tg.Protocol == "HTTPS" || tg.Protocol == "":
		return emulator.LBTargetHealth{State: "unhealthy", Reason: "Target.ResponseCodeMismatch",
			Description: "Health checks failed with these codes: [" + failCode(tg.HealthCheck.HTTPCode) + "]"}
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
