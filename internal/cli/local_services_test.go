package cli

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// TestLocalEmulatorKeepsOtherServicesInItsState: the local ECS that --local
// and `local serve` open also answers ELBv2 and CodeDeploy, and keeps what
// they hold in the same state file across a save and a reopen.
func TestLocalEmulatorKeepsOtherServicesInItsState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		create func(*awsconfig.Clients) error
		check  func(*testing.T, *awsconfig.Clients)
	}{
		{"load balancer", func(cl *awsconfig.Clients) error {
			_, err := cl.ELBv2.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web"), Subnets: []string{"a", "b"}})
			return err
		}, func(t *testing.T, cl *awsconfig.Clients) {
			out, err := cl.ELBv2.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{"web"}})
			if err != nil || len(out.LoadBalancers) != 1 {
				t.Fatalf("after reopening: %+v %v", out, err)
			}
		}},
		{"CodeDeploy application", func(cl *awsconfig.Clients) error {
			_, err := cl.CodeDeploy.CreateApplication(ctx, &cd.CreateApplicationInput{ApplicationName: aws.String("web"), ComputePlatform: cdtypes.ComputePlatformEcs})
			return err
		}, func(t *testing.T, cl *awsconfig.Clients) {
			out, err := cl.CodeDeploy.GetApplication(ctx, &cd.GetApplicationInput{ApplicationName: aws.String("web")})
			if err != nil || out.Application.ComputePlatform != cdtypes.ComputePlatformEcs || out.Application.CreateTime == nil {
				t.Fatalf("after reopening: %+v %v", out, err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "state.json")
			em := openLocalForTest(t, file)
			if err := c.create(localClients(t, em)); err != nil {
				t.Fatal(err)
			}
			if err := em.SaveState(file); err != nil {
				t.Fatal(err)
			}
			if err := em.Close(); err != nil {
				t.Fatal(err)
			}
			em = openLocalForTest(t, file)
			defer func() { _ = em.Close() }()
			c.check(t, localClients(t, em))
		})
	}
}

func openLocalForTest(t *testing.T, file string) *emulator.Emulator {
	t.Helper()
	em, err := openLocalEmulator(file, emulator.DefaultSpeed)
	if err != nil {
		t.Fatal(err)
	}
	return em
}

func localClients(t *testing.T, em *emulator.Emulator) *awsconfig.Clients {
	t.Helper()
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return awsconfig.NewClients(cfg)
}
