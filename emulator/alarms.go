package emulator

import (
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// AlarmState returns a CloudWatch alarm's state now, as the scenario sets
// it, and when that state began; ok is false when the scenario does not
// name the alarm (it then counts as OK).
func (e *Emulator) AlarmState(name string) (st scenario.AlarmStatus, since time.Time, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.alarmStateLocked(name, e.nowLocked())
}

func (e *Emulator) alarmStateLocked(name string, now time.Time) (scenario.AlarmStatus, time.Time, bool) {
	st, ok := e.scen.AlarmState(name, now.Sub(e.scenAt))
	return st, e.scenAt.Add(st.Since), ok
}

// ScenarioAlarmNames lists the alarms the scenario names exactly.
func (e *Emulator) ScenarioAlarmNames() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.scen.AlarmNames()
}

// ScenarioSetAt is when the scenario in force was set (emulated time).
func (e *Emulator) ScenarioSetAt() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.scenAt
}
