package iampolicy

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
)

// The names awsconfig's call counter records for the clients the commands
// use, blue/green ones included, map to the IAM actions a policy must
// allow. Each call below is refused by the handler: a call counts whether
// or not it succeeds, as it must be allowed either way.
func TestRecordedCallsMapToIAMActions(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	refuse := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"AccessDeniedException","message":"no"}`))
	})
	calls := &awsconfig.CallCounter{}
	ctx := context.Background()
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Handler: refuse, Region: "us-east-1", MaxAttempts: 1, Calls: calls})
	if err != nil {
		t.Fatal(err)
	}
	c := awsconfig.NewClients(cfg)
	arn := aws.String("arn:aws:ecs:us-east-1:123456789012:service-deployment/c/web/x")
	_, _ = c.ECS.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Service: aws.String("web")})
	_, _ = c.ECS.DescribeServiceDeployments(ctx, &ecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{*arn}})
	_, _ = c.ECS.ContinueServiceDeployment(ctx, &ecs.ContinueServiceDeploymentInput{ServiceDeploymentArn: arn, HookId: aws.String("h-1")})
	_, _ = c.ECS.StopServiceDeployment(ctx, &ecs.StopServiceDeploymentInput{ServiceDeploymentArn: arn})
	_, _ = c.CodeDeploy.ContinueDeployment(ctx, &codedeploy.ContinueDeploymentInput{DeploymentId: aws.String("d-1")})
	_, _ = c.CodeDeploy.StopDeployment(ctx, &codedeploy.StopDeploymentInput{DeploymentId: aws.String("d-1")})
	_, _ = c.ELBv2.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String("arn:tg")})
	_, _ = c.ELBv2.ModifyRule(ctx, &elb.ModifyRuleInput{RuleArn: aws.String("arn:rule")})
	_, _ = c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{})
	_, _ = c.Logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")})

	var got []string
	for _, call := range calls.Operations() {
		action, err := ActionOf(call)
		if err != nil {
			t.Errorf("%s: %v", call, err)
			continue
		}
		got = append(got, action)
	}
	sort.Strings(got)
	want := []string{
		"cloudformation:DescribeStacks", "codedeploy:ContinueDeployment", "codedeploy:StopDeployment",
		"ecs:ContinueServiceDeployment", "ecs:DescribeServiceDeployments", "ecs:ListServiceDeployments", "ecs:StopServiceDeployment",
		"elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:ModifyRule", "logs:GetLogEvents",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("recorded calls map to\n%v\nwant\n%v", got, want)
	}
}
