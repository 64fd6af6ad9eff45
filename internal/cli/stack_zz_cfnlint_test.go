package cli

import (
	"testing"

	"github.com/ecsdeploy/ecsdeploy/stack/cfn/cfntest"
)

// stackTemplates collects every template the stack command tests deploy.
var stackTemplates cfntest.Collector

// recordStackTemplate renders, with `stack template`, the template that a
// stack command given the same spec and variables deploys.
func recordStackTemplate(t *testing.T, specPath string, varArgs ...string) {
	t.Helper()
	code, out, errOut := runStackCLI(t, runOpts{}, append([]string{"stack", "template", "-f", specPath}, varArgs...)...)
	if code != 0 {
		t.Fatalf("stack template exit %d: %s", code, errOut)
	}
	stackTemplates.Record(out)
}

// TestStackZZGeneratedTemplatesPassCfnLint runs after the stack tests
// (tests run in file and source order) and lints what they deployed.
func TestStackZZGeneratedTemplatesPassCfnLint(t *testing.T) { stackTemplates.Lint(t) }
