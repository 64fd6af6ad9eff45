package cloudformation_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkcfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/cloudformation"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// minimalTemplate is the shape ecsdeploy renders, trimmed to what the AWS
// CLI test needs.
const minimalTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Description: test stack
Parameters:
  AppImage:
    Type: String
    Default: nginx:1.27
  DesiredCount:
    Type: Number
    Default: "1"
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterName: cli
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /ecs/cli/web
      RetentionInDays: 7
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: web
      Cpu: "256"
      Memory: "512"
      NetworkMode: awsvpc
      RequiresCompatibilities: [FARGATE]
      ContainerDefinitions:
        - Name: app
          Image:
            Ref: AppImage
          Essential: true
          LogConfiguration:
            LogDriver: awslogs
            Options:
              awslogs-group:
                Ref: LogGroup
              awslogs-region:
                Ref: AWS::Region
              awslogs-stream-prefix:
                Fn::Sub: ${AWS::StackName}-app
  Service:
    Type: AWS::ECS::Service
    Properties:
      ServiceName: web
      Cluster:
        Ref: Cluster
      TaskDefinition:
        Ref: TaskDefinition
      LaunchType: FARGATE
      DesiredCount:
        Ref: DesiredCount
      NetworkConfiguration:
        AwsvpcConfiguration:
          Subnets: [subnet-0123abcd]
          AssignPublicIp: DISABLED
Outputs:
  ServiceArn:
    Value:
      Ref: Service
  ClusterArn:
    Value:
      Fn::GetAtt: [Cluster, Arn]
`

// TestAWSCLISpeaksToTheLocalCloudFormation checks the wire format against
// botocore, the other client that must understand it.
func TestAWSCLISpeaksToTheLocalCloudFormation(t *testing.T) {
	t.Parallel() // most of its time is spent waiting on the AWS CLI and cfn-lint
	testenv.RequireTool(t, "aws")
	em := emulator.New(emulator.Options{Speed: 300})
	cloudformation.Register(em)
	srv := httptest.NewServer(em)
	t.Cleanup(func() {
		srv.Close()
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	dir := t.TempDir()
	file := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(file, []byte(minimalTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	templates.Record(minimalTemplate) // linted after the tests, by TestMain

	var created struct{ StackId string }
	decode(t, testenv.RunAWSCLI(t, srv.URL, "cloudformation", "create-stack", "--stack-name", "cli-stack",
		"--template-body", "file://"+file, "--parameters", "ParameterKey=DesiredCount,ParameterValue=2"), &created)
	if !strings.HasPrefix(created.StackId, "arn:aws:cloudformation:us-east-1:") {
		t.Fatalf("stack id %q", created.StackId)
	}
	waitComplete(t, srv.URL, "cli-stack")

	var stacks struct {
		Stacks []struct {
			StackName, StackStatus string
			Parameters             []struct{ ParameterKey, ParameterValue string }
			Outputs                []struct{ OutputKey, OutputValue string }
			CreationTime           string
		}
	}
	decode(t, testenv.RunAWSCLI(t, srv.URL, "cloudformation", "describe-stacks", "--stack-name", "cli-stack"), &stacks)
	if len(stacks.Stacks) != 1 || stacks.Stacks[0].StackStatus != "CREATE_COMPLETE" || stacks.Stacks[0].CreationTime == "" {
		t.Fatalf("describe-stacks: %+v", stacks)
	}
	outputs := map[string]string{}
	for _, o := range stacks.Stacks[0].Outputs {
		outputs[o.OutputKey] = o.OutputValue
	}
	if !strings.Contains(outputs["ServiceArn"], ":service/cli/web") || !strings.Contains(outputs["ClusterArn"], ":cluster/cli") {
		t.Errorf("outputs %v", outputs)
	}

	var events struct {
		StackEvents []struct{ LogicalResourceId, ResourceStatus, Timestamp string }
	}
	decode(t, testenv.RunAWSCLI(t, srv.URL, "cloudformation", "describe-stack-events", "--stack-name", "cli-stack"), &events)
	if len(events.StackEvents) < 10 || events.StackEvents[0].ResourceStatus != "CREATE_COMPLETE" || events.StackEvents[0].LogicalResourceId != "cli-stack" {
		t.Fatalf("describe-stack-events (newest first): %+v", events.StackEvents)
	}

	var services struct {
		Services []struct {
			DesiredCount int
			Status       string
		}
	}
	decode(t, testenv.RunAWSCLI(t, srv.URL, "ecs", "describe-services", "--cluster", "cli", "--services", "web"), &services)
	if len(services.Services) != 1 || services.Services[0].DesiredCount != 2 || services.Services[0].Status != "ACTIVE" {
		t.Fatalf("describe-services: %+v", services)
	}

	// A change set with no changes fails with CloudFormation's reason.
	testenv.RunAWSCLI(t, srv.URL, "cloudformation", "create-change-set", "--stack-name", "cli-stack", "--change-set-name", "same",
		"--template-body", "file://"+file, "--parameters", "ParameterKey=DesiredCount,UsePreviousValue=true")
	var cs struct{ Status, StatusReason string }
	decode(t, testenv.RunAWSCLI(t, srv.URL, "cloudformation", "describe-change-set", "--stack-name", "cli-stack", "--change-set-name", "same"), &cs)
	if cs.Status != "FAILED" || !strings.Contains(cs.StatusReason, "didn't contain changes") {
		t.Fatalf("empty change set: %+v", cs)
	}
	if _, err := testenv.AWSCLI(t, srv.URL, "cloudformation", "update-stack", "--stack-name", "cli-stack",
		"--template-body", "file://"+file, "--parameters", "ParameterKey=DesiredCount,UsePreviousValue=true"); err == nil ||
		!strings.Contains(err.Error(), "No updates are to be performed") {
		t.Fatalf("update-stack without changes: %v", err)
	}

	testenv.RunAWSCLI(t, srv.URL, "cloudformation", "delete-stack", "--stack-name", "cli-stack")
	waitGone(t, srv.URL, created.StackId)
	if _, err := testenv.AWSCLI(t, srv.URL, "cloudformation", "describe-stacks", "--stack-name", "cli-stack"); err == nil ||
		!strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("describe-stacks after delete: %v", err)
	}
}

func decode(t *testing.T, text string, into any) {
	t.Helper()
	if err := json.Unmarshal([]byte(text), into); err != nil {
		t.Fatalf("decode %q: %v", text, err)
	}
}

// waitComplete polls with the SDK (the CLI's waiter sleeps 30 s between looks).
func waitComplete(t *testing.T, endpoint, name string) {
	t.Helper()
	waitFor(t, endpoint, name, "CREATE_COMPLETE")
}

func waitGone(t *testing.T, endpoint, id string) {
	t.Helper()
	waitFor(t, endpoint, id, "DELETE_COMPLETE")
}

func waitFor(t *testing.T, endpoint, name, want string) {
	t.Helper()
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{EndpointURL: endpoint, Region: "us-east-1", AccessKey: "x", SecretKey: "y", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	client := sdkcfn.NewFromConfig(cfg)
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := client.DescribeStacks(context.Background(), &sdkcfn.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if got := string(out.Stacks[0].StackStatus); got == want {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("stack %s is %s, want %s", name, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
