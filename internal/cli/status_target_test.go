package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/inspect"
)

// targetSpec is a deploy spec as a user keeps it: the service name comes
// from a variable, and the image needs a variable that looking at or
// scaling the service has no use for.
const targetSpec = `cluster: default
service: "#{Svc}"
images:
  app: "registry.example.com/web:#{Tag}"
`

func writeTargetSpec(t *testing.T) (specFile, varFile string) {
	t.Helper()
	dir := t.TempDir()
	specFile, varFile = filepath.Join(dir, "deploy.yaml"), filepath.Join(dir, "prod.env")
	if err := os.WriteFile(specFile, []byte(targetSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(varFile, []byte("Svc=web\nFam=web\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return specFile, varFile
}

// TestStatusScaleRevisionsTakeTheDeploySpecAndVariables: status, scale and
// revisions find their service (or cluster) from the same spec file and
// variables as deploy.
func TestStatusScaleRevisionsTakeTheDeploySpecAndVariables(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, longRunning())
	td := l.registerFamily(t, "web", taskContainer("app", "web:1", true))
	l.createService(t, "web", td, 1)
	specFile, varFile := writeTargetSpec(t)

	code, stdout, _ := l.exec(t, "status", "-f", specFile, "--var", "Svc=web", "--output", "json")
	var rep inspect.ServiceStatus
	if err := json.Unmarshal([]byte(stdout), &rep); code != 0 || err != nil || rep.Service != "web" || rep.Cluster != "default" {
		t.Fatalf("status -f --var: exit %d, %v, %+v", code, err, rep)
	}

	code, stdout, _ = l.exec(t, "scale", "2", "-f", specFile, "--var-file", varFile, "--output", "json")
	var res scaleReport
	if err := json.Unmarshal([]byte(stdout), &res); code != 0 || err != nil || res.Service != "web" || res.DesiredCount != 2 {
		t.Fatalf("scale -f --var-file: exit %d, %v, %+v", code, err, res)
	}

	code, stdout, _ = l.exec(t, "revisions", "#{Fam}", "-f", specFile, "--var-file", varFile, "--output", "json")
	if code != 0 || !strings.Contains(stdout, `"family": "web"`) || !strings.Contains(stdout, `"usedBy": [`) {
		t.Fatalf("revisions with a variable family: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = l.exec(t, "revisions", "prune", "#{Fam}", "--var", "Fam=web", "--keep", "1", "--dry-run", "--output", "json")
	if code != 0 || !strings.Contains(stdout, `"family": "web"`) {
		t.Fatalf("revisions prune with a variable family: exit %d\n%s", code, stdout)
	}
}

// TestTargetSpecNeedsTheVariablesOfClusterAndService: a variable the
// service name needs is still required, named, before any call.
func TestTargetSpecNeedsTheVariablesOfClusterAndService(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, longRunning())
	specFile, _ := writeTargetSpec(t)
	cases := []struct {
		want string
		args []string
	}{
		{"#{Svc}", []string{"status", "-f", specFile}},
		{"#{Svc}", []string{"scale", "3", "-f", specFile}},
		{"--var-file", []string{"status", "-n", "web", "--var-file", filepath.Join(t.TempDir(), "missing.env")}},
		{"#{Fam}", []string{"revisions", "#{Fam}"}},
	}
	for _, c := range cases {
		code, stdout, stderr := l.exec(t, c.args...)
		if code != 2 || stdout != "" {
			t.Fatalf("%v: exit %d, stdout %q", c.args, code, stdout)
		}
		oneLine(t, stderr, c.want)
	}
}
