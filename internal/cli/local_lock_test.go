package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator/statelock"
)

// TestLocalCommandsWaitForTheStateLock holds the local ECS state's lock as
// another command would, and checks that every command using the state
// waits for it and then exits 4 naming the holder; once it is released the
// same commands run.
func TestLocalCommandsWaitForTheStateLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	local := runOpts{State: dir}
	scen := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(scen, []byte("images: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	held, err := statelock.Acquire(ctx, filepath.Join(dir, "state.json"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	commands := [][]string{
		{"status", "--local", "-c", "default", "-n", "web"},
		{"scale", "2", "--local", "-c", "default", "-n", "web"},
		{"local", "scenario", scen},
		{"local", "reset"},
		{"local", "serve", "--addr", "127.0.0.1:0"},
	}
	for _, args := range commands {
		start := time.Now()
		code, _, errOut := runCLIWith(t, ctx, local, append(args, "--lock-timeout", "300ms")...)
		if code != 4 {
			t.Errorf("%v while the state is locked: exit %d, want 4; stderr %q", args, code, errOut)
			continue
		}
		if waited := time.Since(start); waited < 300*time.Millisecond {
			t.Errorf("%v gave up after %v, before --lock-timeout", args, waited)
		}
		if pid := fmt.Sprintf("process %d", os.Getpid()); !strings.Contains(errOut, pid) || !strings.Contains(errOut, "state.json") {
			t.Errorf("%v: stderr %q should name the holder (%s) and the state file", args, errOut, pid)
		}
	}
	if code, _, errOut := runCLIWith(t, ctx, local, "status", "--local", "-c", "default", "-n", "web", "--lock-timeout", "nonsense"); code != 2 || !strings.Contains(errOut, "--lock-timeout") {
		t.Errorf("a bad --lock-timeout: exit %d, stderr %q", code, errOut)
	}
	if err := held.Release(); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLIWith(t, ctx, local, "local", "scenario", scen, "--lock-timeout", "300ms"); code != 0 {
		t.Fatalf("after release: exit %d: %s", code, errOut)
	}
}

// TestLocalServeHoldsTheStateLock: while `local serve` runs, no other
// command can take the state; when it stops, the lock is free.
func TestLocalServeHoldsTheStateLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	local := runOpts{State: dir}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		code, _, _ := runCLIWith(t, ctx, local, "local", "serve", "--addr", "127.0.0.1:0")
		done <- code
	}()
	file := filepath.Join(dir, "state.json")
	deadline := time.Now().Add(10 * time.Second)
	for {
		l, err := statelock.Acquire(context.Background(), file, -1)
		var held *statelock.HeldError
		if errors.As(err, &held) {
			break // serve holds it
		}
		if err != nil {
			t.Fatal(err)
		}
		_ = l.Release()
		if time.Now().After(deadline) {
			t.Fatal("local serve never took the state lock")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("local serve exit %d", code)
	}
	l, err := statelock.Acquire(context.Background(), file, time.Second)
	if err != nil {
		t.Fatalf("after local serve stopped: %v", err)
	}
	_ = l.Release()
}
