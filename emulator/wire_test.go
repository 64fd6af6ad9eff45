package emulator

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go/logging"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
)

// warnCounter collects the SDK's log lines.
type warnCounter struct {
	mu    sync.Mutex
	lines []string
}

func (w *warnCounter) Logf(c logging.Classification, format string, v ...any) {
	w.mu.Lock()
	w.lines = append(w.lines, string(c)+" "+fmt.Sprintf(format, v...))
	w.mu.Unlock()
}

// TestSDKDefaultClientKeepsConnections drives the emulator over a real
// socket with the SDK's default HTTP client, as users of `local serve` do,
// with bodies on both sides of the transport's 4 KiB write buffer, and
// counts what went wrong on the wire: failed calls, SDK warnings (such as
// "failed to discard remaining HTTP response body") and writes that
// reached the emulator more than once.
func TestSDKDefaultClientKeepsConnections(t *testing.T) {
	em := New(Options{Clock: NewManualClock(testStart), Seed: 1})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".RegisterTaskDefinition") {
			requests.Add(1)
		}
		em.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{EndpointURL: srv.URL, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	logs := &warnCounter{}
	cfg.Logger = logs
	client := ecs.NewFromConfig(cfg)
	// A body larger than the transport's 4 KiB write buffer, as a real task
	// definition with a few environment variables is.
	var env []types.KeyValuePair
	for i := 0; i < 60; i++ {
		env = append(env, types.KeyValuePair{Name: aws.String(fmt.Sprintf("VARIABLE_%02d", i)), Value: aws.String(strings.Repeat("v", 80))})
	}
	const calls, workers = 400, 8
	var failed atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < calls/workers; i++ {
				var err error
				if i%2 == 0 {
					_, err = client.RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{
						Family: aws.String("wire"),
						ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("app:1"),
							Memory: aws.Int32(128), Environment: env[:i%60]}},
					})
				} else {
					_, err = client.DescribeClusters(context.Background(), &ecs.DescribeClustersInput{Clusters: []string{"nope"}})
				}
				if err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 || len(logs.lines) > 0 || requests.Load() != calls/2 {
		t.Fatalf("%d calls: %d failed, %d reached the emulator, SDK log: %q", calls, failed.Load(), requests.Load(), logs.lines)
	}
}

// countingServer serves em over a real socket and counts the connections
// clients opened to it.
func countingServer(t *testing.T, em *Emulator) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(em)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

// TestEveryRequestBodyIsReadBeforeTheReply sends requests whose body the
// handler has no use for (admin calls) or refuses (too large), then
// another request: the client must have been able to send its whole body
// and keep its connection, as it does for ordinary calls.
func TestEveryRequestBodyIsReadBeforeTheReply(t *testing.T) {
	em := New(Options{Clock: NewManualClock(testStart), Seed: 1})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	srv, conns := countingServer(t, em)
	client := srv.Client()
	send := func(path, target string, body []byte) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST %s (%d bytes): %v", path, len(body), err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close() // drained above; only the status matters
		return resp.StatusCode
	}
	big := bytes.Repeat([]byte(" "), 300<<10) // more than net/http drains for a handler
	for _, tc := range []struct {
		name, path, target string
		body               []byte
		want               int
	}{
		{"advance with a body", "/_local/advance?by=1s", "", big, http.StatusOK},
		{"reset with a body", "/_local/reset", "", big, http.StatusOK},
		{"health with a body", "/_local/health", "", big, http.StatusOK},
		{"ECS call too large", "/", "AmazonEC2ContainerServiceV20141113.ListClusters", bytes.Repeat([]byte(" "), maxBodyBytes+100<<10), http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := conns.Load()
			if got := send(tc.path, tc.target, tc.body); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
			if got := send("/", "AmazonEC2ContainerServiceV20141113.ListClusters", []byte("{}")); got != http.StatusOK {
				t.Fatalf("next call: status %d", got)
			}
			if opened := conns.Load() - before; opened > 1 {
				t.Fatalf("%d connections for two calls in a row: the first reply came before its body was read, and the connection was dropped", opened)
			}
		})
	}
}
