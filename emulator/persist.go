package emulator

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
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
	// Parts holds the state of the services plugged in with RegisterStatePart.
	Parts map[string]json.RawMessage `json:"parts,omitempty"`
}

// ErrDamagedState is wrapped by LoadState when the file exists but cannot be used.
var ErrDamagedState = errors.New("the local ECS state file is damaged")

// SaveState writes the emulator's state to file atomically: to a temporary
// file in the same directory, synced, then renamed over the old one, so a
// crash leaves either the old or the new state, never half of one.
//
// Requests are held only while the state is copied; the copy is encoded
// and written while they go on, one object at a time, so that a save needs
// little memory beyond the copy whatever the size of the state.
func (e *Emulator) SaveState(file string) error {
	e.saveMu.Lock()
	defer e.saveMu.Unlock()
	parts, err := e.marshalParts()
	if err != nil {
		return err
	}
	e.mu.Lock()
	snap := savedState{Format: stateFormatVersion, Now: e.nowLocked(), WallTime: time.Now(),
		Scenario: e.scen, State: e.state.clone(), Parts: parts}
	e.mu.Unlock()
	return writeFileAtomic(file, func(w io.Writer) error { return encodeSaved(w, &snap) })
}

func writeFileAtomic(file string, write func(io.Writer) error) error {
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	removeStaleTemporaries(file)
	// The temporary file carries the writer's process id, so that the next
	// save or load can tell one left by a process that died mid-save.
	tmp, err := os.CreateTemp(dir, fmt.Sprintf("%s%d-*", tempPrefix(file), os.Getpid()))
	if err != nil {
		return fmt.Errorf("save the local ECS state: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // fails harmlessly once renamed
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(bw); err != nil {
		_ = tmp.Close() // the write error is the one to report
		return fmt.Errorf("save the local ECS state: %w", err)
	}
	if err := bw.Flush(); err != nil {
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

// tempPrefix starts the name of every temporary file a save of file makes.
func tempPrefix(file string) string { return filepath.Base(file) + ".tmp-" }

// removeStaleTemporaries deletes the temporary files that saves of file
// left behind when their process was killed before the rename. Those of a
// live process (a save in progress, this one included) are kept.
func removeStaleTemporaries(file string) {
	entries, err := os.ReadDir(filepath.Dir(file))
	if err != nil {
		return
	}
	prefix := tempPrefix(file)
	for _, ent := range entries {
		rest, ok := strings.CutPrefix(ent.Name(), prefix)
		if !ok || ent.IsDir() {
			continue
		}
		// "<pid>-<random>"; anything else is from an older version, whose
		// saves are long over.
		if pidText, _, ok := strings.Cut(rest, "-"); ok {
			if pid, err := strconv.Atoi(pidText); err == nil && pid > 0 && (pid == os.Getpid() || processAlive(pid)) {
				continue
			}
		}
		_ = os.Remove(filepath.Join(filepath.Dir(file), ent.Name()))
	}
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
	removeStaleTemporaries(file)
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
	// The scenario was checked when it was set; one edited since is
	// refused here as the admin endpoint and `local scenario` would refuse it.
	if saved.Scenario != nil {
		if err := saved.Scenario.Validate(); err != nil {
			return damagedState(file, err)
		}
	}
	if err := e.unmarshalParts(saved.Parts); err != nil {
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
	if where := nullEntry(reflect.ValueOf(s), ""); where != "" {
		return fmt.Errorf("%s is null", where)
	}
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
				if svc == nil || (svc.Status != "INACTIVE" && len(svc.Deployments) == 0 && !svc.usesTaskSets()) {
					return fmt.Errorf("service %q has no deployment", sname)
				}
			}
			for id, t := range c.Tasks {
				if t == nil || t.ID != id {
					return fmt.Errorf("task %q is incomplete", id)
				}
				for _, ct := range t.Containers {
					// A check every 0 seconds would never let time move on.
					if ct.Health != nil && ct.Health.Interval < 1 {
						return fmt.Errorf("task %q: container %q: health check interval %d: must be at least 1 second", id, ct.Name, ct.Health.Interval)
					}
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
