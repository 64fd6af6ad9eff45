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

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// canaryRun is one deploy through a 10-minute canary, as measured.
type canaryRun struct {
	status    cdtypes.DeploymentStatus // CodeDeploy's verdict
	calls     int                      // API calls of the whole command
	reads     int                      // reads while following the deployment
	followed  time.Duration            // from the command's start to its exit
	latency   time.Duration            // from CodeDeploy's verdict to the exit
	exitCode  int
	canaryLen time.Duration
}

// runCanary deploys web:2 with a 10%/10-minute canary and a 5-minute
// termination wait on the local ECS's manual clock; with alarmAt > 0 the
// group's alarm goes into ALARM that long after the emulator started. The
// verdict's time comes from CodeDeploy itself (the deployment's
// completeTime, read after the command exited), not from the command.
func runCanary(b *testing.B, alarmAt time.Duration) canaryRun {
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
	var out, errOut bytes.Buffer
	start := e.em.Now()
	code := execute(ctx, runOpts{Local: e.em, Clock: emuClock{e.em}}.deps(&out, &errOut), []string{"--local", "deploy", "-c", "c", "-n", "web",
		"-i", "app=web:2", "--deployment-config", "Canary10Percent10Minutes", "-t", "1h", "--output", "json"})
	exit := e.em.Now()
	var rep struct {
		DeploymentID string `json:"deploymentId"`
		Reads        int    `json:"reads"`
		APICallTotal int    `json:"apiCallTotal"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		b.Fatalf("%v\n%s\n%s", err, out.String(), errOut.String())
	}
	d, err := e.cd.GetDeployment(ctx, &cd.GetDeploymentInput{DeploymentId: aws.String(rep.DeploymentID)})
	if err != nil || d.DeploymentInfo.CompleteTime == nil {
		b.Fatalf("deployment %s: %v %+v\n%s", rep.DeploymentID, err, d, errOut.String())
	}
	r := canaryRun{status: d.DeploymentInfo.Status, calls: rep.APICallTotal, reads: rep.Reads, followed: exit.Sub(start),
		latency: exit.Sub(*d.DeploymentInfo.CompleteTime), exitCode: code}
	t, err := e.cd.GetDeploymentTarget(ctx, &cd.GetDeploymentTargetInput{DeploymentId: aws.String(rep.DeploymentID), TargetId: aws.String("c:web")})
	if err == nil && t.DeploymentTarget.EcsTarget != nil {
		for _, ev := range t.DeploymentTarget.EcsTarget.LifecycleEvents {
			if aws.ToString(ev.LifecycleEventName) == "AllowTraffic" && ev.StartTime != nil && ev.EndTime != nil {
				r.canaryLen = ev.EndTime.Sub(*ev.StartTime)
			}
		}
	}
	return r
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1)+0.5)]
}

// BenchmarkCodeDeployCanary measures deploy following a CODE_DEPLOY
// service's 10-minute canary: API calls, reads per second while it follows
// the deployment, and the time from CodeDeploy's verdict to the command's
// exit, over ten successful deployments (verdict at the end of the
// termination wait) and ten that an alarm stops at different moments of
// the canary. Times are emulated (manual clock): they measure when deploy
// reads, not how long AWS takes to answer.
//
//	go test ./internal/cli -run '^$' -bench CodeDeployCanary -benchtime 1x
func BenchmarkCodeDeployCanary(b *testing.B) {
	for n := range b.N {
		var rows []string
		var all []time.Duration
		for _, alarm := range []bool{false, true} {
			var lat []time.Duration
			calls, reads, secs := 0, 0, 0.0
			canary := time.Duration(0)
			for i := range 10 {
				at := time.Duration(0)
				if alarm {
					at = 2*time.Minute + time.Duration(i)*53*time.Second + time.Duration(i*i)*time.Second
				}
				r := runCanary(b, at)
				want := cdtypes.DeploymentStatusSucceeded
				if alarm {
					want = cdtypes.DeploymentStatusStopped
				}
				if r.status != want || (r.exitCode == 0) == alarm {
					b.Fatalf("run %d: CodeDeploy %s, exit %d; want %s", i, r.status, r.exitCode, want)
				}
				lat = append(lat, r.latency)
				calls += r.calls
				reads += r.reads
				secs += r.followed.Seconds()
				canary = max(canary, r.canaryLen)
			}
			all = append(all, lat...)
			name := "succeeds (canary " + canary.Round(time.Second).String() + ", 5m termination wait)"
			if alarm {
				name = "alarm stops it during the canary"
			}
			rows = append(rows, fmt.Sprintf("| %s | 10 | %.0f | %.0f | %.2f | %s | %s |", name, float64(calls)/10, float64(reads)/10, float64(reads)/secs,
				percentile(lat, 0.5), percentile(lat, 0.9)))
		}
		if n == 0 { // the table once
			fmt.Println("| deploy on CODE_DEPLOY | runs | API calls (mean) | follow reads (mean) | reads/s | verdict→exit median | p90 |")
			fmt.Println("|---|---|---|---|---|---|---|")
			for _, r := range rows {
				fmt.Println(r)
			}
		}
		b.ReportMetric(float64(percentile(all, 0.5).Milliseconds()), "verdict-to-exit-median-ms")
		b.ReportMetric(float64(percentile(all, 0.9).Milliseconds()), "verdict-to-exit-p90-ms")
	}
}
