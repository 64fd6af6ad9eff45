package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// BenchmarkStartupStatus measures how fast the built binary gets to work:
// it starts `ecsdeploy local serve`, puts a proxy in front of it that notes
// when each request arrives, and runs `ecsdeploy status` against the proxy
// b.N times. It reports, as medians and 90th percentiles, the time from
// starting the process to its first request arriving (first-call) and to
// its exit (wall); then it runs status once more with GODEBUG=inittrace=1
// and reports the package initialisation it printed (init-ms, init-kB) and
// logs the costliest packages. The environment is kept as it is, except
// that shared AWS files are hidden and static credentials are given, as a
// user of `local serve` does; AWS_CA_BUNDLE in particular is left alone.
//
//	go test ./cmd/ecsdeploy -run '^$' -bench StartupStatus -benchtime 20x
//
// To compare with another build (say, of an earlier commit), name it in
// STARTUP_BENCH_BASELINE: the two then run in turn, one of each per
// iteration, so that both see the same load, and the baseline's figures are
// reported too (base-first-call-p50-ms...) with the median ratio of the
// pairs' first-call times (first-call-ratio).
func BenchmarkStartupStatus(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "ecsdeploy")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	baseline := os.Getenv("STARTUP_BENCH_BASELINE")
	dir := b.TempDir()
	env := append(os.Environ(),
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_PROFILE=", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_SESSION_TOKEN=",
		"AWS_REGION=us-east-1", "GODEBUG=")
	server := startLocalServe(b, bin, filepath.Join(dir, "state.json"))

	arrivals := &arrivalLog{}
	proxy := httputil.NewSingleHostReverseProxy(server)
	front := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrivals.note(time.Now())
		proxy.ServeHTTP(w, r)
	})}
	endpoint := serveOnLoopback(b, front)
	seedService(b, endpoint)

	args := []string{"status", "--cluster", "default", "--service", "web", "--endpoint-url", endpoint}
	runBin := func(bin string, extraEnv ...string) (first, wall time.Duration, stderr []byte) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(env, extraEnv...)
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		arrivals.reset()
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("status: %v\n%s", err, errOut.Bytes())
		}
		wall = time.Since(start)
		at, ok := arrivals.first()
		if !ok {
			b.Fatal("status made no request")
		}
		return at.Sub(start), wall, errOut.Bytes()
	}
	runOnce := func(extraEnv ...string) (time.Duration, time.Duration, []byte) { return runBin(bin, extraEnv...) }
	runOnce() // warm the page cache with the binary
	if baseline != "" {
		runBin(baseline)
	}

	var firsts, walls, baseFirsts, baseWalls []time.Duration
	var ratios []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		first, wall, _ := runOnce()
		firsts = append(firsts, first)
		walls = append(walls, wall)
		if baseline != "" {
			baseFirst, baseWall, _ := runBin(baseline)
			baseFirsts = append(baseFirsts, baseFirst)
			baseWalls = append(baseWalls, baseWall)
			ratios = append(ratios, float64(first)/float64(baseFirst))
		}
	}
	b.StopTimer()
	reportPercentiles(b, "first-call", firsts)
	reportPercentiles(b, "wall", walls)
	if baseline != "" {
		reportPercentiles(b, "base-first-call", baseFirsts)
		reportPercentiles(b, "base-wall", baseWalls)
		sort.Float64s(ratios)
		b.ReportMetric(ratios[len(ratios)/2], "first-call-ratio")
	}

	// Initialisation figures from five traced runs: the one with the median time.
	var traced []initSummary
	for range 5 {
		_, _, trace := runOnce("GODEBUG=inittrace=1")
		traced = append(traced, summariseInitTrace(trace))
	}
	sort.Slice(traced, func(i, j int) bool { return traced[i].ms < traced[j].ms })
	sum := traced[len(traced)/2]
	b.ReportMetric(sum.ms, "init-ms")
	b.ReportMetric(sum.bytes/1024, "init-kB")
	b.Logf("package initialisation: %d packages, %.1f ms, %.0f kB, %d allocations; costliest:", sum.packages, sum.ms, sum.bytes/1024, sum.allocs)
	for _, p := range sum.top(8) {
		b.Logf("  %-60s %6.2f ms %8.0f kB", p.name, p.ms, p.bytes/1024)
	}
}

// startLocalServe starts `bin local serve` on a free port with its own
// state file and returns its endpoint; the server is stopped at the end.
func startLocalServe(b *testing.B, bin, state string) *url.URL {
	cmd := exec.Command(bin, "local", "serve", "--addr", "127.0.0.1:0", "--state", state, "--console=false")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	endpoint := ""
	for endpoint == "" && lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "  export AWS_ENDPOINT_URL="); ok {
			endpoint = strings.TrimSpace(rest)
		}
	}
	if endpoint == "" {
		b.Fatal("local serve did not print its endpoint")
	}
	go func() { // drain its output
		for lines.Scan() {
		}
	}()
	u, err := url.Parse(endpoint)
	if err != nil {
		b.Fatal(err)
	}
	return u
}

// serveOnLoopback serves srv on a free loopback port until the benchmark ends.
func serveOnLoopback(b *testing.B, srv *http.Server) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// seedService creates the service that status shows: the default cluster,
// a task definition and a service "web" with one task.
func seedService(b *testing.B, endpoint string) {
	ctx := context.Background()
	client := ecs.New(ecs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("default")}); err != nil {
		b.Fatal(err)
	}
	if _, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"),
		ContainerDefinitions: []types.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String("nginx:latest"), Memory: aws.Int32(128), Essential: aws.Bool(true),
		}},
	}); err != nil {
		b.Fatal(err)
	}
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String("default"), ServiceName: aws.String("web"),
		TaskDefinition: aws.String("web"), DesiredCount: aws.Int32(1),
	}); err != nil {
		b.Fatal(err)
	}
}

// arrivalLog keeps the time the first request of a run arrived.
type arrivalLog struct {
	mu    sync.Mutex
	at    time.Time
	noted bool
}

func (a *arrivalLog) note(t time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.noted {
		a.at, a.noted = t, true
	}
}

func (a *arrivalLog) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.noted = false
}

func (a *arrivalLog) first() (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.at, a.noted
}

// reportPercentiles reports the median and 90th percentile of ds in ms.
func reportPercentiles(b *testing.B, name string, ds []time.Duration) {
	sorted := append([]time.Duration(nil), ds...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	b.ReportMetric(ms(percentile(sorted, 50)), name+"-p50-ms")
	b.ReportMetric(ms(percentile(sorted, 90)), name+"-p90-ms")
}

// percentile is the nearest-rank percentile p of sorted (not empty).
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// initTraceLine is one line GODEBUG=inittrace=1 prints per package:
// "init PKG @T ms, C ms clock, B bytes, A allocs".
var initTraceLine = regexp.MustCompile(`^init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock, ([0-9]+) bytes, ([0-9]+) allocs`)

type initCost struct {
	name      string
	ms, bytes float64
	allocs    int
}

type initSummary struct {
	packages  int
	ms, bytes float64
	allocs    int
	each      []initCost
}

func summariseInitTrace(stderr []byte) initSummary {
	var s initSummary
	for _, line := range strings.Split(string(stderr), "\n") {
		m := initTraceLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		c := initCost{name: m[1]}
		c.ms, _ = strconv.ParseFloat(m[2], 64)
		c.bytes, _ = strconv.ParseFloat(m[3], 64)
		c.allocs, _ = strconv.Atoi(m[4])
		s.packages++
		s.ms += c.ms
		s.bytes += c.bytes
		s.allocs += c.allocs
		s.each = append(s.each, c)
	}
	return s
}

// top is the n packages whose initialisation took longest.
func (s initSummary) top(n int) []initCost {
	each := append([]initCost(nil), s.each...)
	sort.Slice(each, func(i, j int) bool { return each[i].ms > each[j].ms })
	if len(each) > n {
		each = each[:n]
	}
	return each
}

func TestSummariseInitTrace(t *testing.T) {
	trace := "init internal/bytealg @0.002 ms, 0 ms clock, 0 bytes, 0 allocs\n" +
		"init github.com/x/schemas @1.5 ms, 6.25 ms clock, 2048 bytes, 40 allocs\n" +
		"unrelated line\n" +
		"init example.com/y @9 ms, 0.5 ms clock, 1024 bytes, 2 allocs\n"
	s := summariseInitTrace([]byte(trace))
	if s.packages != 3 || s.ms != 6.75 || s.bytes != 3072 || s.allocs != 42 {
		t.Fatalf("summary: %+v", s)
	}
	if top := s.top(1); len(top) != 1 || top[0].name != "github.com/x/schemas" {
		t.Fatalf("top: %+v", top)
	}
	sorted := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if got := fmt.Sprint(percentile(sorted, 50), percentile(sorted, 90), percentile(sorted[:1], 90)); got != "5ns 9ns 1ns" {
		t.Fatalf("percentiles: %s", got)
	}
}
