package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/elbv2"
)

// strategyECS is a local ECS on a manual clock with an Application Load
// Balancer and a rolling service "web" in cluster "c" (container "app", port
// 8080, two tasks) behind target group "blue". Target group "green" is
// free; listener rule prod (port 80) and rule test (port 8080) forward all
// their traffic to blue.
type strategyECS struct {
	*localECS
	lb          *elbv2.Service
	blue, green string
	prod, test  string // listener rule ARNs
}

const lbRole = "arn:aws:iam::000000000000:role/ecs-lb"

func newStrategyECS(t *testing.T, dc *types.DeploymentConfiguration) *strategyECS {
	t.Helper()
	ctx := context.Background()
	em := newManualEmulator(emulator.Options{Seed: 7})
	t.Cleanup(func() { _ = em.Close() })
	lb := elbv2.Register(em)
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	e := &strategyECS{localECS: &localECS{em: em, client: ecs.NewFromConfig(cfg)}, lb: lb}
	c := elb.NewFromConfig(cfg)
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	alb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("alb"), Subnets: []string{"subnet-1", "subnet-2"}})
	check(err)
	tg := func(name string) string {
		out, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp,
			Port: aws.Int32(8080), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp})
		check(err)
		return aws.ToString(out.TargetGroups[0].TargetGroupArn)
	}
	e.blue, e.green = tg("blue"), tg("green")
	rule := func(port int32) string {
		lis, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: alb.LoadBalancers[0].LoadBalancerArn, Port: aws.Int32(port),
			Protocol:       elbtypes.ProtocolEnumHttp,
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse, FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("404")}}}})
		check(err)
		r, err := c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: lis.Listeners[0].ListenerArn, Priority: aws.Int32(1),
			Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{"/*"}}},
			Actions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, ForwardConfig: &elbtypes.ForwardActionConfig{TargetGroups: []elbtypes.TargetGroupTuple{
				{TargetGroupArn: aws.String(e.blue), Weight: aws.Int32(100)}, {TargetGroupArn: aws.String(e.green), Weight: aws.Int32(0)}}}}}})
		check(err)
		return aws.ToString(r.Rules[0].RuleArn)
	}
	e.prod, e.test = rule(80), rule(8080)
	_, err = e.client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c")})
	check(err)
	td, err := e.client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
		NetworkMode: types.NetworkModeAwsvpc, RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("web:1"), Essential: aws.Bool(true),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(8080)}}}}})
	check(err)
	in := &ecs.CreateServiceInput{Cluster: aws.String("c"), ServiceName: aws.String("web"),
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(2), LaunchType: types.LaunchTypeFargate,
		DeploymentConfiguration: dc,
		NetworkConfiguration:    &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1", "subnet-2"}}},
		LoadBalancers:           []types.LoadBalancer{{TargetGroupArn: aws.String(e.blue), ContainerName: aws.String("app"), ContainerPort: aws.Int32(8080)}}}
	if dc != nil && dc.Strategy != "" && dc.Strategy != types.DeploymentStrategyRolling {
		in.LoadBalancers[0].AdvancedConfiguration = &types.AdvancedConfiguration{AlternateTargetGroupArn: aws.String(e.green),
			ProductionListenerRule: aws.String(e.prod), TestListenerRule: aws.String(e.test), RoleArn: aws.String(lbRole)}
	}
	_, err = e.client.CreateService(ctx, in)
	check(err)
	em.Advance(2 * time.Minute)
	return e
}

// share is the percentage of a listener rule's traffic forwarded to the target group.
func (e *strategyECS) share(t *testing.T, rule, targetGroup string) int {
	t.Helper()
	ws, err := e.lb.ForwardWeights(rule)
	if err != nil {
		t.Fatal(err)
	}
	total, ours := 0, 0
	for _, w := range ws {
		total += w.Weight
		if w.TargetGroupARN == targetGroup {
			ours += w.Weight
		}
	}
	if total == 0 {
		t.Fatalf("rule %s forwards nowhere: %+v", rule, ws)
	}
	return ours * 100 / total
}

// primaryRuns is the task definition of the service's PRIMARY deployment.
func (e *strategyECS) primaryRuns(t *testing.T) string {
	t.Helper()
	for _, d := range e.service(t).Deployments {
		if aws.ToString(d.Status) == "PRIMARY" {
			return aws.ToString(d.TaskDefinition)
		}
	}
	return ""
}

// advanced are the flags that give the service's load balancer its
// alternate target group and listener rules.
func (e *strategyECS) advanced() []string {
	return []string{"--alternate-target-group", e.green, "--production-listener-rule", e.prod, "--test-listener-rule", e.test, "--load-balancer-role", lbRole}
}

type strategyJSON struct {
	Strategy              string `json:"strategy"`
	DeploymentID          string `json:"deploymentId"`
	Outcome               string `json:"outcome"`
	Reason                string `json:"reason"`
	TaskDefinition        string `json:"taskDefinition"`
	PrimaryTaskDefinition string `json:"primaryTaskDefinition"`
}

func decodeStrategy(t *testing.T, stdout string) strategyJSON {
	t.Helper()
	var r strategyJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("deploy --output json: %v\n%s", err, stdout)
	}
	return r
}

// TestLocalDeployStrategySwitchesRollingService: --strategy with its
// settings turns a rolling service into a blue-green, linear or canary one
// in the same UpdateService that deploys the new revision; that deployment
// already shifts traffic by the new strategy and succeeds with production
// traffic on the alternate target group, the PRIMARY deployment on our
// revision, and the CI outputs naming the service deployment and strategy.
func TestLocalDeployStrategySwitchesRollingService(t *testing.T) {
	for _, tc := range []struct {
		strategy string
		flags    []string
		want     types.DeploymentStrategy
		check    func(t *testing.T, dc *types.DeploymentConfiguration)
	}{
		{"blue-green", []string{"--bake-time", "2m"}, types.DeploymentStrategyBlueGreen, func(t *testing.T, dc *types.DeploymentConfiguration) {
			if aws.ToInt32(dc.BakeTimeInMinutes) != 2 {
				t.Errorf("bakeTimeInMinutes %v, want 2", dc.BakeTimeInMinutes)
			}
		}},
		{"canary", []string{"--canary-percent", "20", "--canary-bake-time", "3m", "--bake-time", "1m"}, types.DeploymentStrategyCanary, func(t *testing.T, dc *types.DeploymentConfiguration) {
			if cc := dc.CanaryConfiguration; cc == nil || aws.ToFloat64(cc.CanaryPercent) != 20 || aws.ToInt32(cc.CanaryBakeTimeInMinutes) != 3 {
				t.Errorf("canaryConfiguration %+v, want 20%% for 3 minutes", cc)
			}
		}},
		{"linear", []string{"--linear-step-percent", "25", "--linear-step-bake-time", "1m", "--bake-time", "0"}, types.DeploymentStrategyLinear, func(t *testing.T, dc *types.DeploymentConfiguration) {
			if lc := dc.LinearConfiguration; lc == nil || aws.ToFloat64(lc.StepPercent) != 25 || aws.ToInt32(lc.StepBakeTimeInMinutes) != 1 {
				t.Errorf("linearConfiguration %+v, want 25%% every minute", lc)
			}
		}},
	} {
		t.Run(tc.strategy, func(t *testing.T) {
			e := newStrategyECS(t, nil)
			outputs := filepath.Join(t.TempDir(), "outputs")
			args := append([]string{"deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--strategy", tc.strategy, "-t", "40m",
				"--outputs-file", outputs, "--output", "json"}, tc.flags...)
			code, stdout, stderr := e.run(t, append(args, e.advanced()...)...)
			if code != 0 {
				t.Fatalf("exit %d, want 0", code)
			}
			r := decodeStrategy(t, stdout)
			if r.Strategy != tc.strategy || r.Outcome != "succeeded" || !strings.Contains(r.DeploymentID, ":service-deployment/") {
				t.Fatalf("report: %+v", r)
			}
			if got := e.primaryRuns(t); !strings.HasSuffix(got, "task-definition/web:2") || got != r.TaskDefinition {
				t.Fatalf("PRIMARY deployment runs %s, deployed %s; want web:2", got, r.TaskDefinition)
			}
			if p := e.share(t, e.prod, e.green); p != 100 {
				t.Fatalf("production rule forwards %d%% to the alternate target group, want 100%%", p)
			}
			svc := e.service(t)
			dc := svc.DeploymentConfiguration
			if dc == nil || dc.Strategy != tc.want {
				t.Fatalf("service's deploymentConfiguration %+v, want strategy %s", dc, tc.want)
			}
			tc.check(t, dc)
			if adv := svc.LoadBalancers[0].AdvancedConfiguration; adv == nil || aws.ToString(adv.AlternateTargetGroupArn) != e.green || aws.ToString(adv.ProductionListenerRule) != e.prod {
				t.Fatalf("advancedConfiguration %+v", adv)
			}
			if !strings.Contains(stderr, "PRODUCTION_TRAFFIC_SHIFT") {
				t.Errorf("progress does not show the traffic shift stage:\n%s", stderr)
			}
			b, err := os.ReadFile(outputs)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"TaskDefinitionRevision=2\n", "Strategy=" + tc.strategy + "\n", "DeploymentId=" + r.DeploymentID + "\n"} {
				if !strings.Contains(string(b), want) {
					t.Errorf("outputs lack %q:\n%s", want, b)
				}
			}
		})
	}
}
