package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestJSONOutputIsOneObjectOnErrors: with --output json every command
// prints exactly one JSON object on stdout, also when it stops on invalid
// input (outcome "invalid", with the problems) before doing anything.
func TestJSONOutputIsOneObjectOnErrors(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, longRunning())
	td := l.registerFamily(t, "web", taskContainer("app", "web:1", true))
	l.createService(t, "web", td, 1)
	cases := [][]string{
		{"run", "--task-definition", "nosuch"},
		{"run", "--task-definition", "web", "--count", "0"},
		{"status", "--service", "nosuch"},
		{"scale", "2", "--service", "nosuch"},
		{"register", "--family", "web", "--env", "nope:A=1"},
		{"revisions", "nosuch"},
		{"revisions", "prune", "web", "--keep", "0"},
		{"stack", "deploy"},
		{"stack", "status"},
	}
	for _, args := range cases {
		code, stdout, stderr := l.exec(t, append(args, "--output", "json")...)
		if code != 2 {
			t.Fatalf("%v: exit %d, want 2", args, code)
		}
		dec := json.NewDecoder(strings.NewReader(stdout))
		var rep errorReport
		if err := dec.Decode(&rep); err != nil || rep.Outcome != "invalid" || rep.Reason == "" || dec.More() {
			t.Fatalf("%v: stdout is not one invalid-input report: %v\n%s", args, err, stdout)
		}
		if !strings.HasPrefix(stderr, "error: ") {
			t.Fatalf("%v: stderr %q", args, stderr)
		}
	}
	// A report of its own is not followed by a second one.
	code, stdout, _ := l.exec(t, "scale", "2", "-n", "web", "--timeout", "1ms", "--output", "json")
	dec := json.NewDecoder(strings.NewReader(stdout))
	var res map[string]any
	if err := dec.Decode(&res); err != nil || dec.More() || res["outcome"] == "invalid" {
		t.Fatalf("scale that timed out: exit %d, stdout is not its one report:\n%s", code, stdout)
	}
}
