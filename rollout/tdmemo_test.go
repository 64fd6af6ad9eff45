package rollout

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// Planning reads each task definition once: a service on its family's
// newest revision costs one read (the family's, which is also the
// service's), a service on an older one two, and the plan is the same as
// when each step read for itself.
func TestPlanReadsEachTaskDefinitionOnce(t *testing.T) {
	ctx := context.Background()
	change := imageChange("app", "registry.example.com/web:2.0")

	t.Run("service runs the newest revision", func(t *testing.T) {
		f, _ := setup(t)
		plan, err := MakePlan(ctx, f, Request{Cluster: "c", Service: "web", Changes: change})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"web"}; !reflect.DeepEqual(f.tdReads, want) {
			t.Errorf("reads = %q, want %q", f.tdReads, want)
		}
		if plan.New == nil || plan.Current.Revision != 1 || len(plan.Warnings) != 0 {
			t.Errorf("plan: new %v, current %d, warnings %q", plan.New != nil, plan.Current.Revision, plan.Warnings)
		}
	})

	t.Run("a newer unused revision", func(t *testing.T) {
		f, td := setup(t)
		f.addTaskDef("web", container("app", "registry.example.com/web:9.0"))
		plan, err := MakePlan(ctx, f, Request{Cluster: "c", Service: "web", Changes: change})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"web", td}; !reflect.DeepEqual(f.tdReads, want) {
			t.Errorf("reads = %q, want %q", f.tdReads, want)
		}
		if plan.Current.Revision != 1 || plan.New == nil || len(plan.Warnings) != 1 || !strings.Contains(plan.Warnings[0], "web:2, newer than the revision the service runs (1)") {
			t.Errorf("plan: current %d, new %v, warnings %q", plan.Current.Revision, plan.New != nil, plan.Warnings)
		}
	})

	t.Run("use-latest with changes", func(t *testing.T) {
		f, td := setup(t)
		f.addTaskDef("web", container("app", "registry.example.com/web:9.0"), container("log", "fluent/fluent-bit:2"))
		plan, err := MakePlan(ctx, f, Request{Cluster: "c", Service: "web", Changes: change, Source: Source{UseLatest: true}})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"web", td}; !reflect.DeepEqual(f.tdReads, want) {
			t.Errorf("reads = %q, want %q", f.tdReads, want)
		}
		if plan.New == nil || len(plan.New.ContainerDefinitions) != 2 || aws.ToString(plan.New.ContainerDefinitions[0].Image) != "registry.example.com/web:2.0" {
			t.Fatalf("plan.New = %+v", plan.New)
		}
		if !strings.Contains(strings.Join(plan.Notes, "\n"), "based on the latest ACTIVE revision web:2 (the service runs 1)") {
			t.Errorf("notes = %q", plan.Notes)
		}
	})

	t.Run("a family without an ACTIVE revision", func(t *testing.T) {
		f, td := setup(t)
		f.taskDefs[td].Status = types.TaskDefinitionStatusInactive
		_, err := MakePlan(ctx, f, Request{Cluster: "c", Service: "web", Changes: change})
		// The family read fails and the revision is read by its ARN, as
		// before; the check for a newer revision then reports the family.
		if err == nil || !strings.Contains(err.Error(), "describe task definition web") {
			t.Errorf("err = %v", err)
		}
		if want := []string{"web", td, "web"}; !reflect.DeepEqual(f.tdReads, want) {
			t.Errorf("reads = %q, want %q", f.tdReads, want)
		}
	})

	t.Run("an existing revision reads no family", func(t *testing.T) {
		f, td := setup(t)
		if _, err := MakePlan(ctx, f, Request{Cluster: "c", Service: "web", Source: Source{Existing: "web:1"}}); err != nil {
			t.Fatal(err)
		}
		if want := []string{td, "web:1"}; !reflect.DeepEqual(f.tdReads, want) {
			t.Errorf("reads = %q, want %q", f.tdReads, want)
		}
	})
}

func TestFamilyOfARN(t *testing.T) {
	for ref, want := range map[string]string{
		arnPrefix + "web:3": "web", "web:12": "web", arnPrefix + "web": "", "web:": "", ":3": "",
	} {
		got, ok := familyOfARN(ref)
		if got != want || ok != (want != "") {
			t.Errorf("familyOfARN(%q) = %q, %v; want %q", ref, got, ok, want)
		}
	}
}

// Resolving a base (register, run) reads the service's family once when it
// runs the family's newest revision, and still notes a newer one.
func TestResolveBaseReadsTheFamilyOnce(t *testing.T) {
	ctx := context.Background()
	f, td := setup(t)
	if _, err := ResolveBase(ctx, f, BaseRequest{Cluster: "c", Service: "web", Family: "web"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"web"}; !reflect.DeepEqual(f.tdReads, want) {
		t.Errorf("reads = %q, want %q", f.tdReads, want)
	}
	f.addTaskDef("web", container("app", "registry.example.com/web:9.0"))
	f.tdReads = nil
	b, err := ResolveBase(ctx, f, BaseRequest{Cluster: "c", Service: "web", Family: "web"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"web", td}; !reflect.DeepEqual(f.tdReads, want) {
		t.Errorf("reads = %q, want %q", f.tdReads, want)
	}
	// The note names the setting that starts from the newer revision: the
	// field by default, where the request's origins say to give it else.
	if b.From.Revision != 1 || !strings.Contains(strings.Join(b.Notes, "\n"), "the family's latest ACTIVE revision is 2 (add useLatestTaskDef to start from it)") {
		t.Errorf("from %d, notes %q", b.From.Revision, b.Notes)
	}
	b, err = ResolveBase(ctx, f, BaseRequest{Cluster: "c", Service: "web", Family: "web",
		Origins: exitcode.Origins{"useLatestTaskDef": exitcode.FlagOrigin("--use-latest-task-def")}})
	if err != nil || !strings.Contains(strings.Join(b.Notes, "\n"), "(add --use-latest-task-def to start from it)") {
		t.Errorf("with a flag as where to give it: notes %q, %v", b.Notes, err)
	}
	b, err = ResolveBase(ctx, f, BaseRequest{Cluster: "c", Service: "web", Family: "web",
		Origins: exitcode.Origins{"useLatestTaskDef": exitcode.FileOrigin("web.yml", "useLatestTaskDef", 4)}})
	if err != nil || !strings.Contains(strings.Join(b.Notes, "\n"), "(set useLatestTaskDef at web.yml:4 to start from it)") {
		t.Errorf("given false in a file: notes %q, %v", b.Notes, err)
	}
}
