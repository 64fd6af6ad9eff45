package apply

import (
	"os"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/internal/cfntest"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// generated collects every template this package's tests deploy.
var generated cfntest.Collector

// TestMain lints, after every test has run, the templates they deployed:
// one cfn-lint process for the package, whatever order the tests ran in.
func TestMain(m *testing.M) {
	testenv.NoCABundle()
	code := m.Run()
	if code == 0 {
		code = generated.LintMain()
	}
	os.Exit(code)
}
