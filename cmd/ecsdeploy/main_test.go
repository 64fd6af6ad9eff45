package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// TestMain gives the tests fake AWS credentials (they run in parallel, so
// they may not set their own) and removes the binary they built.
func TestMain(m *testing.M) {
	code := testenv.RunWithFakeAWSEnv(m)
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// built is the ecsdeploy binary the tests share, built on first use.
var built struct {
	once sync.Once
	dir  string // removed by TestMain
	bin  string
	err  error
}

// buildBinary builds ecsdeploy once per test binary into a temporary
// directory, so what is tested is the real process: its flag parsing,
// signals and exit codes. Every test gets the same binary.
func buildBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "ecsdeploy-bin")
		if err != nil {
			built.err = err
			return
		}
		built.dir, built.bin = dir, filepath.Join(dir, "ecsdeploy")
		if out, err := exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

func TestVersionAndUsageExitCodes(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.Contains(string(out), "ecsdeploy version") {
		t.Fatalf("--version: %v %q", err, out)
	}
	err = exec.Command(bin, "deploy", "--no-such-flag").Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("an unknown flag must exit 2 (invalid input), got %v", err)
	}
}

// TestLocalServeSavesOnSIGTERM: `local serve` answers AWS requests and, on
// SIGTERM, saves its state and exits 0.
func TestLocalServeSavesOnSIGTERM(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	state := filepath.Join(t.TempDir(), "state.json")
	cmd := exec.Command(bin, "local", "serve", "--addr", "127.0.0.1:0", "--state", state)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if err := <-done; err != nil {
			t.Logf("local serve: %v", err) // killed when the test did not stop it
		}
	})

	endpoint := ""
	lines := bufio.NewScanner(stdout)
	for endpoint == "" && lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "  export AWS_ENDPOINT_URL="); ok {
			endpoint = strings.TrimSpace(rest)
		}
	}
	if endpoint == "" {
		t.Fatal("local serve did not print the endpoint")
	}
	go func() { // keep the pipe drained so the server never blocks on its output
		for lines.Scan() {
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(`{"clusterName":"signalled"}`))
	req.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.CreateCluster")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CreateCluster: HTTP %d", resp.StatusCode)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		done <- err // for the cleanup
		if err != nil {
			t.Fatalf("local serve after SIGTERM: %v (want exit 0)", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("local serve did not stop within 15 s of SIGTERM")
	}
	saved, err := os.ReadFile(state)
	if err != nil {
		t.Fatalf("state not saved: %v", err)
	}
	if !strings.Contains(string(saved), "signalled") {
		t.Fatal("the saved state lacks the cluster created before SIGTERM")
	}
}
