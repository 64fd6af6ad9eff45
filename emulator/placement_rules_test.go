package emulator

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// instancesUsed counts the distinct instances and zones running the group's tasks.
func instancesUsed(em *Emulator, group string) (instances, zones map[string]int) {
	em.mu.Lock()
	defer em.mu.Unlock()
	instances, zones = map[string]int{}, map[string]int{}
	for _, t := range em.state.Regions["us-east-1"].Clusters["default"].Tasks {
		if t.Group == group && t.LastStatus != "STOPPED" {
			instances[t.InstanceARN]++
			zones[t.AZ]++
		}
	}
	return instances, zones
}

func runWithPlacement(t *testing.T, em *Emulator, client *ecs.Client, in *ecs.RunTaskInput) *ecs.RunTaskOutput {
	t.Helper()
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	in.TaskDefinition = aws.String(registerEC2(t, client, "job", "job:1"))
	out, err := client.RunTask(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	em.Advance(time.Second)
	return out
}

func TestBinpackFillsOneInstanceFirst(t *testing.T) {
	em, client := newTestEmulator(t)
	runWithPlacement(t, em, client, &ecs.RunTaskInput{Count: aws.Int32(10),
		PlacementStrategy: []types.PlacementStrategy{{Type: types.PlacementStrategyTypeBinpack, Field: aws.String("memory")}}})
	instances, _ := instancesUsed(em, "family:job")
	// 256 MiB tasks, 4 GiB instances: all ten fit on the first instance.
	if len(instances) != 1 {
		t.Fatalf("binpack used %d instances: %v", len(instances), instances)
	}
}

func TestDefaultSpreadAndDistinctInstance(t *testing.T) {
	em, client := newTestEmulator(t)
	out := runWithPlacement(t, em, client, &ecs.RunTaskInput{Count: aws.Int32(8),
		PlacementConstraints: []types.PlacementConstraint{{Type: types.PlacementConstraintTypeDistinctInstance}}})
	instances, zones := instancesUsed(em, "family:job")
	if len(instances) != 6 || len(out.Failures) != 2 {
		t.Fatalf("distinctInstance: %d instances, %d failures", len(instances), len(out.Failures))
	}
	for z, n := range zones {
		if n != 2 {
			t.Fatalf("zone %s has %d tasks: %v", z, n, zones)
		}
	}
}

func TestMemberOfZone(t *testing.T) {
	em, client := newTestEmulator(t)
	runWithPlacement(t, em, client, &ecs.RunTaskInput{Count: aws.Int32(4),
		PlacementConstraints: []types.PlacementConstraint{{Type: types.PlacementConstraintTypeMemberOf,
			Expression: aws.String("attribute:ecs.availability-zone in [us-east-1b]")}}})
	_, zones := instancesUsed(em, "family:job")
	if len(zones) != 1 || zones["us-east-1b"] != 4 {
		t.Fatalf("memberOf: %v", zones)
	}
}

func TestPlacementRulesAreValidated(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerWeb(t, client, "web", "app:1")
	_, err := client.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String(td), LaunchType: types.LaunchTypeFargate,
		NetworkConfiguration: awsvpc("s-1"), PlacementStrategy: []types.PlacementStrategy{{Type: types.PlacementStrategyTypeSpread, Field: aws.String("instanceId")}}})
	if apiCode(err) != "InvalidParameterException" {
		t.Fatalf("Fargate with a strategy: %v", err)
	}
	registerEC2(t, client, "job", "job:1")
	for body, want := range map[string]string{
		`{"taskDefinition":"job:1","placementStrategy":[{"type":"binpack","field":"disk"}]}`: "Invalid placement strategy",
		`{"taskDefinition":"job:1","placementConstraints":[{"type":"sameInstance"}]}`:        "Invalid placement constraint",
	} {
		if _, err := invokeErr(t, em, "RunTask", body); err == nil || err.Code != "InvalidParameterException" || !strings.Contains(err.Message, want) {
			t.Errorf("%s: %v", body, err)
		}
	}
}
