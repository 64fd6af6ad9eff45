package logs

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// TestAWSCLIReadsATasksLogs runs a task on the emulator, in virtual time,
// and reads its lines with the AWS CLI, an outside client of the wire format.
func TestAWSCLIReadsATasksLogs(t *testing.T) {
	testenv.RequireTool(t, "aws")
	testenv.SetFakeAWSEnv(t)
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(t0), DefaultCluster: true, Scenario: &scenario.Scenario{
		Images: []scenario.Image{{Match: "job:*", Logs: []string{"first line", "second line", "third line"}}},
	}})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	Register(em)
	srv := httptest.NewServer(em)
	t.Cleanup(srv.Close)

	ctx := context.Background()
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	client := ecs.NewFromConfig(cfg)
	if _, err := client.ListClusters(ctx, &ecs.ListClustersInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("job"), NetworkMode: types.NetworkModeBridge,
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("job"), Image: aws.String("job:1"), Memory: aws.Int32(128),
			LogConfiguration: &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: map[string]string{
				"awslogs-group": "/ecs/job", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}}}},
	}); err != nil {
		t.Fatal(err)
	}
	run, err := client.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("job")})
	if err != nil || len(run.Tasks) != 1 {
		t.Fatalf("run task: %v", err)
	}
	em.Advance(2 * time.Minute)
	arn := aws.ToString(run.Tasks[0].TaskArn)
	stream := "ecs/job/" + arn[strings.LastIndex(arn, "/")+1:]

	var streams struct {
		LogStreams []struct{ LogStreamName string } `json:"logStreams"`
	}
	if err := json.Unmarshal([]byte(testenv.RunAWSCLI(t, srv.URL, "logs", "describe-log-streams", "--log-group-name", "/ecs/job")), &streams); err != nil {
		t.Fatal(err)
	}
	if len(streams.LogStreams) != 1 || streams.LogStreams[0].LogStreamName != stream {
		t.Fatalf("streams = %+v, want %s", streams, stream)
	}
	var events struct {
		Events []struct {
			Message   string `json:"message"`
			Timestamp int64  `json:"timestamp"`
		} `json:"events"`
	}
	out := testenv.RunAWSCLI(t, srv.URL, "logs", "get-log-events", "--log-group-name", "/ecs/job", "--log-stream-name", stream, "--start-from-head")
	if err := json.Unmarshal([]byte(out), &events); err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, e := range events.Events {
		got = append(got, e.Message)
		if i > 0 && e.Timestamp <= events.Events[i-1].Timestamp {
			t.Fatalf("timestamps not increasing: %s", out)
		}
	}
	if strings.Join(got, "|") != "first line|second line|third line" {
		t.Fatalf("get-log-events = %q", got)
	}
	out = testenv.RunAWSCLI(t, srv.URL, "logs", "filter-log-events", "--log-group-name", "/ecs/job", "--filter-pattern", "second")
	if !strings.Contains(out, `"second line"`) || strings.Contains(out, "first line") {
		t.Fatalf("filter-log-events = %s", out)
	}
}
