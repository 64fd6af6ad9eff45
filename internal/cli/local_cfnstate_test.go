package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkcfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
)

const logGroupStack = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties: {LogGroupName: /demo}\n"

// stacksIn opens the local ECS on file as a command does, creates the
// stack create (unless empty), and returns the stacks it lists, saving the
// state afterwards.
func stacksIn(t *testing.T, file, create string) []string {
	t.Helper()
	em, _, err := openLocalEmulatorWarning(file, emulator.DefaultSpeed, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = em.Close() }() // SaveState below reports what matters
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	client := sdkcfn.NewFromConfig(cfg)
	ctx := context.Background()
	if create != "" {
		if _, err := client.CreateStack(ctx, &sdkcfn.CreateStackInput{StackName: aws.String(create), TemplateBody: aws.String(logGroupStack)}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := client.DescribeStacks(ctx, &sdkcfn.DescribeStacksInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, st := range out.Stacks {
		names = append(names, aws.ToString(st.StackName))
	}
	if err := em.SaveState(file); err != nil {
		t.Fatal(err)
	}
	return names
}

// TestLocalStacksLiveInTheirStateFile: the stacks are saved in the state
// file they were made with, so two state files in one directory keep their
// own, and no second file is written beside them.
func TestLocalStacksLiveInTheirStateFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	stacksIn(t, a, "one")
	stacksIn(t, b, "two")
	if got := stacksIn(t, a, ""); len(got) != 1 || got[0] != "one" {
		t.Errorf("state a lists stacks %v, want [one]", got)
	}
	if got := stacksIn(t, b, ""); len(got) != 1 || got[0] != "two" {
		t.Errorf("state b lists stacks %v, want [two]", got)
	}
	if _, err := os.Stat(filepath.Join(dir, legacyCloudFormationFile)); !os.IsNotExist(err) {
		t.Errorf("a separate %s was written beside the states: %v", legacyCloudFormationFile, err)
	}
}

// TestLocalStateImportsTheOldCloudFormationFileOnce: a state saved before
// the stacks moved into it takes those of the cloudformation.json beside it,
// once; a new state takes none.
func TestLocalStateImportsTheOldCloudFormationFileOnce(t *testing.T) {
	t.Parallel()
	old, dir := t.TempDir(), t.TempDir()
	// The old layout: a state without stacks, and the stacks beside it.
	stacksIn(t, filepath.Join(old, "state.json"), "legacy")
	em, cf, err := openLocalEmulatorWarning(filepath.Join(old, "state.json"), emulator.DefaultSpeed, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := cf.MarshalState()
	_ = em.Close() // only read from
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, legacyCloudFormationFile), data, 0o600); err != nil {
		t.Fatal(err)
	}
	plain := emulator.New(emulator.Options{DefaultCluster: true}) // saves no CloudFormation section
	state := filepath.Join(dir, "state.json")
	if err := plain.SaveState(state); err != nil {
		t.Fatal(err)
	}
	_ = plain.Close() // saved above

	if got := stacksIn(t, state, ""); len(got) != 1 || got[0] != "legacy" {
		t.Fatalf("an old state lists %v, want the stack of the old file", got)
	}
	// Once: the state now has stacks of its own.
	if err := os.WriteFile(filepath.Join(dir, legacyCloudFormationFile), []byte(`{"format":1,"stacks":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := stacksIn(t, state, ""); len(got) != 1 || got[0] != "legacy" {
		t.Errorf("after the import the state lists %v, want its own [legacy]", got)
	}
	if got := stacksIn(t, filepath.Join(dir, "new.json"), ""); len(got) != 0 {
		t.Errorf("a new state lists %v, want no stack", got)
	}
}
