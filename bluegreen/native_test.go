package bluegreen

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/progress"
)

func TestJudgeServiceDeployment(t *testing.T) {
	sd := func(status types.ServiceDeploymentStatus, stage types.ServiceDeploymentLifecycleStage) types.ServiceDeployment {
		return types.ServiceDeployment{ServiceDeploymentArn: aws.String("arn:aws:ecs:us-east-1:1:service-deployment/c/web/abc"), Status: status, LifecycleStage: stage}
	}
	alarm := sd(types.ServiceDeploymentStatusRollbackSuccessful, types.ServiceDeploymentLifecycleStageBakeTime)
	alarm.Alarms = &types.ServiceDeploymentAlarms{TriggeredAlarmNames: []string{"web-5xx"}}
	hook := sd(types.ServiceDeploymentStatusRollbackSuccessful, types.ServiceDeploymentLifecycleStagePostTestTrafficShift)
	hook.LifecycleHookDetails = []types.DeploymentLifecycleHookDetail{{TargetArn: aws.String("arn:aws:lambda:us-east-1:1:function:smoke"), Status: types.DeploymentLifecycleHookStatusFailed}}
	for _, c := range []struct {
		name    string
		sd      types.ServiceDeployment
		until   WaitUntil
		done    bool
		outcome progress.Outcome
		reason  string
	}{
		{"in progress", sd(types.ServiceDeploymentStatusInProgress, types.ServiceDeploymentLifecycleStageScaleUp), UntilDone, false, "", ""},
		{"successful", sd(types.ServiceDeploymentStatusSuccessful, types.ServiceDeploymentLifecycleStageCleanUp), UntilDone, true, progress.Succeeded, "abc succeeded"},
		{"rolled back on alarm is a failure", alarm, UntilDone, true, progress.Failed, "alarm in ALARM: web-5xx"},
		{"failed hook", hook, UntilDone, true, progress.Failed, "lifecycle hook smoke failed"},
		{"stopped", sd(types.ServiceDeploymentStatusStopped, types.ServiceDeploymentLifecycleStageScaleUp), UntilTestTraffic, true, progress.Failed, "ended STOPPED"},
		{"rolling back is not yet over", sd(types.ServiceDeploymentStatusRollbackInProgress, types.ServiceDeploymentLifecycleStageBakeTime), UntilTrafficShifted, false, "", ""},
		{"test traffic passed", sd(types.ServiceDeploymentStatusInProgress, types.ServiceDeploymentLifecycleStageProductionTrafficShift), UntilTestTraffic, true, progress.Succeeded, "test traffic"},
		{"test traffic still shifting", sd(types.ServiceDeploymentStatusInProgress, types.ServiceDeploymentLifecycleStagePostTestTrafficShift), UntilTestTraffic, false, "", ""},
		{"in bake time, traffic shifted", sd(types.ServiceDeploymentStatusInProgress, types.ServiceDeploymentLifecycleStageBakeTime), UntilTrafficShifted, true, progress.Succeeded, "production traffic"},
		{"in bake time is not done", sd(types.ServiceDeploymentStatusInProgress, types.ServiceDeploymentLifecycleStageBakeTime), UntilDone, false, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := JudgeServiceDeployment(c.sd, c.until)
			if v.Done != c.done || v.Outcome != c.outcome || !strings.Contains(v.Reason, c.reason) {
				t.Fatalf("verdict %+v, want done=%v %q containing %q", v, c.done, c.outcome, c.reason)
			}
		})
	}
}
