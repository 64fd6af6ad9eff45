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
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
	"github.com/ecsdeploy/ecsdeploy/stack/apply"
)

// TestLocalServeUsesTheCloudFormationScenario checks that `local serve`
// reads the CloudFormation scenario kept next to its state, as the stack
// commands with --local do, so a failed state can be reached with the AWS
// CLI too.
func TestLocalServeUsesTheCloudFormationScenario(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "serve.json")
	rules := "rules:\n  - logicalId: Logs\n    operation: create\n    message: no log groups today\n"
	if err := os.WriteFile(filepath.Join(dir, localCloudFormationScenario), []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := testenv.FreeLoopbackAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		code, _, _ := runCLI(t, ctx, "local", "serve", "--addr", addr, "--state", file, "--speed", "100")
		done <- code
	}()
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{EndpointURL: "http://" + addr, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	cf := cloudformation.NewFromConfig(cfg)
	body := "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /demo\n"
	for i := 0; ; i++ {
		_, err = cf.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String("demo"), TemplateBody: aws.String(body)})
		if err == nil || i == 100 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("create stack: %v", err)
	}
	var status, reason string
	for i := 0; i < 200 && !strings.HasSuffix(status, "_COMPLETE") && !strings.HasSuffix(status, "_FAILED"); i++ {
		time.Sleep(20 * time.Millisecond)
		out, err := cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("demo")})
		if err != nil {
			t.Fatal(err)
		}
		status, reason = string(out.Stacks[0].StackStatus), aws.ToString(out.Stacks[0].StackStatusReason)
	}
	if status != "ROLLBACK_COMPLETE" {
		t.Fatalf("the scenario's failing create should roll the stack back; status %s (%s)", status, reason)
	}
	events, err := cf.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: aws.String("demo")})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events.StackEvents {
		found = found || aws.ToString(e.ResourceStatusReason) == "no log groups today"
	}
	if !found {
		t.Fatalf("no event carries the scenario's message: %+v", events.StackEvents)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d", code)
	}
}

// TestLocalServeRefusesADamagedCloudFormationScenario: a scenario that
// cannot be read is named, and nothing is served.
func TestLocalServeRefusesADamagedCloudFormationScenario(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, localCloudFormationScenario), []byte("rules: [oops\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, context.Background(), "local", "serve", "--addr", testenv.FreeLoopbackAddr(t), "--state", filepath.Join(dir, "s.json"))
	if code != 2 || !strings.Contains(errOut, localCloudFormationScenario) || strings.Contains(out, "listening") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}

// TestStackDeployLocalRecoversWhenTheRuleIsUsedUp: a scenario rule with
// times: 1 fails the first `stack deploy --local`; the second one, with the
// scenario file still there, recreates the stack, since the rule's count
// was kept with the stacks.
func TestStackDeployLocalRecoversWhenTheRuleIsUsedUp(t *testing.T) {
	t.Parallel()
	stateDir := t.TempDir()
	local := runOpts{State: stateDir}
	rules := "rules:\n  - logicalId: Service\n    operation: create\n    message: no Fargate capacity today\n    times: 1\n"
	if err := os.WriteFile(filepath.Join(stateDir, localCloudFormationScenario), []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	path := writeSpec(t, localStackSpec)
	args := []string{"--local", "stack", "deploy", "-f", path, "--var", "Image=nginx:1.27", "--stack-poll-interval", "50ms", "--poll-interval", "50ms"}
	code, out, errOut := runStackCLI(t, local, append(args, "--output", "json")...)
	var failed apply.Result
	if err := json.Unmarshal([]byte(out), &failed); err != nil || code != 1 {
		t.Fatalf("first deploy: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	// The report of a failure names the stack by id, its state, and the
	// reasons, in fields of their own.
	if !strings.HasPrefix(failed.StackID, "arn:aws:cloudformation:") || failed.StackStatus != "ROLLBACK_COMPLETE" ||
		strings.HasSuffix(failed.Reason, ":") || len(failed.Failures) != 1 || failed.Failures[0].Reason != "no Fargate capacity today" {
		t.Fatalf("failure report: %+v", failed)
	}
	if code, out, errOut := runStackCLI(t, local, args...); code != 0 || !strings.Contains(out, "recreated") {
		t.Fatalf("second deploy: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestStackDeployRefusesAMissingClusterBeforeTheStack: a spec naming a
// cluster that does not exist is invalid input, named, and no stack is
// created (on AWS it would fail and roll back minutes later).
func TestStackDeployRefusesAMissingClusterBeforeTheStack(t *testing.T) {
	t.Parallel()
	local := runOpts{State: t.TempDir()}
	path := writeSpec(t, "cluster: production\n"+localStackSpec)
	code, out, errOut := runStackCLI(t, local, "--local", "stack", "deploy", "-f", path, "--var", "Image=nginx:1.27", "--output", "json")
	var rep errorReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 2 || rep.Outcome != "invalid" || !strings.Contains(rep.Reason, "cluster production does not exist") {
		t.Fatalf("exit %d, %v\nstdout: %s\nstderr: %s", code, err, out, errOut)
	}
	code, out, _ = runStackCLI(t, local, "--local", "stack", "status", "-f", path, "--var", "Image=nginx:1.27")
	if code != 0 || !strings.Contains(out, "does not exist") {
		t.Fatalf("a stack was created: exit %d\n%s", code, out)
	}
}
