package emulator

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
)

// withPassThrough sets in's members that the local ECS stores and returns
// without simulating them (the saved sample holds them, so the snapshot
// and persistence tests cover them).
func withPassThrough(in *ecs.UpdateServiceInput) *ecs.UpdateServiceInput {
	in.ServiceConnectConfiguration = &types.ServiceConnectConfiguration{Enabled: true, Namespace: aws.String("ns-web")}
	in.VolumeConfigurations = []types.ServiceVolumeConfiguration{{Name: aws.String("data"),
		ManagedEBSVolume: &types.ServiceManagedEBSVolumeConfiguration{RoleArn: aws.String("arn:aws:iam::123456789012:role/ebs"), SizeInGiB: aws.Int32(20)}}}
	in.VpcLatticeConfigurations = []types.VpcLatticeConfiguration{{PortName: aws.String("http"),
		RoleArn:        aws.String("arn:aws:iam::123456789012:role/lattice"),
		TargetGroupArn: aws.String("arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-1")}}
	in.GatewayConnectors = []types.GatewayConnector{{PortName: aws.String("http")}}
	in.Monitoring = &types.MonitoringConfiguration{MetricConfigurations: []types.MetricConfiguration{{MetricNames: []string{"CPUUtilization"}, ResolutionSeconds: aws.Int32(10)}}}
	if in.DeploymentConfiguration == nil {
		in.DeploymentConfiguration = &types.DeploymentConfiguration{}
	}
	in.DeploymentConfiguration.EarlySuccessCriteria = &types.DeploymentEarlySuccessCriteria{Enable: true, HealthyPercent: aws.Int32(80),
		SourceServiceRevisionCleanup: types.ServiceRevisionCleanupDeferred}
	in.DeploymentConfiguration.DeploymentCircuitBreaker = &types.DeploymentCircuitBreaker{Enable: true, Rollback: true,
		ResetOnHealthyTask: aws.Bool(true), ThresholdConfiguration: &types.ThresholdConfiguration{Type: types.ThresholdTypeCount, Value: 4}}
	return in
}

// The members are returned where the API shows them: the revision-level
// ones on the PRIMARY deployment and on the service revision, the
// deployment configuration's on the service.
func TestPassThroughMembersAreReturned(t *testing.T) {
	em, client := newTestEmulator(t)
	createFargateService(t, em, client, "web:1", 1, false)
	ctx := context.Background()
	if _, err := client.UpdateService(ctx, withPassThrough(&ecs.UpdateServiceInput{Service: aws.String("web")})); err != nil {
		t.Fatal(err)
	}
	out, err := client.DescribeServices(ctx, &ecs.DescribeServicesInput{Services: []string{"web"}})
	if err != nil {
		t.Fatal(err)
	}
	svc := out.Services[0]
	// The revision-level members changed: a deployment started.
	if len(svc.Deployments) != 2 {
		t.Fatalf("deployments: %d, want 2", len(svc.Deployments))
	}
	primary := svc.Deployments[0]
	if primary.ServiceConnectConfiguration == nil || len(primary.VolumeConfigurations) != 1 || len(primary.VpcLatticeConfigurations) != 1 ||
		aws.ToString(primary.VpcLatticeConfigurations[0].PortName) != "http" {
		t.Errorf("primary deployment: %+v", primary)
	}
	dc := svc.DeploymentConfiguration
	if dc.EarlySuccessCriteria == nil || aws.ToInt32(dc.EarlySuccessCriteria.HealthyPercent) != 80 ||
		dc.EarlySuccessCriteria.SourceServiceRevisionCleanup != types.ServiceRevisionCleanupDeferred {
		t.Errorf("earlySuccessCriteria: %+v", dc.EarlySuccessCriteria)
	}
	cb := dc.DeploymentCircuitBreaker
	if !aws.ToBool(cb.ResetOnHealthyTask) || cb.ThresholdConfiguration == nil || cb.ThresholdConfiguration.Value != 4 {
		t.Errorf("circuit breaker: %+v", cb)
	}
	list, err := client.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Service: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	var newest types.ServiceDeploymentBrief
	for _, sd := range list.ServiceDeployments {
		if newest.CreatedAt == nil || !sd.CreatedAt.Before(*newest.CreatedAt) {
			newest = sd
		}
	}
	revs, err := client.DescribeServiceRevisions(ctx, &ecs.DescribeServiceRevisionsInput{ServiceRevisionArns: []string{aws.ToString(newest.TargetServiceRevisionArn)}})
	if err != nil || len(revs.ServiceRevisions) != 1 {
		t.Fatalf("%v %+v", err, revs)
	}
	rev := revs.ServiceRevisions[0]
	if len(rev.GatewayConnectors) != 1 || rev.Monitoring == nil || len(rev.Monitoring.MetricConfigurations) != 1 ||
		len(rev.VpcLatticeConfigurations) != 1 || rev.ServiceConnectConfiguration == nil || len(rev.VolumeConfigurations) != 1 {
		t.Errorf("service revision: %+v", rev)
	}

	// The same values again start no deployment; a circuit breaker sent
	// without the new members drops them.
	if _, err := client.UpdateService(ctx, withPassThrough(&ecs.UpdateServiceInput{Service: aws.String("web")})); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), DeploymentConfiguration: &types.DeploymentConfiguration{
		DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: false}}}); err != nil {
		t.Fatal(err)
	}
	out, _ = client.DescribeServices(ctx, &ecs.DescribeServicesInput{Services: []string{"web"}})
	if n := len(out.Services[0].Deployments); n != 2 {
		t.Errorf("deployments after the same values: %d, want 2", n)
	}
	if cb := out.Services[0].DeploymentConfiguration.DeploymentCircuitBreaker; cb.ResetOnHealthyTask != nil || cb.ThresholdConfiguration != nil {
		t.Errorf("circuit breaker replaced: %+v", cb)
	}
	if out.Services[0].DeploymentConfiguration.EarlySuccessCriteria == nil {
		t.Error("earlySuccessCriteria lost by an update that did not send it")
	}
}

// A service keeps its deployment controller: the same one is accepted,
// another is refused rather than ignored.
func TestUpdateServiceDeploymentController(t *testing.T) {
	em, client := newTestEmulator(t)
	createFargateService(t, em, client, "web:1", 1, false)
	ctx := context.Background()
	if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"),
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeEcs}}); err != nil {
		t.Fatalf("the service's own controller: %v", err)
	}
	_, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), DesiredCount: aws.Int32(3),
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeCodeDeploy}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnsupportedFeatureException" || !strings.Contains(ae.ErrorMessage(), "CODE_DEPLOY") {
		t.Fatalf("another controller: %v", err)
	}
	out, _ := client.DescribeServices(ctx, &ecs.DescribeServicesInput{Services: []string{"web"}})
	if svc := out.Services[0]; svc.DesiredCount != 1 || svc.DeploymentController.Type != types.DeploymentControllerTypeEcs {
		t.Errorf("a refused update changed the service: desired %d, controller %+v", svc.DesiredCount, svc.DeploymentController)
	}
}
