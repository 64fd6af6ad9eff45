package emulator

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

func TestRateLimitsAreTokenBuckets(t *testing.T) {
	wall := testStart
	em := New(Options{Clock: NewManualClock(testStart), Seed: 1, WallClock: func() time.Time { return wall }})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	client := ecs.NewFromConfig(cfg)
	if err := em.SetScenario(&scenario.Scenario{Limits: []scenario.Limit{{Operation: "Describe*", Burst: 3, Rate: 2}}}); err != nil {
		t.Fatal(err)
	}
	describe := func() string {
		_, err := client.DescribeClusters(context.Background(), &ecs.DescribeClustersInput{})
		return apiCode(err)
	}
	for i := range 3 {
		if got := describe(); got != "" {
			t.Fatalf("call %d within the burst: %q", i+1, got)
		}
	}
	if got := describe(); got != "ThrottlingException" {
		t.Fatalf("call beyond the burst: %q, want ThrottlingException", got)
	}
	// A group shares its bucket: another Describe action is throttled too,
	// an action outside the group is not.
	if _, err := client.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Services: []string{"x"}}); apiCode(err) != "ThrottlingException" {
		t.Fatalf("DescribeServices shares the Describe* bucket: %v", err)
	}
	if _, err := client.ListClusters(context.Background(), &ecs.ListClustersInput{}); err != nil {
		t.Fatalf("ListClusters is not limited: %v", err)
	}
	// Half a second refills one token at 2 per second.
	wall = wall.Add(500 * time.Millisecond)
	if got := describe(); got != "" {
		t.Fatalf("after a refill: %q", got)
	}
	if got := describe(); got != "ThrottlingException" {
		t.Fatalf("the refill was one token: %q", got)
	}
	// The bucket never holds more than its burst.
	wall = wall.Add(time.Hour)
	var ok int
	for range 5 {
		if describe() == "" {
			ok++
		}
	}
	if ok != 3 {
		t.Fatalf("after a long pause %d calls passed, want the burst of 3", ok)
	}
}

func TestRateLimitsAreValidated(t *testing.T) {
	for _, l := range []scenario.Limit{{Burst: 1, Rate: 1}, {Operation: "[", Burst: 1, Rate: 1}, {Operation: "*", Rate: 1}, {Operation: "*", Burst: 1}} {
		s := &scenario.Scenario{Limits: []scenario.Limit{l}}
		if err := s.Validate(); err == nil {
			t.Errorf("limit %+v was accepted", l)
		}
	}
}
