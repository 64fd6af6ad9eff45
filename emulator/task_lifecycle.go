package emulator

import (
	"time"
)

// Stop codes ECS reports.
const (
	stopTaskFailedToStart = "TaskFailedToStart"
	stopEssentialExited   = "EssentialContainerExited"
	stopUserInitiated     = "UserInitiated"
	stopScheduler         = "ServiceSchedulerInitiated"
)

// advanceTask moves one task through its lifecycle up to now. It returns
// true when something changed.
func (e *Emulator) advanceTask(t *task, now time.Time) bool {
	changed := false
	for i := 0; i < 16; i++ { // a task never needs more transitions per step
		if !e.advanceOnce(t, now) {
			break
		}
		changed = true
	}
	if changed {
		t.Version++
	}
	return changed
}

func (e *Emulator) advanceOnce(t *task, now time.Time) bool {
	if t.LastStatus == "STOPPED" {
		return false
	}
	if t.DesiredStatus == "STOPPED" && t.StoppingAt.IsZero() {
		e.beginStop(t, now)
		return true
	}
	switch t.LastStatus {
	case "PROVISIONING":
		if now.Before(t.NextAt) {
			return false
		}
		t.LastStatus = "PENDING"
		t.NextAt = now
		return true
	case "PENDING":
		return e.pull(t, now)
	case "ACTIVATING":
		if now.Before(t.NextAt) {
			return false
		}
		for _, ct := range t.Containers {
			if reason := ct.Behaviour.StartFailure; reason != "" {
				ct.Reason = reason
				e.failTask(t, now, stopTaskFailedToStart, reason)
				return true
			}
		}
		t.LastStatus, t.StartedAt = "RUNNING", now
		for _, ct := range t.Containers {
			ct.LastStatus, ct.StartedAt = "RUNNING", now
			if ct.Health != nil {
				ct.NextCheckAt = now.Add(time.Duration(ct.Health.Interval) * time.Second)
			}
		}
		return true
	case "RUNNING":
		return e.runContainers(t, now)
	case "DEACTIVATING":
		if now.Before(t.NextAt) {
			return false
		}
		t.LastStatus = "STOPPING"
		e.signalContainers(t, now)
		return true
	case "STOPPING":
		return e.finishStopping(t, now)
	case "DEPROVISIONING":
		if now.Before(t.NextAt) {
			return false
		}
		e.markStopped(t, now)
		return true
	}
	return false
}

// pull starts pulling the images, then fails the task or moves it to ACTIVATING.
func (e *Emulator) pull(t *task, now time.Time) bool {
	if t.PullStartedAt.IsZero() {
		if now.Before(t.NextAt) {
			return false
		}
		t.PullStartedAt = now
		longest := time.Duration(0)
		for _, ct := range t.Containers {
			longest = max(longest, orDefault(ct.Behaviour.PullDuration.D(), defaultPullTime))
		}
		t.NextAt = now.Add(longest)
		return true
	}
	if now.Before(t.NextAt) {
		return false
	}
	t.PullStoppedAt = now
	for _, ct := range t.Containers {
		if ct.Behaviour.PullFailure != "" {
			reason := "CannotPullContainerError: " + ct.Behaviour.PullFailure
			ct.Reason = reason
			e.failTask(t, now, stopTaskFailedToStart, reason)
			return true
		}
	}
	t.LastStatus = "ACTIVATING"
	longest := time.Duration(0)
	for _, ct := range t.Containers {
		longest = max(longest, orDefault(ct.Behaviour.StartupDelay.D(), defaultStartupDelay))
	}
	t.NextAt = now.Add(longest)
	return true
}

// runContainers applies scripted exits, OOM kills and health checks.
func (e *Emulator) runContainers(t *task, now time.Time) bool {
	changed := false
	for _, ct := range t.Containers {
		if ct.LastStatus != "RUNNING" {
			continue
		}
		b := ct.Behaviour
		switch {
		case b.OOMAfter > 0 && !now.Before(ct.StartedAt.Add(b.OOMAfter.D())):
			e.containerExited(t, ct, ct.StartedAt.Add(b.OOMAfter.D()), 137, "OutOfMemoryError: Container killed due to memory usage")
			changed = true
		case b.ExitCode != nil && !now.Before(ct.StartedAt.Add(b.ExitAfter.D())):
			e.containerExited(t, ct, ct.StartedAt.Add(b.ExitAfter.D()), *b.ExitCode, "")
			changed = true
		default:
			if runHealthChecks(ct, now) {
				changed = true
			}
		}
	}
	if changed {
		t.HealthStatus = taskHealth(t)
	}
	return changed
}

// containerExited records an exit; an essential container's exit stops the task.
func (e *Emulator) containerExited(t *task, ct *container, at time.Time, code int, reason string) {
	ct.LastStatus, ct.ExitedAt, ct.ExitCode = "STOPPED", at, &code
	if reason != "" {
		ct.Reason = reason
	}
	if ct.Essential && t.DesiredStatus == "RUNNING" {
		t.DesiredStatus = "STOPPED"
		t.StopCode, t.StoppedReason = stopEssentialExited, "Essential container in task exited"
	}
}

// failTask stops a task that never started.
func (e *Emulator) failTask(t *task, now time.Time, code, reason string) {
	t.DesiredStatus = "STOPPED"
	t.StopCode, t.StoppedReason = code, reason
	e.beginStop(t, now)
}

// requestStop asks a task to stop (StopTask, the scheduler). The first
// reason given wins, as in ECS.
func requestStop(t *task, code, reason string) {
	if t.DesiredStatus == "STOPPED" {
		return
	}
	t.DesiredStatus = "STOPPED"
	t.StopCode, t.StoppedReason = code, reason
	t.Version++
	wakeTask(t)
}

// beginStop starts the way down: a task that never ran goes straight to
// deprovisioning; a running one deregisters, then gets SIGTERM.
func (e *Emulator) beginStop(t *task, now time.Time) {
	t.StoppingAt = now
	if t.StartedAt.IsZero() {
		for _, ct := range t.Containers {
			ct.LastStatus = "STOPPED"
		}
		t.ExecutionStoppedAt = now
		e.deprovision(t, now)
		return
	}
	t.LastStatus = "DEACTIVATING"
	t.NextAt = now.Add(deactivatingTime)
	if delay := e.deregisterTaskTargets(t, now); delay > 0 {
		t.NextAt = now.Add(delay) // draining connections before SIGTERM
	}
}

// signalContainers sends SIGTERM: each container exits soon (143), or at
// its stopTimeout with SIGKILL (137) if it ignores SIGTERM.
func (e *Emulator) signalContainers(t *task, now time.Time) {
	for _, ct := range t.Containers {
		if ct.LastStatus != "RUNNING" {
			continue
		}
		if ct.Behaviour.IgnoreSIGTERM {
			ct.SignalExitAt, ct.SignalExitCode = now.Add(time.Duration(ct.StopTimeout)*time.Second), 137
		} else {
			ct.SignalExitAt, ct.SignalExitCode = now.Add(sigtermExitTime), 143
		}
	}
}

func (e *Emulator) finishStopping(t *task, now time.Time) bool {
	changed := false
	running := 0
	for _, ct := range t.Containers {
		if ct.LastStatus != "RUNNING" {
			continue
		}
		if now.Before(ct.SignalExitAt) {
			running++
			continue
		}
		code := ct.SignalExitCode
		ct.LastStatus, ct.ExitedAt, ct.ExitCode = "STOPPED", ct.SignalExitAt, &code
		changed = true
	}
	if running > 0 {
		return changed
	}
	t.ExecutionStoppedAt = now
	e.deprovision(t, now)
	return true
}

func (e *Emulator) deprovision(t *task, now time.Time) {
	if t.ENI != "" {
		t.LastStatus = "DEPROVISIONING"
		t.NextAt = now.Add(deprovisioningTime)
		return
	}
	e.markStopped(t, now)
}

func (e *Emulator) markStopped(t *task, now time.Time) {
	t.LastStatus, t.StoppedAt = "STOPPED", now
	if t.ExecutionStoppedAt.IsZero() {
		t.ExecutionStoppedAt = now
	}
	for _, ct := range t.Containers {
		ct.LastStatus = "STOPPED"
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
