package fleet

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/internal/emuclock"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

func imageTo(image string) taskdef.Changes {
	return taskdef.Changes{Images: []taskdef.ImageChange{{Container: "app", Image: image}}}
}

// TestFleetRollbackAllOnTheLocalECS: wave 2 has a crashing service; with
// rollback-all, every service the fleet changed is back on its previous
// revision and count, and wave 3 never starts.
func TestFleetRollbackAllOnTheLocalECS(t *testing.T) {
	crash := 1
	l := newLocalECS(t, &scenario.Scenario{Images: []scenario.Image{{Match: "*:crash", ExitCode: &crash, ExitAfter: scenario.Duration(2 * time.Second)}}})
	l.services(t, 4)
	api := NewBatcher(l.client, time.Millisecond) // the batching is not under test here: no wall-clock window per poll
	member := func(svc, image string, count int32) *DeployMember {
		req := rollout.Request{Cluster: "c", Service: svc, Changes: imageTo(image)}
		if count > 0 {
			req.Settings.DesiredCount = aws.Int32(count)
		}
		return &DeployMember{Target: svc, API: api, Request: req,
			Options: rollout.Options{Timeout: 5 * time.Minute, Watch: watch.Options{Timeout: 5 * time.Minute, Clock: emuclock.Clock{Em: l.em}}}}
	}
	waves := [][]Member{
		{member("svc-1", "registry.example.com/app:2", 3)},
		{member("svc-2", "registry.example.com/app:crash", 0), member("svc-3", "registry.example.com/app:2", 0)},
		{member("svc-4", "registry.example.com/app:2", 0)},
	}
	res := Run(context.Background(), waves, Options{OnFailure: RollbackAll})
	if res.ExitCode != 1 || res.Outcome != progress.Failed {
		t.Fatalf("fleet %s exit %d (%s), want failed/1", res.Outcome, res.ExitCode, res.Reason)
	}
	got := outcomes(res)
	if got["svc-1"] != progress.Succeeded || got["svc-2"] != progress.Failed || got["svc-3"] != progress.Succeeded || got["svc-4"] != Skipped {
		t.Fatalf("outcomes %v", got)
	}
	if !strings.Contains(res.Reason, "failed: svc-2") || !strings.Contains(res.Reason, "not started: svc-4") {
		t.Fatalf("reason %q names what failed and what never started", res.Reason)
	}
	out, err := l.client.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{"svc-1", "svc-2", "svc-3", "svc-4"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range out.Services {
		name := aws.ToString(s.ServiceName)
		if td := lastSegment(aws.ToString(s.TaskDefinition)); td != name+":1" {
			t.Errorf("%s runs %s, want its previous revision %s:1", name, td, name)
		}
		if s.DesiredCount != 2 {
			t.Errorf("%s has %d desired, want its previous count 2", name, s.DesiredCount)
		}
	}
	for _, tr := range res.Targets {
		switch tr.Name {
		case "svc-1", "svc-3":
			if tr.Rollback == nil || tr.Rollback.Outcome != progress.Succeeded {
				t.Errorf("%s: rollback %+v", tr.Name, tr.Rollback)
			}
		case "svc-4":
			if tr.Rollback != nil {
				t.Errorf("svc-4 was never changed, yet rolled back")
			}
		}
	}
}
