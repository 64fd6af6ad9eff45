package cloudformation_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/cloudformation"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// shortFormTemplate is a user's own template as the AWS CLI sends it: short
// YAML tags, a parameter, an IAM role.
const shortFormTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Description: a user's template
Parameters:
  Image: {Type: String, Default: "public.ecr.aws/nginx/nginx:1.27"}
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
    Properties: {ClusterName: mine}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: mine
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: "256"
      Memory: "512"
      ExecutionRoleArn: !GetAtt Role.Arn
      ContainerDefinitions:
        - {Name: web, Image: !Ref Image, Essential: true}
Outputs:
  ClusterArn: {Value: !GetAtt Cluster.Arn}
  Family: {Value: !Sub "${AWS::StackName}-mine"}
`

// TestAWSCLIDescribesAndCreatesAShortFormTemplate: what `aws cloudformation
// deploy` and `validate-template` ask before they create or update a stack,
// and a stack from a template written with !Ref and !GetAtt.
func TestAWSCLIDescribesAndCreatesAShortFormTemplate(t *testing.T) {
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
	file := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(file, []byte(shortFormTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	templates.Record(shortFormTemplate) // linted after the tests, by TestMain

	var summary struct {
		Parameters []struct {
			ParameterKey, DefaultValue, ParameterType string
		}
		Capabilities  []string
		ResourceTypes []string
		Version       string
		Description   string
	}
	decode(t, testenv.RunAWSCLI(t, srv.URL, "cloudformation", "get-template-summary", "--template-body", "file://"+file), &summary)
	if len(summary.Parameters) != 1 || summary.Parameters[0].ParameterKey != "Image" || summary.Parameters[0].ParameterType != "String" ||
		summary.Parameters[0].DefaultValue != "public.ecr.aws/nginx/nginx:1.27" || summary.Version != "2010-09-09" ||
		summary.Description != "a user's template" || strings.Join(summary.Capabilities, ",") != "CAPABILITY_IAM" ||
		strings.Join(summary.ResourceTypes, ",") != "AWS::ECS::Cluster,AWS::ECS::TaskDefinition,AWS::IAM::Role" {
		t.Fatalf("get-template-summary: %+v", summary)
	}
	var validated struct {
		Parameters   []struct{ ParameterKey, DefaultValue string }
		Capabilities []string
	}
	decode(t, testenv.RunAWSCLI(t, srv.URL, "cloudformation", "validate-template", "--template-body", "file://"+file), &validated)
	if len(validated.Parameters) != 1 || validated.Parameters[0].ParameterKey != "Image" || len(validated.Capabilities) != 1 {
		t.Fatalf("validate-template: %+v", validated)
	}
	if _, err := testenv.AWSCLI(t, srv.URL, "cloudformation", "validate-template", "--template-body", "Resources: {A: {Type: AWS::Logs::LogGroup, Properties: {X: !Bogus y}}}"); err == nil ||
		!strings.Contains(err.Error(), "!Bogus") {
		t.Fatalf("validate-template of an unknown tag: %v", err)
	}

	testenv.RunAWSCLI(t, srv.URL, "cloudformation", "create-stack", "--stack-name", "mine", "--capabilities", "CAPABILITY_IAM",
		"--template-body", "file://"+file, "--parameters", "ParameterKey=Image,ParameterValue=public.ecr.aws/nginx/nginx:1.28")
	waitComplete(t, srv.URL, "mine")
	decode(t, testenv.RunAWSCLI(t, srv.URL, "cloudformation", "get-template-summary", "--stack-name", "mine"), &summary)
	if len(summary.Parameters) != 1 || summary.Parameters[0].ParameterKey != "Image" {
		t.Fatalf("get-template-summary of a stack: %+v", summary)
	}
	var td struct {
		TaskDefinition struct {
			ExecutionRoleArn     string
			ContainerDefinitions []struct{ Image string }
		}
	}
	decode(t, testenv.RunAWSCLI(t, srv.URL, "ecs", "describe-task-definition", "--task-definition", "mine"), &td)
	if !strings.HasPrefix(td.TaskDefinition.ExecutionRoleArn, "arn:aws:iam::") || len(td.TaskDefinition.ContainerDefinitions) != 1 ||
		td.TaskDefinition.ContainerDefinitions[0].Image != "public.ecr.aws/nginx/nginx:1.28" {
		t.Fatalf("task definition from !GetAtt and !Ref: %+v", td)
	}
}
