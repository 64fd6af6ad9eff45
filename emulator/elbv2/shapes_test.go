package elbv2

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/internal/awsmodel"
)

// query sends one Query-protocol request signed for ELBv2 in us-east-1
// and returns the status and body.
func query(t *testing.T, em *emulator.Emulator, action string, kv ...string) (int, string) {
	t.Helper()
	form := url.Values{"Action": {action}, "Version": {"2015-12-01"}}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=x")
	rec := httptest.NewRecorder()
	em.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

var arnPattern = regexp.MustCompile(`<(LoadBalancerArn|TargetGroupArn|ListenerArn|RuleArn)>([^<]+)</`)

// firstARN returns the first ARN of the kind in a response.
func firstARN(body, kind string) string {
	for _, m := range arnPattern.FindAllStringSubmatch(body, -1) {
		if m[1] == kind {
			return m[2]
		}
	}
	return ""
}

// TestResponsesFollowBotocoreModel calls every served action and checks
// each reply against the output shape of botocore's elbv2 model.
func TestResponsesFollowBotocoreModel(t *testing.T) {
	model := awsmodel.Load(t, "elbv2")
	if p := model.CheckQueryXML("DescribeTargetHealth", []byte(`<DescribeTargetHealthResponse><DescribeTargetHealthResult><TargetHealthDescriptions><member><Bogus/><TargetHealth><State>fine</State></TargetHealth></member></TargetHealthDescriptions></DescribeTargetHealthResult></DescribeTargetHealthResponse>`)); len(p) != 2 {
		t.Fatalf("the check does not catch an unknown member and a bad enum value: %v", p)
	}
	em, _, _ := newServer(t)
	seen := map[string]bool{}
	call := func(action string, kv ...string) string {
		t.Helper()
		code, body := query(t, em, action, kv...)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", action, code, body)
		}
		seen[action] = true
		for _, p := range model.CheckQueryXML(action, []byte(body)) {
			t.Error(p)
		}
		return body
	}
	lb := firstARN(call("CreateLoadBalancer", "Name", "web", "Subnets.member.1", "subnet-a", "Subnets.member.2", "subnet-b",
		"Tags.member.1.Key", "k", "Tags.member.1.Value", "v"), "LoadBalancerArn")
	tg := firstARN(call("CreateTargetGroup", "Name", "blue", "Protocol", "HTTP", "Port", "80", "VpcId", "vpc-1", "TargetType", "ip",
		"Matcher.HttpCode", "200-299"), "TargetGroupArn")
	tg2 := firstARN(call("CreateTargetGroup", "Name", "green", "Protocol", "HTTP", "Port", "80", "VpcId", "vpc-1", "TargetType", "instance"), "TargetGroupArn")
	call("CreateTargetGroup", "Name", "fn", "TargetType", "lambda")
	l := firstARN(call("CreateListener", "LoadBalancerArn", lb, "Protocol", "HTTP", "Port", "80",
		"DefaultActions.member.1.Type", "forward", "DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn", tg,
		"DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight", "80",
		"DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn", tg2,
		"DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight", "20",
		"DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig.Enabled", "true",
		"DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds", "60"), "ListenerArn")
	call("CreateListener", "LoadBalancerArn", lb, "Protocol", "HTTPS", "Port", "443",
		"Certificates.member.1.CertificateArn", "arn:aws:acm:us-east-1:000000000000:certificate/x",
		"DefaultActions.member.1.Type", "redirect", "DefaultActions.member.1.RedirectConfig.StatusCode", "HTTP_301",
		"DefaultActions.member.1.RedirectConfig.Protocol", "HTTP")
	r := firstARN(call("CreateRule", "ListenerArn", l, "Priority", "5",
		"Conditions.member.1.Field", "host-header", "Conditions.member.1.Values.member.1", "a.example.com",
		"Conditions.member.2.Field", "http-header", "Conditions.member.2.HttpHeaderConfig.HttpHeaderName", "X-Env",
		"Conditions.member.2.HttpHeaderConfig.Values.member.1", "test",
		"Conditions.member.3.Field", "query-string", "Conditions.member.3.QueryStringConfig.Values.member.1.Key", "v",
		"Conditions.member.3.QueryStringConfig.Values.member.1.Value", "2",
		"Actions.member.1.Type", "fixed-response", "Actions.member.1.FixedResponseConfig.StatusCode", "503",
		"Actions.member.1.FixedResponseConfig.ContentType", "text/plain"), "RuleArn")
	call("CreateRule", "ListenerArn", l, "Priority", "6",
		"Conditions.member.1.Field", "source-ip", "Conditions.member.1.SourceIpConfig.Values.member.1", "10.0.0.0/8",
		"Conditions.member.2.Field", "http-request-method", "Conditions.member.2.HttpRequestMethodConfig.Values.member.1", "GET",
		"Actions.member.1.Type", "forward", "Actions.member.1.TargetGroupArn", tg)
	call("ModifyRule", "RuleArn", r, "Actions.member.1.Type", "forward", "Actions.member.1.TargetGroupArn", tg2)
	call("SetRulePriorities", "RulePriorities.member.1.RuleArn", r, "RulePriorities.member.1.Priority", "7")
	call("DescribeRules", "ListenerArn", l)
	call("ModifyListener", "ListenerArn", l, "DefaultActions.member.1.Type", "forward", "DefaultActions.member.1.TargetGroupArn", tg)
	call("DescribeListeners", "LoadBalancerArn", lb, "PageSize", "1")
	call("DescribeLoadBalancers")
	call("DescribeLoadBalancerAttributes", "LoadBalancerArn", lb)
	call("ModifyLoadBalancerAttributes", "LoadBalancerArn", lb, "Attributes.member.1.Key", "idle_timeout.timeout_seconds", "Attributes.member.1.Value", "30")
	call("DescribeTargetGroups")
	call("ModifyTargetGroup", "TargetGroupArn", tg, "HealthCheckPath", "/health")
	call("DescribeTargetGroupAttributes", "TargetGroupArn", tg)
	call("ModifyTargetGroupAttributes", "TargetGroupArn", tg, "Attributes.member.1.Key", "deregistration_delay.timeout_seconds", "Attributes.member.1.Value", "10")
	call("RegisterTargets", "TargetGroupArn", tg, "Targets.member.1.Id", "10.0.0.1", "Targets.member.2.Id", "10.0.0.2", "Targets.member.2.Port", "81")
	call("RegisterTargets", "TargetGroupArn", tg2, "Targets.member.1.Id", "i-0123456789abcdef0")
	em.Advance(time.Minute)
	call("DeregisterTargets", "TargetGroupArn", tg, "Targets.member.1.Id", "10.0.0.2", "Targets.member.1.Port", "81")
	call("DescribeTargetHealth", "TargetGroupArn", tg)
	call("DescribeTargetHealth", "TargetGroupArn", tg, "Targets.member.1.Id", "10.9.9.9")
	call("AddTags", "ResourceArns.member.1", r, "Tags.member.1.Key", "a", "Tags.member.1.Value", "b")
	call("DescribeTags", "ResourceArns.member.1", lb, "ResourceArns.member.2", r, "ResourceArns.member.3", tg)
	call("RemoveTags", "ResourceArns.member.1", r, "TagKeys.member.1", "a")
	call("DeleteRule", "RuleArn", r)
	call("DeleteListener", "ListenerArn", l)
	call("DeleteLoadBalancer", "LoadBalancerArn", lb)
	call("DeleteTargetGroup", "TargetGroupArn", tg)
	for a := range actions {
		if !seen[a] {
			t.Errorf("%s is served but not checked here", a)
		}
	}
}

// TestGoSDKReadsResponses reads the replies with the AWS SDK for Go, which
// parses timestamps and enums strictly.
func TestGoSDKReadsResponses(t *testing.T) {
	em, _, _ := newServer(t)
	ctx := context.Background()
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := elb.NewFromConfig(cfg)
	out, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web"), Subnets: []string{"s-1", "s-2"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToTime(out.LoadBalancers[0].CreatedTime); !got.Equal(t0) {
		t.Errorf("CreatedTime = %v, want %v", got, t0)
	}
	tg, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("tg"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(8080), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: out.LoadBalancers[0].LoadBalancerArn, Port: aws.Int32(80),
		Protocol: elbtypes.ProtocolEnumHttp, DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroups[0].TargetGroupArn}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: tg.TargetGroups[0].TargetGroupArn,
		Targets: []elbtypes.TargetDescription{{Id: aws.String("10.1.2.3")}}}); err != nil {
		t.Fatal(err)
	}
	em.Advance(31 * time.Second)
	h, err := c.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroups[0].TargetGroupArn})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.TargetHealthDescriptions) != 1 || h.TargetHealthDescriptions[0].TargetHealth.State != elbtypes.TargetHealthStateEnumHealthy ||
		aws.ToInt32(h.TargetHealthDescriptions[0].Target.Port) != 8080 {
		t.Errorf("target health: %+v", h.TargetHealthDescriptions)
	}
	_, err = c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{Names: []string{"nope"}})
	var nf *elbtypes.TargetGroupNotFoundException
	if !errorsAs(err, &nf) {
		t.Errorf("describing a missing target group: %v, want TargetGroupNotFoundException", err)
	}
}
