package duration

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	good := map[string]time.Duration{
		"90": 90 * time.Second, " 90 ": 90 * time.Second, "0": 0, "90s": 90 * time.Second,
		"1h30m": 90 * time.Minute, "500ms": 500 * time.Millisecond, "1.5s": 1500 * time.Millisecond,
	}
	for in, want := range good {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"-5": "negative duration", "-5s": "negative duration", "wait": "is not a duration",
		"0.5": "is not a duration", "90 s": "is not a duration", "": "is not a duration",
		"9223372037": "is too long",
	}
	for in, want := range bad {
		if _, err := Parse(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error %v, want one saying %q", in, err, want)
		}
	}
}
