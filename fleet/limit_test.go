package fleet

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// TestLimiterKeepsCallsUnderTheServersBuckets sends a burst of concurrent
// calls at a local ECS that throttles beyond 10 at once and 20 a second:
// without the limiter some are refused, with it none are.
func TestLimiterKeepsCallsUnderTheServersBuckets(t *testing.T) {
	scen := &scenario.Scenario{Limits: []scenario.Limit{{Operation: "Describe*", Burst: 10, Rate: 20}}}
	throttled := func(limiter *Limiter) int {
		em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(testStartTime()), Seed: 1, Scenario: scen})
		defer func() { _ = em.Close() }()
		opts := awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1}
		cfg, err := awsconfig.Load(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if limiter != nil {
			cfg.APIOptions = append(cfg.APIOptions, limiter.Middleware)
		}
		client := ecs.NewFromConfig(cfg)
		var n atomic.Int32
		var wg sync.WaitGroup
		for range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := client.DescribeClusters(context.Background(), &ecs.DescribeClustersInput{}); apiErrorCode(err) == "ThrottlingException" {
					n.Add(1)
				}
			}()
		}
		wg.Wait()
		return int(n.Load())
	}
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	if n := throttled(nil); n == 0 {
		t.Fatal("the scenario's limit should throttle 30 calls at once without a client-side limiter")
	}
	if n := throttled(NewLimiter(Bucket{Operations: []string{"Describe*"}, Burst: 5, PerSecond: 15})); n != 0 {
		t.Fatalf("%d calls throttled with a client-side bucket below the server's", n)
	}
}

func TestLimiterGroups(t *testing.T) {
	l := NewLimiter(Bucket{Operations: []string{"Describe*"}, Burst: 1, PerSecond: 0.001}, Bucket{Operations: []string{"*"}, Burst: 100, PerSecond: 100})
	ctx := context.Background()
	if err := l.Wait(ctx, "DescribeServices"); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := l.Wait(cancelled, "DescribeTasks"); err == nil {
		t.Fatal("DescribeTasks shares DescribeServices' empty bucket and must wait")
	}
	if err := l.Wait(ctx, "UpdateService"); err != nil {
		t.Fatalf("UpdateService is in another group: %v", err)
	}
}
