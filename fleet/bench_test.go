package fleet

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// benchLimits are the local ECS's rate limits in the fleet benchmark: the
// same groups and sizes as the client's DefaultBuckets, so that a client
// that keeps to its buckets is never throttled, and one that does not is.
func benchLimits() []scenario.Limit {
	var ls []scenario.Limit
	for _, b := range DefaultBuckets {
		for _, op := range b.Operations {
			ls = append(ls, scenario.Limit{Operation: op, Burst: b.Burst, Rate: b.PerSecond})
		}
	}
	return ls
}

// BenchmarkFleet deploys, on a local ECS running 20 times faster than the
// wall clock and throttling like ECS (benchLimits): one service of 4 tasks
// alone; 50 such services as one fleet wave (one shared, batched,
// rate-limited client); and the same 50 as 50 independent deploys, each
// with its own client, as 50 CI jobs would. It prints a table: total time,
// its ratio to the one service, API calls and calls per second, retried
// (throttled) attempts, and deployments reported failed.
func BenchmarkFleet(b *testing.B) {
	const n = 50
	for i := 0; i < b.N; i++ {
		one := fleetRun(b, 1, "fleet")
		fleet := fleetRun(b, n, "fleet")
		independent := fleetRun(b, n, "independent")
		w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(w, "\nrun\tservices\ttotal\tvs one\tAPI calls\tcalls/s\tretried attempts\tfailed\t\n")
		for _, r := range []benchFleetRow{one, fleet, independent} {
			fmt.Fprintf(w, "%s\t%d\t%s\t%.2f×\t%d\t%.1f\t%d\t%d\t\n", r.name, r.services, r.total.Round(10*time.Millisecond),
				r.total.Seconds()/one.total.Seconds(), r.calls, float64(r.calls)/r.total.Seconds(), r.retried, r.failed)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}

type benchFleetRow struct {
	name           string
	services       int
	total          time.Duration
	calls, retried int
	failed         int
}

func fleetRun(b *testing.B, n int, mode string) benchFleetRow {
	b.Helper()
	b.StopTimer()
	ctx := context.Background()
	em := emulator.New(emulator.Options{Speed: 20, Seed: 11})
	defer func() { _ = em.Close() }()
	b.Setenv("AWS_CONFIG_FILE", b.TempDir()+"/none")
	b.Setenv("AWS_SHARED_CREDENTIALS_FILE", b.TempDir()+"/none")
	setupCfg, err := awsconfig.Load(ctx, awsconfig.Options{Handler: em, Region: "us-east-1"})
	if err != nil {
		b.Fatal(err)
	}
	l := &localECS{em: em, client: ecs.NewFromConfig(setupCfg)}
	names := l.services(b, n)
	for _, name := range names {
		if _, err := l.client.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("c"), Service: aws.String(name), DesiredCount: aws.Int32(4)}); err != nil {
			b.Fatal(err)
		}
	}
	l.settle(b, names)
	if err := em.SetScenario(&scenario.Scenario{Limits: benchLimits()}); err != nil {
		b.Fatal(err)
	}

	calls := &awsconfig.CallCounter{}
	client := func(shared bool) rollout.ECSAPI {
		cfg, err := awsconfig.Load(ctx, awsconfig.Options{Handler: em, Region: "us-east-1", Calls: calls})
		if err != nil {
			b.Fatal(err)
		}
		if shared {
			cfg.APIOptions = append(cfg.APIOptions, NewLimiter().Middleware)
			return NewBatcher(ecs.NewFromConfig(cfg), 0)
		}
		return ecs.NewFromConfig(cfg)
	}
	var shared rollout.ECSAPI
	if mode == "fleet" {
		shared = client(true)
	}
	var wave []Member
	for _, name := range names {
		api := shared
		if api == nil {
			api = client(false)
		}
		wave = append(wave, &DeployMember{Target: name, API: api,
			Request: rollout.Request{Cluster: "c", Service: name, Changes: imageTo("registry.example.com/app:2")},
			Options: rollout.Options{Timeout: 10 * time.Minute}})
	}
	row := benchFleetRow{name: mode, services: n}
	if n == 1 {
		row.name = "one service"
	}
	b.StartTimer()
	start := time.Now()
	var res *Result
	if mode == "fleet" {
		res = Run(ctx, [][]Member{wave}, Options{})
	} else {
		res = runIndependently(ctx, wave)
	}
	row.total = time.Since(start)
	b.StopTimer()
	row.calls, row.retried = calls.Total(), calls.Attempts()-calls.Total()
	for _, t := range res.Targets {
		if t.Result.Outcome != progress.Succeeded {
			row.failed++
		}
	}
	return row
}

// runIndependently deploys each member on its own, at once, as separate
// CI jobs would, and collects the results in the fleet's shape.
func runIndependently(ctx context.Context, members []Member) *Result {
	res := &Result{Targets: make([]TargetResult, len(members))}
	var wg sync.WaitGroup
	for i, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res.Targets[i] = TargetResult{Name: m.Name(), Wave: 1, Result: m.Do(ctx)}
		}()
	}
	wg.Wait()
	return res
}
