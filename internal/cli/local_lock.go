package cli

import (
	"context"
	"errors"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator/statelock"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// lockTimeout is --lock-timeout: how long a command waits for the local
// ECS state while another process uses it (default 30 s).
func lockTimeout(g *GlobalOptions) (time.Duration, error) {
	if g == nil {
		return statelock.DefaultTimeout, nil
	}
	var ps exitcode.Problems
	d := g.LockTimeout.value("lock-timeout", nil, &ps)
	if err := ps.Err(); err != nil {
		return 0, err
	}
	if d == 0 {
		d = statelock.DefaultTimeout
	}
	return d, nil
}

// lockLocalState takes the lock of the local ECS state file for as long as
// the command runs, so that two commands never work on the same state and
// lose each other's changes. When another process holds it past the
// timeout, the error (exit code 4) says which one.
func lockLocalState(ctx context.Context, file string, g *GlobalOptions) (*statelock.Lock, error) {
	timeout, err := lockTimeout(g)
	if err != nil {
		return nil, err
	}
	l, err := statelock.Acquire(ctx, file, timeout)
	var held *statelock.HeldError
	if errors.As(err, &held) {
		return nil, exitcode.With(exitcode.AWS, err)
	}
	if err != nil {
		return nil, exitcode.With(exitcode.Failed, err)
	}
	return l, nil
}

// lockDefaultLocalState locks the state file that --local uses (see
// localStatePath) and returns it with the lock, for the caller to release.
func lockDefaultLocalState(ctx context.Context, g *GlobalOptions) (string, *statelock.Lock, error) {
	file, err := localStatePath(g)
	if err != nil {
		return "", nil, exitcode.With(exitcode.Invalid, err)
	}
	lock, err := lockLocalState(ctx, file, g)
	if err != nil {
		return "", nil, err
	}
	return file, lock, nil
}
