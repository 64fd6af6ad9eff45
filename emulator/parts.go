package emulator

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// StatePart is the state of a service plugged into the emulator (a load
// balancer, a deployment service), saved in the same file as ECS's state
// under its own name, reset with it and loaded with it.
//
// The emulator calls these methods without holding its own lock, so a part
// may call back into the emulator from them.
type StatePart interface {
	// MarshalState returns the part's state as JSON.
	MarshalState() (json.RawMessage, error)
	// UnmarshalState replaces the part's state with data, which
	// MarshalState produced; nil data means the saved file had no entry
	// for the part (it starts empty).
	UnmarshalState(data json.RawMessage) error
	// ResetState forgets everything, as POST /_local/reset does.
	ResetState()
}

// TableState is the StatePart of a service whose whole state is one value
// of type T (a set of tables), saved as its JSON encoding and guarded by the
// service's lock. A service embeds it, built by NewTableState, and so
// implements StatePart.
type TableState[T any] struct {
	part     string
	mu       *sync.Mutex
	st       **T
	empty    func() *T
	complete func(*T) bool
	replaced func()
}

// NewTableState returns the StatePart of the state *st, guarded by mu. part
// names the service in errors ("CodeDeploy"); empty returns a new empty
// state; complete says whether a decoded state has every one of its tables
// (a saved state lacking one was damaged or written by something else);
// replaced, if not nil, is called with mu held after the state was loaded
// or reset.
func NewTableState[T any](part string, mu *sync.Mutex, st **T, empty func() *T, complete func(*T) bool, replaced func()) TableState[T] {
	return TableState[T]{part: part, mu: mu, st: st, empty: empty, complete: complete, replaced: replaced}
}

// MarshalState implements StatePart.
func (t TableState[T]) MarshalState() (json.RawMessage, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return json.Marshal(*t.st)
}

// UnmarshalState implements StatePart: no data leaves the state empty.
func (t TableState[T]) UnmarshalState(data json.RawMessage) error {
	st := t.empty()
	if len(data) > 0 {
		if err := json.Unmarshal(data, st); err != nil {
			return err
		}
		if !t.complete(st) {
			return fmt.Errorf("the saved %s state is incomplete: a table is missing", t.part)
		}
	}
	t.set(st)
	return nil
}

// ResetState implements StatePart.
func (t TableState[T]) ResetState() { t.set(t.empty()) }

func (t TableState[T]) set(st *T) {
	t.mu.Lock()
	defer t.mu.Unlock()
	*t.st = st
	if t.replaced != nil {
		t.replaced()
	}
}

type parts struct {
	mu    sync.Mutex
	byKey map[string]StatePart
}

// RegisterStatePart saves p with the emulator's state under name (a short
// identifier such as "elbv2"); registering a name again replaces the part.
func (e *Emulator) RegisterStatePart(name string, p StatePart) {
	e.parts.mu.Lock()
	defer e.parts.mu.Unlock()
	if e.parts.byKey == nil {
		e.parts.byKey = map[string]StatePart{}
	}
	e.parts.byKey[name] = p
}

// stateParts returns the registered parts in name order.
func (e *Emulator) stateParts() ([]string, []StatePart) {
	e.parts.mu.Lock()
	defer e.parts.mu.Unlock()
	names := make([]string, 0, len(e.parts.byKey))
	for n := range e.parts.byKey {
		names = append(names, n)
	}
	sort.Strings(names)
	ps := make([]StatePart, len(names))
	for i, n := range names {
		ps[i] = e.parts.byKey[n]
	}
	return names, ps
}

func (e *Emulator) marshalParts() (map[string]json.RawMessage, error) {
	names, ps := e.stateParts()
	if len(names) == 0 {
		return nil, nil
	}
	out := make(map[string]json.RawMessage, len(names))
	for i, p := range ps {
		data, err := p.MarshalState()
		if err != nil {
			return nil, fmt.Errorf("encode the local %s state: %w", names[i], err)
		}
		out[names[i]] = data
	}
	return out, nil
}

// unmarshalParts gives each registered part its saved entry (nil if none).
func (e *Emulator) unmarshalParts(saved map[string]json.RawMessage) error {
	names, ps := e.stateParts()
	for i, p := range ps {
		if err := p.UnmarshalState(saved[names[i]]); err != nil {
			return fmt.Errorf("the %s section: %w", names[i], err)
		}
	}
	return nil
}

func (e *Emulator) resetParts() {
	_, ps := e.stateParts()
	for _, p := range ps {
		p.ResetState()
	}
}
