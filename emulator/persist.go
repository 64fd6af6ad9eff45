package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// stateFormatVersion is bumped when the saved layout changes incompatibly.
const stateFormatVersion = 1

// savedState is the on-disk form of the emulator.
type savedState struct {
	Format   int                `json:"format"`
	Now      time.Time          `json:"now"`      // emulated time at save
	WallTime time.Time          `json:"wallTime"` // wall time at save, to catch up on load
	Scenario *scenario.Scenario `json:"scenario,omitempty"`
	State    *state             `json:"state"`
}

// ErrDamagedState is wrapped by LoadState when the file exists but cannot be used.
var ErrDamagedState = errors.New("the local ECS state file is damaged")

// SaveState writes the emulator's state to file atomically: to a temporary
// file in the same directory, synced, then renamed over the old one, so a
// crash leaves either the old or the new state, never half of one.
func (e *Emulator) SaveState(file string) error {
	e.mu.Lock()
	data, err := json.Marshal(savedState{Format: stateFormatVersion, Now: e.nowLocked(), WallTime: time.Now(),
		Scenario: e.scen, State: e.state})
	e.mu.Unlock()
	if err != nil {
		return fmt.Errorf("encode the local ECS state: %w", err)
	}
	return writeFileAtomic(file, data)
}

func writeFileAtomic(file string, data []byte) error {
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(file)+".tmp-*")
	if err != nil {
		return fmt.Errorf("save the local ECS state: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close() // the write error is the one to report
		return fmt.Errorf("save the local ECS state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close() // the sync error is the one to report
		return fmt.Errorf("save the local ECS state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save the local ECS state: %w", err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("save the local ECS state: %w", err)
	}
	if d, err := os.Open(dir); err == nil { // make the rename itself durable
		_ = d.Sync()
		_ = d.Close() // opened read-only, for Sync alone
	}
	return nil
}

// damagedState names the file, what is wrong with it and the way out. The
// way out names the file itself: `ecsdeploy local reset` removes only the
// --local state, not a file given to `local serve --state` or to LoadState.
func damagedState(file string, problem any) error {
	return fmt.Errorf("%w: %s: %v (move or delete that file to start afresh, or restore a backup; "+
		"for the --local state `ecsdeploy local reset` deletes it)", ErrDamagedState, file, problem)
}

// LoadState replaces the emulator's state with the one saved in file. A
// missing file returns an error satisfying errors.Is(err, os.ErrNotExist);
// a damaged one returns ErrDamagedState and the file is left untouched.
//
// Emulated time resumes where it was saved; on a real-time emulator the
// wall time since the save, times the speed, is replayed by the scheduler
// (bounded by MaxCatchUp), so deployments move on between commands.
func (e *Emulator) LoadState(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var saved savedState
	if err := json.Unmarshal(data, &saved); err != nil {
		return damagedState(file, err)
	}
	if saved.Format != stateFormatVersion || saved.State == nil || saved.State.Regions == nil {
		return damagedState(file, fmt.Sprintf("format %d, but this version reads format %d", saved.Format, stateFormatVersion))
	}
	if err := checkLoadedState(saved.State); err != nil {
		return damagedState(file, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.state = saved.State
	if saved.Scenario != nil {
		e.scen = saved.Scenario
	}
	target := saved.Now
	if _, realTime := e.clock.(*ScaledClock); realTime && !saved.WallTime.IsZero() {
		elapsed := time.Duration(float64(time.Since(saved.WallTime)) * e.speed())
		target = target.Add(max(0, min(elapsed, e.opts.MaxCatchUp)))
		e.ids = newIDSource(uint64(time.Now().UnixNano()))
	} else {
		var seq int64
		for _, r := range e.state.Regions {
			seq += r.Sequence
		}
		e.ids = newIDSource(e.opts.Seed + uint64(seq)*0x9e3779b97f4a7c15)
	}
	e.offset = target.Sub(e.clock.Now())
	e.lastStep = saved.Now
	e.scenAt = saved.Now
	e.faultN = map[int]int{}
	return nil
}

// checkLoadedState rejects structurally impossible content, so that a
// hand-edited file fails now with a clear message instead of later.
func checkLoadedState(s *state) error {
	for name, r := range s.Regions {
		if r == nil || r.Clusters == nil || r.Families == nil {
			return fmt.Errorf("region %q is incomplete", name)
		}
		if r.SubnetAZ == nil {
			r.SubnetAZ = map[string]string{}
		}
		for cname, c := range r.Clusters {
			if c == nil || c.Services == nil || c.Tasks == nil {
				return fmt.Errorf("cluster %q is incomplete", cname)
			}
			for sname, svc := range c.Services {
				if svc == nil || (svc.Status != "INACTIVE" && len(svc.Deployments) == 0) {
					return fmt.Errorf("service %q has no deployment", sname)
				}
			}
			for id, t := range c.Tasks {
				if t == nil || t.ID != id {
					return fmt.Errorf("task %q is incomplete", id)
				}
			}
		}
		for fname, f := range r.Families {
			if f == nil {
				return fmt.Errorf("family %q is empty", fname)
			}
			for i, td := range f.Revisions {
				if td == nil || td.Revision != i+1 {
					return fmt.Errorf("family %q revision %d is out of order", fname, i+1)
				}
			}
		}
	}
	return nil
}
