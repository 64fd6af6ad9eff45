package logs

import (
	"os"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

func TestMain(m *testing.M) {
	testenv.NoCABundle()
	os.Exit(m.Run())
}
