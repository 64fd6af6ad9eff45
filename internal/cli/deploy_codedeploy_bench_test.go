package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// canaryRun is one deploy through a 10-minute canary, as measured.
type canaryRun struct {
	verdict  string        // the controller's: CodeDeploy's status or the service deployment's
	calls    int           // API calls of the whole command
	reads    int           // reads while following the deployment
	followed time.Duration // from the command's start to its exit
	latency  time.Duration // from the controller's verdict to the exit
	exitCode int
}

// benchReport is the part of deploy's JSON report the benchmark reads.
type benchReport struct {
	DeploymentID string `json:"deploymentId"`
	Reads        int    `json:"reads"`
	APICallTotal int    `json:"apiCallTotal"`
}

// deployMeasured runs deploy --output json with args on the manual clock
// of em, after a pause of offset (so that runs start at different moments
// of the emulator's one-second steps), and returns its report, exit code,
// how long it took and when it ended.
func deployMeasured(b *testing.B, l *localECS, offset time.Duration, args ...string) (benchReport, int, time.Duration, time.Time) {
	var out, errOut bytes.Buffer
	l.em.Advance(offset)
	start := l.em.Now()
	code := execute(context.Background(), runOpts{Local: l.em, Clock: emuClock{l.em}}.deps(&out, &errOut),
		append([]string{"--local", "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "-t", "1h", "--output", "json"}, args...))
	exit := l.em.Now()
	var rep benchReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		b.Fatalf("%v\n%s\n%s", err, out.String(), errOut.String())
	}
	return rep, code, exit.Sub(start), exit
}

// runCanary deploys web:2 with a 10%/10-minute canary and a 5-minute
// termination wait through CodeDeploy on the local ECS's manual clock; with
// alarmAt > 0 the group's alarm goes into ALARM that long after the
// emulator started. The verdict's time comes from CodeDeploy itself (the
// deployment's completeTime, read after the command exited), not from the
// command.
func runCanary(b *testing.B, alarmAt, offset time.Duration) canaryRun {
	ctx := context.Background()
	var sc *scenario.Scenario
	if alarmAt > 0 {
		sc = &scenario.Scenario{Alarms: []scenario.Alarm{{Name: "web-5xx", State: "ALARM", After: scenario.Duration(alarmAt)}}}
	}
	e := newCodeDeployECS(b, sc, withTerminationWait(5), func(in *cd.CreateDeploymentGroupInput) {
		in.AlarmConfiguration = &cdtypes.AlarmConfiguration{Enabled: true, Alarms: []cdtypes.Alarm{{Name: aws.String("web-5xx")}}}
		in.AutoRollbackConfiguration.Events = append(in.AutoRollbackConfiguration.Events, cdtypes.AutoRollbackEventDeploymentStopOnAlarm)
	})
	if _, err := e.cd.CreateDeploymentConfig(ctx, &cd.CreateDeploymentConfigInput{DeploymentConfigName: aws.String("Canary10Percent10Minutes"),
		ComputePlatform: cdtypes.ComputePlatformEcs, TrafficRoutingConfig: &cdtypes.TrafficRoutingConfig{Type: cdtypes.TrafficRoutingTypeTimeBasedCanary,
			TimeBasedCanary: &cdtypes.TimeBasedCanary{CanaryPercentage: 10, CanaryInterval: 10}}}); err != nil {
		b.Fatal(err)
	}
	rep, code, took, exit := deployMeasured(b, e.localECS, offset, "--deployment-config", "Canary10Percent10Minutes")
	d, err := e.cd.GetDeployment(ctx, &cd.GetDeploymentInput{DeploymentId: aws.String(rep.DeploymentID)})
	if err != nil || d.DeploymentInfo.CompleteTime == nil {
		b.Fatalf("deployment %s: %v %+v", rep.DeploymentID, err, d)
	}
	return canaryRun{verdict: string(d.DeploymentInfo.Status), calls: rep.APICallTotal, reads: rep.Reads, followed: took,
		latency: exit.Sub(*d.DeploymentInfo.CompleteTime), exitCode: code}
}

// runNativeCanary is runCanary for ECS's own CANARY strategy: 10% for a
// 10-minute canary bake, then a 5-minute bake time; the service's
// deployment alarm rolls back. The verdict's time is the service
// deployment's finishedAt.
func runNativeCanary(b *testing.B, alarmAt, offset time.Duration) canaryRun {
	dc := nativeService(types.DeploymentStrategyCanary, 5)
	dc.CanaryConfiguration.CanaryBakeTimeInMinutes = aws.Int32(10)
	e := newStrategyECS(b, dc)
	if alarmAt > 0 {
		if err := e.em.SetScenario(&scenario.Scenario{Alarms: []scenario.Alarm{{Name: "web-5xx", State: "ALARM", After: scenario.Duration(alarmAt)}}}); err != nil {
			b.Fatal(err)
		}
	}
	rep, code, took, exit := deployMeasured(b, e.localECS, offset, "--alarm", "web-5xx", "--alarm-rollback")
	out, err := e.client.DescribeServiceDeployments(context.Background(), &ecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{rep.DeploymentID}})
	if err != nil || len(out.ServiceDeployments) != 1 || out.ServiceDeployments[0].FinishedAt == nil {
		b.Fatalf("service deployment %s: %v %+v", rep.DeploymentID, err, out)
	}
	sd := out.ServiceDeployments[0]
	return canaryRun{verdict: string(sd.Status), calls: rep.APICallTotal, reads: rep.Reads, followed: took,
		latency: exit.Sub(*sd.FinishedAt), exitCode: code}
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1)+0.5)]
}

// BenchmarkCodeDeployCanary measures deploy following a 10-minute canary,
// through CodeDeploy and through ECS's own CANARY strategy: API calls,
// reads per second while it follows the deployment, and the time from the
// controller's verdict to the command's exit, over ten successful
// deployments (verdict at the end of the termination wait or bake time) and
// ten that an alarm stops at different moments of the canary; runs start at
// different fractions of the local ECS's one-second step. Times are
// emulated (manual clock): they measure when deploy reads, not how long AWS
// takes to answer.
//
//	go test ./internal/cli -run '^$' -bench CodeDeployCanary -benchtime 1x
func BenchmarkCodeDeployCanary(b *testing.B) {
	type row struct {
		name    string
		run     func(b *testing.B, alarmAt, offset time.Duration) canaryRun
		verdict string
		alarm   bool
	}
	rows := []row{
		{"CodeDeploy: succeeds (5m termination wait)", runCanary, "Succeeded", false},
		{"CodeDeploy: an alarm stops it during the canary", runCanary, "Stopped", true},
		{"ECS CANARY: succeeds (5m bake time)", runNativeCanary, "SUCCESSFUL", false},
		{"ECS CANARY: an alarm rolls it back during the canary", runNativeCanary, "ROLLBACK_SUCCESSFUL", true},
	}
	for n := range b.N {
		var lines []string
		var all []time.Duration
		for _, r := range rows {
			var lat []time.Duration
			calls, reads, secs := 0, 0, 0.0
			for i := range 10 {
				at := time.Duration(0)
				if r.alarm {
					at = 2*time.Minute + time.Duration(i)*53*time.Second + time.Duration(i*i)*time.Second
				}
				m := r.run(b, at, time.Duration(i)*130*time.Millisecond)
				if m.verdict != r.verdict || (m.exitCode == 0) == r.alarm {
					b.Fatalf("%s, run %d: verdict %s, exit %d; want %s", r.name, i, m.verdict, m.exitCode, r.verdict)
				}
				lat = append(lat, m.latency)
				calls += m.calls
				reads += m.reads
				secs += m.followed.Seconds()
			}
			all = append(all, lat...)
			lines = append(lines, fmt.Sprintf("| %s | 10 | %.0f | %.0f | %.2f | %s | %s |", r.name, float64(calls)/10, float64(reads)/10, float64(reads)/secs,
				percentile(lat, 0.5), percentile(lat, 0.9)))
		}
		if n == 0 { // the table once
			fmt.Println("| deploy through a 10-minute canary | runs | API calls (mean) | follow reads (mean) | reads/s | verdict→exit median | p90 |")
			fmt.Println("|---|---|---|---|---|---|---|")
			for _, l := range lines {
				fmt.Println(l)
			}
		}
		b.ReportMetric(float64(percentile(all, 0.5).Milliseconds()), "verdict-to-exit-median-ms")
		b.ReportMetric(float64(percentile(all, 0.9).Milliseconds()), "verdict-to-exit-p90-ms")
	}
}
