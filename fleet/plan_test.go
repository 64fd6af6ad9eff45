package fleet

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/bluegreen"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/internal/emuclock"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// TestPlanDeploysSkipsOnlyMissingContainers: a change naming a container
// a service lacks refuses the whole fleet with a problem under that
// target's name, unless skipMissing leaves the target out.
func TestPlanDeploysSkipsOnlyMissingContainers(t *testing.T) {
	l := newLocalECS(t, nil)
	l.services(t, 2)
	api := NewBatcher(l.client, 0)
	waves := func() [][]Member {
		member := func(svc, container string) *DeployMember {
			return &DeployMember{Target: svc, API: api, Request: rollout.Request{Cluster: "c", Service: svc,
				Changes: taskdef.Changes{Images: []taskdef.ImageChange{{Container: container, Image: "registry.example.com/app:2"}}}}}
		}
		return [][]Member{{member("svc-1", "app")}, {member("svc-2", "sidecar")}}
	}
	ctx := context.Background()

	_, _, err := PlanDeploys(ctx, waves(), false)
	var ps exitcode.Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Field != "svc-2" || !strings.Contains(ps[0].Message, "has no container") {
		t.Fatalf("without skipMissing: %v, want one problem under svc-2", err)
	}

	planned, skipped, err := PlanDeploys(ctx, waves(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(planned) != 1 || len(planned[0]) != 1 || planned[0][0].Name() != "svc-1" {
		t.Fatalf("planned waves %v, want only svc-1's", planned)
	}
	if why := skipped["svc-2"]; len(skipped) != 1 || !strings.Contains(why, "sidecar") {
		t.Fatalf("skipped %v, want svc-2 with the container it lacks", skipped)
	}
	if m := planned[0][0].(*DeployMember); m.plan == nil {
		t.Fatal("svc-1 was not planned")
	}
}

// TestPlanRollbacksReportsEveryTargetAndRollsBack: a service with no
// earlier revision and one that does not exist are both refused, each
// under its target's name; a service deployed twice is planned back to
// its first revision, and Do returns it there with outputs for CI.
func TestPlanRollbacksReportsEveryTargetAndRollsBack(t *testing.T) {
	l := newLocalECS(t, nil)
	names := l.services(t, 2)
	ctx := context.Background()
	deploy := &DeployMember{Target: "svc-1", API: l.client, Request: rollout.Request{Cluster: "c", Service: "svc-1",
		Changes: taskdef.Changes{Images: []taskdef.ImageChange{{Container: "app", Image: "registry.example.com/app:2"}}}},
		Options: rollout.Options{Timeout: 5 * time.Minute, Watch: watch.Options{Timeout: 5 * time.Minute, Clock: emuclock.Clock{Em: l.em}}}}
	if o := deploy.Do(ctx); o.Outcome != progress.Succeeded {
		t.Fatalf("deploy svc-1: %+v", o)
	}
	l.settle(t, names)

	opts := rollout.RollbackOptions{Watch: watch.Options{Timeout: 5 * time.Minute, Clock: emuclock.Clock{Em: l.em}}}
	member := func(name, svc string) *RollbackMember {
		return &RollbackMember{Target: name, Cluster: "c", Service: svc, API: l.client, Options: opts}
	}
	one, two := member("one", "svc-1"), member("two", "svc-2")
	err := PlanRollbacks(ctx, []*RollbackMember{member("gone", "nope"), one, member("gone too", "nope-2")})
	var ps exitcode.Problems
	if !errors.As(err, &ps) || len(ps) != 2 || exitcode.Of(err) != exitcode.Invalid || ps[0].Field != "gone" || ps[1].Field != "gone too" {
		t.Fatalf("plan: %v, want a problem under each missing service's name, exit 2", err)
	}
	err = PlanRollbacks(ctx, []*RollbackMember{two})
	var pe *PlanError
	if !errors.As(err, &pe) || pe.Service != "svc-2" || exitcode.Of(err) != exitcode.Failed {
		t.Fatalf("plan svc-2 (one revision): %v, want a PlanError naming it, exit 1", err)
	}

	if err := PlanRollbacks(ctx, []*RollbackMember{one}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(one.Previous(), "svc-1:2") || one.NotRolling() != nil {
		t.Fatalf("previous %q, want svc-1:2", one.Previous())
	}
	o := one.Do(ctx)
	if o.Outcome != progress.Succeeded || !o.Changed {
		t.Fatalf("rollback: %+v", o)
	}
	out, err := l.client.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{"svc-1"}})
	if err != nil || lastSegment(aws.ToString(out.Services[0].TaskDefinition)) != "svc-1:1" {
		t.Fatalf("svc-1 runs %v (%v), want svc-1:1", out.Services[0].TaskDefinition, err)
	}
	got := map[string]string{}
	for _, kv := range one.Outputs("eu-west-1") {
		got[kv.Key] = kv.Value
	}
	if got["one_TaskDefinitionRevision"] != "1" || got["one_TaskDefinitionFamily"] != "svc-1" || got["one_Region"] != "eu-west-1" {
		t.Fatalf("outputs %v", got)
	}
	if two.Outputs("") != nil {
		t.Fatal("a member that never rolled back has outputs")
	}
}

func TestReverseWavesAndOutputNames(t *testing.T) {
	a, b, c := &RollbackMember{Target: "a"}, &RollbackMember{Target: "b"}, &RollbackMember{Target: "c"}
	got := ReverseWaves([][]Member{{a}, {b, c}})
	if len(got) != 2 || got[0][0] != b || got[0][1] != c || got[1][0] != a {
		t.Fatalf("reversed %v", got)
	}
	for in, want := range map[string]string{"web-eu.1": "web_eu_1", "api_2": "api_2", "café": "caf_"} {
		if got := OutputName(in); got != want {
			t.Errorf("OutputName(%q) = %q, want %q", in, got, want)
		}
	}
	outs := TargetOutputs("web-eu", &rollout.Result{Family: "web", Revision: 3})
	if outs[0].Key != "web_eu_TaskDefinitionRevision" || outs[0].Value != "3" || outs[1].Key != "web_eu_TaskDefinitionFamily" {
		t.Fatalf("outputs %v", outs)
	}
}

func TestAtOnceKeepsEachErrorAtItsIndex(t *testing.T) {
	boom := errors.New("boom")
	errs := AtOnce(3*ReadParallel, func(i int) error {
		if i%7 == 0 {
			return boom
		}
		return nil
	})
	for i, err := range errs {
		if (i%7 == 0) != errors.Is(err, boom) {
			t.Fatalf("error %d: %v", i, err)
		}
	}
}

// TestSnapshotReadsEveryTargetAndNamesTheMissing: the services that exist
// are read over one batched client; a missing one has its error in its
// place, and SnapshotError names it with exit code 2.
func TestSnapshotReadsEveryTargetAndNamesTheMissing(t *testing.T) {
	l := newLocalECS(t, nil)
	l.services(t, 2)
	api := NewBatcher(l.client, 0)
	var targets []StatusTarget
	for _, svc := range []string{"svc-1", "nope", "svc-2"} {
		targets = append(targets, StatusTarget{Name: "t-" + svc, Cluster: "c", Service: svc, ECS: api, BlueGreen: bluegreen.APIs{ECS: l.client}})
	}
	snaps := Snapshot(context.Background(), targets, 3)
	if snaps[0].Err != nil || snaps[2].Err != nil || snaps[0].Status.Service != "svc-1" || snaps[2].Status.Running != 2 {
		t.Fatalf("existing services: %+v %+v", snaps[0], snaps[2])
	}
	if snaps[1].Err == nil || snaps[1].Status != nil {
		t.Fatalf("missing service: %+v", snaps[1])
	}
	err := SnapshotError(targets, snaps)
	if exitcode.Of(err) != exitcode.Invalid || !strings.HasPrefix(err.Error(), "could not read t-nope: ") {
		t.Fatalf("snapshot error %v (exit %d)", err, exitcode.Of(err))
	}
	if SnapshotError(targets[:1], snaps[:1]) != nil {
		t.Fatal("a snapshot read whole has an error")
	}
}
