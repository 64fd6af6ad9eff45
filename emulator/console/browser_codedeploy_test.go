package console

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/chromedp/chromedp"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator/codedeploy"
	"github.com/ecsdeploy/ecsdeploy/emulator/elbv2"
)

// TestBrowserShowsCodeDeployCanary runs a CodeDeploy canary deployment of
// a CODE_DEPLOY service behind the local ELBv2, as `local serve` wires them,
// and checks that the page shows its two task sets, the lifecycle event
// and the production traffic split while the canary waits.
func TestBrowserShowsCodeDeployCanary(t *testing.T) {
	em, srv, _ := newServerWith(t, func(c *Console) {
		codedeploy.Register(c.em, codedeploy.NewELBTraffic(elbv2.Register(c.em)))
	})
	ctx := newBrowser(t)
	invoke := ecsInvoker(t, em)
	lb, blue, green := blueGreenELB(t, srv.URL)
	listener := func(port string) string {
		return xmlValue(elbQuery(t, srv.URL, "CreateListener", "LoadBalancerArn", lb, "Protocol", "HTTP", "Port", port,
			"DefaultActions.member.1.Type", "forward", "DefaultActions.member.1.TargetGroupArn", blue), "ListenerArn")
	}
	prod, test := listener("80"), listener("8080")
	for _, image := range []string{"web:1", "web:2"} {
		invoke("RegisterTaskDefinition", fmt.Sprintf(`{"family":"web","networkMode":"awsvpc","cpu":"256","memory":"512","requiresCompatibilities":["FARGATE"],
		  "containerDefinitions":[{"name":"web","image":%q,"essential":true,"portMappings":[{"containerPort":80}]}]}`, image))
	}
	invoke("CreateService", fmt.Sprintf(`{"serviceName":"web","taskDefinition":"web:1","desiredCount":2,"launchType":"FARGATE",
	  "deploymentController":{"type":"CODE_DEPLOY"},"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1","subnet-2"]}},
	  "loadBalancers":[{"targetGroupArn":%q,"containerName":"web","containerPort":80}]}`, blue))
	em.Advance(2 * time.Minute)

	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{EndpointURL: srv.URL, Region: "us-east-1", MaxAttempts: 3, AccessKey: "local", SecretKey: "local"})
	if err != nil {
		t.Fatal(err)
	}
	dep := cd.NewFromConfig(cfg)
	bg := context.Background()
	if _, err := dep.CreateApplication(bg, &cd.CreateApplicationInput{ApplicationName: aws.String("app"), ComputePlatform: cdtypes.ComputePlatformEcs}); err != nil {
		t.Fatal(err)
	}
	if _, err := dep.CreateDeploymentGroup(bg, &cd.CreateDeploymentGroupInput{
		ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg"),
		ServiceRoleArn:  aws.String("arn:aws:iam::000000000000:role/codedeploy"),
		DeploymentStyle: &cdtypes.DeploymentStyle{DeploymentType: cdtypes.DeploymentTypeBlueGreen, DeploymentOption: cdtypes.DeploymentOptionWithTrafficControl},
		BlueGreenDeploymentConfiguration: &cdtypes.BlueGreenDeploymentConfiguration{
			DeploymentReadyOption:                     &cdtypes.DeploymentReadyOption{ActionOnTimeout: cdtypes.DeploymentReadyActionContinueDeployment},
			TerminateBlueInstancesOnDeploymentSuccess: &cdtypes.BlueInstanceTerminationOption{Action: cdtypes.InstanceActionTerminate},
		},
		EcsServices: []cdtypes.ECSService{{ClusterName: aws.String("default"), ServiceName: aws.String("web")}},
		LoadBalancerInfo: &cdtypes.LoadBalancerInfo{TargetGroupPairInfoList: []cdtypes.TargetGroupPairInfo{{
			TargetGroups:     []cdtypes.TargetGroupInfo{{Name: aws.String("blue")}, {Name: aws.String("green")}},
			ProdTrafficRoute: &cdtypes.TrafficRoute{ListenerArns: []string{prod}},
			TestTrafficRoute: &cdtypes.TrafficRoute{ListenerArns: []string{test}},
		}}},
	}); err != nil {
		t.Fatal(err)
	}
	spec := `version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:2"
        LoadBalancerInfo: {ContainerName: "web", ContainerPort: 80}
`
	do(t, ctx, "open the service", chromedp.Navigate(srv.URL+Path+"#/us-east-1/default/web"))
	waitPage(t, ctx, "the service", `document.getElementById("service-h").textContent === "Service web"`)
	if _, err := dep.CreateDeployment(bg, &cd.CreateDeploymentInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg"),
		DeploymentConfigName: aws.String("CodeDeployDefault.ECSCanary10Percent5Minutes"),
		Revision: &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent,
			AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(spec)}}}); err != nil {
		t.Fatal(err)
	}
	split := false
	for i := 0; i < 600 && !split; i++ {
		em.Advance(time.Second)
		snap, _ := em.ServiceSnapshot("us-east-1", "default", "web")
		for _, share := range snap.Traffic {
			split = split || (share.TargetGroup == green && share.Percent == 10)
		}
	}
	if !split {
		t.Fatal("the canary never took 10 % of the production traffic")
	}
	waitPage(t, ctx, "the canary split", `document.getElementById("traffic-cap").textContent === "Traffic: blue 90 %, green 10 %"`)
	waitPage(t, ctx, "the lifecycle event", `document.getElementById("bg-stage").textContent === "Lifecycle stage: AllowTraffic"`)
	waitPage(t, ctx, "both task sets", `document.querySelectorAll("#tasksets tr[data-taskset]").length === 2`)
	waitPage(t, ctx, "replacement tasks in the green group", `[...document.querySelectorAll("#zones .group-label")].some(l => l.textContent.endsWith("→ green"))`)
	screenshot(t, ctx, "console-codedeploy.png")
}
