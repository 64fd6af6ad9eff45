package emulator

import (
	"net/http"
	"time"
)

// tokenBucket is one API rate limit's bucket for one region.
type tokenBucket struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

// take refills the bucket for the wall time passed since it was last used
// and takes one token; it reports false when none is left.
func (b *tokenBucket) take(now time.Time, burst int, rate float64) bool {
	if b.at.IsZero() {
		b.tokens = float64(burst)
	} else if d := now.Sub(b.at); d > 0 {
		b.tokens = min(float64(burst), b.tokens+d.Seconds()*rate)
	}
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

type limitKey struct {
	index  int // the scenario's Limits entry
	region string
}

// applyLimits throttles a call that the scenario's rate limits do not
// allow. It returns false when the call has been answered with
// ThrottlingException. The first matching limit decides, and the buckets
// are per region (the emulator serves one account).
func (e *Emulator) applyLimits(w http.ResponseWriter, requestID, region, op string,
	writeErr func(http.ResponseWriter, string, error)) bool {
	if e.withinLimits(region, op, e.wallNow()) {
		return true
	}
	writeErr(w, requestID, ThrottlingError())
	return false
}

func (e *Emulator) withinLimits(region, op string, now time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, l := range e.scen.Limits {
		if !l.Matches(op) {
			continue
		}
		if e.buckets == nil {
			e.buckets = map[limitKey]*tokenBucket{}
		}
		k := limitKey{index: i, region: region}
		b := e.buckets[k]
		if b == nil {
			b = &tokenBucket{}
			e.buckets[k] = b
		}
		return b.take(now, l.Burst, l.Rate)
	}
	return true
}

// wallNow is the wall clock that rate limits count in; tests replace it.
func (e *Emulator) wallNow() time.Time {
	if e.opts.WallClock != nil {
		return e.opts.WallClock()
	}
	return time.Now()
}
