package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFleetLinesArePrefixedAndWhole(t *testing.T) {
	var buf bytes.Buffer
	f := NewFleetLines(&buf)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for _, name := range []string{"api", "worker"} {
		rep := f.Target(name, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				rep.Report(Step{At: at, Message: "registered " + name + ":2"})
			}
		}()
	}
	wg.Wait()
	f.Steps().Report(Step{At: at, Message: "wave 1 of 1: api, worker"})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 101 {
		t.Fatalf("%d lines, want 101", len(lines))
	}
	for _, l := range lines[:100] {
		if l != "2026-03-01T12:00:00Z [api] registered api:2" && l != "2026-03-01T12:00:00Z [worker] registered worker:2" {
			t.Fatalf("line %q is not one whole, prefixed line of one target", l)
		}
	}
	if lines[100] != "2026-03-01T12:00:00Z wave 1 of 1: api, worker" {
		t.Fatalf("fleet step line %q", lines[100])
	}
}

func TestFleetTableRows(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := &Fleet{W: &buf, Live: true, Width: 200, Now: func() time.Time { return now }}
	api, worker := f.Target("api", 1), f.Target("worker", 2)
	api.Report(DeploymentChanged{Deployment: Deployment{ID: "d1", Ours: true, RolloutState: "IN_PROGRESS", Running: 1, Desired: 4}})
	now = now.Add(5 * time.Second)
	api.Report(ServiceEvent{Message: "(service api) has started 1 tasks"})
	worker.Report(Verdict{Outcome: Failed, Reason: "tasks failed to start"})
	out := buf.String()
	// The last drawn table is the last three lines.
	all := strings.Split(strings.TrimSpace(out), "\n")
	table := strings.Join(all[len(all)-3:], "\n")
	for _, want := range []string{"api", "in_progress", "1/4", "5s", "has started 1 tasks", "worker", "failed", "tasks failed to start"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if !strings.Contains(out, "\x1b[1A\x1b[2K") {
		t.Error("the table is redrawn in place")
	}
}
