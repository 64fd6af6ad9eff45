package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// A spec that is not valid YAML is reported by its syntax error alone: no
// "cluster: required" for a file that was never read, no line twice.
func TestDeploySpecSyntaxErrorIsTheOnlyProblem(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "deploy.yaml")
	if err := os.WriteFile(path, []byte("cluster: c\nservice: web\nimages:\n  app: x\n  bad: [unclosed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := execute(context.Background(), runOpts{}.deps(&out, &errOut), []string{"deploy", "-f", path})
	text := errOut.String()
	if code != exitcode.Invalid {
		t.Fatalf("exit %d, want %d\n%s", code, exitcode.Invalid, text)
	}
	if strings.Contains(text, "required") || strings.Count(text, path+":") != 1 || strings.Contains(text, "line ") {
		t.Fatalf("want the syntax error alone, with its file and line once:\n%s", text)
	}
}

// A task-definition file that is not JSON (a binary, say) is reported with
// its path.
func TestDeployGarbledTaskDefinitionFileIsNamed(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "td.json")
	if err := os.WriteFile(path, []byte{0x7f, 'E', 'L', 'F', 0, 1}, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := execute(context.Background(), runOpts{}.deps(&out, &errOut), []string{"deploy", "-c", "c", "-n", "web", "--task-definition-file", path})
	if code != exitcode.Invalid || !strings.Contains(errOut.String(), path) {
		t.Fatalf("exit %d; want invalid input naming %s:\n%s", code, path, errOut.String())
	}
}
