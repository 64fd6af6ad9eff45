package emulator

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

func TestFixedHostPortsLimitOneTaskPerInstance(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("port"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("i"), Memory: aws.Int32(128),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(80), HostPort: aws.Int32(8080)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("port"),
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(8)}); err != nil {
		t.Fatal(err)
	}
	em.Advance(2 * time.Minute)
	svc := describeService(t, client, "default", "port")
	if svc.RunningCount != 6 {
		t.Fatalf("running %d, want 6 (one per instance)", svc.RunningCount)
	}
	if !strings.Contains(eventMessages(svc), "is already using a port required by your task") {
		t.Fatalf("events: %s", eventMessages(svc))
	}
}

func TestFargateSpreadsAcrossSubnetZones(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerWeb(t, client, "web", "app:1")
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String(td),
		DesiredCount: aws.Int32(7), LaunchType: types.LaunchTypeFargate, NetworkConfiguration: awsvpc("s-1", "s-2", "s-3")}); err != nil {
		t.Fatal(err)
	}
	em.Advance(time.Minute)
	s := sampleService(em, "default", "web")
	if len(s.byAZ) != 3 || s.byAZ["us-east-1a"] != 3 || s.byAZ["us-east-1b"] != 2 || s.byAZ["us-east-1c"] != 2 {
		t.Fatalf("spread: %v", s.byAZ)
	}
}

func TestGracePeriodDefersHealthReplacement(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "web:sick", Health: scenario.HealthUnhealthy}}}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerWebHC(t, client, "web:sick", true) // checks every 10 s, 3 retries: UNHEALTHY 30 s after start
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String(td),
		DesiredCount: aws.Int32(1), LaunchType: types.LaunchTypeFargate, NetworkConfiguration: awsvpc("s-1"),
		HealthCheckGracePeriodSeconds: aws.Int32(120)}); err != nil {
		t.Fatal(err)
	}
	em.Advance(2 * time.Minute) // RUNNING at ~30 s, UNHEALTHY at ~60 s, grace until ~150 s
	if msg := eventMessages(describeService(t, client, "default", "web")); strings.Contains(msg, "failed container health checks") {
		t.Fatalf("replaced during the grace period: %s", msg)
	}
	em.Advance(time.Minute)
	if msg := eventMessages(describeService(t, client, "default", "web")); !strings.Contains(msg, "failed container health checks") {
		t.Fatalf("not replaced after the grace period: %s", msg)
	}
}
