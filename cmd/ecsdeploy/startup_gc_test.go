package main

import (
	"testing"
	"time"
)

func TestStartupGC(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []int // the GC percents set, in order, once the window has passed
	}{
		{"GOGC unset: a larger goal for the start, then the default", nil, []int{startupGCPercent, defaultGCPercent}},
		{"GOGC set: left alone", map[string]string{"GOGC": "50"}, nil},
		{"GOGC=off: left alone", map[string]string{"GOGC": "off"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var set []int
			var window time.Duration
			var restore func()
			startupGC(
				func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok },
				func(p int) int { set = append(set, p); return 100 },
				func(d time.Duration, f func()) *time.Timer { window, restore = d, f; return nil },
			)
			if restore != nil {
				if window != startupWindow {
					t.Fatalf("window %v, want %v", window, startupWindow)
				}
				if len(set) != 1 {
					t.Fatalf("before the window ends: %v", set)
				}
				restore()
			}
			if len(set) != len(tc.want) {
				t.Fatalf("GC percents set: %v, want %v", set, tc.want)
			}
			for i := range set {
				if set[i] != tc.want[i] {
					t.Fatalf("GC percents set: %v, want %v", set, tc.want)
				}
			}
		})
	}
}
