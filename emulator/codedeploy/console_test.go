package codedeploy

import (
	"fmt"
	"strings"
	"testing"
	"time"

	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
)

// TestSnapshotShowsTheDeployment: the emulator's service snapshot (what
// the console shows) of a CODE_DEPLOY service carries its task sets with
// their target groups, the lifecycle event its deployment is at and the
// production traffic split, as a linear deployment moves it.
func TestSnapshotShowsTheDeployment(t *testing.T) {
	e := newEnv(t, nil)
	e.setup()
	e.group(nil)
	e.linearConfig("Linear50Every1", 50, 1)
	id := e.deploy(e.appSpec(2, ""), "Linear50Every1")
	stages, splits := map[string]bool{}, map[string]bool{}
	sawBoth := false
	for i := 0; i < 120 && e.deployment(id).Status != cdtypes.DeploymentStatusSucceeded; i++ {
		e.em.Advance(5 * time.Second)
		snap, ok := e.em.ServiceSnapshot("us-east-1", "c", "web")
		if !ok {
			t.Fatal("no snapshot of the service")
		}
		stages[snap.Stage] = true
		var split []string
		for _, share := range snap.Traffic {
			name := "blue"
			if share.TargetGroup == e.greenTG {
				name = "green"
			}
			split = append(split, fmt.Sprintf("%s=%g", name, share.Percent))
		}
		splits[strings.Join(split, " ")] = true
		if len(snap.TaskSets) == 2 {
			groups := map[string]bool{}
			for _, ts := range snap.TaskSets {
				for _, tg := range ts.TargetGroups {
					groups[tg] = true
				}
			}
			sawBoth = sawBoth || (groups[e.blueTG] && groups[e.greenTG])
			for _, task := range snap.Tasks {
				if task.LastStatus != "STOPPED" && task.TaskSet == "" {
					t.Errorf("task %s of a task-set service names no task set", task.ID)
				}
			}
		}
	}
	if e.deployment(id).Status != cdtypes.DeploymentStatusSucceeded {
		t.Fatalf("deployment %s", mustJSON(e.deployment(id)))
	}
	for _, want := range []string{"Install", "AllowTraffic"} {
		if !stages[want] {
			t.Errorf("stages seen %v lack %s", stages, want)
		}
	}
	// The listener forwards to blue alone, then to both, then to green alone.
	for _, want := range []string{"blue=100", "blue=50 green=50", "green=100"} {
		if !splits[want] {
			t.Errorf("traffic splits seen %v lack %q", splits, want)
		}
	}
	if !sawBoth {
		t.Error("the snapshot never showed the original and replacement task sets on their target groups")
	}
	if snap, _ := e.em.ServiceSnapshot("us-east-1", "c", "web"); snap.Stage != "" {
		t.Errorf("stage after the deployment: %q, want none", snap.Stage)
	}
}
