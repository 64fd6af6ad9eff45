package emulator

import (
	"math"
	"net/http"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// applyFaults applies the scenario's API faults for op. It returns false
// when the request has been answered (or dropped) by a fault.
func (e *Emulator) applyFaults(w http.ResponseWriter, r *http.Request, requestID, op string,
	writeErr func(http.ResponseWriter, string, error)) bool {
	latency, kind, msg := e.pickFault(op)
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return false
		}
	}
	switch kind {
	case scenario.FaultThrottle:
		ae := ThrottlingError()
		if msg != "" {
			ae.Message = msg
		}
		writeErr(w, requestID, ae)
		return false
	case scenario.FaultServer:
		if msg == "" {
			msg = "Service Unavailable. Please try again later."
		}
		writeErr(w, requestID, ServerError(msg))
		return false
	case scenario.FaultDrop:
		dropConnection(w)
		return false
	}
	return true
}

// pickFault decides, under the lock, which faults hit this call: the sum
// of the latencies and the first error-like fault.
func (e *Emulator) pickFault(op string) (latency time.Duration, kind scenario.FaultKind, msg string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.scen.Faults) == 0 {
		return 0, "", ""
	}
	elapsed := e.nowLocked().Sub(e.scenAt)
	for i, f := range e.scen.Faults {
		if !f.Matches(op, elapsed) {
			continue
		}
		e.faultN[i]++
		n := float64(e.faultN[i])
		rate := f.EffectiveRate()
		// Deterministic rate: the call hits when the running count of
		// expected hits crosses an integer.
		if math.Floor(n*rate) == math.Floor((n-1)*rate) {
			continue
		}
		if f.Kind == scenario.FaultLatency {
			latency += f.Latency.D()
			continue
		}
		if kind == "" {
			kind, msg = f.Kind, f.Message
		}
	}
	return latency, kind, msg
}

// DroppedConnectionHeader marks an in-process reply that stands for a
// dropped connection, for transports that cannot close a socket.
const DroppedConnectionHeader = "X-Ecsdeploy-Dropped-Connection"

// dropConnection closes the client's connection without a reply. In-process
// (no socket to hijack) it answers 502 with DroppedConnectionHeader set,
// which SDKs retry like a broken connection.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	w.Header().Set(DroppedConnectionHeader, "true")
	w.WriteHeader(http.StatusBadGateway)
}
