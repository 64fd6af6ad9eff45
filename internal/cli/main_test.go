package cli

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/internal/cfntest"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// stackTemplates collects every template the stack command tests deploy;
// TestMain lints them once, after every test.
var stackTemplates cfntest.Collector

// TestMain gives the whole test binary fake AWS credentials (tests running
// in parallel may not set their own), runs the tests, and then runs
// cfn-lint once over the templates the stack tests deployed.
func TestMain(m *testing.M) {
	cleanup, err := testenv.UseFakeAWSEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 {
		code = stackTemplates.LintMain()
	}
	if code == 0 && !testing.Short() && flag.Lookup("test.run").Value.String() == "" {
		// Only a whole run has exercised every command.
		problems, checked := iamPolicyCoversRecordedCalls()
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "iam-policy:", p)
		}
		if len(problems) > 0 || checked == 0 {
			fmt.Fprintf(os.Stderr, "iam-policy: %d problems over %d recorded (command, action) pairs\n", len(problems), checked)
			code = 1
		}
	}
	cleanup()
	os.Exit(code)
}

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
