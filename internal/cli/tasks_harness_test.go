package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/logs"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// taskECS is a local ECS with its CloudWatch Logs, and an SDK client to set
// it up and check it.
type taskECS struct {
	em     *emulator.Emulator
	client *ecs.Client
}

func newTaskECS(t *testing.T, sc *scenario.Scenario) *taskECS {
	t.Helper()
	em := newManualEmulator(emulator.Options{Seed: 11, Scenario: sc, DefaultCluster: true})
	t.Cleanup(func() { _ = em.Close() })
	logs.Register(em)
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	l := &taskECS{em: em, client: ecs.NewFromConfig(cfg)}
	// The default cluster appears on first use of the region.
	if _, err := l.client.ListClusters(context.Background(), &ecs.ListClustersInput{}); err != nil {
		t.Fatal(err)
	}
	return l
}

// fastImage is a scenario entry for an image that pulls and starts in a
// second each, then behaves as given.
func fastImage(match string) scenario.Image {
	return scenario.Image{Match: match, PullDuration: scenario.Duration(time.Second), StartupDelay: scenario.Duration(time.Second)}
}

func exitsWith(im scenario.Image, code int, after time.Duration) scenario.Image {
	im.ExitCode, im.ExitAfter = &code, scenario.Duration(after)
	return im
}

// container is a container definition for the tests: EC2, bridge, with the
// container-level memory EC2 needs.
func taskContainer(name, image string, essential bool) types.ContainerDefinition {
	return types.ContainerDefinition{Name: aws.String(name), Image: aws.String(image), Essential: aws.Bool(essential),
		Memory: aws.Int32(128), Cpu: 64}
}

func withAWSLogs(c types.ContainerDefinition, group, prefix string) types.ContainerDefinition {
	c.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: map[string]string{
		"awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": prefix}}
	return c
}

// registerFamily registers a bridge-mode EC2 revision of family and returns its ARN.
func (l *taskECS) registerFamily(t *testing.T, family string, containers ...types.ContainerDefinition) string {
	t.Helper()
	out, err := l.client.RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(family), NetworkMode: types.NetworkModeBridge, ContainerDefinitions: containers,
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

// createService creates an EC2 service in the default cluster and waits
// until its deployment completes.
func (l *taskECS) createService(t *testing.T, name, taskDef string, desired int32) {
	t.Helper()
	_, err := l.client.CreateService(context.Background(), &ecs.CreateServiceInput{
		ServiceName: aws.String(name), TaskDefinition: aws.String(taskDef), DesiredCount: aws.Int32(desired),
		LaunchType: types.LaunchTypeEc2,
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 600; i++ {
		svc := l.service(t, name)
		if len(svc.Deployments) == 1 && svc.Deployments[0].RolloutState == types.DeploymentRolloutStateCompleted && svc.RunningCount == desired {
			return
		}
		l.em.Advance(time.Second)
	}
	t.Fatalf("service %s did not reach a steady state: %+v", name, l.service(t, name).Deployments)
}

func (l *taskECS) service(t *testing.T, name string) types.Service {
	t.Helper()
	out, err := l.client.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Services: []string{name}})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("describe service %s: %v %+v", name, err, out)
	}
	return out.Services[0]
}

// taskCount is how many tasks the default cluster has had (any status).
func (l *taskECS) taskCount(t *testing.T) int {
	t.Helper()
	n := 0
	for _, st := range []types.DesiredStatus{types.DesiredStatusRunning, types.DesiredStatusStopped} {
		out, err := l.client.ListTasks(context.Background(), &ecs.ListTasksInput{DesiredStatus: st})
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.TaskArns)
	}
	return n
}

// revisionStatus is a revision's status (ACTIVE or INACTIVE).
func (l *taskECS) revisionStatus(t *testing.T, ref string) types.TaskDefinitionStatus {
	t.Helper()
	out, err := l.client.DescribeTaskDefinition(context.Background(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref)})
	if err != nil {
		t.Fatal(err)
	}
	return out.TaskDefinition.Status
}

// exec runs ecsdeploy in-process against the local ECS, on its clock.
func (l *taskECS) exec(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	g := runOpts{Local: l.em, Clock: emuClock{l.em}}.deps(&out, &errOut)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code = execute(ctx, g, append([]string{"--local"}, args...))
	t.Logf("ecsdeploy %s → exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out.String(), errOut.String())
	return code, out.String(), errOut.String()
}

// oneLine checks that an error was reported as one line naming want.
func oneLine(t *testing.T, stderr, want string) {
	t.Helper()
	trimmed := strings.TrimSpace(stderr)
	if strings.Count(trimmed, "\n") != 0 || !strings.HasPrefix(trimmed, "error: ") || !strings.Contains(trimmed, want) {
		t.Fatalf("want one error line mentioning %q, got:\n%s", want, stderr)
	}
}

func describeTask(t *testing.T, l *taskECS, arn string) types.Task {
	t.Helper()
	out, err := l.client.DescribeTasks(context.Background(), &ecs.DescribeTasksInput{Tasks: []string{arn}})
	if err != nil || len(out.Tasks) != 1 {
		t.Fatalf("describe task %s: %v", arn, err)
	}
	return out.Tasks[0]
}

func deregisterInput(ref string) *ecs.DeregisterTaskDefinitionInput {
	return &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(ref)}
}
