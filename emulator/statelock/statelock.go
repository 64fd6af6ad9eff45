// Package statelock keeps two processes from using the local ECS state at
// once. A command run with --local, and `local serve`, hold an operating
// system lock on a file next to the state file for as long as they run;
// another one waits for it, up to a timeout, and is then told which
// process holds it.
//
// The lock is flock(2) on Unix: the kernel releases it when its process
// ends, however it ends (kill -9 included), so no stale lock is ever left
// to clean up, and the lock file itself is never deleted (deleting it
// while another process waits on it would let a third one in).
package statelock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout is how long Acquire waits when no timeout is given.
const DefaultTimeout = 30 * time.Second

// pollInterval is how often a waiting process tries the lock again.
const pollInterval = 50 * time.Millisecond

// Path is the lock file of a state file: the same name with ".lock" added.
func Path(stateFile string) string { return stateFile + ".lock" }

// Holder describes the process holding the lock, as it wrote itself down.
type Holder struct {
	PID     int
	Command string // the holder's command line
	Since   time.Time
}

func (h Holder) String() string {
	if h.PID == 0 {
		return "another process"
	}
	s := fmt.Sprintf("process %d", h.PID)
	if h.Command != "" {
		s += " (" + h.Command + ")"
	}
	if !h.Since.IsZero() {
		s += " since " + h.Since.Format(time.RFC3339)
	}
	return s
}

// HeldError is returned by Acquire when the lock stayed held for the
// whole timeout.
type HeldError struct {
	StateFile string
	Holder    Holder
	Waited    time.Duration
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("the local ECS state %s is in use by %s; waited %s for it "+
		"(let that command finish or stop it, or wait longer with --lock-timeout)",
		e.StateFile, e.Holder, e.Waited.Round(time.Millisecond))
}

// Lock is a held lock; Release gives it back.
type Lock struct {
	f *os.File
}

// Acquire takes the lock of stateFile, waiting up to timeout (0 means
// DefaultTimeout; a negative timeout tries once) while another process
// holds it. It returns a *HeldError when the wait ran out, or ctx's error
// when ctx ended first. The directory of stateFile is created if needed.
func Acquire(ctx context.Context, stateFile string, timeout time.Duration) (*Lock, error) {
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if err := os.MkdirAll(filepath.Dir(stateFile), 0o700); err != nil {
		return nil, fmt.Errorf("lock the local ECS state: %w", err)
	}
	f, err := os.OpenFile(Path(stateFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock the local ECS state: %w", err)
	}
	start := time.Now()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		ok, err := tryLock(f)
		if err != nil {
			_ = f.Close() // the lock error is the one to report
			return nil, fmt.Errorf("lock the local ECS state %s: %w", Path(stateFile), err)
		}
		if ok {
			writeHolder(f)
			return &Lock{f: f}, nil
		}
		waited := time.Since(start)
		if waited >= timeout {
			holder := readHolder(f)
			_ = f.Close() // never locked: nothing was written
			return nil, &HeldError{StateFile: stateFile, Holder: holder, Waited: waited}
		}
		select {
		case <-ctx.Done():
			_ = f.Close() // never locked: nothing was written
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// Release gives the lock back. It is safe to call more than once.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	// Leave the holder's lines: a later holder overwrites them. Closing
	// the file releases the lock.
	err := unlock(f)
	return errors.Join(err, f.Close())
}

// writeHolder records this process in the lock file, for a waiting one to read.
func writeHolder(f *os.File) {
	line := fmt.Sprintf("%d\n%s\n%s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339), commandLine())
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(line), 0)
	}
}

func readHolder(f *os.File) Holder {
	buf := make([]byte, 4096)
	n, _ := f.ReadAt(buf, 0)
	lines := strings.SplitN(string(buf[:n]), "\n", 3)
	var h Holder
	if len(lines) > 0 {
		h.PID, _ = strconv.Atoi(strings.TrimSpace(lines[0]))
	}
	if len(lines) > 1 {
		h.Since, _ = time.Parse(time.RFC3339, strings.TrimSpace(lines[1]))
	}
	if len(lines) > 2 {
		h.Command = strings.TrimSpace(lines[2])
	}
	return h
}

// commandLine is this process's command, without flag values (which may
// be secrets): the program's base name and its words that are not flags
// nor follow one, at most the first four.
func commandLine() string {
	if len(os.Args) == 0 {
		return ""
	}
	words := []string{filepath.Base(os.Args[0])}
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-") || len(words) >= 4 {
			break
		}
		words = append(words, a)
	}
	return strings.Join(words, " ")
}
