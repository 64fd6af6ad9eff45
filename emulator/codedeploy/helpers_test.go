package codedeploy

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/elbv2"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// env is a local account with ECS, ELBv2 and CodeDeploy on a manual clock,
// and SDK clients that reach it through the full wire path.
type env struct {
	t   *testing.T
	em  *emulator.Emulator
	lb  *elbv2.Service
	cd  *Service
	ecs *ecs.Client
	elb *elb.Client
	dep *cd.Client

	blueTG, greenTG, prodL, testL string
}

func newEnv(t *testing.T, sc *scenario.Scenario) *env {
	t.Helper()
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(t0), Seed: 1, Scenario: sc})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	lb := elbv2.Register(em)
	svc := Register(em, NewELBTraffic(lb))
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, em: em, lb: lb, cd: svc, ecs: ecs.NewFromConfig(cfg), elb: elb.NewFromConfig(cfg), dep: cd.NewFromConfig(cfg)}
}

func (e *env) check(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

var ctx = context.Background()

const webTD = `web`

// setup builds an ALB with target groups blue and green, a production
// listener and a test listener both forwarding to blue, two revisions of
// the task definition "web" (images app:1 and app:2, port 8080), and the
// CODE_DEPLOY service "web" on blue with 2 tasks.
func (e *env) setup() {
	e.t.Helper()
	lbOut, err := e.elb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("alb"), Subnets: []string{"subnet-a", "subnet-b"}})
	e.check(err)
	lbARN := lbOut.LoadBalancers[0].LoadBalancerArn
	tg := func(name string) string {
		out, err := e.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp,
			Port: aws.Int32(8080), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp})
		e.check(err)
		return *out.TargetGroups[0].TargetGroupArn
	}
	e.blueTG, e.greenTG = tg("blue"), tg("green")
	listener := func(port int32) string {
		out, err := e.elb.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbARN, Port: aws.Int32(port), Protocol: elbtypes.ProtocolEnumHttp,
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(e.blueTG)}}})
		e.check(err)
		return *out.Listeners[0].ListenerArn
	}
	e.prodL, e.testL = listener(80), listener(8080)
	_, err = e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c")})
	e.check(err)
	for i := 1; i <= 2; i++ {
		_, err := e.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(webTD),
			NetworkMode: ecstypes.NetworkModeAwsvpc, RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
			Cpu: aws.String("256"), Memory: aws.String("512"),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String(fmt.Sprintf("app:%d", i)),
				PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080)}}}}})
		e.check(err)
	}
	_, err = e.ecs.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("c"), ServiceName: aws.String("web"),
		TaskDefinition: aws.String("web:1"), DesiredCount: aws.Int32(2), LaunchType: ecstypes.LaunchTypeFargate,
		DeploymentController: &ecstypes.DeploymentController{Type: ecstypes.DeploymentControllerTypeCodeDeploy},
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-a", "subnet-b"}}},
		LoadBalancers:        []ecstypes.LoadBalancer{{TargetGroupArn: aws.String(e.blueTG), ContainerName: aws.String("app"), ContainerPort: aws.Int32(8080)}}})
	e.check(err)
	e.em.Advance(time.Minute)
}

// group creates the application "app" and the deployment group "dg" for
// the service; mod may change the input first.
func (e *env) group(mod func(*cd.CreateDeploymentGroupInput)) {
	e.t.Helper()
	_, err := e.dep.CreateApplication(ctx, &cd.CreateApplicationInput{ApplicationName: aws.String("app"), ComputePlatform: cdtypes.ComputePlatformEcs})
	e.check(err)
	in := e.groupInput()
	if mod != nil {
		mod(in)
	}
	_, err = e.dep.CreateDeploymentGroup(ctx, in)
	e.check(err)
}

func (e *env) groupInput() *cd.CreateDeploymentGroupInput {
	return &cd.CreateDeploymentGroupInput{
		ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg"),
		ServiceRoleArn:  aws.String("arn:aws:iam::000000000000:role/codedeploy"),
		DeploymentStyle: &cdtypes.DeploymentStyle{DeploymentType: cdtypes.DeploymentTypeBlueGreen, DeploymentOption: cdtypes.DeploymentOptionWithTrafficControl},
		BlueGreenDeploymentConfiguration: &cdtypes.BlueGreenDeploymentConfiguration{
			DeploymentReadyOption:                     &cdtypes.DeploymentReadyOption{ActionOnTimeout: cdtypes.DeploymentReadyActionContinueDeployment},
			TerminateBlueInstancesOnDeploymentSuccess: &cdtypes.BlueInstanceTerminationOption{Action: cdtypes.InstanceActionTerminate, TerminationWaitTimeInMinutes: 0},
		},
		AutoRollbackConfiguration: &cdtypes.AutoRollbackConfiguration{Enabled: true, Events: []cdtypes.AutoRollbackEvent{cdtypes.AutoRollbackEventDeploymentFailure}},
		EcsServices:               []cdtypes.ECSService{{ClusterName: aws.String("c"), ServiceName: aws.String("web")}},
		LoadBalancerInfo: &cdtypes.LoadBalancerInfo{TargetGroupPairInfoList: []cdtypes.TargetGroupPairInfo{{
			TargetGroups:     []cdtypes.TargetGroupInfo{{Name: aws.String("blue")}, {Name: aws.String("green")}},
			ProdTrafficRoute: &cdtypes.TrafficRoute{ListenerArns: []string{e.prodL}},
			TestTrafficRoute: &cdtypes.TrafficRoute{ListenerArns: []string{e.testL}},
		}}},
	}
}

// appSpec is an AppSpec deploying web:rev with the given hooks YAML.
// linearConfig creates an ECS deployment config that shifts percent of the
// traffic every interval minutes.
func (e *env) linearConfig(name string, percent, interval int32) {
	_, err := e.dep.CreateDeploymentConfig(ctx, &cd.CreateDeploymentConfigInput{DeploymentConfigName: aws.String(name),
		ComputePlatform: cdtypes.ComputePlatformEcs, TrafficRoutingConfig: &cdtypes.TrafficRoutingConfig{Type: cdtypes.TrafficRoutingTypeTimeBasedLinear,
			TimeBasedLinear: &cdtypes.TimeBasedLinear{LinearPercentage: percent, LinearInterval: interval}}})
	e.check(err)
}

func (e *env) appSpec(rev int, hooks string) string {
	return fmt.Sprintf(`version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:%d"
        LoadBalancerInfo:
          ContainerName: "app"
          ContainerPort: 8080
%s`, rev, hooks)
}

func (e *env) deploy(spec string, config string) string {
	e.t.Helper()
	in := &cd.CreateDeploymentInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("dg"),
		Revision: &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent,
			AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(spec)}}}
	if config != "" {
		in.DeploymentConfigName = aws.String(config)
	}
	out, err := e.dep.CreateDeployment(ctx, in)
	e.check(err)
	return *out.DeploymentId
}

func (e *env) deployment(id string) *cdtypes.DeploymentInfo {
	e.t.Helper()
	out, err := e.dep.GetDeployment(ctx, &cd.GetDeploymentInput{DeploymentId: aws.String(id)})
	e.check(err)
	return out.DeploymentInfo
}

// forwards is the listener's forward weights by target group name.
func (e *env) forwards(listener string) map[string]int {
	e.t.Helper()
	ws, err := e.lb.ForwardWeights(listener)
	e.check(err)
	out := map[string]int{}
	for _, w := range ws {
		out[targetGroupName(w.TargetGroupARN)] = w.Weight
	}
	return out
}

func (e *env) taskSets() []ecstypes.TaskSet {
	e.t.Helper()
	out, err := e.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{"web"}})
	e.check(err)
	return out.Services[0].TaskSets
}

// runUntil advances time a second at a time until the deployment leaves
// the statuses given, or the limit passes; it returns the deployment.
func (e *env) runUntil(id string, limit time.Duration, while ...cdtypes.DeploymentStatus) *cdtypes.DeploymentInfo {
	e.t.Helper()
	for elapsed := time.Duration(0); ; elapsed += 5 * time.Second {
		d := e.deployment(id)
		still := false
		for _, s := range while {
			still = still || d.Status == s
		}
		if !still || elapsed >= limit {
			return d
		}
		e.em.Advance(5 * time.Second)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// isCode reports whether err is an AWS error with the code.
func isCode(err error, code string) bool {
	var local *emulator.APIError
	if errorsAs(err, &local) {
		return local.Code == code && local.Status() == 400
	}
	var ae interface{ ErrorCode() string }
	return err != nil && errorsAs(err, &ae) && ae.ErrorCode() == code
}

// drainTime is long enough for a deleted task set to go: its targets drain
// for the target group's default deregistration delay (300 s), then the
// tasks stop.
const drainTime = 6 * time.Minute
