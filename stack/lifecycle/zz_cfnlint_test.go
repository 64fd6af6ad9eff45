package lifecycle

import (
	"testing"

	"github.com/ecsdeploy/ecsdeploy/stack/cfn/cfntest"
)

// generated collects every template this package's tests deploy.
var generated cfntest.Collector

func recordTemplate(body string) { generated.Record(body) }

// TestZZGeneratedTemplatesPassCfnLint runs after the tests above (tests run
// in file and source order) and lints the templates they deployed.
func TestZZGeneratedTemplatesPassCfnLint(t *testing.T) { generated.Lint(t) }
