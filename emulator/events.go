package emulator

import "time"

// maxEvents is how many events ECS keeps per service.
const maxEvents = 100

// addEvent puts a service event first in the list, keeping at most maxEvents.
func (e *Emulator) addEvent(s *service, now time.Time, message string) {
	ev := serviceEvent{ID: e.ids.uuid(), CreatedAt: now, Message: message}
	if len(s.Events) < maxEvents {
		s.Events = append(s.Events, serviceEvent{})
	}
	copy(s.Events[1:], s.Events)
	s.Events[0] = ev
}

// eventRepeatInterval is how long an identical event is suppressed.
const eventRepeatInterval = 5 * time.Minute

// addEventDedup adds an event unless the same message was added recently,
// as ECS suppresses repeats of a condition that persists.
func (e *Emulator) addEventDedup(s *service, now time.Time, message string) {
	for _, ev := range s.Events {
		if now.Sub(ev.CreatedAt) >= eventRepeatInterval {
			break
		}
		if ev.Message == message {
			return
		}
	}
	e.addEvent(s, now, message)
}
