package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
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

// BenchmarkRunOnLocalECS runs a one-off task (with --logs) per iteration
// on the local ECS at 10x speed with run's default poll interval, and
// reports the API calls of a run and the wall time from the task reaching
// STOPPED in the emulator to the command's exit (median and worst).
//
//	go test ./internal/cli -run '^$' -bench RunOnLocalECS -benchtime 5x
func BenchmarkRunOnLocalECS(b *testing.B) {
	const speed = 10
	// Keep the machine's AWS configuration out of the benchmark.
	dir := b.TempDir()
	b.Setenv("AWS_CONFIG_FILE", dir+"/config")
	b.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	b.Setenv("AWS_PROFILE", "")
	b.Setenv("AWS_REGION", "us-east-1")
	job := exitsWith(fastImage("job:bench"), 3, 5*time.Second)
	job.Logs = []string{"one", "two", "three"}
	em := emulator.New(emulator.Options{Speed: speed, DefaultCluster: true, Scenario: &scenario.Scenario{Images: []scenario.Image{job}}})
	defer func() { _ = em.Close() }()
	logs.Register(em)
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		b.Fatal(err)
	}
	client := ecs.NewFromConfig(cfg)
	if _, err := client.RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("bench"), ContainerDefinitions: []types.ContainerDefinition{
			withAWSLogs(taskContainer("job", "job:bench", true), "/ecs/bench", "ecs")},
	}); err != nil {
		b.Fatal(err)
	}
	var delays []time.Duration
	calls, describes := 0, 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out, errOut bytes.Buffer
		g := runOpts{Local: em}.deps(&out, &errOut)
		code := execute(context.Background(), g, []string{"--local", "run", "--task-definition", "bench", "--logs", "--output", "json"})
		exitAt := em.Now()
		if code != 3 {
			b.Fatalf("exit %d: %s", code, errOut.String())
		}
		var rep runReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			b.Fatal(err)
		}
		d, err := client.DescribeTasks(context.Background(), &ecs.DescribeTasksInput{Tasks: rep.TaskARNs})
		if err != nil || len(d.Tasks) != 1 || d.Tasks[0].StoppedAt == nil {
			b.Fatalf("describe the task: %v", err)
		}
		delays = append(delays, exitAt.Sub(*d.Tasks[0].StoppedAt)/speed)
		for op, n := range rep.APICalls {
			calls += n
			if op == "ECS.DescribeTasks" {
				describes += n
			}
		}
	}
	b.StopTimer()
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	b.ReportMetric(float64(calls)/float64(b.N), "api-calls/run")
	b.ReportMetric(float64(describes)/float64(b.N), "describe-tasks/run")
	b.ReportMetric(float64(delays[len(delays)/2].Milliseconds()), "ms-stopped-to-exit-p50")
	b.ReportMetric(float64(delays[len(delays)-1].Milliseconds()), "ms-stopped-to-exit-max")
}
