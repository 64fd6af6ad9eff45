package cloudformation_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkcfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/cloudformation"
)

const serviceWithoutDesiredCount = `Resources:
  Cluster:
    Type: AWS::ECS::Cluster
    Properties: {ClusterName: dc}
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: dc
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: "256"
      Memory: "512"
      ContainerDefinitions:
        - {Name: web, Image: "public.ecr.aws/nginx/nginx:1.27", Essential: true}
  Service:
    Type: AWS::ECS::Service
    Properties:
      ServiceName: dc
      Cluster: !Ref Cluster
      TaskDefinition: !Ref TaskDefinition
      LaunchType: FARGATE
      NetworkConfiguration:
        AwsvpcConfiguration: {Subnets: [subnet-0a0a0a0a]}
`

// TestServiceDesiredCountDefaultsToOne: CloudFormation fills in the
// DesiredCount the ECS API itself requires.
func TestServiceDesiredCountDefaultsToOne(t *testing.T) {
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
	ctx := context.Background()
	cfn := sdkcfn.NewFromConfig(cfg)
	if _, err := cfn.CreateStack(ctx, &sdkcfn.CreateStackInput{StackName: aws.String("dc"), TemplateBody: aws.String(serviceWithoutDesiredCount)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := cfn.DescribeStacks(ctx, &sdkcfn.DescribeStacksInput{StackName: aws.String("dc")})
		if err != nil {
			t.Fatal(err)
		}
		st := out.Stacks[0].StackStatus
		if st == types.StackStatusCreateComplete {
			break
		}
		if st != types.StackStatusCreateInProgress || time.Now().After(deadline) {
			t.Fatalf("stack is %s: %s", st, aws.ToString(out.Stacks[0].StackStatusReason))
		}
		time.Sleep(10 * time.Millisecond)
	}
	svc, err := ecs.NewFromConfig(cfg).DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("dc"), Services: []string{"dc"}})
	if err != nil || len(svc.Services) != 1 {
		t.Fatalf("describe service: %v %+v", err, svc)
	}
	if svc.Services[0].DesiredCount != 1 {
		t.Fatalf("desiredCount = %d, want CloudFormation's default 1", svc.Services[0].DesiredCount)
	}
}
