package fleet

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// localECS is an emulator on a manual clock and an SDK client that reaches
// it in-process through the whole wire path, counting calls. Engines under
// test pause on its emuclock.Clock.
type localECS struct {
	em     *emulator.Emulator
	client *ecs.Client
	calls  *awsconfig.CallCounter
}

func newLocalECS(t testing.TB, scen *scenario.Scenario) *localECS {
	t.Helper()
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(testStartTime()), Seed: 7, Scenario: scen})
	t.Cleanup(func() { _ = em.Close() })
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	calls := &awsconfig.CallCounter{}
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1", Calls: calls})
	if err != nil {
		t.Fatal(err)
	}
	return &localECS{em: em, client: ecs.NewFromConfig(cfg), calls: calls}
}

// services creates cluster c with n Fargate services svc-1..svc-n of two
// tasks each, image registry.example.com/app:1 in container "app", and
// waits until every first rollout has completed.
func (l *localECS) services(t testing.TB, n int) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := l.client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c")}); err != nil {
		t.Fatal(err)
	}
	var names []string
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("svc-%d", i)
		td, err := l.client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
			Family: aws.String(name), NetworkMode: types.NetworkModeAwsvpc, RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
			Cpu: aws.String("256"), Memory: aws.String("512"),
			ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("registry.example.com/app:1"), Essential: aws.Bool(true)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.client.CreateService(ctx, &ecs.CreateServiceInput{
			Cluster: aws.String("c"), ServiceName: aws.String(name), TaskDefinition: td.TaskDefinition.TaskDefinitionArn,
			DesiredCount: aws.Int32(2), LaunchType: types.LaunchTypeFargate,
			NetworkConfiguration:    &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1", "subnet-2"}}},
			DeploymentConfiguration: &types.DeploymentConfiguration{DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}},
		}); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	l.settle(t, names)
	return names
}

// settle waits until every named service has one deployment, COMPLETED.
func (l *localECS) settle(t testing.TB, names []string) {
	t.Helper()
	ctx := context.Background()
	for range 1200 {
		settled := 0
		for i := 0; i < len(names); i += 10 {
			out, err := l.client.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: names[i:min(i+10, len(names))]})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range out.Services {
				if len(s.Deployments) == 1 && s.Deployments[0].RolloutState == types.DeploymentRolloutStateCompleted {
					settled++
				}
			}
		}
		if settled == len(names) {
			return
		}
		l.em.Advance(3 * time.Second)
	}
	t.Fatal("the services did not settle")
}

func testStartTime() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

func apiErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
