//go:build !unix

package statelock

import "os"

// On systems without flock(2) the lock is not enforced: every Acquire
// succeeds, as before locking existed.
func tryLock(f *os.File) (bool, error) { return true, nil }

func unlock(f *os.File) error { return nil }
