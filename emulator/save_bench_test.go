package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// bigEmulator returns an emulator with services x tasksPerService running
// Fargate tasks. One service is rolled out for real; the others are copies
// of it under other names (building 100,000 tasks through the scheduler
// would take minutes).
func bigEmulator(b *testing.B, services, tasksPerService int) *Emulator {
	b.Helper()
	em := New(Options{Clock: NewManualClock(testStart), Seed: 1, DefaultCluster: true})
	b.Cleanup(func() {
		if err := em.Close(); err != nil {
			b.Error(err)
		}
	})
	ctx := context.Background()
	for _, call := range [][2]string{
		{"RegisterTaskDefinition", `{"family":"svc","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
		  "containerDefinitions":[{"name":"app","image":"app:1","portMappings":[{"containerPort":8080}],"environment":[{"name":"MODE","value":"production"}]}]}`},
		{"CreateService", fmt.Sprintf(`{"serviceName":"s00000","taskDefinition":"svc:1","desiredCount":%d,"launchType":"FARGATE",
		  "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-a","subnet-b","subnet-c"]}}}`, tasksPerService)},
	} {
		if _, err := em.InvokeECS(ctx, "", call[0], []byte(call[1])); err != nil {
			b.Fatal(err)
		}
	}
	em.Advance(90 * time.Second)
	em.mu.Lock()
	defer em.mu.Unlock()
	c := em.state.Regions[DefaultRegion].Clusters["default"]
	proto := c.Services["s00000"]
	var protoTasks []*task
	for _, t := range c.Tasks {
		protoTasks = append(protoTasks, t)
	}
	for i := 1; i < services; i++ {
		name := fmt.Sprintf("s%05d", i)
		s := proto.clone()
		s.Name, s.ARN = name, proto.ARN[:len(proto.ARN)-len(proto.Name)]+name
		c.Services[name] = s
		for j, pt := range protoTasks {
			t := pt.clone()
			t.ID = fmt.Sprintf("%s%08x%04x", pt.ID[:20], i, j)
			t.ARN, t.Group, t.Service = pt.ARN[:len(pt.ARN)-len(pt.ID)]+t.ID, "service:"+name, name
			c.Tasks[t.ID] = t
		}
	}
	c.indexed = false // rebuild the indexes for the copies
	return em
}

// BenchmarkSaveAt10000Services measures a save of the local ECS at 10,000
// services of 10 tasks each (about 180 MB of JSON): how long requests are
// held (the copy taken under the lock, against encoding the whole state
// under it as saves once did), the memory a save needs, and — saving
// repeatedly while a client calls without pause — the longest call and the
// process's resident memory after each save. Run with
//
//	go test ./emulator -run '^$' -bench SaveAt10000Services -benchtime 1x
func BenchmarkSaveAt10000Services(b *testing.B) {
	const services, tasksPerService, saves = 10000, 10, 5
	em := bigEmulator(b, services, tasksPerService)
	file := filepath.Join(b.TempDir(), "state.json")
	var table bytes.Buffer
	fmt.Fprintf(&table, "\nsave of the local ECS, %d services x %d tasks\n", services, tasksPerService)

	// What holds requests: the copy now, the whole encoding before.
	measure := func(name string, fn func()) {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		fn()
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		fmt.Fprintf(&table, "  %-44s %9.0f ms %9.0f MiB allocated\n", name, ms(took), float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
	}
	em.mu.Lock()
	measure("copy under the lock (now)", func() { _ = em.state.clone() })
	measure("json.Marshal under the lock (before)", func() {
		_, _ = json.Marshal(savedState{Format: stateFormatVersion, Scenario: em.scen, State: em.state})
	})
	em.mu.Unlock()
	measure("stream-encode the copy, no lock (now)", func() {
		snap := savedState{Format: stateFormatVersion, Scenario: em.scen, State: em.state.clone()}
		_ = encodeSaved(io.Discard, &snap)
	})

	// Saving while a client calls without pause, as a deploy's poller does.
	ctx := context.Background()
	var stop atomic.Bool
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			start := time.Now()
			_, _ = em.InvokeECS(ctx, "", "DescribeServices", fmt.Appendf(nil, `{"services":["s%05d"]}`, i%services))
			d := time.Since(start)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}
	}()
	take := func() (longest time.Duration, n int) {
		mu.Lock()
		defer mu.Unlock()
		for _, d := range lat {
			longest = max(longest, d)
		}
		n = len(lat)
		lat = lat[:0]
		return longest, n
	}
	time.Sleep(300 * time.Millisecond)
	quiet, _ := take()
	fmt.Fprintf(&table, "  longest DescribeServices without a save: %.1f ms\n", ms(quiet))
	fmt.Fprintf(&table, "  %-6s %10s %10s %16s %10s %10s %15s\n", "save", "file MB", "save ms", "longest call ms", "calls", "RSS MiB", "live heap MiB")
	var worst time.Duration
	b.ResetTimer()
	for s := 1; s <= saves; s++ {
		start := time.Now()
		if err := em.SaveState(file); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		longest, n := take()
		worst = max(worst, longest)
		st, _ := os.Stat(file)
		rss := rssMiB()
		// The heap still in use once the garbage of the save is collected:
		// flat from save to save if saves keep nothing.
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		_, _ = take() // calls slowed by that collection belong to no save
		fmt.Fprintf(&table, "  %-6d %10.1f %10.0f %16.1f %10d %10.0f %15.0f\n", s, float64(st.Size())/1e6, ms(took), ms(longest), n, rss, float64(m.HeapAlloc)/(1<<20))
	}
	b.StopTimer()
	stop.Store(true)
	wg.Wait()
	b.ReportMetric(ms(worst), "longest-call-ms")
	b.ReportMetric(rssMiB(), "rss-MiB")
	// Printed, not logged: the testing package cuts a benchmark's log short.
	fmt.Print(table.String())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// rssMiB is the process's resident set size (Linux; 0 elsewhere).
func rssMiB() float64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(data), &size, &resident); err != nil {
		return 0
	}
	return float64(resident*int64(os.Getpagesize())) / (1 << 20)
}
