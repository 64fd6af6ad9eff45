package watch

import "sync"

// EventLog remembers which service events have been reported, so that the
// waits of one run (a deployment found in progress, ours, then a rollback)
// each report an event once between them: the next wait starts where the
// last one stopped instead of repeating the events around the hand-over.
// Every wait still keeps all the events of its own deployment for its
// diagnosis. The zero value is ready to use; nil reports everything.
type EventLog struct {
	mu       sync.Mutex
	reported map[string]bool
}

// first records id and reports whether it was not recorded before.
func (l *EventLog) first(id string) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.reported[id] {
		return false
	}
	if l.reported == nil {
		l.reported = map[string]bool{}
	}
	l.reported[id] = true
	return true
}
