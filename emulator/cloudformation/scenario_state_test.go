package cloudformation_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkcfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/cloudformation"
)

const logGroupTemplate = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties: {LogGroupName: /demo}\n"

// TestRuleCountsCarryOnAcrossSavedStates: each --local command starts a
// new CloudFormation from the saved state. A rule used `times: 1` by one
// command does not fire again in the next, unless the rules changed; a
// command that sets no rules (not a stack command) keeps the counts.
func TestRuleCountsCarryOnAcrossSavedStates(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	failOnce := cloudformation.Scenario{Rules: []cloudformation.Rule{{LogicalID: "Logs", Operation: cloudformation.OpCreate, Message: "not today", Times: 1}}}
	// command runs one "command": a fresh service from the saved state with
	// the scenario set, one stack created under name, and the state saved.
	command := func(sc cloudformation.Scenario, name string) string {
		em := emulator.New(emulator.Options{Speed: 300})
		defer func() {
			if err := em.Close(); err != nil {
				t.Error(err)
			}
		}()
		cf := cloudformation.Register(em)
		if err := em.LoadState(file); err != nil && name != "first" {
			t.Fatal(err)
		}
		cf.SetScenario(sc)
		cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		client := sdkcfn.NewFromConfig(cfg)
		ctx := context.Background()
		if _, err := client.CreateStack(ctx, &sdkcfn.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(logGroupTemplate)}); err != nil {
			t.Fatal(err)
		}
		status := ""
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			out, err := client.DescribeStacks(ctx, &sdkcfn.DescribeStacksInput{StackName: aws.String(name)})
			if err != nil {
				t.Fatal(err)
			}
			if status = string(out.Stacks[0].StackStatus); status == "CREATE_COMPLETE" || status == "ROLLBACK_COMPLETE" {
				break
			}
		}
		if err := em.SaveState(file); err != nil {
			t.Fatal(err)
		}
		return status
	}
	if got := command(failOnce, "first"); got != "ROLLBACK_COMPLETE" {
		t.Fatalf("first command: %s, want the rule to fail it", got)
	}
	// A command without rules in between (a deploy, say) saves the counts
	// as they were.
	func() {
		em := emulator.New(emulator.Options{Speed: 300})
		defer func() { _ = em.Close() }() // SaveState reports what matters
		cloudformation.Register(em)
		if err := em.LoadState(file); err != nil {
			t.Fatal(err)
		}
		if err := em.SaveState(file); err != nil {
			t.Fatal(err)
		}
	}()
	if got := command(failOnce, "second"); got != "CREATE_COMPLETE" {
		t.Fatalf("second command with the same rules: %s, want the used-up rule to let it through", got)
	}
	changed := failOnce
	changed.Rules = []cloudformation.Rule{failOnce.Rules[0]}
	changed.Rules[0].Message = "still not today"
	if got := command(changed, "third"); got != "ROLLBACK_COMPLETE" {
		t.Fatalf("third command with changed rules: %s, want their counts to start over", got)
	}
}
