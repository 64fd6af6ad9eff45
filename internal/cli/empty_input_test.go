package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// An empty value that would make a command do nothing, or something else
// than asked, is invalid input named by its flag, before any AWS call (these
// commands have no region or endpoint to reach): an unset CI variable must
// not redeploy the old revision and exit 0.
func TestEmptyInputIsInvalidAndNamesTheFlag(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		args []string
		flag string
	}{
		{"empty tag-only", []string{"deploy", "-c", "c", "-n", "web", "--tag-only", ""}, "--tag-only"},
		{"tag-only from an empty variable", []string{"deploy", "-c", "c", "-n", "web", "--tag-only", "#{Tag}", "--var", "Tag="}, "--tag-only"},
		{"empty tag-only on register", []string{"register", "--family", "web", "--tag-only", ""}, "--tag-only"},
		{"rollback to revision 0", []string{"rollback", "-c", "c", "-n", "web", "--to-revision", "0"}, "--to-revision"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			g := runOpts{}.deps(&out, &errOut)
			code := execute(context.Background(), g, tt.args)
			if code != exitcode.Invalid {
				t.Fatalf("exit %d, want %d (invalid input)\nstdout: %s\nstderr: %s", code, exitcode.Invalid, out.String(), errOut.String())
			}
			if !strings.Contains(errOut.String(), tt.flag) {
				t.Fatalf("the error does not name %s:\n%s", tt.flag, errOut.String())
			}
		})
	}
}
