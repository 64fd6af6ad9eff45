package rollout_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

// benchSpeed runs the local ECS 20 times faster than the wall clock, while
// the watcher keeps its real settings (a poll a second): a rollout of two
// emulated minutes takes a few seconds, and what is measured in wall time —
// the delay from the emulator's verdict to Deploy returning, and the reads
// per second while waiting — is what a user would see on AWS.
const benchSpeed = 20

// BenchmarkDeployLocal deploys to the local ECS once per iteration and
// prints, per deployment, the API calls made, the read calls per second of
// waiting, and the time from the emulator's verdict (rolloutState COMPLETED
// or FAILED) to Deploy returning.
func BenchmarkDeployLocal(b *testing.B) {
	for _, c := range []struct {
		name  string
		image string
		want  progress.Outcome
	}{
		{"success", "registry.example.com/app:2", progress.Succeeded},
		{"slow-start-success", "registry.example.com/app:slow", progress.Succeeded},
		{"breaker-failure", "registry.example.com/app:crash", progress.Failed},
	} {
		b.Run(c.name, func(b *testing.B) {
			var rows []benchRow
			for i := 0; i < b.N; i++ {
				rows = append(rows, deployOnce(b, c.image, c.want))
			}
			printRows(b, c.name, rows)
		})
	}
}

type benchRow struct {
	calls, reads   int
	waited         time.Duration
	verdictToExit  time.Duration
	outcome        progress.Outcome
	readsPerSecond float64
}

func deployOnce(b *testing.B, image string, want progress.Outcome) benchRow {
	b.Helper()
	b.StopTimer()
	ctx := context.Background()
	crash := 1
	em := emulator.New(emulator.Options{Speed: benchSpeed, Seed: 3, Scenario: &scenario.Scenario{Images: []scenario.Image{
		{Match: "*/app:crash", ExitCode: &crash, ExitAfter: scenario.Duration(3 * time.Second)},
		{Match: "*/app:slow", StartupDelay: scenario.Duration(3 * time.Minute)}}}})
	b.Cleanup(func() {
		if err := em.Close(); err != nil {
			b.Error(err)
		}
	})
	calls := &awsconfig.CallCounter{}
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Handler: em, Region: "us-east-1", Calls: calls})
	if err != nil {
		b.Fatal(err)
	}
	client := ecs.NewFromConfig(cfg)
	setupBenchService(b, ctx, client)

	plan, err := rollout.MakePlan(ctx, client, rollout.Request{Cluster: "c", Service: "web",
		Changes: taskdef.Changes{Images: []taskdef.ImageChange{{Container: "app", Image: image}}}})
	if err != nil {
		b.Fatal(err)
	}
	verdict := watchVerdict(em, plan.Service.Deployments[0].Id)
	before := calls.Counts()
	b.StartTimer()
	res, _ := rollout.Deploy(ctx, client, plan, rollout.Options{Timeout: 5 * time.Minute})
	exited := time.Now()
	b.StopTimer()
	if res.Outcome != want {
		b.Fatalf("outcome %s (%s), want %s", res.Outcome, res.Reason, want)
	}
	after := calls.Counts()
	row := benchRow{outcome: res.Outcome, verdictToExit: exited.Sub(verdict())}
	for op, n := range after {
		d := n - before[op]
		row.calls += d
		if strings.Contains(op, ".Describe") || strings.Contains(op, ".List") {
			row.reads += d
		}
	}
	if res.Timings.ServiceUpdated != nil {
		row.waited = exited.Sub(*res.Timings.ServiceUpdated)
		row.readsPerSecond = float64(row.reads) / row.waited.Seconds()
	}
	return row
}

// watchVerdict follows the emulator's own state, step by step, and returns a
// function giving the wall time at which a deployment other than the one
// running before first reached COMPLETED or FAILED.
func watchVerdict(em *emulator.Emulator, before *string) func() time.Time {
	steps := make(chan struct{}, 1)
	em.OnStep(func(time.Time) {
		select {
		case steps <- struct{}{}:
		default:
		}
	})
	found := make(chan time.Time, 1)
	go func() {
		for range steps {
			out, err := em.InvokeECS(context.Background(), "us-east-1", "DescribeServices", []byte(`{"cluster":"c","services":["web"]}`))
			if err != nil {
				continue
			}
			var resp struct {
				Services []struct {
					Deployments []struct{ ID, RolloutState string } `json:"deployments"`
				} `json:"services"`
			}
			if json.Unmarshal(out, &resp) != nil || len(resp.Services) == 0 {
				continue
			}
			for _, d := range resp.Services[0].Deployments {
				if d.ID != aws.ToString(before) && (d.RolloutState == "COMPLETED" || d.RolloutState == "FAILED") {
					found <- time.Now()
					return
				}
			}
		}
	}()
	return func() time.Time {
		select {
		case t := <-found:
			return t
		case <-time.After(5 * time.Second):
			return time.Time{}
		}
	}
}

func setupBenchService(b *testing.B, ctx context.Context, client *ecs.Client) {
	b.Helper()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c")}); err != nil {
		b.Fatal(err)
	}
	td, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"), NetworkMode: types.NetworkModeAwsvpc, RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("registry.example.com/app:1"), Essential: aws.Bool(true)}},
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String("c"), ServiceName: aws.String("web"), TaskDefinition: td.TaskDefinition.TaskDefinitionArn,
		DesiredCount: aws.Int32(2), LaunchType: types.LaunchTypeFargate,
		NetworkConfiguration:    &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1", "subnet-2"}}},
		DeploymentConfiguration: &types.DeploymentConfiguration{DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}},
	}); err != nil {
		b.Fatal(err)
	}
	// Let the first rollout finish so that ours starts from a steady service.
	for i := 0; i < 400; i++ {
		out, err := client.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{"web"}})
		if err == nil && len(out.Services) == 1 && len(out.Services[0].Deployments) == 1 &&
			out.Services[0].Deployments[0].RolloutState == types.DeploymentRolloutStateCompleted {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatal("the service did not settle")
}

func printRows(b *testing.B, name string, rows []benchRow) {
	w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\n%s (N=%d)\tdeploy\toutcome\tAPI calls\treads\twaited\treads/s waiting\tverdict→exit\t\n", name, len(rows))
	var lat []time.Duration
	for i, r := range rows {
		fmt.Fprintf(w, "\t#%d\t%s\t%d\t%d\t%s\t%.2f\t%s\t\n", i+1, r.outcome, r.calls, r.reads, r.waited.Round(10*time.Millisecond), r.readsPerSecond, r.verdictToExit.Round(time.Millisecond))
		lat = append(lat, r.verdictToExit)
	}
	slices.Sort(lat)
	median := lat[len(lat)/2]
	fmt.Fprintf(w, "\tmedian verdict→exit\t\t\t\t\t\t%s\t\n", median.Round(time.Millisecond))
	_ = w.Flush() // a report printed for people; Fprintf above ignores write errors too
	b.ReportMetric(median.Seconds(), "s-verdict-to-exit")
}
