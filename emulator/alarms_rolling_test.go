package emulator

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// TestDeploymentAlarmRollsBackRollingUpdate: an alarm of the service's
// deploymentConfiguration.alarms going into ALARM during a rolling
// deployment fails it and, with rollback, returns to the last completed
// deployment; without rollback the deployment only fails.
func TestDeploymentAlarmRollsBackRollingUpdate(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td1 := registerWeb(t, client, "web", "app:1")
	td2 := registerWeb(t, client, "web", "app:2")
	for name, rollback := range map[string]bool{"web": true, "api": false} {
		if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{
			ServiceName: aws.String(name), TaskDefinition: aws.String(td1), DesiredCount: aws.Int32(3),
			LaunchType: types.LaunchTypeFargate, NetworkConfiguration: awsvpc("subnet-1", "subnet-2"),
			DeploymentConfiguration: &types.DeploymentConfiguration{Alarms: &types.DeploymentAlarms{
				AlarmNames: []string{"quiet", name + "-5xx"}, Enable: true, Rollback: rollback}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	em.Advance(2 * time.Minute)
	first := map[string]string{}
	for _, name := range []string{"web", "api"} {
		svc := describeService(t, client, "default", name)
		if svc.Deployments[0].RolloutState != types.DeploymentRolloutStateCompleted {
			t.Fatalf("%s: first deployment %s", name, svc.Deployments[0].RolloutState)
		}
		first[name] = aws.ToString(svc.Deployments[0].Id)
	}

	// The alarms go off 30 s into the deployments, before they complete.
	if err := em.SetScenario(&scenario.Scenario{Alarms: []scenario.Alarm{
		{Name: "*-5xx", State: scenario.AlarmAlarm, After: scenario.Duration(30 * time.Second)}}}); err != nil {
		t.Fatal(err)
	}
	failed := map[string]string{}
	for _, name := range []string{"web", "api"} {
		out, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String(name), TaskDefinition: aws.String(td2)})
		if err != nil {
			t.Fatal(err)
		}
		failed[name] = aws.ToString(out.Service.Deployments[0].Id)
	}
	em.Advance(25 * time.Second)
	if svc := describeService(t, client, "default", "web"); svc.Deployments[0].RolloutState != types.DeploymentRolloutStateInProgress {
		t.Fatalf("before the alarm: %s %q", svc.Deployments[0].RolloutState, aws.ToString(svc.Deployments[0].RolloutStateReason))
	}
	// With rollback: a new PRIMARY on the old task definition, the failed
	// one ACTIVE (until the rollback completes, a few seconds later, as the
	// old tasks still run).
	var svc types.Service
	for i := 0; i < 10 && !anyFailed(svc); i++ {
		em.Advance(time.Second)
		svc = describeService(t, client, "default", "web")
	}
	if len(svc.Deployments) != 2 {
		t.Fatalf("web after the alarm: %+v", svc.Deployments)
	}
	primary, bad := svc.Deployments[0], svc.Deployments[1]
	if aws.ToString(primary.TaskDefinition) != td1 || primary.RolloutState != types.DeploymentRolloutStateInProgress ||
		aws.ToString(primary.RolloutStateReason) != "ECS deployment alarm(s) web-5xx in ALARM state: rolling back to deploymentId "+first["web"]+"." {
		t.Errorf("rollback deployment: %s %s %q", aws.ToString(primary.TaskDefinition), primary.RolloutState, aws.ToString(primary.RolloutStateReason))
	}
	if aws.ToString(bad.Id) != failed["web"] || bad.RolloutState != types.DeploymentRolloutStateFailed ||
		aws.ToString(bad.RolloutStateReason) != "ECS deployment alarm(s) in ALARM state: web-5xx." {
		t.Errorf("failed deployment: %s %s %q", aws.ToString(bad.Id), bad.RolloutState, aws.ToString(bad.RolloutStateReason))
	}
	wantEvent := "(service web) (deployment " + failed["web"] + ") deployment failed: alarm(s) web-5xx in ALARM state."
	if !hasEvent(svc, wantEvent) || !hasEvent(svc, "(service web) rolling back to deployment "+first["web"]+".") {
		t.Errorf("events %v, want %q and the rollback", eventTexts(svc), wantEvent)
	}
	em.Advance(3 * time.Minute)
	svc = describeService(t, client, "default", "web")
	if aws.ToString(svc.TaskDefinition) != td1 || svc.RunningCount != 3 || svc.Deployments[0].RolloutState != types.DeploymentRolloutStateCompleted {
		t.Errorf("after the rollback: %s running %d %+v", aws.ToString(svc.TaskDefinition), svc.RunningCount, svc.Deployments)
	}
	list, err := client.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Service: aws.String("web")})
	if err != nil || len(list.ServiceDeployments) == 0 {
		t.Fatalf("list service deployments: %v", err)
	}
	desc, err := client.DescribeServiceDeployments(ctx, &ecs.DescribeServiceDeploymentsInput{
		ServiceDeploymentArns: []string{aws.ToString(list.ServiceDeployments[0].ServiceDeploymentArn)}})
	if err != nil || len(desc.ServiceDeployments) != 1 {
		t.Fatalf("describe service deployment: %v", err)
	}
	sd := desc.ServiceDeployments[0]
	if sd.Status != types.ServiceDeploymentStatusRollbackSuccessful || sd.Alarms == nil ||
		sd.Alarms.Status != types.ServiceDeploymentRollbackMonitorsStatusTriggered || strings.Join(sd.Alarms.TriggeredAlarmNames, ",") != "web-5xx" {
		t.Errorf("service deployment: %s alarms %+v", sd.Status, sd.Alarms)
	}

	// Without rollback: FAILED, and no task is started for it any more.
	svc = describeService(t, client, "default", "api")
	if d := svc.Deployments[0]; aws.ToString(d.Id) != failed["api"] || d.RolloutState != types.DeploymentRolloutStateFailed ||
		aws.ToString(d.RolloutStateReason) != "ECS deployment alarm(s) in ALARM state: api-5xx." {
		t.Fatalf("api: %+v", svc.Deployments)
	}
	if aws.ToString(svc.TaskDefinition) != td2 {
		t.Errorf("api task definition %s, want it left on %s", aws.ToString(svc.TaskDefinition), td2)
	}
}

func hasEvent(svc types.Service, msg string) bool {
	for _, ev := range svc.Events {
		if aws.ToString(ev.Message) == msg {
			return true
		}
	}
	return false
}

func eventTexts(svc types.Service) []string {
	var out []string
	for _, ev := range svc.Events {
		out = append(out, aws.ToString(ev.Message))
	}
	return out
}

func anyFailed(svc types.Service) bool {
	for _, d := range svc.Deployments {
		if d.RolloutState == types.DeploymentRolloutStateFailed {
			return true
		}
	}
	return false
}
