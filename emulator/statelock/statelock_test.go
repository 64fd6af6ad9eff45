package statelock

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for a second ecsdeploy process:
// with STATELOCK_HOLD set it takes the lock, says so, and waits to be killed.
func TestMain(m *testing.M) {
	if file := os.Getenv("STATELOCK_HOLD"); file != "" {
		l, err := Acquire(context.Background(), file, time.Second)
		if err != nil {
			_, _ = os.Stdout.WriteString("error " + err.Error() + "\n") // read by the parent test
			os.Exit(1)
		}
		_, _ = os.Stdout.WriteString("locked\n") // read by the parent test
		time.Sleep(time.Minute)
		_ = l.Release()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func holdInChild(t *testing.T, file string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "deploy", "web") // TestMain exits before flags are parsed
	cmd.Env = append(os.Environ(), "STATELOCK_HOLD="+file)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		t.Fatalf("child: %q", line)
	}
	return cmd
}

func TestSecondProcessWaitsThenNamesTheHolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock")
	}
	file := filepath.Join(t.TempDir(), "state.json")
	child := holdInChild(t, file)

	start := time.Now()
	_, err := Acquire(context.Background(), file, 300*time.Millisecond)
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("Acquire while another process holds the lock: %v, want *HeldError", err)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Fatalf("gave up after %v, before the timeout", waited)
	}
	if held.Holder.PID != child.Process.Pid || !strings.Contains(held.Holder.Command, "deploy") || held.Holder.Since.IsZero() {
		t.Fatalf("holder %+v, want pid %d running deploy", held.Holder, child.Process.Pid)
	}
	for _, want := range []string{file, "process", "--lock-timeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}

	// kill -9 leaves no stale lock: the kernel released it.
	_ = child.Process.Kill()
	_ = child.Wait()
	l, err := Acquire(context.Background(), file, time.Second)
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	_ = l.Release()
}

func TestWaiterGetsTheLockWhenReleased(t *testing.T) {
	file := filepath.Join(t.TempDir(), "nested", "state.json")
	first, err := Acquire(context.Background(), file, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		l, err := Acquire(context.Background(), file, 5*time.Second)
		if err == nil {
			err = l.Release()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("second Acquire returned while the first held the lock: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	if err := first.Release(); err != nil {
		t.Fatalf("second Release: %v", err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiter after release: %v", err)
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	first, err := Acquire(context.Background(), file, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := first.Release(); err != nil {
			t.Error(err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := Acquire(ctx, file, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
}

func TestCommandLineLeavesFlagValuesOut(t *testing.T) {
	old := os.Args
	defer func() { os.Args = old }()
	os.Args = []string{"/usr/bin/ecsdeploy", "deploy", "--local", "-e", "TOKEN=s3cret", "web"}
	if got := commandLine(); got != "ecsdeploy deploy" {
		t.Fatalf("commandLine() = %q", got)
	}
}
