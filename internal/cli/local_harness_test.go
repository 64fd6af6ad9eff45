package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/progress"
)

// localECS is the emulator and an SDK client for setting up and checking it.
type localECS struct {
	em     *emulator.Emulator
	client *ecs.Client
	wall   bool // the emulator runs on the wall clock (commands wait in wall time)
}

// newLocalECS starts a local ECS on a manual clock with a scenario; the
// test stops it.
func newLocalECS(t *testing.T, sc *scenario.Scenario) *localECS {
	t.Helper()
	return localECSOn(t, newManualEmulator(emulator.Options{Seed: 7, Scenario: sc}))
}

// newWallLocalECS is a local ECS on the wall clock, 100 times faster, for a
// test whose subject pauses in wall time (the SDK's own retries): emulated
// time must pass while it waits.
func newWallLocalECS(t *testing.T, sc *scenario.Scenario) *localECS {
	t.Helper()
	l := localECSOn(t, emulator.New(emulator.Options{Speed: 100, Seed: 7, Scenario: sc}))
	l.wall = true
	return l
}

func localECSOn(t *testing.T, em *emulator.Emulator) *localECS {
	t.Helper()
	t.Cleanup(func() { _ = em.Close() })
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return &localECS{em: em, client: ecs.NewFromConfig(cfg)}
}

// serviceSpec describes the service a test deploys to.
type serviceSpec struct {
	image       string
	desired     int32
	breaker     *types.DeploymentCircuitBreaker
	healthCheck bool
	ec2         bool // EC2 launch type (capacity from the scenario) instead of Fargate
	cpu         string
}

// createService registers family "web" with one container "app" and creates
// service "web" in cluster "c", then waits for its first rollout to finish.
func (l *localECS) createService(t *testing.T, s serviceSpec) string {
	t.Helper()
	ctx := context.Background()
	if _, err := l.client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c")}); err != nil {
		t.Fatal(err)
	}
	td := l.register(t, "web", s.image, s)
	in := &ecs.CreateServiceInput{
		Cluster: aws.String("c"), ServiceName: aws.String("web"), TaskDefinition: aws.String(td),
		DesiredCount: aws.Int32(s.desired),
		DeploymentConfiguration: &types.DeploymentConfiguration{
			MinimumHealthyPercent: aws.Int32(100), MaximumPercent: aws.Int32(200), DeploymentCircuitBreaker: s.breaker},
	}
	if s.ec2 {
		in.LaunchType = types.LaunchTypeEc2
	} else {
		in.LaunchType = types.LaunchTypeFargate
		in.NetworkConfiguration = &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1", "subnet-2"}}}
	}
	if _, err := l.client.CreateService(ctx, in); err != nil {
		t.Fatal(err)
	}
	l.waitStable(t)
	return td
}

// register registers a revision of family with image in container "app".
func (l *localECS) register(t *testing.T, family, image string, s serviceSpec) string {
	t.Helper()
	cd := types.ContainerDefinition{
		Name: aws.String("app"), Image: aws.String(image), Essential: aws.Bool(true),
		Environment: []types.KeyValuePair{{Name: aws.String("MODE"), Value: aws.String("blue")}},
	}
	if s.healthCheck {
		cd.HealthCheck = &types.HealthCheck{Command: []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"},
			Interval: aws.Int32(10), Timeout: aws.Int32(5), Retries: aws.Int32(2), StartPeriod: aws.Int32(10)}
	}
	in := &ecs.RegisterTaskDefinitionInput{Family: aws.String(family), ContainerDefinitions: []types.ContainerDefinition{cd}}
	cpu := s.cpu
	if cpu == "" {
		cpu = "256"
	}
	if s.ec2 {
		in.NetworkMode = types.NetworkModeBridge
		in.Cpu, in.Memory = aws.String(cpu), aws.String("256")
	} else {
		in.NetworkMode = types.NetworkModeAwsvpc
		in.RequiresCompatibilities = []types.Compatibility{types.CompatibilityFargate}
		in.Cpu, in.Memory = aws.String(cpu), aws.String("512")
	}
	out, err := l.client.RegisterTaskDefinition(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

// waitStable waits, in emulated time, until the service has one COMPLETED deployment.
func (l *localECS) waitStable(t *testing.T) {
	t.Helper()
	for i := 0; i < 600; i++ {
		svc := l.service(t)
		if len(svc.Deployments) == 1 && svc.Deployments[0].RolloutState == types.DeploymentRolloutStateCompleted {
			return
		}
		l.em.Advance(time.Second)
	}
	t.Fatalf("the service did not become stable: %+v", l.service(t).Deployments)
}

func (l *localECS) service(t *testing.T) types.Service {
	t.Helper()
	out, err := l.client.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{"web"}})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("describe service: %v %+v", err, out)
	}
	return out.Services[0]
}

// run runs ecsdeploy in-process against the local ECS.
func (l *localECS) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return l.runWith(t, func(*runOpts) {}, args...)
}

// runWith is run with the settings adjusted by tweak first.
func (l *localECS) runWith(t *testing.T, tweak func(*runOpts), args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	o := runOpts{Local: l.em, Clock: emuClock{l.em}}
	if l.wall {
		o.Clock = nil
	}
	tweak(&o)
	code = execute(context.Background(), o.deps(&out, &errOut), append([]string{"--local"}, args...))
	t.Logf("ecsdeploy %v → exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out.String(), errOut.String())
	return code, out.String(), errOut.String()
}

// deployJSON is the part of deploy's JSON report the tests check.
type deployJSON struct {
	Outcome                string         `json:"outcome"`
	Reason                 string         `json:"reason"`
	TaskDefinition         string         `json:"taskDefinition"`
	PreviousTaskDefinition string         `json:"previousTaskDefinition"`
	Revision               int32          `json:"revision"`
	DeploymentID           string         `json:"deploymentId"`
	RolloutState           string         `json:"rolloutState"`
	APICalls               map[string]int `json:"apiCalls"`
	Pruned                 []string       `json:"pruned"`
	ThrottledPolls         int            `json:"throttledPolls"`
	Failure                *struct {
		StoppedTasks []progress.Task `json:"stoppedTasks"`
		Hints        []string        `json:"hints"`
	} `json:"failure"`
	Rollback *struct {
		TaskDefinition string `json:"taskDefinition"`
		Outcome        string `json:"outcome"`
		ByECS          bool   `json:"byEcs"`
	} `json:"rollback"`
}

func parseReport(t *testing.T, stdout string) deployJSON {
	t.Helper()
	var r deployJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("stdout is not one JSON report: %v\n%s", err, stdout)
	}
	return r
}
