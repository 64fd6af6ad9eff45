package bluegreen

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/ecsdeploy/ecsdeploy/progress"
)

func events(kv ...string) *cdtypes.ECSTarget {
	t := &cdtypes.ECSTarget{}
	for i := 0; i+1 < len(kv); i += 2 {
		t.LifecycleEvents = append(t.LifecycleEvents, cdtypes.LifecycleEvent{LifecycleEventName: aws.String(kv[i]), Status: cdtypes.LifecycleEventStatus(kv[i+1])})
	}
	return t
}

func TestJudge(t *testing.T) {
	inProgress := cdtypes.DeploymentInfo{DeploymentId: aws.String("d-1"), Status: cdtypes.DeploymentStatusInProgress}
	failedHook := &cdtypes.ECSTarget{LifecycleEvents: []cdtypes.LifecycleEvent{
		{LifecycleEventName: aws.String("AfterAllowTestTraffic"), Status: cdtypes.LifecycleEventStatusSucceeded},
		{LifecycleEventName: aws.String("AfterAllowTraffic"), Status: cdtypes.LifecycleEventStatusFailed,
			Diagnostics: &cdtypes.Diagnostics{ErrorCode: cdtypes.LifecycleErrorCodeScriptFailed, Message: aws.String("smoke test returned 500")}},
	}}
	for _, c := range []struct {
		name    string
		snap    Snapshot
		until   WaitUntil
		done    bool
		outcome progress.Outcome
		reason  []string
	}{
		{"in progress", Snapshot{Info: inProgress, Target: events("BeforeInstall", "Succeeded", "Install", "InProgress")}, UntilDone, false, "", nil},
		{"succeeded", Snapshot{Info: cdtypes.DeploymentInfo{DeploymentId: aws.String("d-1"), Status: cdtypes.DeploymentStatusSucceeded}}, UntilDone, true, progress.Succeeded, []string{"d-1 succeeded"}},
		{"failed hook", Snapshot{Info: cdtypes.DeploymentInfo{DeploymentId: aws.String("d-1"), Status: cdtypes.DeploymentStatusFailed,
			ErrorInformation: &cdtypes.ErrorInformation{Code: cdtypes.ErrorCodeHookExecutionFailure, Message: aws.String("hook failed")},
			RollbackInfo:     &cdtypes.RollbackInfo{RollbackDeploymentId: aws.String("d-2")}}, Target: failedHook},
			UntilDone, true, progress.Failed, []string{"AfterAllowTraffic failed: smoke test returned 500 (ScriptFailed)", "HOOK_EXECUTION_FAILURE", "rolled back with deployment d-2"}},
		{"stopped by someone", Snapshot{Info: cdtypes.DeploymentInfo{DeploymentId: aws.String("d-1"), Status: cdtypes.DeploymentStatusStopped,
			ErrorInformation: &cdtypes.ErrorInformation{Code: cdtypes.ErrorCodeManualStop}}}, UntilTestTraffic, true, progress.Failed, []string{"was stopped", "MANUAL_STOP"}},
		{"test traffic reached", Snapshot{Info: inProgress, Target: events("AllowTestTraffic", "Succeeded", "AfterAllowTestTraffic", "Succeeded", "BeforeAllowTraffic", "Pending")},
			UntilTestTraffic, true, progress.Succeeded, []string{"test traffic"}},
		{"test traffic hook skipped counts as passed", Snapshot{Info: inProgress, Target: events("AfterAllowTestTraffic", "Skipped")}, UntilTestTraffic, true, progress.Succeeded, nil},
		{"test traffic not yet", Snapshot{Info: inProgress, Target: events("AfterAllowTestTraffic", "InProgress")}, UntilTestTraffic, false, "", nil},
		{"traffic shifted, termination wait pending", Snapshot{Info: inProgress, Target: events("AfterAllowTraffic", "Succeeded")}, UntilTrafficShifted, true, progress.Succeeded, []string{"production traffic"}},
		{"traffic shifted is not done", Snapshot{Info: inProgress, Target: events("AfterAllowTraffic", "Succeeded")}, UntilDone, false, "", nil},
		{"ready is not done", Snapshot{Info: cdtypes.DeploymentInfo{Status: cdtypes.DeploymentStatusReady}}, UntilTrafficShifted, false, "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := Judge(c.snap, c.until)
			if v.Done != c.done || v.Outcome != c.outcome {
				t.Fatalf("verdict %+v, want done=%v outcome=%q", v, c.done, c.outcome)
			}
			for _, r := range c.reason {
				if !strings.Contains(v.Reason, r) {
					t.Errorf("reason %q lacks %q", v.Reason, r)
				}
			}
			if c.done && c.outcome == progress.Succeeded && c.until != UntilDone && v.Remaining == "" {
				t.Errorf("an early return says what remains")
			}
		})
	}
}

func TestTrafficText(t *testing.T) {
	got := trafficText([]cdtypes.ECSTaskSet{{TaskSetLabel: cdtypes.TargetLabelBlue, TrafficWeight: 90}, {TaskSetLabel: cdtypes.TargetLabelGreen, TrafficWeight: 10}})
	if got != "original (blue) 90%, replacement (green) 10%" {
		t.Fatalf("%q", got)
	}
	if got := formatPercent(12.5); got != "12.5" {
		t.Fatalf("%q", got)
	}
}

func TestParseWaitUntil(t *testing.T) {
	for in, want := range map[string]WaitUntil{"": UntilDone, "done": UntilDone, "test-traffic": UntilTestTraffic, "traffic-shifted": UntilTrafficShifted} {
		if got, err := ParseWaitUntil(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	if _, err := ParseWaitUntil("later"); err == nil {
		t.Error("later accepted")
	}
}
