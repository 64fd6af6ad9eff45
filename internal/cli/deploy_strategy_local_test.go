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
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// strategyECS is a local ECS on a manual clock with an Application Load
// Balancer and a rolling service "web" in cluster "c" (container "app", port
// 8080, two tasks) behind target group "blue". Target group "green" is
// free; listener rule prod (port 80) and rule test (port 8080) forward all
// their traffic to blue.
type strategyECS struct {
	*codeDeployECS        // for its load balancer and share (no CodeDeploy here)
	prod, test     string // listener rule ARNs
}

const lbRole = "arn:aws:iam::000000000000:role/ecs-lb"

func newStrategyECS(t testing.TB, dc *types.DeploymentConfiguration) *strategyECS {
	t.Helper()
	ctx := context.Background()
	em := newManualEmulator(emulator.Options{Seed: 7})
	t.Cleanup(func() { _ = em.Close() })
	lb := elbv2.Register(em)
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := elb.NewFromConfig(cfg)
	e := &strategyECS{codeDeployECS: &codeDeployECS{localECS: &localECS{em: em, client: ecs.NewFromConfig(cfg)}, lb: lb, elb: c}}
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	alb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("alb"), Subnets: []string{"subnet-1", "subnet-2"}})
	check(err)
	e.blue, e.green = targetGroupPair(t, c, "blue", "green")
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
	td := registerFargateWeb(t, e.client)
	in := &ecs.CreateServiceInput{Cluster: aws.String("c"), ServiceName: aws.String("web"),
		TaskDefinition: td, DesiredCount: aws.Int32(2), LaunchType: types.LaunchTypeFargate,
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

// TestLocalDeployStrategySwitchesRollingService: --strategy with its
// settings turns a rolling service into a blue-green, linear or canary one
// in the same UpdateService that deploys the new revision; that deployment
// already shifts traffic by the new strategy and succeeds with production
// traffic on the alternate target group, the PRIMARY deployment on our
// revision, and the CI outputs naming the service deployment and strategy.
func TestLocalDeployStrategySwitchesRollingService(t *testing.T) {
	t.Parallel()
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
			r := decodeCodeDeploy(t, stdout)
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

// nativeService is the deployment configuration of a service created on
// one of ECS's own strategies (with its advanced configuration).
func nativeService(s types.DeploymentStrategy, bake int32) *types.DeploymentConfiguration {
	dc := &types.DeploymentConfiguration{Strategy: s, BakeTimeInMinutes: aws.Int32(bake)}
	switch s {
	case types.DeploymentStrategyCanary:
		dc.CanaryConfiguration = &types.CanaryConfiguration{CanaryPercent: aws.Float64(10), CanaryBakeTimeInMinutes: aws.Int32(2)}
	case types.DeploymentStrategyLinear:
		dc.LinearConfiguration = &types.LinearConfiguration{StepPercent: aws.Float64(20), StepBakeTimeInMinutes: aws.Int32(1)}
	}
	return dc
}

// TestLocalDeployStrategyFailures: a deployment by ECS's own strategies that
// goes wrong exits 1 with the diagnosis (an alarm in ALARM during the bake
// time names the alarm; a crashing revision trips the circuit breaker),
// after ECS's rollback has put production traffic back on the original
// target group and the old revision is PRIMARY again; a timeout exits 3
// naming the stage the deployment was at.
func TestLocalDeployStrategyFailures(t *testing.T) {
	t.Parallel()
	t.Run("alarm during bake time", func(t *testing.T) {
		e := newStrategyECS(t, nativeService(types.DeploymentStrategyBlueGreen, 10))
		// The alarm fires three minutes after the deploy starts: traffic has
		// shifted by then and the ten-minute bake time is running.
		if err := e.em.SetScenario(&scenario.Scenario{Alarms: []scenario.Alarm{{Name: "web-5xx", State: "ALARM", After: scenario.Duration(3 * time.Minute), Reason: "5xx above 1%"}}}); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--alarm", "web-5xx", "--alarm-rollback", "--rollback", "-t", "40m", "--output", "json")
		if code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		r := decodeCodeDeploy(t, stdout)
		if r.Outcome != "failed" || !strings.Contains(r.Reason, "web-5xx") || !strings.Contains(r.Reason, "BAKE_TIME") {
			t.Fatalf("report: %+v; want a failure naming the alarm during BAKE_TIME", r)
		}
		if !strings.Contains(stderr, "ECS rolls a failed blue-green deployment back itself") {
			t.Errorf("--rollback on a native strategy does not say that ECS rolls back:\n%s", stderr)
		}
		e.checkRolledBack(t)
	})
	t.Run("crashing revision", func(t *testing.T) {
		dc := nativeService(types.DeploymentStrategyCanary, 5)
		dc.DeploymentCircuitBreaker = &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}
		e := newStrategyECS(t, dc)
		exit := 1
		if err := e.em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "web:crash", ExitCode: &exit, ExitAfter: scenario.Duration(5 * time.Second)}}}); err != nil {
			t.Fatal(err)
		}
		code, stdout, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:crash", "-t", "40m", "--output", "json")
		if code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		if r := decodeCodeDeploy(t, stdout); r.Outcome != "failed" || r.Strategy != "canary" {
			t.Fatalf("report: %+v", r)
		}
		e.checkRolledBack(t)
	})
	t.Run("timeout", func(t *testing.T) {
		e := newStrategyECS(t, nativeService(types.DeploymentStrategyLinear, 5))
		code, stdout, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "-t", "3m", "--output", "json")
		if code != 3 {
			t.Fatalf("exit %d, want 3", code)
		}
		r := decodeCodeDeploy(t, stdout)
		if r.Outcome != "timed-out" || !strings.Contains(r.Reason, "PRODUCTION_TRAFFIC_SHIFT") {
			t.Fatalf("report: %+v; want a timeout at PRODUCTION_TRAFFIC_SHIFT (five linear steps of a minute)", r)
		}
		if p := e.share(t, e.prod, e.green); p <= 0 || p >= 100 {
			t.Errorf("production rule forwards %d%% to green; want a linear step in between when the wait gave up", p)
		}
	})
	t.Run("timeout with rollback", func(t *testing.T) {
		e := newStrategyECS(t, nativeService(types.DeploymentStrategyLinear, 5))
		code, stdout, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "-t", "3m", "--rollback", "--output", "json")
		if code != 3 {
			t.Fatalf("exit %d, want 3", code)
		}
		wantTimedOutAndRolledBack(t, stdout, "ROLLBACK")
		e.checkRolledBack(t)
	})
}

// checkRolledBack asserts that production and test traffic are back on the
// original target group and the PRIMARY deployment runs web:1.
func (e *strategyECS) checkRolledBack(t *testing.T) {
	t.Helper()
	if p := e.share(t, e.prod, e.blue); p != 100 {
		t.Errorf("production rule forwards %d%% to blue, want all of it back", p)
	}
	if p := e.share(t, e.test, e.blue); p != 100 {
		t.Errorf("test rule forwards %d%% to blue, want all of it back", p)
	}
	if got := e.primaryRuns(t); !strings.HasSuffix(got, "task-definition/web:1") {
		t.Errorf("PRIMARY deployment runs %s after the rollback, want web:1", got)
	}
}

// TestLocalDeployStrategyNoWait: --no-wait on a native strategy returns
// once the service deployment exists, with its ARN, exit 0.
func TestLocalDeployStrategyNoWait(t *testing.T) {
	t.Parallel()
	e := newStrategyECS(t, nativeService(types.DeploymentStrategyBlueGreen, 1))
	code, stdout, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--no-wait", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	r := decodeCodeDeploy(t, stdout)
	if r.Outcome != "updated" || !strings.Contains(r.DeploymentID, ":service-deployment/") || r.Strategy != "blue-green" {
		t.Fatalf("report: %+v", r)
	}
	out, err := e.client.DescribeServiceDeployments(context.Background(), &ecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{r.DeploymentID}})
	if err != nil || len(out.ServiceDeployments) != 1 || out.ServiceDeployments[0].Status != types.ServiceDeploymentStatusInProgress {
		t.Fatalf("the service deployment the report names: %+v %v; want it in progress", out, err)
	}
}

// TestLocalDeployStrategyBadInput: settings ECS would refuse, or that the
// service cannot take, exit 2 naming the flag (or the spec's key and line)
// before any revision is registered.
func TestLocalDeployStrategyBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newStrategyECS(t, nil)
	// Two more services in the cluster: one without a load balancer, one
	// deployed by another tool (EXTERNAL controller).
	for _, name := range []string{"nolb", "ext"} {
		in := &ecs.CreateServiceInput{Cluster: aws.String("c"), ServiceName: aws.String(name), TaskDefinition: aws.String("web:1"),
			DesiredCount: aws.Int32(1), LaunchType: types.LaunchTypeFargate,
			NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}}}
		if name == "ext" {
			in.DeploymentController = &types.DeploymentController{Type: types.DeploymentControllerTypeExternal}
			in.LaunchType, in.NetworkConfiguration, in.TaskDefinition = "", nil, nil
		}
		if _, err := e.client.CreateService(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	lambda := "arn:aws:lambda:us-east-1:000000000000:function:smoke"
	spec := filepath.Join(t.TempDir(), "deploy.yaml")
	if err := os.WriteFile(spec, []byte("cluster: c\nservice: web\nstrategy: canary\ncanaryPercent: 150\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string // in the error
	}{
		{"canary percent below 0.1", []string{"--strategy", "canary", "--canary-percent", "0.05"}, "--canary-percent: 0.05 is outside 0.1 to 100"},
		{"spec canary percent over 100", []string{"-f", spec}, "deploy.yaml:4: canaryPercent: 150 is outside 0.1 to 100"},
		{"linear step below 3", []string{"--strategy", "linear", "--linear-step-percent", "2.5"}, "--linear-step-percent: 2.5 is outside 3 to 100"},
		{"bake time over a day", []string{"--strategy", "blue-green", "--bake-time", "25h"}, "--bake-time: 25h0m0s is outside 0 to 24h"},
		{"bake time not in minutes", []string{"--strategy", "blue-green", "--bake-time", "90s"}, "--bake-time: ECS counts it in whole minutes"},
		{"unknown lifecycle stage", []string{"--strategy", "canary", "--lifecycle-hook", "AFTER_EVERYTHING=" + lambda, "--lifecycle-hook-role", lbRole}, `--lifecycle-hook: "AFTER_EVERYTHING" is not a lifecycle stage`},
		{"pause where ECS cannot", []string{"--strategy", "canary", "--pause-at", "PRODUCTION_TRAFFIC_SHIFT"}, "--pause-at: ECS cannot pause at PRODUCTION_TRAFFIC_SHIFT"},
		{"pause on a rolling service", []string{"--pause-at", "POST_TEST_TRAFFIC_SHIFT"}, "--pause-at: belongs to the blue-green, linear and canary strategy, but service web deploys with rolling"},
		{"hook with rolling strategy", []string{"--strategy", "rolling", "--lifecycle-hook", "POST_SCALE_UP=" + lambda}, "--lifecycle-hook: belongs to the blue-green, linear and canary strategy, but the strategy is rolling"},
		{"canary percent on a rolling service", []string{"--canary-percent", "10"}, "--canary-percent: belongs to the canary strategy"},
		{"alternate is production", []string{"--strategy", "blue-green", "--bake-time", "1m", "--alternate-target-group", e.blue, "--production-listener-rule", e.prod}, "--alternate-target-group: " + e.blue + " is the production target group"},
		{"no advanced configuration", []string{"--strategy", "canary"}, "--alternate-target-group: required: the load balancer of service web"},
		{"lambda hook without a role", []string{"--strategy", "canary", "--lifecycle-hook", "POST_SCALE_UP=" + lambda}, "--lifecycle-hook-role: required with a Lambda lifecycle hook"},
		{"no load balancer", []string{"-n", "nolb", "--strategy", "blue-green", "--bake-time", "1m"}, "--strategy: service nolb has no load balancer"},
		{"external controller", []string{"-n", "ext", "--strategy", "canary"}, "--strategy: service ext uses the EXTERNAL deployment controller"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"deploy", "-i", "app=web:2"}
			if !strings.Contains(strings.Join(tc.args, " "), "-f ") {
				args = append(args, "-c", "c")
				if !strings.Contains(strings.Join(tc.args, " "), "-n ") {
					args = append(args, "-n", "web")
				}
			}
			code, _, stderr := e.run(t, append(args, tc.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Fatalf("error does not say %q:\n%s", tc.want, stderr)
			}
		})
	}
	out, err := e.client.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("web")})
	if err != nil || len(out.TaskDefinitionArns) != 1 {
		t.Fatalf("revisions after refused deploys: %v %v, want only web:1", out, err)
	}
}

// TestLocalDiffShowsStrategyChange: diff lists the strategy and its
// settings as service changes, and changes nothing.
func TestLocalDiffShowsStrategyChange(t *testing.T) {
	t.Parallel()
	e := newStrategyECS(t, nil)
	code, stdout, _ := e.run(t, append([]string{"diff", "-c", "c", "-n", "web", "--strategy", "canary", "--canary-percent", "20", "--bake-time", "5m"}, e.advanced()...)...)
	if code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	for _, want := range []string{"strategy: (none) → CANARY", "bakeTimeInMinutes: (none) → 5", `canaryConfiguration: (none) → {"canaryBakeTimeInMinutes":10,"canaryPercent":20}`, "loadBalancers:", e.green} {
		if !strings.Contains(stdout, want) {
			t.Errorf("diff lacks %q:\n%s", want, stdout)
		}
	}
	if dc := e.service(t).DeploymentConfiguration; dc != nil && dc.Strategy != "" && dc.Strategy != types.DeploymentStrategyRolling {
		t.Fatalf("diff changed the service: %+v", dc)
	}
}

// TestLocalDeployCodeDeployWritesOutputs: a CODE_DEPLOY deploy writes the
// CI outputs too, with the CodeDeploy deployment id and strategy codedeploy;
// --strategy on such a service exits 2.
func TestLocalDeployCodeDeployWritesOutputs(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, nil)
	outputs := filepath.Join(t.TempDir(), "outputs")
	code, stdout, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "-t", "30m", "--outputs-file", outputs, "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	r := decodeCodeDeploy(t, stdout)
	// ECS's own strategies are not for a CODE_DEPLOY service.
	if code, _, stderr := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:3", "--strategy", "canary"); code != 2 ||
		!strings.Contains(stderr, "--strategy: service web uses the CODE_DEPLOY deployment controller") {
		t.Errorf("--strategy on a CODE_DEPLOY service: exit %d, want 2 naming --strategy", code)
	}
	b, err := os.ReadFile(outputs)
	if err != nil {
		t.Fatal(err)
	}
	want := "TaskDefinitionRevision=2\nTaskDefinitionFamily=web\nClusterName=c\nServiceName=web\nRegion=us-east-1\nDeploymentId=" + r.DeploymentID + "\nStrategy=codedeploy\n"
	if r.DeploymentID == "" || string(b) != want {
		t.Fatalf("outputs:\n%s\nwant:\n%s", b, want)
	}
}

// TestLocalDeployStrategyHooks: --lifecycle-hook and --pause-at become the
// service's lifecycle hooks. A Lambda hook that fails rolls the deployment
// back (exit 1, the hook named); a pause holds the deployment until
// promote, so a deploy without one times out (exit 3) saying where it
// waits.
func TestLocalDeployStrategyHooks(t *testing.T) {
	t.Parallel()
	fn := "arn:aws:lambda:us-east-1:000000000000:function:smoke-test"
	role := "arn:aws:iam::000000000000:role/ecs-hooks"
	t.Run("failing Lambda hook", func(t *testing.T) {
		e := newStrategyECS(t, nativeService(types.DeploymentStrategyBlueGreen, 1))
		if err := e.em.SetScenario(&scenario.Scenario{Hooks: []scenario.Hook{{Match: "smoke-*", Result: scenario.HookFailed}}}); err != nil {
			t.Fatal(err)
		}
		code, stdout, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--lifecycle-hook", "POST_TEST_TRAFFIC_SHIFT="+fn, "--lifecycle-hook-role", role, "-t", "30m", "--output", "json")
		if code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		if r := decodeCodeDeploy(t, stdout); !strings.Contains(r.Reason, "smoke-test") {
			t.Fatalf("report: %+v; want the failed hook named", r)
		}
		hooks := e.service(t).DeploymentConfiguration.LifecycleHooks
		if len(hooks) != 1 || aws.ToString(hooks[0].HookTargetArn) != fn || aws.ToString(hooks[0].RoleArn) != role {
			t.Fatalf("service's lifecycle hooks %+v", hooks)
		}
		e.checkRolledBack(t)
	})
	t.Run("pause", func(t *testing.T) {
		e := newStrategyECS(t, nativeService(types.DeploymentStrategyCanary, 1))
		code, stdout, stderr := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--pause-at", "post_test_traffic_shift", "-t", "10m", "--output", "json")
		if code != 3 {
			t.Fatalf("exit %d, want 3", code)
		}
		if r := decodeCodeDeploy(t, stdout); !strings.Contains(r.Reason, "POST_TEST_TRAFFIC_SHIFT") {
			t.Fatalf("report: %+v; want the timeout at the paused stage", r)
		}
		if !strings.Contains(stderr, "paused at POST_TEST_TRAFFIC_SHIFT") {
			t.Errorf("progress does not say the deployment paused:\n%s", stderr)
		}
		if p := e.share(t, e.prod, e.blue); p != 100 {
			t.Errorf("production rule forwards %d%% to blue while paused before the shift, want 100%%", p)
		}
	})
}

// TestLocalDeployStrategyFromSpec: the spec's keys do what the flags do.
func TestLocalDeployStrategyFromSpec(t *testing.T) {
	t.Parallel()
	e := newStrategyECS(t, nil)
	spec := filepath.Join(t.TempDir(), "deploy.yaml")
	body := "cluster: c\nservice: web\nimages: {app: \"web:#{Tag}\"}\nstrategy: linear\nlinearStepPercent: 50\nlinearStepBakeTime: 1m\nbakeTime: 0\n" +
		"alternateTargetGroup: " + e.green + "\nproductionListenerRule: " + e.prod + "\n" +
		"lifecycleHooks: [\"POST_SCALE_UP=arn:aws:lambda:us-east-1:000000000000:function:warm-up\"]\nlifecycleHookRole: arn:aws:iam::000000000000:role/ecs-hooks\n"
	if err := os.WriteFile(spec, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := e.run(t, "deploy", "-f", spec, "--var", "Tag=2", "-t", "30m", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	if r := decodeCodeDeploy(t, stdout); r.Strategy != "linear" || r.Outcome != "succeeded" {
		t.Fatalf("report: %+v", r)
	}
	dc := e.service(t).DeploymentConfiguration
	if dc.Strategy != types.DeploymentStrategyLinear || aws.ToFloat64(dc.LinearConfiguration.StepPercent) != 50 || len(dc.LifecycleHooks) != 1 {
		t.Fatalf("deploymentConfiguration %+v", dc)
	}
	if p := e.share(t, e.prod, e.green); p != 100 {
		t.Fatalf("production rule forwards %d%% to green, want 100%%", p)
	}
}

// TestLocalDeployStrategyBackToRolling: --strategy rolling makes a canary
// service roll again; the rolling report and outputs say "rolling".
func TestLocalDeployStrategyBackToRolling(t *testing.T) {
	t.Parallel()
	e := newStrategyECS(t, nativeService(types.DeploymentStrategyCanary, 1))
	outputs := filepath.Join(t.TempDir(), "outputs")
	code, stdout, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--strategy", "rolling", "-t", "30m", "--outputs-file", outputs, "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	r := decodeCodeDeploy(t, stdout)
	if r.Strategy != "rolling" || r.Outcome != "succeeded" || !strings.HasPrefix(r.DeploymentID, "ecs-svc/") {
		t.Fatalf("report: %+v", r)
	}
	if dc := e.service(t).DeploymentConfiguration; dc == nil || dc.Strategy != types.DeploymentStrategyRolling {
		t.Fatalf("deploymentConfiguration %+v, want ROLLING", dc)
	}
	if got := e.primaryRuns(t); !strings.HasSuffix(got, "task-definition/web:2") {
		t.Fatalf("PRIMARY runs %s, want web:2", got)
	}
	if b, _ := os.ReadFile(outputs); !strings.Contains(string(b), "Strategy=rolling\n") {
		t.Fatalf("outputs:\n%s", b)
	}
}

// TestLocalDeployCodeDeployNoWaitAndRollback: --no-wait on a CODE_DEPLOY
// service returns once the CodeDeploy deployment exists (its id in the
// report and outputs, exit 0); --rollback with a failing hook is left to
// the group's auto-rollback, which deploy says instead of rolling back again.
func TestLocalDeployCodeDeployNoWaitAndRollback(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, &scenario.Scenario{Hooks: []scenario.Hook{{Match: "check-prod", Result: scenario.HookFailed}}})
	outputs := filepath.Join(t.TempDir(), "outputs")
	code, stdout, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--no-wait", "--outputs-file", outputs, "--output", "json")
	if code != 0 {
		t.Fatalf("--no-wait: exit %d, want 0", code)
	}
	r := decodeCodeDeploy(t, stdout)
	if r.Outcome != "updated" || r.DeploymentID == "" {
		t.Fatalf("--no-wait report: %+v", r)
	}
	if b, _ := os.ReadFile(outputs); !strings.Contains(string(b), "DeploymentId="+r.DeploymentID+"\n") {
		t.Fatalf("outputs:\n%s", b)
	}
	// Let that deployment finish before the next one.
	e.em.Advance(30 * time.Minute)
	code, _, stderr := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:3", "--hook", "AfterAllowTraffic=check-prod", "--rollback", "-t", "30m")
	if code != 1 {
		t.Fatalf("failing hook with --rollback: exit %d, want 1", code)
	}
	if !strings.Contains(stderr, "rolls back by its own auto-rollback configuration") {
		t.Errorf("--rollback does not say the group rolls back:\n%s", stderr)
	}
	if p := e.share(t, e.prod, e.green); p != 100 {
		t.Errorf("production listener forwards %d%% to green (where web:2 runs), want all of it back there", p)
	}
}

// TestLocalDeployFleetRefusesNativeStrategy: a fleet judges its services as
// rolling deploys, so a target that would deploy by canary is invalid input
// before any target changes, saying how to make it rolling where the
// strategy was given: the flag, or the spec file's line.
func TestLocalDeployFleetRefusesNativeStrategy(t *testing.T) {
	t.Parallel()
	e := newStrategyECS(t, nil)
	if _, err := e.client.CreateService(context.Background(), &ecs.CreateServiceInput{Cluster: aws.String("c"), ServiceName: aws.String("worker"),
		TaskDefinition: aws.String("web:1"), DesiredCount: aws.Int32(1), LaunchType: types.LaunchTypeFargate,
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}}}); err != nil {
		t.Fatal(err)
	}
	e.em.Advance(time.Minute)
	args := append([]string{"deploy", "-c", "c", "-n", "worker", "-n", "web", "-i", "app=web:2", "--strategy", "canary"}, e.advanced()...)
	code, _, stderr := e.run(t, args...)
	if code != 2 || !strings.Contains(stderr, "a fleet deploys rolling services only: deploy it on its own (or give it --strategy rolling)") {
		t.Fatalf("exit %d, want 2 saying a fleet deploys rolling services only and the flag to change:\n%s", code, stderr)
	}

	dir := t.TempDir()
	web, worker := filepath.Join(dir, "web.yml"), filepath.Join(dir, "worker.yml")
	for path, text := range map[string]string{
		web: "cluster: c\nservice: web\nstrategy: canary\nalternateTargetGroup: " + e.green + "\nproductionListenerRule: " + e.prod +
			"\ntestListenerRule: " + e.test + "\nloadBalancerRole: " + lbRole + "\n",
		worker: "cluster: c\nservice: worker\n",
	} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := e.run(t, "deploy", "-f", worker, "-f", web, "-i", "app=web:2"); code != 2 ||
		!strings.Contains(stderr, "deploy it on its own (or set strategy to rolling at "+web+":3)") {
		t.Fatalf("strategy: canary in a spec: exit %d, %s", code, stderr)
	}
	out, err := e.client.ListTaskDefinitions(context.Background(), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("web")})
	if err != nil || len(out.TaskDefinitionArns) != 1 {
		t.Fatalf("revisions after the refused fleet: %v %v, want only web:1", out, err)
	}
}

// TestLocalDeployCodeDeployTimeoutRollback: with --rollback, a CodeDeploy
// deployment still running at the timeout (a hook that takes two hours) is
// stopped with CodeDeploy's rollback; traffic stays on the original task
// set, and the deploy still exits 3.
func TestLocalDeployCodeDeployTimeoutRollback(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, &scenario.Scenario{Hooks: []scenario.Hook{{Match: "slow-check", After: scenario.Duration(2 * time.Hour)}}})
	before := e.primary(t)
	code, stdout, _ := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--hook", "AfterAllowTestTraffic=slow-check", "-t", "5m", "--rollback", "--output", "json")
	if code != 3 {
		t.Fatalf("exit %d, want 3", code)
	}
	wantTimedOutAndRolledBack(t, stdout, "StopDeployment")
	if got := e.primary(t); got != before {
		t.Errorf("PRIMARY task set runs %s after the rollback, want %s", got, before)
	}
	if p := e.share(t, e.prod, e.blue); p != 100 {
		t.Errorf("production listener forwards %d%% to blue, want 100%%", p)
	}
}

// wantTimedOutAndRolledBack checks deploy's JSON report of a timeout with
// --rollback: timed out, and the rollback, whose action names action,
// succeeded.
func wantTimedOutAndRolledBack(t *testing.T, stdout, action string) {
	t.Helper()
	var r struct {
		Outcome  string `json:"outcome"`
		Rollback *struct {
			Action  string `json:"action"`
			Outcome string `json:"outcome"`
		} `json:"rollback"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Outcome != "timed-out" || r.Rollback == nil || r.Rollback.Outcome != "succeeded" || !strings.Contains(r.Rollback.Action, action) {
		t.Fatalf("report: %+v %+v; want the timed-out deployment stopped with a rollback", r, r.Rollback)
	}
}
