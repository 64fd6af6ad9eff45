package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go/middleware"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// benchSpeed is how much faster than the wall clock `local serve` runs in
// these benchmarks: a rollout of four tasks takes about 90 emulated
// seconds, a few wall seconds.
const benchSpeed = 20

// servedECS is `ecsdeploy local serve` in a process of its own, so that
// the benchmark's process holds only the clients (its memory is theirs),
// and a counting proxy in front of it, which sees every request of every
// client and every ThrottlingException the server answers.
type servedECS struct {
	bin      string // the ecsdeploy binary
	direct   string // local serve's own address
	endpoint string // the counting proxy's

	requests  atomic.Int64
	throttled atomic.Int64
}

// buildECSDeploy builds the ecsdeploy binary into dir.
func buildECSDeploy(b *testing.B, dir string) string {
	b.Helper()
	bin := filepath.Join(dir, "ecsdeploy")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/ecsdeploy/ecsdeploy/cmd/ecsdeploy").CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serveECS builds ecsdeploy, starts `local serve` on a free loopback port
// with its state in a temporary directory, and stops it when b ends.
func serveECS(b *testing.B) *servedECS {
	b.Helper()
	dir := b.TempDir()
	b.Setenv("AWS_ACCESS_KEY_ID", "bench")
	b.Setenv("AWS_SECRET_ACCESS_KEY", "bench")
	b.Setenv("AWS_REGION", "us-east-1")
	b.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	b.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	s := &servedECS{bin: buildECSDeploy(b, dir)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cmd := exec.Command(s.bin, "local", "serve", "--addr", addr, "--speed", fmt.Sprint(benchSpeed),
		"--state", filepath.Join(dir, "state.json"), "--console=false")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	s.direct = "http://" + addr
	for i := 0; ; i++ {
		resp, err := http.Get(s.direct + "/_local/health")
		if err == nil {
			_ = resp.Body.Close()
			break
		}
		if i == 300 {
			b.Fatalf("local serve did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	target, _ := url.Parse(s.direct)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.StatusCode != http.StatusBadRequest {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		if bytes.Contains(body, []byte("ThrottlingException")) {
			s.throttled.Add(1)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return nil
	}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		proxy.ServeHTTP(w, r)
	}))
	b.Cleanup(front.Close)
	s.endpoint = front.URL
	return s
}

// client is an SDK client of the served ECS, sent directly (not counted
// by the proxy), for setting up and checking.
func (s *servedECS) client(b *testing.B, calls *awsconfig.CallCounter, apiOptions ...func(*middleware.Stack) error) *ecs.Client {
	b.Helper()
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{EndpointURL: s.direct, Region: "us-east-1", Calls: calls})
	if err != nil {
		b.Fatal(err)
	}
	cfg.APIOptions = append(cfg.APIOptions, apiOptions...)
	return ecs.NewFromConfig(cfg)
}

// setLimits puts benchLimits in force, which also refills every bucket.
func (s *servedECS) setLimits(b *testing.B) {
	b.Helper()
	body, err := json.Marshal(scenario.Scenario{Limits: benchLimits()})
	if err != nil {
		b.Fatal(err)
	}
	resp, err := http.Post(s.direct+"/_local/scenario", "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(resp.Body)
		b.Fatalf("set the scenario: %s: %s", resp.Status, data)
	}
	s.requests.Store(0)
	s.throttled.Store(0)
}

// failedAttempts counts the attempts that failed, by error code (or the
// transport's error); it sits after the retry middleware, as the limiter.
type failedAttempts struct {
	mu     sync.Mutex
	byCode map[string]int
}

func (f *failedAttempts) middleware(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("benchFailedAttempts",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleFinalize(ctx, in)
			if err != nil {
				code := apiErrorCode(err)
				if code == "" {
					code = err.Error()
					if i := strings.LastIndex(code, ": "); i >= 0 {
						code = code[i+2:]
					}
				}
				f.mu.Lock()
				if f.byCode == nil {
					f.byCode = map[string]int{}
				}
				f.byCode[code]++
				f.mu.Unlock()
			}
			return out, md, err
		}), middleware.After)
}

// fourTaskServices creates n services of four tasks each and waits until
// they are settled.
func fourTaskServices(b *testing.B, l *localECS, n int) []string {
	b.Helper()
	names := l.services(b, n)
	for _, name := range names {
		if _, err := l.client.UpdateService(context.Background(), &ecs.UpdateServiceInput{Cluster: aws.String("c"), Service: aws.String(name), DesiredCount: aws.Int32(4)}); err != nil {
			b.Fatal(err)
		}
	}
	l.settle(b, names)
	return names
}

// BenchmarkFleet500 deploys 500 services of four tasks as one fleet wave
// (one shared, batched, rate-limited client, as `deploy --fleet` has), in
// this process, against `local serve` in another one with ECS-like limits
// (benchLimits). It prints the total time, the API calls, and the memory
// of the fleet's watchers: the peak heap in use above what the process
// held before, and what the run allocated.
func BenchmarkFleet500(b *testing.B) {
	const n = 500
	for range b.N {
		b.StopTimer()
		s := serveECS(b)
		names := fourTaskServices(b, &localECS{client: s.client(b, nil)}, n)
		s.setLimits(b)
		calls := &awsconfig.CallCounter{}
		failures := &failedAttempts{}
		api := NewBatcher(s.client(b, calls, NewLimiter().Middleware, failures.middleware), 0)
		var wave []Member
		for _, name := range names {
			wave = append(wave, &DeployMember{Target: name, API: api,
				Request: rollout.Request{Cluster: "c", Service: name, Changes: imageTo("registry.example.com/app:2")},
				Options: rollout.Options{Timeout: 10 * time.Minute}})
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		peak := before.HeapInuse
		stop := make(chan struct{})
		var sampled sync.WaitGroup
		sampled.Add(1)
		go func() {
			defer sampled.Done()
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(200 * time.Millisecond):
				}
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
		}()
		b.StartTimer()
		start := time.Now()
		res := Run(context.Background(), [][]Member{wave}, Options{})
		total := time.Since(start)
		b.StopTimer()
		close(stop)
		sampled.Wait()
		runtime.ReadMemStats(&after)
		failed := 0
		for _, t := range res.Targets {
			if t.Result.Outcome != progress.Succeeded {
				failed++
			}
		}
		mb := func(v uint64) float64 { return float64(v) / (1 << 20) }
		w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(w, "\nservices\ttotal\tAPI calls\tcalls/s\tretried attempts\tthrottled (server)\tfailed\tpeak heap in use\tallocated\tallocations\tallocated per service\t\n")
		fmt.Fprintf(w, "%d\t%s\t%d\t%.1f\t%d\t%d\t%d\t%.1f MB\t%.0f MB\t%d\t%.0f KB\t\n", n, total.Round(100*time.Millisecond),
			calls.Total(), float64(calls.Total())/total.Seconds(), calls.Attempts()-calls.Total(), failures.byCode["ThrottlingException"], failed,
			mb(peak-before.HeapInuse), mb(after.TotalAlloc-before.TotalAlloc), after.Mallocs-before.Mallocs,
			float64(after.TotalAlloc-before.TotalAlloc)/1024/n)
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		fmt.Printf("failed attempts by error: %v\n", failures.byCode)
		b.ReportMetric(total.Seconds(), "s/fleet")
		b.ReportMetric(mb(peak-before.HeapInuse), "peak-heap-MB")
		b.ReportMetric(mb(after.TotalAlloc-before.TotalAlloc), "alloc-MB")
		b.ReportMetric(float64(failed), "failed")
	}
}

// BenchmarkFleetProcesses compares, against one `local serve` with
// ECS-like limits, the ways a CI system can deploy 50 services of four
// tasks: one `ecsdeploy deploy` process for one service (the reference),
// 50 such processes at once (one per service, as 50 CI jobs), and one
// process with the 50 services (-n 50 times: one fleet). The proxy in
// front of the server counts the API calls and the ThrottlingException
// replies; a deploy that exits non-zero is a failure surfaced.
func BenchmarkFleetProcesses(b *testing.B) {
	const n = 50
	for range b.N {
		b.StopTimer()
		s := serveECS(b)
		names := fourTaskServices(b, &localECS{client: s.client(b, nil)}, n)
		one := s.deployProcesses(b, "one process, one service", [][]string{{names[0]}}, "2")
		many := make([][]string, n)
		for i, name := range names {
			many[i] = []string{name}
		}
		processes := s.deployProcesses(b, "50 processes, one service each", many, "3")
		fleet := s.deployProcesses(b, "one process, 50 services", [][]string{names}, "4")
		w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(w, "\nrun\ttotal\tvs one\tAPI calls\tcalls/s\tthrottled (server)\tfailed (exit ≠ 0)\tof them throttling\t\n")
		for _, r := range []processRow{one, processes, fleet} {
			fmt.Fprintf(w, "%s\t%s\t%.2f×\t%d\t%.1f\t%d\t%d\t%d\t\n", r.name, r.total.Round(10*time.Millisecond), r.total.Seconds()/one.total.Seconds(),
				r.requests, float64(r.requests)/r.total.Seconds(), r.throttled, r.failed, r.throttleFailures)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(processes.total.Seconds()/one.total.Seconds(), "processes-vs-one")
		b.ReportMetric(fleet.total.Seconds()/one.total.Seconds(), "fleet-vs-one")
	}
}

type processRow struct {
	name                     string
	total                    time.Duration
	requests, throttled      int64
	failed, throttleFailures int
}

// deployProcesses runs one `ecsdeploy deploy` process per entry of
// services at once, each deploying its services to image tag, and waits
// for all of them.
func (s *servedECS) deployProcesses(b *testing.B, name string, services [][]string, tag string) processRow {
	b.Helper()
	s.setLimits(b)
	row := processRow{name: name}
	var mu sync.Mutex
	var wg sync.WaitGroup
	b.StartTimer()
	start := time.Now()
	for _, svcs := range services {
		args := []string{"deploy", "--endpoint-url", s.endpoint, "-c", "c", "-i", "app=registry.example.com/app:" + tag, "-t", "10m", "--output", "json"}
		for _, svc := range svcs {
			args = append(args, "-n", svc)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := exec.Command(s.bin, args...).CombinedOutput()
			if err != nil {
				mu.Lock()
				defer mu.Unlock()
				row.failed++
				if bytes.Contains(out, []byte("Rate exceeded")) || bytes.Contains(out, []byte("Throttling")) {
					row.throttleFailures++
				}
				if row.failed == 1 {
					b.Logf("%s: %v\n%s", strings.Join(args, " "), err, out)
				}
			}
		}()
	}
	wg.Wait()
	row.total = time.Since(start)
	b.StopTimer()
	row.requests, row.throttled = s.requests.Load(), s.throttled.Load()
	return row
}
