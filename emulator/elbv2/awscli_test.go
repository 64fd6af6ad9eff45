package elbv2

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newServer(t *testing.T) (*emulator.Emulator, *Service, string) {
	t.Helper()
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(t0), Seed: 1, DefaultCluster: true})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	svc := Register(em)
	srv := httptest.NewServer(em)
	t.Cleanup(srv.Close)
	return em, svc, srv.URL
}

func cliJSON(t *testing.T, url string, into any, args ...string) {
	t.Helper()
	out := testenv.RunAWSCLI(t, url, args...)
	if into == nil {
		return
	}
	reflect.ValueOf(into).Elem().SetZero() // a reused variable must not keep members the reply lacks
	if err := json.Unmarshal([]byte(out), into); err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestAWSCLIBuildsALoadBalancer drives the ELBv2 API with the AWS CLI: an
// ALB, two target groups, a listener with weighted forwarding, a rule,
// modifications, target registration and `wait target-in-service`.
func TestAWSCLIBuildsALoadBalancer(t *testing.T) {
	t.Parallel() // the fake AWS environment is set by TestMain
	em, _, url := newServer(t)

	var lbs struct {
		LoadBalancers []struct {
			LoadBalancerArn, DNSName, CreatedTime string
			State                                 struct{ Code string }
			AvailabilityZones                     []struct{ ZoneName, SubnetId string }
		}
	}
	cliJSON(t, url, &lbs, "elbv2", "create-load-balancer", "--name", "web", "--subnets", "subnet-1", "subnet-2",
		"--security-groups", "sg-1", "--tags", "Key=team,Value=a")
	if len(lbs.LoadBalancers) != 1 || lbs.LoadBalancers[0].State.Code != "provisioning" || len(lbs.LoadBalancers[0].AvailabilityZones) != 2 {
		t.Fatalf("create-load-balancer: %+v", lbs)
	}
	if _, err := time.Parse(time.RFC3339, lbs.LoadBalancers[0].CreatedTime); err != nil {
		t.Errorf("CreatedTime %q does not parse: %v", lbs.LoadBalancers[0].CreatedTime, err)
	}
	lbARN := lbs.LoadBalancers[0].LoadBalancerArn
	if !strings.HasPrefix(lbARN, "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/") {
		t.Errorf("load balancer ARN %s", lbARN)
	}
	em.Advance(time.Minute)
	testenv.RunAWSCLI(t, url, "elbv2", "wait", "load-balancer-available", "--load-balancer-arns", lbARN)

	var tgs struct {
		TargetGroups []struct {
			TargetGroupArn             string
			HealthCheckIntervalSeconds int
			HealthyThresholdCount      int
			TargetType                 string
			LoadBalancerArns           []string
		}
	}
	tgARN := func(name string) string {
		cliJSON(t, url, &tgs, "elbv2", "create-target-group", "--name", name, "--protocol", "HTTP", "--port", "80",
			"--vpc-id", "vpc-1", "--target-type", "ip", "--health-check-interval-seconds", "10", "--healthy-threshold-count", "2")
		if len(tgs.TargetGroups) != 1 || tgs.TargetGroups[0].HealthCheckIntervalSeconds != 10 || tgs.TargetGroups[0].TargetType != "ip" {
			t.Fatalf("create-target-group: %+v", tgs)
		}
		return tgs.TargetGroups[0].TargetGroupArn
	}
	blue := tgARN("blue")
	_, body := query(t, em, "CreateTargetGroup", "Name", "green", "Protocol", "HTTP", "Port", "80", "VpcId", "vpc-1", "TargetType", "ip")
	green := firstARN(body, "TargetGroupArn")

	var ls struct {
		Listeners []struct {
			ListenerArn    string
			Port           int
			DefaultActions []struct {
				Type           string
				TargetGroupArn string
				ForwardConfig  struct {
					TargetGroups []struct {
						TargetGroupArn string
						Weight         int
					}
				}
			}
		}
	}
	cliJSON(t, url, &ls, "elbv2", "create-listener", "--load-balancer-arn", lbARN, "--protocol", "HTTP", "--port", "80",
		"--default-actions", "Type=forward,TargetGroupArn="+blue)
	listenerARN := ls.Listeners[0].ListenerArn
	if a := ls.Listeners[0].DefaultActions; len(a) != 1 || a[0].TargetGroupArn != blue || a[0].ForwardConfig.TargetGroups[0].Weight != 1 {
		t.Fatalf("create-listener actions: %+v", a)
	}
	weighted := `[{"Type":"forward","ForwardConfig":{"TargetGroups":[{"TargetGroupArn":"` + blue + `","Weight":90},{"TargetGroupArn":"` + green + `","Weight":10}]}}]`
	cliJSON(t, url, &ls, "elbv2", "modify-listener", "--listener-arn", listenerARN, "--default-actions", weighted)
	if fc := ls.Listeners[0].DefaultActions[0].ForwardConfig.TargetGroups; len(fc) != 2 || fc[0].Weight != 90 || fc[1].Weight != 10 ||
		ls.Listeners[0].DefaultActions[0].TargetGroupArn != "" {
		t.Fatalf("modify-listener weights: %+v", ls.Listeners[0].DefaultActions)
	}

	var rules struct {
		Rules []struct {
			RuleArn, Priority string
			IsDefault         bool
			Conditions        []struct {
				Field             string
				PathPatternConfig struct{ Values []string }
			}
		}
	}
	cliJSON(t, url, &rules, "elbv2", "create-rule", "--listener-arn", listenerARN, "--priority", "10",
		"--conditions", "Field=path-pattern,Values=/api/*", "--actions", "Type=forward,TargetGroupArn="+green)
	ruleARN := rules.Rules[0].RuleArn
	if code, body := query(t, em, "CreateRule", "ListenerArn", listenerARN, "Priority", "10", "Conditions.member.1.Field", "path-pattern",
		"Conditions.member.1.Values.member.1", "/x", "Actions.member.1.Type", "forward", "Actions.member.1.TargetGroupArn", green); code != 400 || !strings.Contains(body, "PriorityInUse") {
		t.Errorf("a second rule with priority 10: %d %s", code, body)
	}
	cliJSON(t, url, &rules, "elbv2", "modify-rule", "--rule-arn", ruleARN, "--conditions",
		`[{"Field":"path-pattern","PathPatternConfig":{"Values":["/v2/*"]}}]`)
	if c := rules.Rules[0].Conditions; len(c) != 1 || c[0].PathPatternConfig.Values[0] != "/v2/*" {
		t.Errorf("modify-rule conditions: %+v", c)
	}
	cliJSON(t, url, &rules, "elbv2", "describe-rules", "--listener-arn", listenerARN)
	if len(rules.Rules) != 2 || rules.Rules[0].Priority != "10" || !rules.Rules[1].IsDefault || rules.Rules[1].Priority != "default" {
		t.Errorf("describe-rules: %+v", rules.Rules)
	}

	cliJSON(t, url, &tgs, "elbv2", "describe-target-groups", "--load-balancer-arn", lbARN)
	if len(tgs.TargetGroups) != 2 || len(tgs.TargetGroups[0].LoadBalancerArns) != 1 {
		t.Errorf("describe-target-groups --load-balancer-arn: %+v", tgs.TargetGroups)
	}
	cliJSON(t, url, &tgs, "elbv2", "modify-target-group", "--target-group-arn", blue, "--health-check-path", "/healthz")
	testenv.RunAWSCLI(t, url, "elbv2", "modify-target-group-attributes", "--target-group-arn", blue,
		"--attributes", "Key=deregistration_delay.timeout_seconds,Value=30")

	testenv.RunAWSCLI(t, url, "elbv2", "register-targets", "--target-group-arn", blue, "--targets", "Id=10.0.0.1", "Id=10.0.0.2,Port=8080")
	var health struct {
		TargetHealthDescriptions []struct {
			Target struct {
				Id   string
				Port int
			}
			TargetHealth struct{ State, Reason string }
		}
	}
	cliJSON(t, url, &health, "elbv2", "describe-target-health", "--target-group-arn", blue)
	if len(health.TargetHealthDescriptions) != 2 || health.TargetHealthDescriptions[0].TargetHealth.State != "initial" {
		t.Fatalf("right after registration: %+v", health)
	}
	em.Advance(15 * time.Second)
	testenv.RunAWSCLI(t, url, "elbv2", "wait", "target-in-service", "--target-group-arn", blue)

	testenv.RunAWSCLI(t, url, "elbv2", "deregister-targets", "--target-group-arn", blue, "--targets", "Id=10.0.0.1")
	cliJSON(t, url, &health, "elbv2", "describe-target-health", "--target-group-arn", blue, "--targets", "Id=10.0.0.1")
	if h := health.TargetHealthDescriptions; len(h) != 1 || h[0].TargetHealth.State != "draining" || h[0].TargetHealth.Reason != "Target.DeregistrationInProgress" {
		t.Fatalf("after deregistration: %+v", h)
	}
	em.Advance(31 * time.Second) // the deregistration delay set above
	cliJSON(t, url, &health, "elbv2", "describe-target-health", "--target-group-arn", blue)
	if h := health.TargetHealthDescriptions; len(h) != 1 || h[0].Target.Port != 8080 {
		t.Fatalf("after the deregistration delay: %+v", h)
	}

	var tags struct {
		TagDescriptions []struct {
			ResourceArn string
			Tags        []struct{ Key, Value string }
		}
	}
	testenv.RunAWSCLI(t, url, "elbv2", "add-tags", "--resource-arns", blue, "--tags", "Key=env,Value=dev")
	cliJSON(t, url, &tags, "elbv2", "describe-tags", "--resource-arns", lbARN, blue)
	if len(tags.TagDescriptions) != 2 || tags.TagDescriptions[0].Tags[0].Key != "team" || tags.TagDescriptions[1].Tags[0].Value != "dev" {
		t.Errorf("describe-tags: %+v", tags)
	}
	if code, body := query(t, em, "DeleteTargetGroup", "TargetGroupArn", green); code != 400 || !strings.Contains(body, "ResourceInUse") {
		t.Errorf("deleting a target group in use: %d %s", code, body)
	}
	query(t, em, "DeleteRule", "RuleArn", ruleARN)
	testenv.RunAWSCLI(t, url, "elbv2", "delete-load-balancer", "--load-balancer-arn", lbARN)
	if code, body := query(t, em, "DeleteTargetGroup", "TargetGroupArn", green); code != 200 {
		t.Errorf("deleting a target group no longer in use: %d %s", code, body)
	}
	cliJSON(t, url, &lbs, "elbv2", "describe-load-balancers")
	if len(lbs.LoadBalancers) != 0 {
		t.Errorf("load balancers left after delete: %+v", lbs)
	}
}
