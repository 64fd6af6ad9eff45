package cli

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// serveFor runs `local serve` with args until stop is called, and returns
// what it printed.
func serveFor(t *testing.T, args ...string) (addr string, stop func() string) {
	t.Helper()
	addr = testenv.FreeLoopbackAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan string, 1)
	go func() {
		_, out, errOut := runCLI(t, ctx, append([]string{"local", "serve", "--addr", addr,
			"--state", filepath.Join(t.TempDir(), "state.json"), "--speed", "50"}, args...)...)
		done <- out + errOut
	}()
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return addr, func() string { cancel(); return <-done }
}

func get(t *testing.T, url string) (int, string, string) {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(body)
}

func TestLocalServeServesTheConsoleByDefault(t *testing.T) {
	t.Parallel()
	addr, stop := serveFor(t)
	code, loc, _ := get(t, "http://"+addr+"/")
	page, _, body := get(t, "http://"+addr+"/_local/console/")
	// An open event stream must not hold up the shutdown.
	res, err := http.Get("http://" + addr + "/_local/console/events")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	started := time.Now()
	out := stop()
	if took := time.Since(started); took > 4*time.Second {
		t.Errorf("shutting down with a page open took %v", took)
	}
	if code != http.StatusFound || loc != "/_local/console/" {
		t.Errorf("browser GET /: %d %q, want a redirect to the console", code, loc)
	}
	if page != http.StatusOK || !strings.Contains(body, "<title>Local ECS console</title>") {
		t.Errorf("console page: %d", page)
	}
	if !strings.Contains(out, "Console: http://"+addr+"/_local/console/") {
		t.Errorf("serve did not print the console's address:\n%s", out)
	}
	if strings.Contains(out, "not loopback") {
		t.Errorf("a loopback address was reported as reachable from elsewhere:\n%s", out)
	}
}

func TestLocalServeWithoutTheConsole(t *testing.T) {
	t.Parallel()
	addr, stop := serveFor(t, "--console=false")
	code, _, _ := get(t, "http://"+addr+"/_local/console/")
	root, loc, _ := get(t, "http://"+addr+"/")
	out := stop()
	if code != http.StatusNotFound {
		t.Errorf("--console=false still serves the console: %d", code)
	}
	if root == http.StatusFound || loc != "" {
		t.Errorf("--console=false still redirects / to %q", loc)
	}
	if strings.Contains(out, "Console:") {
		t.Errorf("--console=false still prints a console address:\n%s", out)
	}
}

func TestLocalServeWarnsWhenNotOnLoopback(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	printLocalServeAccess(&b, &net.TCPAddr{IP: net.IPv4zero, Port: 4566}, "http://0.0.0.0:4566", true)
	if out := b.String(); !strings.Contains(out, "0.0.0.0:4566, which is not loopback") || !strings.Contains(out, "--addr 127.0.0.1:4566") {
		t.Fatalf("no warning for a non-loopback address:\n%s", out)
	}
	b.Reset()
	printLocalServeAccess(&b, &net.TCPAddr{IP: net.IPv6loopback, Port: 4566}, "http://[::1]:4566", false)
	if b.String() != "" {
		t.Fatalf("loopback without the console printed %q", b.String())
	}
}
