package emulator

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
)

var testStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// newTestEmulator returns an emulator on a manual clock and an ECS client
// that reaches it in-process through the SDK's full wire path.
func newTestEmulator(t testing.TB) (*Emulator, *ecs.Client) {
	t.Helper()
	em := New(Options{Clock: NewManualClock(testStart), Seed: 1})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatalf("load config: %v", err)
	}
	return em, ecs.NewFromConfig(cfg)
}
