package scenario

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// Alarm states, as CloudWatch reports them.
const (
	AlarmOK               = "OK"
	AlarmAlarm            = "ALARM"
	AlarmInsufficientData = "INSUFFICIENT_DATA"
)

// Alarm is the state of CloudWatch alarms over time. An alarm a scenario
// names exists (DescribeAlarms lists it) and is OK outside its windows.
type Alarm struct {
	// Name is the alarm name, or a glob (path.Match syntax) that answers
	// for every alarm it matches when asked by name.
	Name string `yaml:"name" json:"name"`
	// State is OK, ALARM or INSUFFICIENT_DATA during the window.
	State string `yaml:"state" json:"state"`
	// After is when the window starts, counted from when the scenario was set.
	After Duration `yaml:"after,omitempty" json:"after,omitempty"`
	// For is the window's length; 0 means it never ends.
	For Duration `yaml:"for,omitempty" json:"for,omitempty"`
	// Reason is the alarm's stateReason during the window.
	Reason string `yaml:"reason,omitempty" json:"reason,omitempty"`
}

// AlarmStatus is an alarm's state at a moment.
type AlarmStatus struct {
	Name   string
	State  string
	Reason string
	// Since is when the state began, counted from when the scenario was set.
	Since time.Duration
}

func (s *Scenario) validateAlarms() []string {
	var problems []string
	for i, a := range s.Alarms {
		if a.Name == "" {
			problems = append(problems, fmt.Sprintf("alarms[%d].name is required (an alarm name or a glob)", i))
		} else if _, err := path.Match(a.Name, ""); err != nil {
			problems = append(problems, fmt.Sprintf("alarms[%d].name %q is not a valid pattern: %v", i, a.Name, err))
		}
		switch a.State {
		case AlarmOK, AlarmAlarm, AlarmInsufficientData:
		default:
			problems = append(problems, fmt.Sprintf("alarms[%d].state %q: use OK, ALARM or INSUFFICIENT_DATA", i, a.State))
		}
	}
	return problems
}

// AlarmState returns the state of the alarm name when the scenario has
// been in force for since; ok is false when no entry names the alarm.
// The first entry whose window holds since decides; outside every window
// the alarm is OK (since the end of the last window that passed).
func (s *Scenario) AlarmState(name string, since time.Duration) (st AlarmStatus, ok bool) {
	if s == nil {
		return AlarmStatus{}, false
	}
	st = AlarmStatus{Name: name, State: AlarmOK, Reason: "Threshold Crossed: no datapoints were breaching the threshold"}
	for _, a := range s.Alarms {
		if !alarmMatch(a.Name, name) {
			continue
		}
		ok = true
		start, end := a.After.D(), a.After.D()+a.For.D()
		if since >= start && (a.For == 0 || since < end) {
			st.State, st.Since = a.State, start
			st.Reason = a.Reason
			if st.Reason == "" {
				st.Reason = defaultAlarmReason(a.State)
			}
			return st, true
		}
		if a.For > 0 && since >= end && end > st.Since {
			st.Since = end
		}
	}
	return st, ok
}

// AlarmNames lists the alarms the scenario names exactly (not by glob).
func (s *Scenario) AlarmNames() []string {
	if s == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, a := range s.Alarms {
		if strings.ContainsAny(a.Name, "*?[") || seen[a.Name] {
			continue
		}
		seen[a.Name] = true
		out = append(out, a.Name)
	}
	return out
}

func alarmMatch(pattern, name string) bool {
	if pattern == name {
		return true
	}
	ok, _ := path.Match(pattern, name)
	return ok
}

func defaultAlarmReason(state string) string {
	switch state {
	case AlarmAlarm:
		return "Threshold Crossed: 1 datapoint was greater than the threshold (set by the scenario)"
	case AlarmInsufficientData:
		return "Insufficient Data: no datapoints were received (set by the scenario)"
	}
	return "Threshold Crossed: no datapoints were breaching the threshold"
}
