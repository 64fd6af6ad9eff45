package emulator

import (
	"sync"
	"sync/atomic"
)

// Change says that something changed in the emulator. It carries no state:
// a subscriber reads what it needs (for example with ServiceSnapshot) after
// being told. An empty Service means the cluster itself or its list of
// services changed; an empty Cluster means anything in the region may have
// changed; All means everything (a reset, a scenario change, or changes
// dropped because the subscriber fell behind).
type Change struct {
	Region  string
	Cluster string
	Service string
	// Scenario is set when the scenario was replaced.
	Scenario bool
	All      bool
}

// DefaultSubscriptionLimit is how many distinct pending changes a
// subscription holds before it collapses them into one All change.
const DefaultSubscriptionLimit = 256

// changeFeed fans changes out to subscribers without ever waiting for one:
// each subscriber has a set of pending changes (repeats coalesce) and a
// one-slot wake-up channel. A subscriber that falls behind by more than its
// limit gets a single All change instead of the backlog, so a slow reader
// costs the emulator no memory beyond the limit and no time beyond a map
// insert.
type changeFeed struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
	n    atomic.Int32 // len(subs), read without the lock on the hot path
}

// Subscription receives the emulator's changes. Wait on C, then call Take.
type Subscription struct {
	feed  *changeFeed
	limit int
	c     chan struct{}

	mu       sync.Mutex
	pending  map[Change]struct{}
	order    []Change
	overflow bool
	closed   bool
}

// SubscribeChanges returns a subscription to every change from now on.
// limit bounds the distinct changes it keeps pending (0 means
// DefaultSubscriptionLimit); beyond it they collapse into one All change.
// Close it when done.
func (e *Emulator) SubscribeChanges(limit int) *Subscription {
	if limit <= 0 {
		limit = DefaultSubscriptionLimit
	}
	s := &Subscription{feed: &e.feed, limit: limit, c: make(chan struct{}, 1), pending: map[Change]struct{}{}}
	e.feed.mu.Lock()
	if e.feed.subs == nil {
		e.feed.subs = map[*Subscription]struct{}{}
	}
	e.feed.subs[s] = struct{}{}
	e.feed.n.Store(int32(len(e.feed.subs)))
	e.feed.mu.Unlock()
	return s
}

// C is signalled (without blocking the emulator) when changes are pending.
func (s *Subscription) C() <-chan struct{} { return s.c }

// Take returns the pending changes, oldest first, and clears them. After an
// overflow it returns a single Change with All set.
func (s *Subscription) Take() []Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.overflow {
		s.overflow = false
		return []Change{{All: true}}
	}
	out := s.order
	s.order = nil
	clear(s.pending)
	return out
}

// Close ends the subscription; it receives nothing afterwards.
func (s *Subscription) Close() {
	f := s.feed
	f.mu.Lock()
	delete(f.subs, s)
	f.n.Store(int32(len(f.subs)))
	f.mu.Unlock()
	s.mu.Lock()
	s.closed = true
	s.order, s.pending = nil, nil
	s.mu.Unlock()
}

func (s *Subscription) add(c Change) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	if !s.overflow {
		if _, dup := s.pending[c]; !dup {
			if c.All || len(s.order) >= s.limit {
				s.overflow = true
				s.order = nil
				clear(s.pending)
			} else {
				s.pending[c] = struct{}{}
				s.order = append(s.order, c)
			}
		}
	}
	s.mu.Unlock()
	select {
	case s.c <- struct{}{}:
	default: // already signalled; the reader will Take everything pending
	}
}

// active reports whether anyone listens: publishing is skipped otherwise,
// so the feed costs nothing when no console is open.
func (f *changeFeed) active() bool { return f.n.Load() > 0 }

// publish hands c to every subscriber. It never blocks on a subscriber.
func (f *changeFeed) publish(c Change) {
	if !f.active() {
		return
	}
	f.mu.Lock()
	for s := range f.subs {
		s.add(c)
	}
	f.mu.Unlock()
}
