package emulator

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
)

// errorCode is the AWS error code of err ("" when it is not an API error).
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func TestUnknownFargatePlatformVersionsAreRefused(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	linux := registerWeb(t, client, "web", "app:1")
	create := func(name, td, version string, launch types.LaunchType) error {
		in := &ecs.CreateServiceInput{ServiceName: aws.String(name), TaskDefinition: aws.String(td),
			DesiredCount: aws.Int32(1), LaunchType: launch, PlatformVersion: aws.String(version)}
		if launch == types.LaunchTypeFargate {
			in.NetworkConfiguration = awsvpc("subnet-1")
		}
		_, err := client.CreateService(ctx, in)
		return err
	}
	for _, version := range []string{"1.2.0", "1.0.0", "2.0", "latest"} {
		if err := create("bad", linux, version, types.LaunchTypeFargate); errorCode(err) != "PlatformUnknownException" {
			t.Errorf("Linux service on platform %q: %v, want PlatformUnknownException", version, err)
		}
	}
	if err := create("old", linux, "1.3.0", types.LaunchTypeFargate); err != nil {
		t.Fatalf("1.3.0: %v", err)
	}
	if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("old"), PlatformVersion: aws.String("1.5.0")}); errorCode(err) != "PlatformUnknownException" {
		t.Errorf("update to 1.5.0: %v, want PlatformUnknownException", err)
	}
	if _, err := client.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String(linux), LaunchType: types.LaunchTypeFargate,
		NetworkConfiguration: awsvpc("subnet-1"), PlatformVersion: aws.String("1.1.0")}); errorCode(err) != "PlatformUnknownException" {
		t.Errorf("run task on 1.1.0: %v, want PlatformUnknownException", err)
	}

	// Windows is numbered apart: 1.0.0 is its one version.
	out, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("win"), NetworkMode: types.NetworkModeAwsvpc, Cpu: aws.String("1024"), Memory: aws.String("2048"),
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		RuntimePlatform:         &types.RuntimePlatform{OperatingSystemFamily: types.OSFamilyWindowsServer2022Core, CpuArchitecture: types.CPUArchitectureX8664},
		ContainerDefinitions:    []types.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("win:1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	windows := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	if err := create("win-bad", windows, "1.4.0", types.LaunchTypeFargate); errorCode(err) != "PlatformUnknownException" {
		t.Errorf("Windows service on 1.4.0: %v, want PlatformUnknownException", err)
	}
	if err := create("win", windows, "LATEST", types.LaunchTypeFargate); err != nil {
		t.Fatalf("Windows LATEST: %v", err)
	}
	run, err := client.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String(windows), LaunchType: types.LaunchTypeFargate,
		NetworkConfiguration: awsvpc("subnet-1"), PlatformVersion: aws.String("1.0.0")})
	if err != nil || len(run.Tasks) != 1 {
		t.Fatalf("run a Windows task on 1.0.0: %v %+v", err, run)
	}
	if v := aws.ToString(run.Tasks[0].PlatformVersion); v != "1.0.0" {
		t.Errorf("Windows task platform %q, want 1.0.0", v)
	}

	// Tasks and deployments run on the version asked for; LATEST is 1.4.0 on Linux.
	em.Advance(time.Minute)
	for name, want := range map[string]string{"old": "1.3.0", "win": "1.0.0"} {
		svc := describeService(t, client, "default", name)
		if got := aws.ToString(svc.Deployments[0].PlatformVersion); got != want {
			t.Errorf("service %s: deployment platform %q, want %s", name, got, want)
		}
		tasks, err := client.ListTasks(ctx, &ecs.ListTasksInput{ServiceName: aws.String(name)})
		if err != nil || len(tasks.TaskArns) != 1 {
			t.Fatalf("list %s: %v %+v", name, err, tasks)
		}
		desc, err := client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: tasks.TaskArns})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(desc.Tasks[0].PlatformVersion); got != want {
			t.Errorf("service %s: task platform %q, want %s", name, got, want)
		}
	}

	// Only Fargate takes a platform version.
	ec2 := registerWebEC2(t, client)
	if err := create("ec2", ec2, "LATEST", types.LaunchTypeEc2); errorCode(err) != "InvalidParameterException" {
		t.Errorf("EC2 service with a platform version: %v, want InvalidParameterException", err)
	}
}

// registerWebEC2 registers a bridge-mode task definition for EC2.
func registerWebEC2(t *testing.T, client *ecs.Client) string {
	t.Helper()
	out, err := client.RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web-ec2"), ContainerDefinitions: []types.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String("app:1"), Memory: aws.Int32(128)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

func TestAddingSubnetsStartsNoDeployment(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerWeb(t, client, "web", "app:1")
	net := func(groups []string, subnets ...string) *types.NetworkConfiguration {
		n := awsvpc(subnets...)
		n.AwsvpcConfiguration.SecurityGroups = groups
		return n
	}
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String(td),
		DesiredCount: aws.Int32(2), LaunchType: types.LaunchTypeFargate, NetworkConfiguration: net([]string{"sg-1"}, "subnet-1", "subnet-2")}); err != nil {
		t.Fatal(err)
	}
	em.Advance(2 * time.Minute)
	first := aws.ToString(describeService(t, client, "default", "web").Deployments[0].Id)
	update := func(n *types.NetworkConfiguration) types.Service {
		t.Helper()
		out, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), NetworkConfiguration: n})
		if err != nil {
			t.Fatal(err)
		}
		return *out.Service
	}
	svc := update(net([]string{"sg-1"}, "subnet-1", "subnet-2", "subnet-3"))
	if len(svc.Deployments) != 1 || aws.ToString(svc.Deployments[0].Id) != first {
		t.Fatalf("adding a subnet started a deployment: %+v", svc.Deployments)
	}
	if got := svc.NetworkConfiguration.AwsvpcConfiguration.Subnets; len(got) != 3 {
		t.Errorf("service subnets %v, want the three given", got)
	}
	if got := svc.Deployments[0].NetworkConfiguration.AwsvpcConfiguration.Subnets; len(got) != 3 {
		t.Errorf("deployment subnets %v, want the three given", got)
	}
	em.Advance(time.Minute)
	if svc := describeService(t, client, "default", "web"); len(svc.Deployments) != 1 || svc.Deployments[0].RolloutState != types.DeploymentRolloutStateCompleted {
		t.Fatalf("after adding a subnet: %+v", svc.Deployments)
	}

	// Anything else is a new deployment: a subnet removed, or other security groups.
	for _, n := range []*types.NetworkConfiguration{
		net([]string{"sg-1"}, "subnet-2", "subnet-3"),
		net([]string{"sg-2"}, "subnet-2", "subnet-3", "subnet-4"),
	} {
		before := aws.ToString(describeService(t, client, "default", "web").Deployments[0].Id)
		svc := update(n)
		if aws.ToString(svc.Deployments[0].Id) == before {
			t.Errorf("network %v %v started no deployment", n.AwsvpcConfiguration.Subnets, n.AwsvpcConfiguration.SecurityGroups)
		}
		em.Advance(3 * time.Minute)
	}
}
