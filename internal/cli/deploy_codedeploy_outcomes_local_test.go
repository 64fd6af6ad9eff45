package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// deploy runs deploy --output json with args on service web, checks the
// exit code and returns the report.
func (e *codeDeployECS) deploy(t *testing.T, wantCode int, args ...string) codeDeployJSON {
	t.Helper()
	code, stdout, _ := e.run(t, append([]string{"deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--output", "json"}, args...)...)
	if code != wantCode {
		t.Fatalf("exit %d, want %d", code, wantCode)
	}
	return decodeCodeDeploy(t, stdout)
}

// deploymentIn is the CodeDeploy deployment id in deploy's verdict line,
// checked to start with outcome.
func deploymentIn(t *testing.T, stdout, outcome string) string {
	t.Helper()
	prefix := outcome + ": service web in c, web:2 (CodeDeploy deployment "
	if !strings.HasPrefix(stdout, prefix) {
		t.Fatalf("stdout %q; want a verdict line starting %q", stdout, prefix)
	}
	return strings.Fields(strings.TrimPrefix(stdout, prefix))[0]
}

// taskSets lists the service's task sets as "STATUS family:revision".
func (e *codeDeployECS) taskSets(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, ts := range e.service(t).TaskSets {
		out = append(out, aws.ToString(ts.Status)+" "+shortName(aws.ToString(ts.TaskDefinition)))
	}
	return out
}

// status is what CodeDeploy says of the deployment.
func (e *codeDeployECS) status(t *testing.T, id string) cdtypes.DeploymentInfo {
	t.Helper()
	out, err := e.cd.GetDeployment(context.Background(), &cd.GetDeploymentInput{DeploymentId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.DeploymentInfo
}

func withTerminationWait(minutes int32) func(*cd.CreateDeploymentGroupInput) {
	return func(in *cd.CreateDeploymentGroupInput) {
		in.BlueGreenDeploymentConfiguration.TerminateBlueInstancesOnDeploymentSuccess.TerminationWaitTimeInMinutes = minutes
	}
}

// TestLocalDeployCodeDeployAlarmRollsBack: the group's alarm goes into ALARM
// while the canary carries 10% of production traffic; CodeDeploy stops the
// deployment and rolls back (the group's auto-rollback on alarm). deploy
// exits 1 naming the alarm, production traffic is all on the original
// target group again, and the replacement task set is gone.
func TestLocalDeployCodeDeployAlarmRollsBack(t *testing.T) {
	t.Parallel()
	sc := &scenario.Scenario{Alarms: []scenario.Alarm{{Name: "web-5xx", State: "ALARM", After: scenario.Duration(4 * time.Minute), Reason: "5xx above 1%"}}}
	e := newCodeDeployECS(t, sc, func(in *cd.CreateDeploymentGroupInput) {
		in.AlarmConfiguration = &cdtypes.AlarmConfiguration{Enabled: true, Alarms: []cdtypes.Alarm{{Name: aws.String("web-5xx")}}}
		in.AutoRollbackConfiguration.Events = append(in.AutoRollbackConfiguration.Events, cdtypes.AutoRollbackEventDeploymentStopOnAlarm)
	})
	before := e.primary(t)
	code, stdout, stderr := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2",
		"--deployment-config", "CodeDeployDefault.ECSCanary10Percent5Minutes", "-t", "30m")
	if code != 1 || !strings.Contains(stderr, "replacement (green) 10%") {
		t.Fatalf("exit %d; want 1, with the alarm firing during the canary (the progress shows the 10%% split):\n%s", code, stderr)
	}
	id := deploymentIn(t, stdout, "failed")
	for _, want := range []string{"web-5xx", "ALARM_ACTIVE", "rolled back"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the verdict %q does not name %q", stdout, want)
		}
	}
	if !strings.Contains(stderr, "production traffic: original (blue) 100%") {
		t.Errorf("the output does not say traffic is back on the original:\n%s", stderr)
	}
	if st := e.status(t, id); st.Status != cdtypes.DeploymentStatusStopped || st.RollbackInfo == nil {
		t.Fatalf("CodeDeploy says %s, rollback %+v; want Stopped and rolled back", st.Status, st.RollbackInfo)
	}
	if p := e.share(t, e.prod, e.blue); p != 100 {
		t.Errorf("production listener forwards %d%% to blue, want all of it back", p)
	}
	if got := e.primary(t); got != before {
		t.Errorf("PRIMARY task set runs %s, want the original %s", got, before)
	}
	for _, ts := range e.taskSets(t) {
		if strings.HasSuffix(ts, "web:2") && !strings.HasPrefix(ts, "DRAINING") {
			t.Errorf("task sets after the rollback: %v; the replacement should be gone", e.taskSets(t))
		}
	}
}

// checkCrashReport checks a failed deploy's report: it lists the stopped
// tasks of the replacement task set only, each with app's exit code 1.
func checkCrashReport(t *testing.T, r codeDeployJSON) {
	t.Helper()
	if r.Failure == nil || len(r.Failure.StoppedTasks) == 0 {
		t.Fatalf("report lists %+v; want the crashing tasks", r.Failure)
	}
	green := r.Failure.StoppedTasks[0].Deployment
	for _, task := range r.Failure.StoppedTasks {
		if task.Deployment != green || !strings.HasPrefix(green, "ecs-svc/") {
			t.Errorf("stopped task %s was started by %q; want only the replacement task set's", task.ID, task.Deployment)
		}
		if len(task.Containers) != 1 || task.Containers[0].ExitCode == nil || *task.Containers[0].ExitCode != 1 {
			t.Errorf("stopped task %s: containers %+v; want app exited 1", task.ID, task.Containers)
		}
	}
}

func crashing(after time.Duration) *scenario.Scenario {
	one := 1
	return &scenario.Scenario{Images: []scenario.Image{{Match: "web:2", ExitCode: &one, ExitAfter: scenario.Duration(after)}}}
}

// TestLocalDeployCodeDeployCrashingRevision: the new revision's container
// exits with code 1 as it starts, so the replacement task set never becomes
// steady and CodeDeploy would wait an hour in Install. deploy does not: once
// the replacement's failed tasks reach the circuit breaker's threshold it
// exits 1 with those tasks and their exit code, says CodeDeploy goes on and
// how to stop it; production traffic never left the original.
func TestLocalDeployCodeDeployCrashingRevision(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, crashing(0))
	before := e.primary(t)
	start := e.em.Now()
	r := e.deploy(t, 1)
	if r.Outcome != "failed" || !strings.Contains(r.Reason, "tasks of the replacement task set stopped for a failure (threshold 3)") ||
		!strings.Contains(r.Reason, "in Install") || !strings.Contains(r.Reason, "ecsdeploy rollback") {
		t.Fatalf("report: %+v; want the crash loop in Install named, with what to do", r)
	}
	if took := e.em.Now().Sub(start); took > 5*time.Minute {
		t.Errorf("deploy took %s of emulated time to see the crash loop", took)
	}
	checkCrashReport(t, r)
	if st := e.status(t, r.DeploymentID); st.Status != cdtypes.DeploymentStatusInProgress {
		t.Errorf("CodeDeploy says %s; deploy changes nothing, so it should still be in progress", st.Status)
	}
	if p := e.share(t, e.prod, e.blue); p != 100 || r.Traffic != "original (blue) 100%" {
		t.Errorf("production listener forwards %d%% to blue, report says %q; want all on the original", p, r.Traffic)
	}
	if got := e.primary(t); got != before {
		t.Errorf("PRIMARY task set runs %s, want the original %s", got, before)
	}
}

// TestLocalDeployCodeDeployRevisionCrashesAfterInstall: the new revision
// runs long enough for CodeDeploy to install it and shift traffic, then its
// container exits 1 and ECS keeps replacing it; CodeDeploy does not look.
// Crashing 5 s after start, the failed tasks reach the threshold during the
// termination wait: deploy exits 1 then, saying traffic is on the
// replacement and how to roll back. Crashing 50 s after start, too few fail
// before CodeDeploy's Succeeded: deploy overturns that success (exit 1), as
// a rolling deploy would. Either way the report lists the stopped tasks.
func TestLocalDeployCodeDeployRevisionCrashesAfterInstall(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		after  time.Duration
		status cdtypes.DeploymentStatus
		reason []string
	}{
		{5 * time.Second, cdtypes.DeploymentStatusInProgress, []string{"in its termination wait", "production traffic: replacement (green) 100%", "ecsdeploy rollback"}},
		{50 * time.Second, cdtypes.DeploymentStatusSucceeded, []string{"succeeded, but 2 task(s) of the replacement task set stopped for a failure"}},
	} {
		t.Run(c.after.String(), func(t *testing.T) {
			e := newCodeDeployECS(t, crashing(c.after))
			r := e.deploy(t, 1, "-t", "30m")
			for _, want := range c.reason {
				if r.Outcome != "failed" || !strings.Contains(r.Reason, want) {
					t.Errorf("report: %s %q; want a failure saying %q", r.Outcome, r.Reason, want)
				}
			}
			checkCrashReport(t, r)
			if st := e.status(t, r.DeploymentID); st.Status != c.status {
				t.Errorf("CodeDeploy says %s, want %s", st.Status, c.status)
			}
			if p := e.share(t, e.prod, e.green); p != 100 || r.Traffic != "replacement (green) 100%" {
				t.Errorf("production listener forwards %d%% to green, report says %q; want all on the new revision", p, r.Traffic)
			}
			if got := strings.Join(e.taskSets(t), ", "); !strings.Contains(got, "PRIMARY web:2") {
				t.Errorf("task sets %s; want the replacement PRIMARY", got)
			}
		})
	}
}

// TestLocalDeployCodeDeployTimesOutInTerminationWait: with an hour's
// termination wait and a 10-minute timeout, deploy exits 3 saying the
// deployment was in its termination wait and when that ends; traffic is on
// the replacement, and both task sets are still there.
func TestLocalDeployCodeDeployTimesOutInTerminationWait(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, nil, withTerminationWait(60))
	code, stdout, stderr := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "-t", "10m")
	if code != 3 {
		t.Fatalf("exit %d, want 3", code)
	}
	// The target succeeded at 09:01:32 (the log shows it); the wait is an hour.
	if !strings.Contains(stdout, "timed out in the termination wait (it ends at 10:01:32Z)") {
		t.Fatalf("stdout %q; want a timeout in the termination wait with its end", stdout)
	}
	if !strings.Contains(stderr, "production traffic: replacement (green) 100%") || !strings.Contains(stderr, ": 2 of 2 tasks running") {
		t.Errorf("the output does not say where traffic is or how the replacement's tasks came up:\n%s", stderr)
	}
	id := deploymentIn(t, stdout, "timed-out")
	if st := e.status(t, id); st.Status != cdtypes.DeploymentStatusInProgress {
		t.Errorf("CodeDeploy says %s, want InProgress (the wait goes on)", st.Status)
	}
	if p := e.share(t, e.prod, e.green); p != 100 {
		t.Errorf("production listener forwards %d%% to green, want 100%%", p)
	}
	if got := strings.Join(e.taskSets(t), ", "); !strings.Contains(got, "PRIMARY web:2") || !strings.Contains(got, "ACTIVE web:1") {
		t.Errorf("task sets %s; want the replacement PRIMARY and the original still ACTIVE", got)
	}
}

// TestLocalDeployCodeDeployWaitUntilTrafficShifted: --wait-until
// traffic-shifted returns 0 once production traffic is on the replacement,
// without waiting for the hour's termination wait, and says what remains.
func TestLocalDeployCodeDeployWaitUntilTrafficShifted(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, nil, withTerminationWait(60))
	start := e.em.Now()
	r := e.deploy(t, 0, "--wait-until", "traffic-shifted", "-t", "30m")
	if r.Outcome != "succeeded" || !strings.Contains(r.Remaining, "termination wait") {
		t.Fatalf("report: %+v; want success with the termination wait still to come", r)
	}
	if took := e.em.Now().Sub(start); took >= 30*time.Minute {
		t.Errorf("deploy took %s of emulated time; it should not wait for the termination wait", took)
	}
	if st := e.status(t, r.DeploymentID); st.Status != cdtypes.DeploymentStatusInProgress {
		t.Errorf("CodeDeploy says %s, want InProgress (in its termination wait)", st.Status)
	}
	if p := e.share(t, e.prod, e.green); p != 100 {
		t.Errorf("production listener forwards %d%% to green, want 100%%", p)
	}
	if got := strings.Join(e.taskSets(t), ", "); !strings.Contains(got, "PRIMARY web:2") || !strings.Contains(got, "ACTIVE web:1") {
		t.Errorf("task sets %s; want the replacement PRIMARY and the original kept until the wait ends", got)
	}
}

// TestLocalDeployCodeDeployTimesOutInHook: a hook that takes longer than
// the timeout: exit 3 naming the lifecycle event whose hook has not
// reported; nothing moved production traffic.
func TestLocalDeployCodeDeployTimesOutInHook(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, &scenario.Scenario{Hooks: []scenario.Hook{{Match: "slow-check", After: scenario.Duration(2 * time.Hour)}}})
	r := e.deploy(t, 3, "--hook", "AfterAllowTestTraffic=slow-check", "-t", "10m")
	if r.Outcome != "timed-out" || r.Reason != "timed out during lifecycle event AfterAllowTestTraffic: its hook has not reported yet" {
		t.Fatalf("report: %s %q", r.Outcome, r.Reason)
	}
	if p := e.share(t, e.prod, e.blue); p != 100 {
		t.Errorf("production listener forwards %d%% to blue, want 100%%", p)
	}
	if p := e.share(t, e.testRoute, e.green); p != 100 {
		t.Errorf("test listener forwards %d%% to green, want 100%% (AllowTestTraffic ran)", p)
	}
	if got := strings.Join(e.taskSets(t), ", "); got != "PRIMARY web:1, ACTIVE web:2" {
		t.Errorf("task sets %s; want the original PRIMARY and the replacement ACTIVE", got)
	}
}
