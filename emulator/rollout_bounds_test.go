package emulator

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// sample is one step's view of a service, read under the state lock.
type sample struct {
	total, healthy int
	byAZ           map[string]int
}

func sampleService(em *Emulator, cluster, name string) sample {
	em.mu.Lock()
	defer em.mu.Unlock()
	now := em.nowLocked()
	s := sample{byAZ: map[string]int{}}
	c := em.state.Regions["us-east-1"].Clusters[cluster]
	for _, t := range c.Tasks {
		if t.Service != name || t.LastStatus == "STOPPED" {
			continue
		}
		s.total++
		if healthyForService(t, now) {
			s.healthy++
		}
		if t.DesiredStatus == "RUNNING" {
			s.byAZ[t.AZ]++
		}
	}
	return s
}

// registerEC2 registers a bridge-mode task definition for EC2.
func registerEC2(t *testing.T, client *ecs.Client, family, image string) string {
	t.Helper()
	out, err := client.RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(family),
		ContainerDefinitions: []types.ContainerDefinition{{
			Name: aws.String("app"), Image: aws.String(image), Cpu: 128, Memory: aws.Int32(256),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(80)}},
		}},
	})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

// deployAndSample creates a service at steady state, updates its task
// definition and returns a sample of every scheduler step of the rollout.
func deployAndSample(t *testing.T, desired, minPct, maxPct int32) ([]sample, types.Service) {
	t.Helper()
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	v1 := registerEC2(t, client, "api", "api:1")
	_, err := client.CreateService(ctx, &ecs.CreateServiceInput{
		ServiceName: aws.String("api"), TaskDefinition: aws.String(v1), DesiredCount: aws.Int32(desired),
		DeploymentConfiguration: &types.DeploymentConfiguration{MinimumHealthyPercent: aws.Int32(minPct), MaximumPercent: aws.Int32(maxPct)},
	})
	if err != nil {
		t.Fatal(err)
	}
	em.Advance(3 * time.Minute)
	if got := sampleService(em, "default", "api"); got.healthy != int(desired) {
		t.Fatalf("before the update: %d healthy, want %d", got.healthy, desired)
	}
	v2 := registerEC2(t, client, "api", "api:2")
	if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("api"), TaskDefinition: aws.String(v2)}); err != nil {
		t.Fatal(err)
	}
	var samples []sample
	em.OnStep(func(time.Time) { samples = append(samples, sampleService(em, "default", "api")) })
	em.Advance(5 * time.Minute)
	if len(samples) != 300 {
		t.Fatalf("sampled %d steps, want one per emulated second", len(samples))
	}
	return samples, describeService(t, client, "default", "api")
}

func TestRolloutKeepsBoundsFiftyTwoHundred(t *testing.T) {
	samples, svc := deployAndSample(t, 4, 50, 200)
	for i, s := range samples {
		if s.healthy < 2 || s.total > 8 {
			t.Fatalf("step %d: %d healthy, %d tasks; want >= 2 healthy and <= 8 tasks", i, s.healthy, s.total)
		}
	}
	if len(svc.Deployments) != 1 || svc.Deployments[0].RolloutState != types.DeploymentRolloutStateCompleted {
		t.Fatalf("rollout did not complete: %+v", svc.Deployments)
	}
}

func TestRolloutKeepsBoundsHundredTwoHundred(t *testing.T) {
	samples, svc := deployAndSample(t, 4, 100, 200)
	peak := 0
	for i, s := range samples {
		if s.healthy < 4 || s.total > 8 {
			t.Fatalf("step %d: %d healthy, %d tasks; want >= 4 healthy and <= 8 tasks", i, s.healthy, s.total)
		}
		peak = max(peak, s.total)
	}
	if peak != 8 {
		t.Errorf("peak %d tasks; ECS starts all 4 new tasks at once with 200%%", peak)
	}
	if svc.Deployments[0].RolloutState != types.DeploymentRolloutStateCompleted {
		t.Fatalf("rollout did not complete: %+v", svc.Deployments)
	}
}

func TestRolloutHundredHundredCannotMove(t *testing.T) {
	samples, svc := deployAndSample(t, 4, 100, 100)
	for i, s := range samples {
		if s.total != 4 {
			t.Fatalf("step %d: %d tasks; nothing may start or stop at 100/100", i, s.total)
		}
	}
	want := "(service api) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again."
	found := 0
	for _, ev := range svc.Events {
		if aws.ToString(ev.Message) == want {
			found++
		}
	}
	if found != 1 {
		t.Fatalf("want the event once, got %d; events: %v", found, eventMessages(svc))
	}
	if len(svc.Deployments) != 2 || svc.Deployments[0].RolloutState != types.DeploymentRolloutStateInProgress {
		t.Fatalf("deployments: %+v", svc.Deployments)
	}
}

func eventMessages(svc types.Service) string {
	var b strings.Builder
	for _, ev := range svc.Events {
		b.WriteString("\n  " + aws.ToString(ev.Message))
	}
	return b.String()
}

func TestPlacementKeepsZonesBalancedWhileScaling(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerEC2(t, client, "spread", "spread:1")
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{
		ServiceName: aws.String("spread"), TaskDefinition: aws.String(td), DesiredCount: aws.Int32(6),
	}); err != nil {
		t.Fatal(err)
	}
	em.Advance(2 * time.Minute)
	s := sampleService(em, "default", "spread")
	for az, n := range s.byAZ {
		if n != 2 {
			t.Fatalf("zone %s has %d tasks; want 2/2/2, got %v", az, n, s.byAZ)
		}
	}
	if len(s.byAZ) != 3 {
		t.Fatalf("want 3 zones, got %v", s.byAZ)
	}
	var violations []string
	em.OnStep(func(time.Time) {
		s := sampleService(em, "default", "spread")
		lo, hi := 1<<30, 0
		for _, az := range []string{"us-east-1a", "us-east-1b", "us-east-1c"} {
			lo, hi = min(lo, s.byAZ[az]), max(hi, s.byAZ[az])
		}
		if hi-lo > 1 {
			violations = append(violations, fmt.Sprint(s.byAZ))
		}
	})
	for _, desired := range []int32{9, 4, 10, 3, 6} {
		if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("spread"), DesiredCount: aws.Int32(desired)}); err != nil {
			t.Fatal(err)
		}
		em.Advance(2 * time.Minute)
		if got := sampleService(em, "default", "spread"); got.total != int(desired) {
			t.Fatalf("desired %d: %d tasks", desired, got.total)
		}
	}
	if len(violations) > 0 {
		t.Fatalf("zones differed by more than one task in %d steps, first %s", len(violations), violations[0])
	}
}
