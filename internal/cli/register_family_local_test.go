package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// register --family names the family the revision is registered into, as
// on deploy; alone, it still starts from that family's latest ACTIVE
// revision (what it meant before).
func TestRegisterFamilyIsTheDestination(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, longRunning())
	td := l.registerFamily(t, "web", taskContainer("app", "registry.example.com/web:1.0", true))
	l.createService(t, "web", td, 1)
	// web:2 exists but the service runs web:1.
	l.registerFamily(t, "web", taskContainer("app", "registry.example.com/web:2.0", true))

	report := func(args ...string) (registerReport, string) {
		t.Helper()
		code, stdout, stderr := l.exec(t, append([]string{"register", "--output", "json"}, args...)...)
		var rep registerReport
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 0 {
			t.Fatalf("register %v: exit %d, %v\n%s\n%s", args, code, err, stdout, stderr)
		}
		return rep, stderr
	}
	image := func(ref string) string {
		t.Helper()
		out, err := l.client.DescribeTaskDefinition(context.Background(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.TaskDefinition.ContainerDefinitions[0].Image)
	}

	// The service's revision, changed, registered into another family.
	rep, _ := report("-n", "web", "--family", "web-blue", "--tag-only", "1.1")
	if !rep.Registered || rep.Family != "web-blue" || rep.Revision != 1 || rep.Base != td || image("web-blue:1") != "registry.example.com/web:1.1" ||
		!strings.Contains(strings.Join(rep.Notes, "\n"), "registered into family web-blue (the base revision is of web)") {
		t.Fatalf("--service with --family: %+v", rep)
	}
	// A given revision, registered into another family (--family was
	// ignored there before).
	rep, _ = report("--task-definition", "web:2", "--family", "web-green")
	if !rep.Registered || rep.Family != "web-green" || image("web-green:1") != "registry.example.com/web:2.0" {
		t.Fatalf("--task-definition with --family: %+v", rep)
	}
	// --service with its own family: the revision the service runs, as on
	// deploy, and a note on the newer one (which it used to start from).
	rep, _ = report("-n", "web", "--family", "web", "-i", "app=registry.example.com/web:1.2")
	if !rep.Registered || rep.Family != "web" || rep.Revision != 3 || rep.Base != td || image("web:3") != "registry.example.com/web:1.2" ||
		!strings.Contains(strings.Join(rep.Notes, "\n"), "the family's latest ACTIVE revision is 2 (add --use-latest-task-def to start from it)") {
		t.Fatalf("--service with its own family: %+v", rep)
	}
	// From a spec: the note names the flag when the spec leaves the setting
	// out, and the spec's line when it sets it false.
	dir := t.TempDir()
	for i, tc := range []struct{ spec, want string }{
		{"service: web\n", "(add --use-latest-task-def to start from it)"},
		{"service: web\nuseLatestTaskDef: false\n", "(set useLatestTaskDef at " + filepath.Join(dir, "1.yml") + ":2 to start from it)"},
	} {
		path := filepath.Join(dir, strconv.Itoa(i)+".yml")
		if err := os.WriteFile(path, []byte(tc.spec), 0o644); err != nil {
			t.Fatal(err)
		}
		rep, _ = report("-f", path, "--family", "web", "--dry-run")
		if !strings.Contains(strings.Join(rep.Notes, "\n"), tc.want) {
			t.Fatalf("spec %q: notes %q, want %q", tc.spec, rep.Notes, tc.want)
		}
	}
	// Alone: the family's latest ACTIVE revision, registered into it.
	rep, _ = report("--family", "web", "--tag-only", "3.0")
	if !rep.Registered || rep.Revision != 4 || !strings.HasSuffix(rep.Base, "web:3") || image("web:4") != "registry.example.com/web:3.0" {
		t.Fatalf("--family alone: %+v", rep)
	}
	if got := aws.ToString(l.service(t, "web").TaskDefinition); got != td {
		t.Fatalf("register changed the service to %s", got)
	}
}
