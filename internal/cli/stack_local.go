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

// loadLocalCloudFormationScenario gives cf the failure rules kept next to the
// local ECS state file at statePath, if there are any: failures of the local
// CloudFormation itself, for trying out how stack deploy recovers (see
// docs/stack.md). Both --local and `local serve` use it.
func loadLocalCloudFormationScenario(cf *localcfn.Service, statePath string) error {
	scenarioFile := filepath.Join(filepath.Dir(statePath), localCloudFormationScenario)
	sc, err := localcfn.LoadScenario(scenarioFile)
	switch {
	case err == nil:
		cf.SetScenario(sc)
	case !errors.Is(err, os.ErrNotExist):
		return failure.WithCode(failure.CodeInvalid, err)
	}
	return nil
}

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
	if err := loadLocalCloudFormationScenario(cf, statePath); err != nil {
		_ = closeECS()
		return err
	}
	g.LocalHandler = em
	g.closers = append(g.closers, func() error {
		saveErr := cf.SaveState(file)
		return errors.Join(saveErr, closeECS())
	})
	return nil
}
