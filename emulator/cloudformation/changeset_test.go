package cloudformation_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkcfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/cloudformation"
)

func sdkClient(t *testing.T) *sdkcfn.Client {
	t.Helper()
	em := emulator.New(emulator.Options{Speed: 300})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	cloudformation.Register(em)
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return sdkcfn.NewFromConfig(cfg)
}

// TestCreateChangeSetMakesAStackInReview covers the path the AWS CLI's
// `cloudformation deploy` takes for a new stack.
func TestCreateChangeSetMakesAStackInReview(t *testing.T) {
	client := sdkClient(t)
	ctx := context.Background()
	out, err := client.CreateChangeSet(ctx, &sdkcfn.CreateChangeSetInput{StackName: aws.String("review"), ChangeSetName: aws.String("first"),
		ChangeSetType: types.ChangeSetTypeCreate, TemplateBody: aws.String(minimalTemplate)})
	if err != nil {
		t.Fatal(err)
	}
	stacks, err := client.DescribeStacks(ctx, &sdkcfn.DescribeStacksInput{StackName: aws.String("review")})
	if err != nil || stacks.Stacks[0].StackStatus != types.StackStatusReviewInProgress {
		t.Fatalf("stack before execution: %+v %v", stacks, err)
	}
	cs, err := client.DescribeChangeSet(ctx, &sdkcfn.DescribeChangeSetInput{ChangeSetName: out.Id})
	if err != nil || cs.Status != types.ChangeSetStatusCreateComplete || len(cs.Changes) != 4 {
		t.Fatalf("change set: %+v %v", cs, err)
	}
	for _, c := range cs.Changes {
		if c.ResourceChange.Action != types.ChangeActionAdd {
			t.Errorf("change %+v is not an Add", c.ResourceChange)
		}
	}
	if _, err := client.ExecuteChangeSet(ctx, &sdkcfn.ExecuteChangeSetInput{ChangeSetName: out.Id}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		stacks, err = client.DescribeStacks(ctx, &sdkcfn.DescribeStacksInput{StackName: aws.String("review")})
		if err != nil {
			t.Fatal(err)
		}
		if stacks.Stacks[0].StackStatus == types.StackStatusCreateComplete {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stack is %s", stacks.Stacks[0].StackStatus)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := client.DescribeChangeSet(ctx, &sdkcfn.DescribeChangeSetInput{ChangeSetName: out.Id}); err == nil {
		t.Errorf("the executed change set is still there")
	}
}

func TestErrorsAreCloudFormations(t *testing.T) {
	client := sdkClient(t)
	ctx := context.Background()
	_, err := client.DescribeStacks(ctx, &sdkcfn.DescribeStacksInput{StackName: aws.String("nope")})
	if err == nil || !strings.Contains(err.Error(), "ValidationError") || !strings.Contains(err.Error(), "Stack with id nope does not exist") {
		t.Errorf("missing stack: %v", err)
	}
	withRole := strings.Replace(minimalTemplate, "  LogGroup:\n", "  Role:\n    Type: AWS::IAM::Role\n  LogGroup:\n", 1)
	_, err = client.CreateStack(ctx, &sdkcfn.CreateStackInput{StackName: aws.String("iam"), TemplateBody: aws.String(withRole)})
	if err == nil || !strings.Contains(err.Error(), "InsufficientCapabilities") {
		t.Errorf("IAM without capabilities: %v", err)
	}
	_, err = client.CreateStack(ctx, &sdkcfn.CreateStackInput{StackName: aws.String("params"), TemplateBody: aws.String(minimalTemplate),
		Parameters: []types.Parameter{{ParameterKey: aws.String("Nope"), ParameterValue: aws.String("1")}}})
	if err == nil || !strings.Contains(err.Error(), "do not exist in the template") {
		t.Errorf("unknown parameter: %v", err)
	}
	if _, err := client.DeleteStack(ctx, &sdkcfn.DeleteStackInput{StackName: aws.String("never-was")}); err != nil {
		t.Errorf("deleting a stack that does not exist must succeed: %v", err)
	}
}

func TestLoadScenario(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("rules:\n  - logicalId: Service\n    operation: update\n    delay: 2m\n    times: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := cloudformation.LoadScenario(good)
	if err != nil || len(sc.Rules) != 1 || sc.Rules[0].Delay != 2*time.Minute || sc.Rules[0].Times != 1 {
		t.Fatalf("%+v %v", sc, err)
	}
	for name, text := range map[string]string{
		"unknown field":  "rules:\n  - operation: create\n    mesage: x\n",
		"bad operation":  "rules:\n  - operation: explode\n    message: x\n",
		"rule does none": "rules:\n  - operation: create\n",
	} {
		file := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml")
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := cloudformation.LoadScenario(file); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
