package stack

import (
	"strings"
	"testing"
)

func TestNamesFollowTheDocumentedRule(t *testing.T) {
	own := &Spec{Name: "web"}
	if own.StackName() != "ecsdeploy-web" || own.ClusterName() != "web" || own.LogGroupName() != "/ecs/web/web" || own.TaskFamily() != "web" {
		t.Errorf("own cluster: stack %q cluster %q log group %q family %q", own.StackName(), own.ClusterName(), own.LogGroupName(), own.TaskFamily())
	}
	shared := &Spec{Name: "worker_queue", Cluster: "batch"}
	if got := shared.StackName(); got != "ecsdeploy-batch-worker-queue" {
		t.Errorf("stack name %q", got)
	}
	if got := shared.LogGroupName(); got != "/ecs/batch/worker_queue" {
		t.Errorf("log group %q", got)
	}
	long := &Spec{Name: strings.Repeat("a", 200), Cluster: "c"}
	name := long.StackName()
	if len(name) != 128 || name != long.StackName() {
		t.Errorf("long stack name %q (%d chars) must be 128 chars and stable", name, len(name))
	}
	other := &Spec{Name: strings.Repeat("a", 199) + "b", Cluster: "c"}
	if other.StackName() == name {
		t.Errorf("two long names that differ after the cut share the stack name %q", name)
	}
}

func TestStackTagsAddOursToTheSpecs(t *testing.T) {
	s := &Spec{Name: "web", Cluster: "prod", Tags: map[string]string{"team": "a"}}
	tags := s.StackTags()
	want := map[string]string{"team": "a", TagManagedBy: "ecsdeploy", TagService: "web", TagCluster: "prod"}
	if len(tags) != len(want) {
		t.Fatalf("tags %v, want %v", tags, want)
	}
	for k, v := range want {
		if tags[k] != v {
			t.Errorf("tag %s = %q, want %q", k, tags[k], v)
		}
	}
}

func TestPascalName(t *testing.T) {
	for in, want := range map[string]string{"web-app": "WebApp", "LOG_LEVEL": "LOGLEVEL", "api": "Api", "a.b_c": "ABC", "x2y": "X2y"} {
		if got := PascalName(in); got != want {
			t.Errorf("PascalName(%q) = %q, want %q", in, got, want)
		}
	}
}
