package codedeploy

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

var inProgress = []cdtypes.DeploymentStatus{cdtypes.DeploymentStatusCreated, cdtypes.DeploymentStatusInProgress}

func TestBlueGreenDeploymentReplacesTheTaskSetAndShiftsTraffic(t *testing.T) {
	e := newEnv(t, nil)
	e.setup()
	e.group(nil)
	blue := e.taskSets()[0]
	id := e.deploy(e.appSpec(2, `Hooks:
  - AfterAllowTestTraffic: "arn:aws:lambda:us-east-1:000000000000:function:smoke"
`), "")

	// Install: the replacement task set appears on green, test traffic follows it.
	e.em.Advance(5 * time.Second)
	sets := e.taskSets()
	if len(sets) != 2 || aws.ToString(sets[1].ExternalId) != id || !strings.Contains(aws.ToString(sets[1].LoadBalancers[0].TargetGroupArn), "/green/") {
		t.Fatalf("after Install started: %s", mustJSON(sets))
	}
	if d := e.deployment(id); d.Status != cdtypes.DeploymentStatusInProgress || d.StartTime == nil || d.CreateTime == nil {
		t.Fatalf("deployment: %s", mustJSON(d))
	}
	d := e.runUntil(id, 10*time.Minute, inProgress...)
	if d.Status != cdtypes.DeploymentStatusSucceeded || d.CompleteTime == nil || d.ErrorInformation != nil {
		t.Fatalf("deployment ended %s: %s", d.Status, mustJSON(d))
	}
	if f := e.forwards(e.prodL); len(f) != 1 || f["green"] == 0 {
		t.Fatalf("production listener forwards %v, want green only", f)
	}
	if f := e.forwards(e.testL); len(f) != 1 || f["green"] == 0 {
		t.Fatalf("test listener forwards %v, want green only", f)
	}
	e.em.Advance(drainTime)
	sets = e.taskSets()
	if len(sets) != 1 || aws.ToString(sets[0].Status) != "PRIMARY" || !strings.HasSuffix(aws.ToString(sets[0].TaskDefinition), "web:2") ||
		aws.ToString(sets[0].Id) == aws.ToString(blue.Id) || sets[0].RunningCount != 2 {
		t.Fatalf("after the deployment the service runs %s", mustJSON(sets))
	}
	// The new tasks are targets of green, healthy; blue has drained.
	for tg, want := range map[string]int{e.greenTG: 2, e.blueTG: 0} {
		th, err := e.lb.TargetHealth(e.em.Now(), tg)
		e.check(err)
		healthy := 0
		for _, h := range th {
			if h.Health.State == "healthy" {
				healthy++
			}
		}
		if healthy != want || len(th) != want {
			t.Errorf("%s: %d targets, %d healthy; want %d healthy", targetGroupName(tg), len(th), healthy, want)
		}
	}

	// The target shows every lifecycle event, in order, succeeded.
	tgt, err := e.dep.GetDeploymentTarget(ctx, &cd.GetDeploymentTargetInput{DeploymentId: aws.String(id), TargetId: aws.String("c:web")})
	e.check(err)
	ecsT := tgt.DeploymentTarget.EcsTarget
	if ecsT.Status != cdtypes.TargetStatusSucceeded || len(ecsT.LifecycleEvents) != len(ecsEvents) {
		t.Fatalf("target: %s", mustJSON(ecsT))
	}
	var last time.Time
	for i, ev := range ecsT.LifecycleEvents {
		if aws.ToString(ev.LifecycleEventName) != ecsEvents[i] || ev.Status != cdtypes.LifecycleEventStatusSucceeded || ev.StartTime.Before(last) {
			t.Fatalf("event %d: %s", i, mustJSON(ev))
		}
		last = *ev.StartTime
	}
	// The default hook answer comes 5 s after the hook started.
	hook := ecsT.LifecycleEvents[4]
	if got := hook.EndTime.Sub(*hook.StartTime); got < scenario.DefaultHookDelay || got > scenario.DefaultHookDelay+2*time.Second {
		t.Errorf("AfterAllowTestTraffic took %v, want about %v", got, scenario.DefaultHookDelay)
	}
	list, err := e.dep.ListDeployments(ctx, &cd.ListDeploymentsInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg")})
	e.check(err)
	if len(list.Deployments) != 1 || list.Deployments[0] != id {
		t.Fatalf("deployments: %v", list.Deployments)
	}
	g, err := e.dep.GetDeploymentGroup(ctx, &cd.GetDeploymentGroupInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg")})
	e.check(err)
	if g.DeploymentGroupInfo.LastSuccessfulDeployment == nil || aws.ToString(g.DeploymentGroupInfo.LastSuccessfulDeployment.DeploymentId) != id {
		t.Fatalf("group: %s", mustJSON(g.DeploymentGroupInfo))
	}

	// A second deployment goes back the other way, from green to blue.
	id2 := e.deploy(e.appSpec(1, ""), "")
	if d := e.runUntil(id2, 10*time.Minute, inProgress...); d.Status != cdtypes.DeploymentStatusSucceeded {
		t.Fatalf("second deployment: %s", mustJSON(d))
	}
	if f := e.forwards(e.prodL); f["blue"] == 0 || f["green"] != 0 {
		t.Fatalf("after the second deployment production forwards %v", f)
	}
}

func TestFailingHookRollsTrafficBack(t *testing.T) {
	sc := &scenario.Scenario{Hooks: []scenario.Hook{{Match: "verify-*", Result: scenario.HookFailed, After: scenario.Duration(20 * time.Second)}}}
	e := newEnv(t, sc)
	e.setup()
	e.group(nil)
	blue := e.taskSets()[0]
	id := e.deploy(e.appSpec(2, `Hooks:
  - AfterAllowTraffic: "verify-prod"
`), "")
	// Just before the hook answers, production traffic is on green.
	e.em.Advance(time.Second)
	for e.deployment(id).Status == cdtypes.DeploymentStatusInProgress {
		tgt, _ := e.dep.GetDeploymentTarget(ctx, &cd.GetDeploymentTargetInput{DeploymentId: aws.String(id), TargetId: aws.String("c:web")})
		if evs := tgt.DeploymentTarget.EcsTarget.LifecycleEvents; evs[7].Status == cdtypes.LifecycleEventStatusInProgress {
			break
		}
		e.em.Advance(5 * time.Second)
	}
	if f := e.forwards(e.prodL); f["green"] == 0 || f["blue"] != 0 {
		t.Fatalf("while AfterAllowTraffic runs, production forwards %v; deployment %s", f, mustJSON(e.deployment(id)))
	}
	d := e.runUntil(id, 5*time.Minute, inProgress...)
	if d.Status != cdtypes.DeploymentStatusFailed || d.ErrorInformation == nil || d.ErrorInformation.Code != cdtypes.ErrorCodeHookExecutionFailure {
		t.Fatalf("deployment: %s", mustJSON(d))
	}
	if d.RollbackInfo == nil || aws.ToString(d.RollbackInfo.RollbackDeploymentId) == "" {
		t.Fatalf("no rollback recorded: %s", mustJSON(d))
	}
	if f := e.forwards(e.prodL); len(f) != 1 || f["blue"] == 0 {
		t.Fatalf("after the rollback production forwards %v, want blue only", f)
	}
	if f := e.forwards(e.testL); len(f) != 1 || f["blue"] == 0 {
		t.Fatalf("after the rollback the test listener forwards %v, want blue again", f)
	}
	e.em.Advance(drainTime)
	sets := e.taskSets()
	if len(sets) != 1 || aws.ToString(sets[0].Id) != aws.ToString(blue.Id) || aws.ToString(sets[0].Status) != "PRIMARY" {
		t.Fatalf("after the rollback the service has %s", mustJSON(sets))
	}
	rb := e.deployment(aws.ToString(d.RollbackInfo.RollbackDeploymentId))
	if rb.Creator != cdtypes.DeploymentCreatorCodeDeployRollback || aws.ToString(rb.RollbackInfo.RollbackTriggeringDeploymentId) != id {
		t.Fatalf("rollback deployment: %s", mustJSON(rb))
	}
	tgt, err := e.dep.BatchGetDeploymentTargets(ctx, &cd.BatchGetDeploymentTargetsInput{DeploymentId: aws.String(id), TargetIds: []string{"c:web"}})
	e.check(err)
	evs := tgt.DeploymentTargets[0].EcsTarget.LifecycleEvents
	if evs[7].Status != cdtypes.LifecycleEventStatusFailed || evs[7].Diagnostics == nil || evs[6].Status != cdtypes.LifecycleEventStatusSucceeded {
		t.Fatalf("events: %s", mustJSON(evs))
	}
}

func TestLinearConfigShiftsInSteps(t *testing.T) {
	e := newEnv(t, nil)
	e.setup()
	e.group(nil)
	e.linearConfig("Linear25Every2", 25, 2)
	id := e.deploy(e.appSpec(2, ""), "Linear25Every2")
	var seen []int
	for e.deployment(id).Status == cdtypes.DeploymentStatusInProgress || e.deployment(id).Status == cdtypes.DeploymentStatusCreated {
		if f := e.forwards(e.prodL); len(seen) == 0 || seen[len(seen)-1] != f["green"] {
			seen = append(seen, f["green"]*100/(f["green"]+f["blue"]))
		}
		e.em.Advance(10 * time.Second)
	}
	if f := e.forwards(e.prodL); f["blue"] == 0 {
		seen = append(seen, 100)
	}
	want := []int{0, 25, 50, 75, 100}
	if mustJSON(seen) != mustJSON(want) {
		t.Fatalf("green's share went %v, want %v", seen, want)
	}
	d := e.deployment(id)
	if d.Status != cdtypes.DeploymentStatusSucceeded || d.CompleteTime.Sub(*d.StartTime) < 6*time.Minute {
		t.Fatalf("a 25%%-every-2-minutes shift takes at least 6 minutes: %s", mustJSON(d))
	}
}

func TestReadyWaitAndTerminationWait(t *testing.T) {
	e := newEnv(t, nil)
	e.setup()
	e.group(func(in *cd.CreateDeploymentGroupInput) {
		in.BlueGreenDeploymentConfiguration.DeploymentReadyOption = &cdtypes.DeploymentReadyOption{ActionOnTimeout: cdtypes.DeploymentReadyActionStopDeployment, WaitTimeInMinutes: 30}
		in.BlueGreenDeploymentConfiguration.TerminateBlueInstancesOnDeploymentSuccess.TerminationWaitTimeInMinutes = 60
	})
	id := e.deploy(e.appSpec(2, ""), "")
	if _, err := e.dep.ContinueDeployment(ctx, &cd.ContinueDeploymentInput{DeploymentId: aws.String(id)}); !isCode(err, "DeploymentIsNotInReadyStateException") {
		t.Fatalf("ContinueDeployment before Ready: %v", err)
	}
	d := e.runUntil(id, 10*time.Minute, inProgress...)
	if d.Status != cdtypes.DeploymentStatusReady {
		t.Fatalf("want Ready, got %s", mustJSON(d))
	}
	if f := e.forwards(e.prodL); f["blue"] == 0 || f["green"] != 0 {
		t.Fatalf("while Ready production stays on blue: %v", f)
	}
	if f := e.forwards(e.testL); f["green"] == 0 {
		t.Fatalf("while Ready the test listener is on green: %v", f)
	}
	e.em.Advance(10 * time.Minute)
	if d := e.deployment(id); d.Status != cdtypes.DeploymentStatusReady {
		t.Fatalf("still Ready within the wait: %s", d.Status)
	}
	_, err := e.dep.ContinueDeployment(ctx, &cd.ContinueDeploymentInput{DeploymentId: aws.String(id), DeploymentWaitType: cdtypes.DeploymentWaitTypeReadyWait})
	e.check(err)
	if d := e.deployment(id); d.Status != cdtypes.DeploymentStatusInProgress {
		t.Fatalf("right after ContinueDeployment the deployment is %s, want InProgress (rerouting has started)", d.Status)
	}
	e.em.Advance(time.Minute)
	d = e.deployment(id)
	if d.Status != cdtypes.DeploymentStatusInProgress || !d.InstanceTerminationWaitTimeStarted {
		t.Fatalf("after ContinueDeployment: %s", mustJSON(d))
	}
	if f := e.forwards(e.prodL); f["green"] == 0 {
		t.Fatalf("production moved to green: %v", f)
	}
	if n := len(e.taskSets()); n != 2 {
		t.Fatalf("the original task set stays during the termination wait; %d task sets", n)
	}
	_, err = e.dep.ContinueDeployment(ctx, &cd.ContinueDeploymentInput{DeploymentId: aws.String(id), DeploymentWaitType: cdtypes.DeploymentWaitTypeTerminationWait})
	e.check(err)
	e.em.Advance(30 * time.Second)
	if d := e.deployment(id); d.Status != cdtypes.DeploymentStatusSucceeded {
		t.Fatalf("after ending the termination wait: %s", mustJSON(d))
	}
	e.em.Advance(drainTime)
	if n := len(e.taskSets()); n != 1 {
		t.Fatalf("the original task set is gone; %d task sets", n)
	}
}

func TestReadyWaitTimesOutToStopped(t *testing.T) {
	e := newEnv(t, nil)
	e.setup()
	e.group(func(in *cd.CreateDeploymentGroupInput) {
		in.BlueGreenDeploymentConfiguration.DeploymentReadyOption = &cdtypes.DeploymentReadyOption{ActionOnTimeout: cdtypes.DeploymentReadyActionStopDeployment, WaitTimeInMinutes: 5}
	})
	id := e.deploy(e.appSpec(2, ""), "")
	d := e.runUntil(id, 20*time.Minute, append(inProgress, cdtypes.DeploymentStatusReady)...)
	if d.Status != cdtypes.DeploymentStatusStopped {
		t.Fatalf("want Stopped after the ready wait, got %s", mustJSON(d))
	}
	e.em.Advance(drainTime)
	if sets := e.taskSets(); len(sets) != 1 || !strings.HasSuffix(aws.ToString(sets[0].TaskDefinition), "web:1") {
		t.Fatalf("the replacement is removed: %s", mustJSON(sets))
	}
	if f := e.forwards(e.testL); f["blue"] == 0 || f["green"] != 0 {
		t.Fatalf("test traffic is back on blue: %v", f)
	}
}

func TestStopDeployment(t *testing.T) {
	sc := &scenario.Scenario{Hooks: []scenario.Hook{{Match: "slow", After: scenario.Duration(30 * time.Minute)}}}
	for _, rollback := range []bool{true, false} {
		e := newEnv(t, sc)
		e.setup()
		e.group(nil)
		id := e.deploy(e.appSpec(2, `Hooks:
  - BeforeAllowTraffic: "slow"
`), "")
		e.em.Advance(90 * time.Second)
		out, err := e.dep.StopDeployment(ctx, &cd.StopDeploymentInput{DeploymentId: aws.String(id), AutoRollbackEnabled: aws.Bool(rollback)})
		e.check(err)
		if out.Status != cdtypes.StopStatusPending {
			t.Fatalf("StopDeployment: %s", mustJSON(out))
		}
		e.em.Advance(5 * time.Second)
		d := e.deployment(id)
		if d.Status != cdtypes.DeploymentStatusStopped || d.ErrorInformation.Code != cdtypes.ErrorCodeManualStop {
			t.Fatalf("rollback=%v: %s", rollback, mustJSON(d))
		}
		e.em.Advance(drainTime)
		if n := len(e.taskSets()); (rollback && n != 1) || (!rollback && n != 2) {
			t.Fatalf("rollback=%v: %d task sets", rollback, n)
		}
		if _, err := e.dep.StopDeployment(ctx, &cd.StopDeploymentInput{DeploymentId: aws.String(id)}); !isCode(err, "DeploymentAlreadyCompletedException") {
			t.Fatalf("stopping a stopped deployment: %v", err)
		}
	}
}

func TestPutLifecycleEventHookExecutionStatusAnswersFirst(t *testing.T) {
	sc := &scenario.Scenario{Hooks: []scenario.Hook{{Match: "manual", After: scenario.Duration(time.Hour * 2)}}}
	e := newEnv(t, sc)
	e.setup()
	e.group(nil)
	id := e.deploy(e.appSpec(2, `Hooks:
  - BeforeInstall: "manual"
`), "")
	e.em.Advance(10 * time.Second)
	e.cd.mu.Lock()
	execID := e.cd.st.Deployments[id].Hook.ExecutionID
	e.cd.mu.Unlock()
	if _, err := e.dep.PutLifecycleEventHookExecutionStatus(ctx, &cd.PutLifecycleEventHookExecutionStatusInput{DeploymentId: aws.String(id),
		LifecycleEventHookExecutionId: aws.String("nope"), Status: cdtypes.LifecycleEventStatusSucceeded}); !isCode(err, "InvalidLifecycleEventHookExecutionIdException") {
		t.Fatalf("unknown execution id: %v", err)
	}
	out, err := e.dep.PutLifecycleEventHookExecutionStatus(ctx, &cd.PutLifecycleEventHookExecutionStatusInput{DeploymentId: aws.String(id),
		LifecycleEventHookExecutionId: aws.String(execID), Status: cdtypes.LifecycleEventStatusSucceeded})
	e.check(err)
	if aws.ToString(out.LifecycleEventHookExecutionId) != execID {
		t.Fatalf("reply %s", mustJSON(out))
	}
	if d := e.runUntil(id, 10*time.Minute, inProgress...); d.Status != cdtypes.DeploymentStatusSucceeded {
		t.Fatalf("deployment: %s", mustJSON(d))
	}
}

func TestHookThatNeverAnswersTimesOut(t *testing.T) {
	sc := &scenario.Scenario{Hooks: []scenario.Hook{{Match: "*", After: scenario.Duration(3 * time.Hour)}}}
	e := newEnv(t, sc)
	e.setup()
	e.group(nil)
	id := e.deploy(e.appSpec(2, "Hooks:\n  - AfterInstall: hang\n"), "")
	e.em.Advance(59 * time.Minute)
	if d := e.deployment(id); d.Status != cdtypes.DeploymentStatusInProgress {
		t.Fatalf("within the hour: %s", d.Status)
	}
	e.em.Advance(3 * time.Minute)
	if d := e.deployment(id); d.Status != cdtypes.DeploymentStatusFailed || d.ErrorInformation.Code != cdtypes.ErrorCodeTimeout {
		t.Fatalf("after the hour: %s", mustJSON(d))
	}
}

func TestAlarmStopsAndRollsBack(t *testing.T) {
	// The alarm goes off 90 s after the scenario is set: during the
	// deployment, which a 2-minute canary keeps going long enough.
	sc := &scenario.Scenario{Alarms: []scenario.Alarm{{Name: "5xx", State: scenario.AlarmAlarm, After: scenario.Duration(150 * time.Second)}}}
	e := newEnv(t, sc)
	e.setup()
	e.group(func(in *cd.CreateDeploymentGroupInput) {
		in.AlarmConfiguration = &cdtypes.AlarmConfiguration{Enabled: true, Alarms: []cdtypes.Alarm{{Name: aws.String("5xx")}}}
		in.AutoRollbackConfiguration.Events = append(in.AutoRollbackConfiguration.Events, cdtypes.AutoRollbackEventDeploymentStopOnAlarm)
	})
	id := e.deploy(e.appSpec(2, ""), "CodeDeployDefault.ECSCanary10Percent5Minutes")
	e.em.Advance(80 * time.Second)
	if f := e.forwards(e.prodL); f["green"] != 10 || f["blue"] != 90 {
		t.Fatalf("the canary sends 10%% to green: %v", f)
	}
	d := e.runUntil(id, 5*time.Minute, inProgress...)
	if d.Status != cdtypes.DeploymentStatusStopped || d.ErrorInformation.Code != cdtypes.ErrorCodeAlarmActive {
		t.Fatalf("deployment: %s", mustJSON(d))
	}
	if f := e.forwards(e.prodL); len(f) != 1 || f["blue"] == 0 {
		t.Fatalf("after the alarm production forwards %v", f)
	}
}
