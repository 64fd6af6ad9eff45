// Package runtask runs one-off ECS tasks (a migration, a batch job), waits for
// them to stop and turns what happened into an exit code.
//
// The exit code considers every container of the task, not only the first:
// the code of the essential container that failed (or of the container named
// by ExitCodeFrom) propagates as the run's exit code, a failing non-essential
// sidecar does not fail the run, and a task that never started (a failed
// image pull, no capacity, TaskFailedToStart) gets ExitNotStarted with the
// reason ECS gave. See Judge for the exact rules.
//
// The package never prints: Wait reports what it sees as Events, and the
// caller renders them. Container logs of awslogs-configured containers can be
// followed while the task runs (Follower).
package runtask
