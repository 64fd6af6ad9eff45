package scenario

import (
	"fmt"
	"path"
	"time"
)

// FaultKind is what happens to a call a fault applies to.
type FaultKind string

// Fault kinds.
const (
	FaultThrottle FaultKind = "throttle" // HTTP 400 ThrottlingException "Rate exceeded"
	FaultServer   FaultKind = "server"   // HTTP 500 ServerException
	FaultDrop     FaultKind = "drop"     // the connection is closed without a reply
	FaultLatency  FaultKind = "latency"  // the reply is delayed by Latency (wall time)
)

// Fault makes some calls to an operation fail or slow down.
type Fault struct {
	// Operation is the API operation ("UpdateService") or a glob ("Describe*", "*").
	Operation string `yaml:"operation" json:"operation"`
	// Kind is throttle, server, drop or latency.
	Kind FaultKind `yaml:"kind" json:"kind"`
	// Rate is the fraction of matching calls affected, 0 < rate <= 1; default 1.
	// It is applied deterministically: with 0.5 every second call fails.
	Rate float64 `yaml:"rate,omitempty" json:"rate,omitempty"`
	// After and For bound the fault to a window of emulated time counted
	// from when the scenario was set; For 0 means no end.
	After Duration `yaml:"after,omitempty" json:"after,omitempty"`
	For   Duration `yaml:"for,omitempty" json:"for,omitempty"`
	// Latency is the added delay for kind latency (wall time, so tests stay fast to reason about).
	Latency Duration `yaml:"latency,omitempty" json:"latency,omitempty"`
	// Message overrides the error message.
	Message string `yaml:"message,omitempty" json:"message,omitempty"`
}

func (f Fault) validate() error {
	if err := checkOperation(f.Operation, "*"); err != nil {
		return err
	}
	switch f.Kind {
	case FaultThrottle, FaultServer, FaultDrop:
	case FaultLatency:
		if f.Latency <= 0 {
			return fmt.Errorf("kind latency needs latency (for example 200ms)")
		}
	default:
		return fmt.Errorf("kind %q: use throttle, server, drop or latency", f.Kind)
	}
	if f.Rate < 0 || f.Rate > 1 {
		return fmt.Errorf("rate %v must be between 0 and 1", f.Rate)
	}
	return nil
}

// Matches reports whether the fault covers operation at elapsed emulated
// time since the scenario was set.
func (f Fault) Matches(operation string, elapsed time.Duration) bool {
	if ok, _ := path.Match(f.Operation, operation); !ok && f.Operation != operation {
		return false
	}
	if elapsed < f.After.D() {
		return false
	}
	if f.For > 0 && elapsed >= f.After.D()+f.For.D() {
		return false
	}
	return true
}

// EffectiveRate is Rate with the default of 1 applied.
func (f Fault) EffectiveRate() float64 {
	if f.Rate == 0 {
		return 1
	}
	return f.Rate
}
