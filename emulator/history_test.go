package emulator

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// history returns the service's deployment history, newest first, with
// each target revision's task definition.
func serviceHistory(t *testing.T, client *ecs.Client) ([]types.ServiceDeployment, map[string]string) {
	t.Helper()
	ctx := context.Background()
	list, err := client.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Service: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, b := range list.ServiceDeployments {
		arns = append(arns, aws.ToString(b.ServiceDeploymentArn))
	}
	deps, err := client.DescribeServiceDeployments(ctx, &ecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: arns})
	if err != nil {
		t.Fatal(err)
	}
	var revArns []string
	for _, d := range deps.ServiceDeployments {
		revArns = append(revArns, aws.ToString(d.TargetServiceRevision.Arn))
	}
	revs, err := client.DescribeServiceRevisions(ctx, &ecs.DescribeServiceRevisionsInput{ServiceRevisionArns: revArns})
	if err != nil {
		t.Fatal(err)
	}
	tds := map[string]string{}
	for _, r := range revs.ServiceRevisions {
		tds[aws.ToString(r.ServiceRevisionArn)] = aws.ToString(r.TaskDefinition)
	}
	return deps.ServiceDeployments, tds
}

func TestServiceDeploymentHistory(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "*:bad", ExitCode: intp(1), ExitAfter: secs(2)}}}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	createFargateService(t, em, client, "web:1", 2, false)
	v2 := registerWebHC(t, client, "web:2", false)
	if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(v2)}); err != nil {
		t.Fatal(err)
	}
	em.Advance(3 * time.Minute)
	bad := registerWebHC(t, client, "web:bad", false)
	if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(bad)}); err != nil {
		t.Fatal(err)
	}
	em.Advance(10 * time.Minute)

	deps, tds := serviceHistory(t, client)
	if len(deps) != 3 {
		t.Fatalf("%d history entries, want 3 (create, update, failed update)", len(deps))
	}
	got := []string{}
	for _, d := range deps {
		got = append(got, string(d.Status)+" "+tds[aws.ToString(d.TargetServiceRevision.Arn)])
	}
	if got[0] != "ROLLBACK_SUCCESSFUL "+bad || got[1] != "SUCCESSFUL "+v2 || got[2][:len("SUCCESSFUL ")] != "SUCCESSFUL " {
		t.Fatalf("history, newest first: %v", got)
	}
	failed := deps[0]
	if failed.Rollback == nil || failed.DeploymentCircuitBreaker.Status != types.ServiceDeploymentRollbackMonitorsStatusTriggered ||
		aws.ToString(failed.Rollback.ServiceRevisionArn) != aws.ToString(deps[1].TargetServiceRevision.Arn) {
		t.Fatalf("failed deployment: rollback %+v breaker %+v", failed.Rollback, failed.DeploymentCircuitBreaker)
	}
	if svc := describeService(t, client, "default", "web"); aws.ToString(svc.TaskDefinition) != v2 {
		t.Fatalf("after the rollback the service runs %s, want %s", aws.ToString(svc.TaskDefinition), v2)
	}
	only, _ := client.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Service: aws.String("web"),
		Status: []types.ServiceDeploymentStatus{types.ServiceDeploymentStatusSuccessful}})
	if len(only.ServiceDeployments) != 2 {
		t.Fatalf("status filter: %d", len(only.ServiceDeployments))
	}
}
