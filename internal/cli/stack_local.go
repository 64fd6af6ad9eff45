package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	localcfn "github.com/ecsdeploy/ecsdeploy/emulator/cloudformation"
	"github.com/ecsdeploy/ecsdeploy/internal/failure"
)

// localCloudFormationFile is where the local CloudFormation keeps its stacks,
// next to the local ECS's own state file.
const localCloudFormationFile = "cloudformation.json"

// localCloudFormationScenario, when present next to it, holds failure rules
// for the local CloudFormation (emulator/cloudformation.Scenario, as YAML).
const localCloudFormationScenario = "cloudformation-scenario.yaml"

// withLocalCloudFormation makes --local answer CloudFormation for the stack
// commands: it opens the local ECS, serves the emulated CloudFormation on
// it with the stacks saved by earlier commands, and saves them again when
// the command ends. A test's LocalHandler is used as it is (the test
// registers CloudFormation on its emulator itself).
// After `local reset` the stacks file is ignored (and replaced on save),
// since the ECS resources it describes are gone. (`local serve` attaches
// the same CloudFormation with the same file.)
func withLocalCloudFormation(ctx context.Context, g *Globals) error {
	if !g.Local || g.LocalHandler != nil || openLocalBackend == nil {
		return nil
	}
	statePath, err := localStatePath()
	if err != nil {
		return err
	}
	// Stacks describe what is in the local ECS: when its state is gone
	// (first use, or `local reset`), stacks saved earlier are stale.
	_, statErr := os.Stat(statePath)
	freshECS := errors.Is(statErr, os.ErrNotExist)
	h, closeECS, err := openLocalBackend(ctx)
	if err != nil {
		return failure.WithCode(failure.CodeInvalid, fmt.Errorf("open the local ECS: %w", err))
	}
	em, ok := h.(*emulator.Emulator)
	if !ok {
		_ = closeECS()
		return failure.Invalidf("the local ECS of this build cannot serve CloudFormation")
	}
	file := filepath.Join(filepath.Dir(statePath), localCloudFormationFile)
	cf := localcfn.Register(em)
	if !freshECS {
		if err := cf.LoadState(file); err != nil && !errors.Is(err, os.ErrNotExist) {
			_ = closeECS()
			return failure.WithCode(failure.CodeInvalid, err)
		}
	}
	// Failures of the local CloudFormation itself, for trying out how
	// deploy recovers (see docs/stack.md).
	scenarioFile := filepath.Join(filepath.Dir(statePath), localCloudFormationScenario)
	if sc, err := localcfn.LoadScenario(scenarioFile); err == nil {
		cf.SetScenario(sc)
	} else if !errors.Is(err, os.ErrNotExist) {
		_ = closeECS()
		return failure.WithCode(failure.CodeInvalid, err)
	}
	g.LocalHandler = em
	g.closers = append(g.closers, func() error {
		saveErr := cf.SaveState(file)
		return errors.Join(saveErr, closeECS())
	})
	return nil
}
