package watch_test

import (
	"container/heap"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// BenchmarkVerdictLatency measures how soon a deploy exits after ECS
// decides. Each rollout runs on a local ECS in emulated time: the deploy
// (rollout.Deploy with the watcher's default settings) and an independent
// observer that reads the service every 100 ms share one virtual clock,
// which moves only when both wait, so nothing depends on the machine's
// load. Every API call of the deploy takes 80 ms of that time (40 ms each
// way), about what a DescribeServices to ECS costs from the same region.
//
// The rollouts vary what decides their pace: desired counts of 1 to 4, the
// 40-second rule or a container health check, minimumHealthyPercent 100 or
// 50, image pulls of 8 to 16 s or a slow one of 45 s, and old tasks that
// ignore SIGTERM (a 30 s drain); each starts at a random phase of the local
// ECS's one-second step.
//
// It prints one row per rollout and a summary: the time from the observer
// seeing rolloutState COMPLETED (or FAILED) to rollout.Deploy returning
// (median, p90, max), and the reads (Describe* and List* calls) per second
// of the wait, per service.
func BenchmarkVerdictLatency(b *testing.B) {
	const rollouts = 24
	for i := 0; i < b.N; i++ {
		var rows []latencyRow
		for n := range rollouts {
			rows = append(rows, latencyRollout(b, latencyCase(n)))
		}
		printLatency(b, rows)
	}
}

type latencyCaseSpec struct {
	seed        uint64
	desired     int32
	healthCheck bool
	minHealthy  int32
	image       string // the new image
	stubborn    bool   // old tasks ignore SIGTERM
	crash       bool   // the new image exits: a circuit-breaker failure
}

func latencyCase(n int) latencyCaseSpec {
	c := latencyCaseSpec{seed: uint64(100 + n), desired: int32(1 + n%4), minHealthy: 100, image: "registry.example.com/app:2"}
	c.healthCheck = n%3 == 1
	if n%2 == 1 {
		c.minHealthy = 50
	}
	if n%5 == 3 {
		c.image = "registry.example.com/app:slow"
	}
	c.stubborn = n%7 == 5
	c.crash = n%8 == 6
	if c.crash {
		c.image = "registry.example.com/app:crash"
	}
	return c
}

func (c latencyCaseSpec) String() string {
	s := fmt.Sprintf("%d tasks", c.desired)
	if c.healthCheck {
		s += ", health check"
	} else {
		s += ", 40 s rule"
	}
	if c.minHealthy != 100 {
		s += fmt.Sprintf(", min %d%%", c.minHealthy)
	}
	if strings.HasSuffix(c.image, ":slow") {
		s += ", slow pull"
	}
	if c.stubborn {
		s += ", 30 s drain"
	}
	if c.crash {
		s += ", crashing image"
	}
	return s
}

type latencyRow struct {
	spec          latencyCaseSpec
	outcome       progress.Outcome
	waited        time.Duration
	reads         int
	verdictToExit time.Duration
}

// rpcLatency is what each API call of the deploy costs in emulated time.
const rpcLatency = 80 * time.Millisecond

func latencyRollout(b *testing.B, c latencyCaseSpec) latencyRow {
	b.Helper()
	b.StopTimer()
	ctx := context.Background()
	crash := 1
	rng := rand.New(rand.NewPCG(c.seed, 1))
	// The new image pulls in 8 to 16 s (45 s for the slow one), so that
	// each rollout's changes fall at a different moment of the watcher's pace.
	pull := 8*time.Second + time.Duration(rng.IntN(8000))*time.Millisecond
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)), Seed: c.seed,
		Scenario: &scenario.Scenario{Images: []scenario.Image{
			{Match: "*/app:crash", ExitCode: &crash, ExitAfter: scenario.Duration(3 * time.Second), PullDuration: scenario.Duration(pull)},
			{Match: "*/app:slow", PullDuration: scenario.Duration(45 * time.Second)},
			{Match: "*/app:stubborn", IgnoreSIGTERM: true},
			{Match: "*/app:2", PullDuration: scenario.Duration(pull)},
		}}})
	defer func() { _ = em.Close() }()
	b.Setenv("AWS_CONFIG_FILE", b.TempDir()+"/none")
	b.Setenv("AWS_SHARED_CREDENTIALS_FILE", b.TempDir()+"/none")
	setupCfg, err := awsconfig.Load(ctx, awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		b.Fatal(err)
	}
	setup := ecs.NewFromConfig(setupCfg)
	latencyService(b, em, setup, c)
	em.Advance(time.Duration(rng.IntN(1000)) * time.Millisecond) // a random phase of the one-second step

	sim := newVirtualTime(em)
	wire := &slowWire{em: em, sim: sim}
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Handler: wire, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		b.Fatal(err)
	}
	client := ecs.NewFromConfig(cfg)
	plan, err := rollout.MakePlan(ctx, setup, rollout.Request{Cluster: "c", Service: "web",
		Changes: taskdef.Changes{Images: []taskdef.ImageChange{{Container: "app", Image: c.image}}}})
	if err != nil {
		b.Fatal(err)
	}
	before := aws.ToString(plan.Service.Deployments[0].Id)

	var (
		res      *rollout.Result
		exited   time.Time
		verdict  time.Time
		finished = make(chan struct{})
	)
	b.StartTimer()
	sim.spawn(func() {
		res, _ = rollout.Deploy(ctx, client, plan, rollout.Options{Timeout: 15 * time.Minute, Watch: watchOptions(sim)})
		exited = sim.Now()
		close(finished)
	})
	sim.spawn(func() { verdict = observe(em, sim, before, finished) })
	sim.run()
	b.StopTimer()
	want := progress.Succeeded
	if c.crash {
		want = progress.Failed
	}
	if res == nil || res.Outcome != want {
		b.Fatalf("rollout %s: outcome %v, want %s", c, res, want)
	}
	if verdict.IsZero() {
		b.Fatalf("rollout %s: the observer saw no verdict", c)
	}
	row := latencyRow{spec: c, outcome: res.Outcome, verdictToExit: exited.Sub(verdict)}
	row.reads, row.waited = wire.readsSinceUpdate(exited)
	return row
}

// observe reads the service every 100 ms of emulated time, as an
// independent poller would, until the deploy has returned, and returns when
// it first saw a deployment other than before COMPLETED or FAILED.
func observe(em *emulator.Emulator, sim *virtualTime, before string, finished <-chan struct{}) time.Time {
	var seen time.Time
	for {
		select {
		case <-finished:
			return seen
		default:
		}
		if seen.IsZero() {
			out, err := em.InvokeECS(context.Background(), "us-east-1", "DescribeServices", []byte(`{"cluster":"c","services":["web"]}`))
			if err == nil {
				var resp struct {
					Services []struct {
						Deployments []struct{ ID, RolloutState string } `json:"deployments"`
					} `json:"services"`
				}
				if json.Unmarshal(out, &resp) == nil && len(resp.Services) == 1 {
					for _, d := range resp.Services[0].Deployments {
						if d.ID != before && (d.RolloutState == "COMPLETED" || d.RolloutState == "FAILED") {
							seen = sim.Now()
						}
					}
				}
			}
		}
		<-sim.After(100 * time.Millisecond)
	}
}

func latencyService(b *testing.B, em *emulator.Emulator, client *ecs.Client, c latencyCaseSpec) {
	b.Helper()
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c")}); err != nil {
		b.Fatal(err)
	}
	image := "registry.example.com/app:1"
	if c.stubborn {
		image = "registry.example.com/app:stubborn"
	}
	cd := types.ContainerDefinition{Name: aws.String("app"), Image: aws.String(image), Essential: aws.Bool(true)}
	if c.healthCheck {
		cd.HealthCheck = &types.HealthCheck{Command: []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"},
			Interval: aws.Int32(10), Timeout: aws.Int32(5), Retries: aws.Int32(2), StartPeriod: aws.Int32(10)}
	}
	td, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"), NetworkMode: types.NetworkModeAwsvpc, RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu: aws.String("256"), Memory: aws.String("512"), ContainerDefinitions: []types.ContainerDefinition{cd},
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String("c"), ServiceName: aws.String("web"), TaskDefinition: td.TaskDefinition.TaskDefinitionArn,
		DesiredCount: aws.Int32(c.desired), LaunchType: types.LaunchTypeFargate,
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1", "subnet-2"}}},
		DeploymentConfiguration: &types.DeploymentConfiguration{MinimumHealthyPercent: aws.Int32(c.minHealthy), MaximumPercent: aws.Int32(200),
			DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}},
	}); err != nil {
		b.Fatal(err)
	}
	for range 600 {
		em.Advance(time.Second)
		out, err := client.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{"web"}})
		if err == nil && len(out.Services) == 1 && len(out.Services[0].Deployments) == 1 &&
			out.Services[0].Deployments[0].RolloutState == types.DeploymentRolloutStateCompleted {
			return
		}
	}
	b.Fatal("the service did not settle")
}

func printLatency(b *testing.B, rows []latencyRow) {
	w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\nrollout\toutcome\twaited\treads\treads/s\tverdict→exit\t\n")
	var lat []time.Duration
	reads, waited := 0, time.Duration(0)
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%.2f\t%s\t\n", r.spec, r.outcome, r.waited.Round(100*time.Millisecond), r.reads,
			float64(r.reads)/r.waited.Seconds(), r.verdictToExit.Round(time.Millisecond))
		lat = append(lat, r.verdictToExit)
		reads += r.reads
		waited += r.waited
	}
	slices.Sort(lat)
	median, p90, worst := lat[len(lat)/2], lat[(len(lat)*9+9)/10-1], lat[len(lat)-1]
	fmt.Fprintf(w, "%d rollouts\tmedian %s\tp90 %s\tmax %s\t%d\t%.2f\t\n", len(rows), median.Round(time.Millisecond),
		p90.Round(time.Millisecond), worst.Round(time.Millisecond), reads, float64(reads)/waited.Seconds())
	_ = w.Flush() // a report printed for people
	b.ReportMetric(median.Seconds(), "s-verdict-to-exit-median")
	b.ReportMetric(p90.Seconds(), "s-verdict-to-exit-p90")
	b.ReportMetric(float64(reads)/waited.Seconds(), "reads/s")
}

// slowWire is the deploy's way to the local ECS: each call waits half of
// rpcLatency on the virtual clock before the local ECS answers and half
// after, and the reads made after UpdateService are counted with their time.
type slowWire struct {
	em  *emulator.Emulator
	sim *virtualTime

	mu      sync.Mutex
	updated time.Time
	reads   []time.Time
}

func (s *slowWire) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	<-s.sim.After(rpcLatency / 2)
	op := r.Header.Get("X-Amz-Target")
	s.mu.Lock()
	switch {
	case strings.HasSuffix(op, ".UpdateService"):
		s.updated = s.sim.Now()
	case !s.updated.IsZero() && (strings.Contains(op, ".Describe") || strings.Contains(op, ".List")):
		s.reads = append(s.reads, s.sim.Now())
	}
	s.mu.Unlock()
	s.em.ServeHTTP(w, r)
	<-s.sim.After(rpcLatency / 2)
}

// readsSinceUpdate returns the reads from UpdateService until end, and that time.
func (s *slowWire) readsSinceUpdate(end time.Time) (int, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, at := range s.reads {
		if !at.After(end) {
			n++
		}
	}
	return n, end.Sub(s.updated)
}

// watchOptions are the watcher's settings in the benchmark: its defaults,
// on the virtual clock.
func watchOptions(clock *virtualTime) watch.Options {
	return watch.Options{Clock: clock}
}

// virtualTime is a clock shared by a few goroutines ("actors") and a local
// ECS on a manual clock: time moves, and the local ECS with it, only when
// every actor waits on After, to the earliest of their wake-ups.
type virtualTime struct {
	em *emulator.Emulator

	mu     sync.Mutex
	cond   *sync.Cond
	actors int
	seq    int
	timers timerHeap
}

func newVirtualTime(em *emulator.Emulator) *virtualTime {
	v := &virtualTime{em: em}
	v.cond = sync.NewCond(&v.mu)
	return v
}

func (v *virtualTime) Now() time.Time { return v.em.Now() }

func (v *virtualTime) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	v.mu.Lock()
	v.seq++
	heap.Push(&v.timers, timer{at: v.em.Now().Add(max(d, 0)), seq: v.seq, ch: ch})
	v.cond.Broadcast()
	v.mu.Unlock()
	return ch
}

// spawn starts an actor.
func (v *virtualTime) spawn(fn func()) {
	v.mu.Lock()
	v.actors++
	v.mu.Unlock()
	go func() {
		defer func() {
			v.mu.Lock()
			v.actors--
			v.cond.Broadcast()
			v.mu.Unlock()
		}()
		fn()
	}()
}

// run moves time until every actor has returned.
func (v *virtualTime) run() {
	v.mu.Lock()
	defer v.mu.Unlock()
	for {
		for v.actors > 0 && len(v.timers) < v.actors {
			v.cond.Wait()
		}
		if v.actors == 0 {
			return
		}
		t := heap.Pop(&v.timers).(timer)
		v.mu.Unlock()
		if d := t.at.Sub(v.em.Now()); d > 0 {
			v.em.Advance(d)
		}
		t.ch <- t.at
		v.mu.Lock()
	}
}

type timer struct {
	at  time.Time
	seq int
	ch  chan time.Time
}

type timerHeap []timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}
