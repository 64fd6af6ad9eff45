package elbv2

import (
	"fmt"
	"os"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// TestMain gives the whole test binary the fake AWS environment, so that the
// AWS CLI tests, which spend most of their time waiting on the CLI, can run
// in parallel (a parallel test may not set its own environment).
func TestMain(m *testing.M) {
	cleanup, err := testenv.UseFakeAWSEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}
