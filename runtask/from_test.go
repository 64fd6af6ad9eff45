package runtask

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

// localJobs is an emulator on a fast clock where registry.example.com/job
// images exit 0 after two seconds, a cluster "c" and a Fargate family "job".
func localJobs(t *testing.T) *ecs.Client {
	t.Helper()
	zero := 0
	em := emulator.New(emulator.Options{Speed: 60, Seed: 3, Scenario: &scenario.Scenario{Images: []scenario.Image{
		{Match: "registry.example.com/job:*", ExitCode: &zero, ExitAfter: scenario.Duration(2 * time.Second)}}}})
	t.Cleanup(func() { _ = em.Close() })
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	c := ecs.NewFromConfig(cfg)
	ctx := context.Background()
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("job"), NetworkMode: types.NetworkModeAwsvpc, RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("job"), Image: aws.String("registry.example.com/job:1"), Essential: aws.Bool(true)}},
	}); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestExecuteFromOverridesOrRegisters: an environment variable goes as an
// override on the family's revision, an image change registers a revision
// once (the same run again reuses it), and a missing cluster is invalid
// input before anything is registered.
func TestExecuteFromOverridesOrRegisters(t *testing.T) {
	c := localJobs(t)
	ctx := context.Background()
	wo := WaitOptions{PollInterval: 20 * time.Millisecond, Timeout: time.Minute}
	run := func(cluster string, changes taskdef.Changes) (*FromRun, error) {
		return ExecuteFrom(ctx, c, FromRequest{Base: rollout.BaseRequest{Cluster: cluster, Family: "job", Changes: changes},
			Task: Task{Cluster: cluster, Count: 1, StartedBy: "test", Network: &Network{Subnets: []string{"subnet-1"}}}}, wo)
	}
	got, err := run("c", taskdef.Changes{Env: []taskdef.KeyValueChange{{Container: "job", Key: "STEP", Value: "1"}}})
	if err != nil || got.Registered || got.Outcome != "succeeded" || strings.Join(got.Overrides, ",") != "job: environment STEP" ||
		!strings.HasSuffix(aws.ToString(got.TaskDefinition.TaskDefinitionArn), "job:1") {
		t.Fatalf("override run: %+v, %v", got, err)
	}
	image := taskdef.Changes{Images: []taskdef.ImageChange{{Container: "job", Image: "registry.example.com/job:2"}}}
	for i, wantRegistered := range []bool{true, false} {
		got, err = run("c", image)
		if err != nil || got.Registered != wantRegistered || got.Overrides != nil || !strings.HasSuffix(aws.ToString(got.TaskDefinition.TaskDefinitionArn), "job:2") {
			t.Fatalf("image run %d: %+v, %v", i+1, got, err)
		}
	}
	_, err = run("nowhere", image)
	var e *exitcode.Error
	if !errors.As(err, &e) || e.Code != exitcode.Invalid || err.Error() != "cluster nowhere not found" {
		t.Fatalf("missing cluster: %v", err)
	}
	list, err := c.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("job")})
	if err != nil || len(list.TaskDefinitionArns) != 2 {
		t.Fatalf("revisions %v (%v), want job:1 and job:2 only", list, err)
	}
}
