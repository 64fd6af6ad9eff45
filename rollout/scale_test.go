package rollout

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/ecsdeploy/ecsdeploy/watch"
)

// throttledReads answers DescribeServices with a throttling error a number
// of times, then with the service running the given count.
type throttledReads struct {
	ScaleAPI
	throttles int
	running   int32
	calls     int
}

func (f *throttledReads) DescribeServices(context.Context, *ecs.DescribeServicesInput, ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	f.calls++
	if f.calls <= f.throttles {
		return nil, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	}
	return &ecs.DescribeServicesOutput{Services: []types.Service{{ServiceName: aws.String("web"), Status: aws.String("ACTIVE"), RunningCount: f.running}}}, nil
}

// TestScaleInWaitBacksOffWhileThrottled: the wait for surplus tasks to stop
// rides out throttling with growing pauses instead of failing the scale.
func TestScaleInWaitBacksOffWhileThrottled(t *testing.T) {
	api := &throttledReads{throttles: 3, running: 1}
	clock := &watch.StepClock{T: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	res := &ScaleResult{}
	err := waitForScaleIn(context.Background(), clock, api, ScaleRequest{Cluster: "c", Service: "web", Count: 1}, time.Hour, time.Second, res)
	if err != nil {
		t.Fatalf("throttling failed the wait: %v", err)
	}
	if res.RunningCount != 1 || api.calls != 4 {
		t.Fatalf("running %d after %d calls", res.RunningCount, api.calls)
	}
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}
	if len(clock.Pauses) != len(want) {
		t.Fatalf("pauses %v, want %v", clock.Pauses, want)
	}
	for i := range want {
		if clock.Pauses[i] != want[i] {
			t.Fatalf("pauses %v, want %v", clock.Pauses, want)
		}
	}
}
