package cli

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// TestLocalEmulatorKeepsLoadBalancersInItsState: the local ECS that --local
// and `local serve` open serves ELBv2 and keeps its load balancers in the
// same state file.
func TestLocalEmulatorKeepsLoadBalancersInItsState(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	ctx := context.Background()
	client := func(em *emulator.Emulator) *elb.Client {
		cfg, err := awsconfig.Load(ctx, awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		return elb.NewFromConfig(cfg)
	}
	em, err := openLocalEmulator(file, emulator.DefaultSpeed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client(em).CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web"), Subnets: []string{"a", "b"}}); err != nil {
		t.Fatal(err)
	}
	if err := em.SaveState(file); err != nil {
		t.Fatal(err)
	}
	if err := em.Close(); err != nil {
		t.Fatal(err)
	}
	em, err = openLocalEmulator(file, emulator.DefaultSpeed)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = em.Close() }()
	out, err := client(em).DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{"web"}})
	if err != nil || len(out.LoadBalancers) != 1 {
		t.Fatalf("after reopening: %+v %v", out, err)
	}
}
