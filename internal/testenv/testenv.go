// Package testenv gives tests the outside programs they check ecsdeploy
// against (moto_server, the AWS CLI, cfn-lint). Outside CI a missing program
// skips the test; in CI (CI=true) it fails it, so an oracle cannot silently
// drop out of the run.
package testenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// InCI reports whether the tests run in CI, where every oracle is required.
func InCI() bool { return os.Getenv("CI") == "true" }

// RequireTool returns the path of the named program, skipping the test when
// it is missing outside CI and failing it inside CI.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if InCI() {
			t.Fatalf("%s is required in CI but was not found on PATH", name)
		}
		t.Skipf("%s not found on PATH; skipping (required when CI=true)", name)
	}
	return direct(name, path)
}

// resolved caches direct: program name to the path a test runs.
var resolved sync.Map

// direct returns the program a version-manager shim (a path in a directory
// named "shims", as pyenv installs them) would start, so that each of the
// many runs of a test skips the shim's own start-up (a shell script and a
// version lookup, about a second per run on a busy machine). Anything else,
// or a shim that cannot be resolved, is returned as found.
func direct(name, path string) string {
	if filepath.Base(filepath.Dir(path)) != "shims" {
		return path
	}
	if p, ok := resolved.Load(path); ok {
		return p.(string)
	}
	target := path
	manager := filepath.Join(filepath.Dir(filepath.Dir(path)), "bin", "pyenv")
	if _, err := os.Stat(manager); err != nil {
		manager = "pyenv"
	}
	if out, err := exec.Command(manager, "which", name).Output(); err == nil {
		if p := strings.TrimSpace(string(out)); filepath.IsAbs(p) {
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
				target = p
			}
		}
	}
	resolved.Store(path, target)
	return target
}

// FreeLoopbackAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func FreeLoopbackAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("free the loopback port: %v", err)
	}
	return addr
}

// Moto is a moto_server started for one test.
type Moto struct {
	Endpoint string // http://127.0.0.1:PORT
}

// Reset wipes moto's state.
func (m *Moto) Reset(t testing.TB) {
	t.Helper()
	resp, err := http.Post(m.Endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("reset moto: %v", err)
	}
	_ = resp.Body.Close() // nothing to read: the status is the answer
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset moto: HTTP %d", resp.StatusCode)
	}
}

// StartMoto starts moto_server on a free loopback port and stops it when the
// test ends. It sets fake credentials and a region in the test's environment
// so that SDK clients built by the test need nothing else.
func StartMoto(t testing.TB) *Moto {
	t.Helper()
	m := StartMotoServer(t)
	SetFakeAWSEnv(t)
	return m
}

// StartMotoServer is StartMoto without touching the environment, for tests
// that run in parallel in a binary whose TestMain called UseFakeAWSEnv.
func StartMotoServer(t testing.TB) *Moto {
	t.Helper()
	bin := RequireTool(t, "moto_server")
	m, stop, err := startMoto(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return m
}

// SharedMoto is one moto_server for every test of a test binary that asks
// for it (it takes seconds to start): tests running in parallel share it,
// so each must use names of its own (clusters, families, stacks) and must
// not Reset it. The zero value is ready; TestMain calls Stop after the tests.
type SharedMoto struct {
	once sync.Once
	moto *Moto
	stop func()
	err  error
}

// Server returns the shared moto_server, starting it on first use. Like
// StartMotoServer, it skips or fails t when moto_server is missing.
func (s *SharedMoto) Server(t testing.TB) *Moto {
	t.Helper()
	bin := RequireTool(t, "moto_server")
	s.once.Do(func() { s.moto, s.stop, s.err = startMoto(bin) })
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.moto
}

// Stop stops the shared moto_server if it was started.
func (s *SharedMoto) Stop() {
	if s.stop != nil {
		s.stop()
	}
}

// startMoto starts the moto_server at bin on a free loopback port and waits
// until it answers; stop ends it.
func startMoto(bin string) (_ *Moto, stop func(), _ error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("listen on loopback: %w", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		return nil, nil, fmt.Errorf("free the loopback port: %w", err)
	}
	host, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-H", host, "-p", port)
	var logs strings.Builder // read once the process has ended
	cmd.Stdout = &logs
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("start moto_server: %w", err)
	}
	stop = func() {
		cancel()
		_ = cmd.Wait()
	}
	endpoint := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(endpoint + "/moto-api/")
		if err == nil {
			_ = resp.Body.Close() // only its answering matters
			break
		}
		if time.Now().After(deadline) {
			stop() // waits for the output too
			return nil, nil, fmt.Errorf("moto_server did not answer on %s within 30s: %w\n%s", addr, err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return &Moto{Endpoint: endpoint}, stop, nil
}

// RunWithFakeAWSEnv is a TestMain's m.Run with UseFakeAWSEnv around it; it
// returns the exit code.
func RunWithFakeAWSEnv(m *testing.M) int {
	cleanup, err := UseFakeAWSEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	return m.Run()
}

// SetFakeAWSEnv points the AWS credential chain at fixed test credentials and
// us-east-1, and away from any shared config file of the machine.
func SetFakeAWSEnv(t testing.TB) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range fakeAWSEnv(dir) {
		t.Setenv(k, v) // records the old value for restoring
		if v == "" {
			_ = os.Unsetenv(k)
		}
	}
}

// UseFakeAWSEnv is SetFakeAWSEnv for a whole test binary, from TestMain,
// so that tests running in parallel (which may not call t.Setenv) have it
// too. It returns a function that removes its temporary directory.
func UseFakeAWSEnv() (cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "fake-aws")
	if err != nil {
		return nil, err
	}
	for k, v := range fakeAWSEnv(dir) {
		if v == "" {
			_ = os.Unsetenv(k)
		} else {
			_ = os.Setenv(k, v)
		}
	}
	return func() { _ = os.RemoveAll(dir) }, nil
}

// fakeAWSEnv is the environment of SetFakeAWSEnv with files in dir; an
// empty value is unset (the AWS CLI treats an empty AWS_PROFILE as a
// profile named "").
func fakeAWSEnv(dir string) map[string]string {
	return map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDTESTTESTTEST", "AWS_SECRET_ACCESS_KEY": "testsecret",
		"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
		"AWS_PROFILE": "", "AWS_SESSION_TOKEN": "", "AWS_ENDPOINT_URL": "",
		"AWS_CONFIG_FILE": dir + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CA_BUNDLE":             "", // see NoCABundle
	}
}

// NoCABundle unsets AWS_CA_BUNDLE for the whole test binary, from TestMain.
// Tests reach their endpoints over plain HTTP on loopback or in process, so
// a CA bundle is never used; but when the machine names one, the SDK's
// config loader parses every certificate in it at each load (tens of
// milliseconds under -race), and tests load configurations by the thousand.
func NoCABundle() {
	_ = os.Unsetenv("AWS_CA_BUNDLE")
}

// RunAWSCLI runs the AWS CLI against endpoint and returns its standard output.
// A non-zero exit fails the test with the CLI's standard error.
func RunAWSCLI(t *testing.T, endpoint string, args ...string) string {
	t.Helper()
	out, err := AWSCLI(t, endpoint, args...)
	if err != nil {
		t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// AWSCLI runs the AWS CLI against endpoint; the error holds its standard error.
func AWSCLI(t *testing.T, endpoint string, args ...string) (string, error) {
	t.Helper()
	bin := RequireTool(t, "aws")
	full := append([]string{"--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json"}, args...)
	var env []string
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY":
			continue // the CLI must use the test credentials below, never a profile of the machine
		}
		env = append(env, kv)
	}
	env = append(env,
		"AWS_ACCESS_KEY_ID=AKIDTESTTESTTEST", "AWS_SECRET_ACCESS_KEY=testsecret",
		"AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true")
	return runAWSCLI(bin, full, env)
}

// CfnLint runs cfn-lint over the given template files and fails the test on
// any error-level finding (warnings are reported in the log).
func CfnLint(t *testing.T, files ...string) {
	t.Helper()
	bin := RequireTool(t, "cfn-lint")
	notes, err := CfnLintFiles(bin, files...)
	for _, n := range notes {
		t.Logf("cfn-lint: %s", n)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// CfnLintFiles runs the cfn-lint at bin over files. It returns the lines that
// are not errors (warnings, notes), and an error listing the errors (rules
// E*) or saying that cfn-lint itself failed.
func CfnLintFiles(bin string, files ...string) (notes []string, err error) {
	cmd := exec.Command(bin, append([]string{"--format", "parseable", "--"}, files...)...)
	out, err := cmd.CombinedOutput()
	if err == nil {
		return nil, nil
	}
	var errorsFound []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		// parseable format: file:line:col:line:col:RULE:message; rules starting with E are errors.
		parts := strings.SplitN(line, ":", 7)
		if len(parts) == 7 && strings.HasPrefix(parts[5], "E") {
			errorsFound = append(errorsFound, line)
		} else if line != "" {
			notes = append(notes, line)
		}
	}
	if len(errorsFound) > 0 {
		return notes, fmt.Errorf("cfn-lint found errors:\n%s", strings.Join(errorsFound, "\n"))
	}
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode()&3 != 0 {
		return notes, fmt.Errorf("cfn-lint reported errors:\n%s", out)
	}
	return notes, nil
}
