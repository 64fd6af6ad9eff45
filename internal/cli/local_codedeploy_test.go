package cli

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// TestLocalEmulatorServesCodeDeploy: the local ECS that --local and `local
// serve` open answers CodeDeploy and keeps its applications in the same
// state file.
func TestLocalEmulatorServesCodeDeploy(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	ctx := context.Background()
	client := func(em *emulator.Emulator) *cd.Client {
		cfg, err := awsconfig.Load(ctx, awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		return cd.NewFromConfig(cfg)
	}
	em, err := openLocalEmulator(file, emulator.DefaultSpeed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client(em).CreateApplication(ctx, &cd.CreateApplicationInput{ApplicationName: aws.String("web"), ComputePlatform: cdtypes.ComputePlatformEcs}); err != nil {
		t.Fatal(err)
	}
	if err := em.SaveState(file); err != nil {
		t.Fatal(err)
	}
	if err := em.Close(); err != nil {
		t.Fatal(err)
	}
	em, err = openLocalEmulator(file, emulator.DefaultSpeed)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = em.Close() }()
	out, err := client(em).GetApplication(ctx, &cd.GetApplicationInput{ApplicationName: aws.String("web")})
	if err != nil || out.Application.ComputePlatform != cdtypes.ComputePlatformEcs || out.Application.CreateTime == nil {
		t.Fatalf("after reopening: %+v %v", out, err)
	}
}
