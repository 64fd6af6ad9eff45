package cloudformation_test

import (
	"os"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/internal/cfntest"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// templates gathers the templates the AWS CLI tests hand to the local
// CloudFormation, which must also pass cfn-lint: one cfn-lint run lints
// them all after the tests.
var templates cfntest.Collector

func TestMain(m *testing.M) {
	testenv.NoCABundle()
	code := m.Run()
	if code == 0 {
		code = templates.LintMain()
	}
	os.Exit(code)
}
