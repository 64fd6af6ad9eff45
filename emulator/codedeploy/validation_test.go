package codedeploy

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

func TestDeploymentGroupValidation(t *testing.T) {
	e := newEnv(t, nil)
	e.setup()
	// An ECS-controlled service and a listener forwarding elsewhere.
	_, err := e.ecs.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("c"), ServiceName: aws.String("rolling"),
		TaskDefinition: aws.String("web:1"), DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-a"}}}})
	e.check(err)
	other, err := e.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("other"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(80), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp})
	e.check(err)
	lbs, err := e.elb.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
	e.check(err)
	elsewhere, err := e.elb.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn, Port: aws.Int32(81),
		Protocol: elbtypes.ProtocolEnumHttp, DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: other.TargetGroups[0].TargetGroupArn}}})
	e.check(err)

	if _, err := e.dep.CreateDeploymentGroup(ctx, e.groupInput()); !isCode(err, "ApplicationDoesNotExistException") {
		t.Fatalf("no application: %v", err)
	}
	if _, err := e.dep.CreateApplication(ctx, &cd.CreateApplicationInput{ApplicationName: aws.String("server"), ComputePlatform: cdtypes.ComputePlatformServer}); !isCode(err, "InvalidComputePlatformException") {
		t.Fatalf("a Server application: %v", err)
	}
	_, err = e.dep.CreateApplication(ctx, &cd.CreateApplicationInput{ApplicationName: aws.String("app"), ComputePlatform: cdtypes.ComputePlatformEcs})
	e.check(err)
	if _, err := e.dep.CreateApplication(ctx, &cd.CreateApplicationInput{ApplicationName: aws.String("app"), ComputePlatform: cdtypes.ComputePlatformEcs}); !isCode(err, "ApplicationAlreadyExistsException") {
		t.Fatalf("a second app: %v", err)
	}
	cases := []struct {
		name string
		mod  func(*cd.CreateDeploymentGroupInput)
		code string
		msg  string
	}{
		{"bad role", func(in *cd.CreateDeploymentGroupInput) { in.ServiceRoleArn = aws.String("codedeploy") }, "InvalidRoleException", "not an IAM role ARN"},
		{"in-place", func(in *cd.CreateDeploymentGroupInput) {
			in.DeploymentStyle.DeploymentType = cdtypes.DeploymentTypeInPlace
		}, "InvalidDeploymentStyleException", "BLUE_GREEN"},
		{"unknown config", func(in *cd.CreateDeploymentGroupInput) { in.DeploymentConfigName = aws.String("Nope") }, "DeploymentConfigDoesNotExistException", "Nope"},
		{"ECS-controlled service", func(in *cd.CreateDeploymentGroupInput) { in.EcsServices[0].ServiceName = aws.String("rolling") }, "InvalidECSServiceException", "CODE_DEPLOY deployment controller"},
		{"missing service", func(in *cd.CreateDeploymentGroupInput) { in.EcsServices[0].ServiceName = aws.String("gone") }, "InvalidECSServiceException", "could not be found"},
		{"one target group", func(in *cd.CreateDeploymentGroupInput) {
			in.LoadBalancerInfo.TargetGroupPairInfoList[0].TargetGroups = in.LoadBalancerInfo.TargetGroupPairInfoList[0].TargetGroups[:1]
		}, "InvalidTargetGroupPairException", "two different target groups"},
		{"service on neither group", func(in *cd.CreateDeploymentGroupInput) {
			in.LoadBalancerInfo.TargetGroupPairInfoList[0].TargetGroups[0].Name = aws.String("other")
		}, "InvalidTargetGroupPairException", "not behind either target group"},
		{"listener not attached", func(in *cd.CreateDeploymentGroupInput) {
			in.LoadBalancerInfo.TargetGroupPairInfoList[0].ProdTrafficRoute.ListenerArns = []string{*elsewhere.Listeners[0].ListenerArn}
		}, "InvalidTargetGroupPairException", "does not forward to either target group"},
		{"unknown listener", func(in *cd.CreateDeploymentGroupInput) {
			in.LoadBalancerInfo.TargetGroupPairInfoList[0].ProdTrafficRoute.ListenerArns = []string{e.prodL + "0"}
		}, "InvalidLoadBalancerInfoException", "could not be used"},
		{"same listener twice", func(in *cd.CreateDeploymentGroupInput) {
			in.LoadBalancerInfo.TargetGroupPairInfoList[0].TestTrafficRoute.ListenerArns = []string{e.prodL}
		}, "InvalidTargetGroupPairException", "different listeners"},
		{"long termination wait", func(in *cd.CreateDeploymentGroupInput) {
			in.BlueGreenDeploymentConfiguration.TerminateBlueInstancesOnDeploymentSuccess.TerminationWaitTimeInMinutes = 2881
		}, "InvalidBlueGreenDeploymentConfigurationException", "2880"},
	}
	for _, c := range cases {
		in := e.groupInput()
		c.mod(in)
		_, err := e.dep.CreateDeploymentGroup(ctx, in)
		if !isCode(err, c.code) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: got %v, want %s containing %q", c.name, err, c.code, c.msg)
		}
	}
	_, err = e.dep.CreateDeploymentGroup(ctx, e.groupInput())
	e.check(err)
	if _, err := e.dep.CreateDeploymentGroup(ctx, e.groupInput()); !isCode(err, "DeploymentGroupAlreadyExistsException") {
		t.Fatalf("a second group: %v", err)
	}
}

func TestDeploymentInputValidation(t *testing.T) {
	e := newEnv(t, nil)
	e.setup()
	e.group(nil)
	create := func(spec, sum string) error {
		_, err := e.dep.CreateDeployment(ctx, &cd.CreateDeploymentInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg"),
			Revision: &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent,
				AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(spec), Sha256: aws.String(sum)}}})
		return err
	}
	if err := create("version: 0.0\n", ""); !isCode(err, "InvalidRevisionException") {
		t.Fatalf("an AppSpec without resources: %v", err)
	}
	if err := create(e.appSpec(2, ""), strings.Repeat("a", 64)); !isCode(err, "InvalidRevisionException") {
		t.Fatalf("a wrong sha256: %v", err)
	}
	if _, err := e.dep.CreateDeployment(ctx, &cd.CreateDeploymentInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("nope")}); !isCode(err, "DeploymentGroupDoesNotExistException") {
		t.Fatalf("unknown group: %v", err)
	}
	if _, err := e.dep.CreateDeployment(ctx, &cd.CreateDeploymentInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg")}); !isCode(err, "RevisionRequiredException") {
		t.Fatalf("no revision: %v", err)
	}
	if _, err := e.dep.GetDeployment(ctx, &cd.GetDeploymentInput{DeploymentId: aws.String("d-AAAAAAAAA")}); !isCode(err, "DeploymentDoesNotExistException") {
		t.Fatalf("unknown deployment: %v", err)
	}
	if _, err := e.dep.GetDeployment(ctx, &cd.GetDeploymentInput{DeploymentId: aws.String("x")}); !isCode(err, "InvalidDeploymentIdException") {
		t.Fatalf("malformed deployment id: %v", err)
	}

	// The AppSpec names a container the task definition lacks: ECS refuses
	// the replacement task set and the deployment fails with its words.
	bad := strings.Replace(e.appSpec(2, ""), `ContainerName: "app"`, `ContainerName: "web"`, 1)
	id := e.deploy(bad, "")
	if err := create(e.appSpec(2, ""), ""); !isCode(err, "DeploymentLimitExceededException") {
		t.Fatalf("a second deployment while one is active: %v", err)
	}
	d := e.runUntil(id, time.Minute, inProgress...)
	if d.Status != cdtypes.DeploymentStatusFailed || d.ErrorInformation.Code != cdtypes.ErrorCodeEcsUpdateError ||
		!strings.Contains(aws.ToString(d.ErrorInformation.Message), "The container web does not exist in the task definition.") {
		t.Fatalf("missing container: %s", mustJSON(d.ErrorInformation))
	}
	bad = strings.Replace(e.appSpec(2, ""), "ContainerPort: 8080", "ContainerPort: 80", 1)
	d = e.runUntil(e.deploy(bad, ""), time.Minute, inProgress...)
	if d.Status != cdtypes.DeploymentStatusFailed || !strings.Contains(aws.ToString(d.ErrorInformation.Message), "The container app did not have a container port 80 defined.") {
		t.Fatalf("missing port: %s", mustJSON(d.ErrorInformation))
	}
	bad = strings.Replace(e.appSpec(2, ""), "web:2", "web:9", 1)
	d = e.runUntil(e.deploy(bad, ""), time.Minute, inProgress...)
	if d.Status != cdtypes.DeploymentStatusFailed || d.ErrorInformation.Code != cdtypes.ErrorCodeEcsUpdateError {
		t.Fatalf("missing task definition: %s", mustJSON(d.ErrorInformation))
	}
	if n := len(e.taskSets()); n != 1 {
		t.Fatalf("failed deployments leave the original task set alone; %d task sets", n)
	}
}

func TestNoServerErrorForBadRequests(t *testing.T) {
	e := newEnv(t, nil)
	rc := &emulator.RequestContext{Region: "us-east-1", Now: t0}
	for op := range ops {
		for _, body := range []string{``, `{}`, `{"applicationName":7}`, `{"deploymentId":"d-AAAAAAAAA","revision":{"revisionType":"AppSpecContent","appSpecContent":{"content":"::"}}}`} {
			_, err := e.cd.ServeJSON(rc, op, []byte(body))
			if err == nil {
				continue
			}
			var ae *emulator.APIError
			if !errors.As(err, &ae) || ae.Status() != 400 {
				t.Errorf("%s %s: %v is not a 400", op, body, err)
			}
		}
	}
	if _, err := e.cd.ServeJSON(rc, "RegisterApplicationRevision", nil); !isCode(err, "UnknownOperationException") {
		t.Errorf("unknown operation: %v", err)
	}
}

func TestStateSurvivesSaveAndLoad(t *testing.T) {
	e := newEnv(t, nil)
	e.setup()
	e.group(nil)
	id := e.deploy(e.appSpec(2, ""), "")
	e.em.Advance(10 * time.Second)
	file := t.TempDir() + "/state.json"
	e.check(e.em.SaveState(file))
	before := mustJSON(e.deployment(id))

	e2 := newEnv(t, nil)
	e.check(e2.em.LoadState(file))
	after, err := e2.dep.GetDeployment(ctx, &cd.GetDeploymentInput{DeploymentId: aws.String(id)})
	e.check(err)
	if mustJSON(after.DeploymentInfo) != before {
		t.Fatalf("deployment changed across save and load:\n%s\n%s", before, mustJSON(after.DeploymentInfo))
	}
	// And it carries on where it was.
	if d := e2.runUntil(id, 10*time.Minute, inProgress...); d.Status != cdtypes.DeploymentStatusSucceeded {
		t.Fatalf("after the load: %s", mustJSON(d))
	}
	var raw map[string]json.RawMessage
	data, _ := e2.cd.MarshalState()
	e.check(json.Unmarshal(data, &raw))
	if e2.cd.ResetState(); mustJSON(e2.cd.st.Deployments) != "{}" {
		t.Fatal("ResetState keeps deployments")
	}
}
