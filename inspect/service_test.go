package inspect

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestTasksByZoneCountsStatusAndHealthPerZone(t *testing.T) {
	task := func(zone, status string, health types.HealthStatus) types.Task {
		var az *string
		if zone != "" {
			az = aws.String(zone)
		}
		return types.Task{AvailabilityZone: az, LastStatus: aws.String(status), HealthStatus: health}
	}
	zones := tasksByZone([]types.Task{
		task("us-east-1b", "RUNNING", types.HealthStatusHealthy),
		task("us-east-1a", "RUNNING", types.HealthStatusUnhealthy),
		task("us-east-1a", "PENDING", types.HealthStatusUnknown),
		task("us-east-1a", "RUNNING", types.HealthStatusHealthy),
		task("", "PROVISIONING", ""),
	})
	if len(zones) != 3 || zones[0].Zone != "(no zone)" || zones[1].Zone != "us-east-1a" || zones[2].Zone != "us-east-1b" {
		t.Fatalf("zones not grouped and sorted: %+v", zones)
	}
	a := zones[1]
	if a.Status["RUNNING"] != 2 || a.Status["PENDING"] != 1 || a.Healthy != 1 || a.Unhealthy != 1 || a.Unknown != 1 {
		t.Errorf("us-east-1a: %+v", a)
	}
	if none := zones[0]; none.Status["PROVISIONING"] != 1 || none.Unknown != 1 {
		t.Errorf("a task without a zone: %+v", none)
	}
}
