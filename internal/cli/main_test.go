package cli

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/internal/cfntest"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// stackTemplates collects every template the stack command tests deploy;
// TestMain lints them once, after every test.
var stackTemplates cfntest.Collector

// sharedMoto is the moto_server the conformance tests share (each with clusters,
// families and stacks of its own); TestMain stops it.
var sharedMoto testenv.SharedMoto

// TestMain gives the whole test binary fake AWS credentials (tests running
// in parallel may not set their own), runs the tests, and then runs
// cfn-lint once over the templates the stack tests deployed.
func TestMain(m *testing.M) {
	flag.Parse()
	moreParallel()
	cleanup, err := testenv.UseFakeAWSEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	sharedMoto.Stop()
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

// parallelTests is how many parallel tests run at once when -test.parallel
// is not given. Most of this package's tests wait rather than compute: the
// stack commands on the wall clock, local serve, moto_server, the AWS CLI.
// The default (one per core) would leave the cores idle while they wait.
const parallelTests = 8

// moreParallel raises -test.parallel to parallelTests unless the command
// line set it.
func moreParallel() {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if p := flag.Lookup("test.parallel"); p != nil && !given && runtime.GOMAXPROCS(0) < parallelTests {
		_ = p.Value.Set(strconv.Itoa(parallelTests)) // an int flag takes any number
	}
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
