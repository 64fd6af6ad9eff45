package scenario

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDocumentedExamplesParse(t *testing.T) {
	files, err := filepath.Glob("../../docs/scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example scenarios found: %v", err)
	}
	for _, f := range files {
		if _, err := Load(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestParseReadsEveryBehaviour(t *testing.T) {
	s, err := Parse([]byte(`
capacity:
  zones: [{name: a, instances: 2, cpu: 4096, memory: 8192}]
images:
  - match: "app:*"
    exitCode: 3
    exitAfter: 90
    health: timeout
    logs: [hello]
faults:
  - {operation: "*", kind: latency, latency: 1s, rate: 0.25}
`))
	if err != nil {
		t.Fatal(err)
	}
	im := s.ImageFor("app:7")
	if im.ExitCode == nil || *im.ExitCode != 3 || im.ExitAfter.D() != 90*time.Second || im.Health != HealthTimeout || im.Logs[0] != "hello" {
		t.Fatalf("image: %+v", im)
	}
	if got := s.ImageFor("other:1"); got.Match != "" {
		t.Fatalf("unmatched image got %+v", got)
	}
	if s.Capacity.Zones[0].CPU != 4096 || s.Faults[0].EffectiveRate() != 0.25 {
		t.Fatalf("capacity/faults: %+v %+v", s.Capacity, s.Faults)
	}
}

func TestParseRejectsMistakes(t *testing.T) {
	cases := map[string]string{
		"typo":          "imagez: []",
		"bad health":    "images: [{match: a, health: meh}]",
		"bad pattern":   "images: [{match: '[', exitCode: 1}]",
		"bad exit":      "images: [{match: a, exitCode: 300}]",
		"bad duration":  "images: [{match: a, exitAfter: soon}]",
		"bad kind":      "faults: [{operation: X, kind: nope}]",
		"no latency":    "faults: [{operation: X, kind: latency}]",
		"bad rate":      "faults: [{operation: X, kind: throttle, rate: 2}]",
		"dup zone":      "capacity: {zones: [{name: a, instances: 1}, {name: a, instances: 1}]}",
		"negative zone": "capacity: {zones: [{name: a, instances: -1}]}",
	}
	for name, doc := range cases {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("%s: %q was accepted", name, doc)
		}
	}
}

func TestFaultWindowAndRoundTrip(t *testing.T) {
	f := Fault{Operation: "Describe*", Kind: FaultServer, After: Duration(time.Minute), For: Duration(30 * time.Second)}
	for _, c := range []struct {
		op      string
		elapsed time.Duration
		want    bool
	}{{"DescribeServices", 0, false}, {"DescribeServices", 70 * time.Second, true}, {"ListTasks", 70 * time.Second, false}, {"DescribeTasks", 95 * time.Second, false}} {
		if got := f.Matches(c.op, c.elapsed); got != c.want {
			t.Errorf("%s at %v: %v, want %v", c.op, c.elapsed, got, c.want)
		}
	}
	s := &Scenario{Faults: []Fault{f}}
	data, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data)
	if err != nil || back.Faults[0].After != f.After || !strings.Contains(string(data), "1m0s") {
		t.Fatalf("round trip: %v\n%s", err, data)
	}
}

func TestImagePatternsSpanRegistryPaths(t *testing.T) {
	s := &Scenario{Images: []Image{{Match: "*:broken*", PullFailure: "x"}, {Match: "*/app:?.0", StartFailure: "y"}}}
	cases := []struct {
		image string
		want  string // which rule applies: "pull", "start" or ""
	}{
		{"public.ecr.aws/nginx/nginx:broken", "pull"},
		{"nginx:broken-2", "pull"},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0", "start"},
		{"registry:5000/app:1.0", "start"},
		{"app:1.0", ""}, // "*/" needs at least a slash before app
		{"public.ecr.aws/nginx/nginx:1.27", ""},
	}
	for _, c := range cases {
		im := s.ImageFor(c.image)
		got := ""
		switch {
		case im.PullFailure != "":
			got = "pull"
		case im.StartFailure != "":
			got = "start"
		}
		if got != c.want {
			t.Errorf("ImageFor(%q) applied %q, want %q", c.image, got, c.want)
		}
	}
}

func TestAlarmWindows(t *testing.T) {
	s, err := Parse([]byte("alarms:\n  - name: web-5xx\n    state: ALARM\n    after: 1m\n    for: 2m\n    reason: too many errors\n  - name: \"db-*\"\n    state: INSUFFICIENT_DATA\n"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		at    time.Duration
		state string
		since time.Duration
		known bool
	}{
		{"web-5xx", 30 * time.Second, AlarmOK, 0, true},
		{"web-5xx", 90 * time.Second, AlarmAlarm, time.Minute, true},
		{"web-5xx", 4 * time.Minute, AlarmOK, 3 * time.Minute, true},
		{"db-main", 0, AlarmInsufficientData, 0, true},
		{"other", time.Hour, AlarmOK, 0, false},
	}
	for _, c := range cases {
		st, ok := s.AlarmState(c.name, c.at)
		if st.State != c.state || st.Since != c.since || ok != c.known {
			t.Errorf("%s at %v: %+v %v, want %s since %v known %v", c.name, c.at, st, ok, c.state, c.since, c.known)
		}
	}
	if st, _ := s.AlarmState("web-5xx", 90*time.Second); st.Reason != "too many errors" {
		t.Errorf("reason %q", st.Reason)
	}
	if names := s.AlarmNames(); len(names) != 1 || names[0] != "web-5xx" {
		t.Errorf("AlarmNames = %v", names)
	}
	if _, err := Parse([]byte("alarms:\n  - name: x\n    state: RED\n")); err == nil || !strings.Contains(err.Error(), "alarms[0].state") {
		t.Errorf("a bad state: %v", err)
	}
}

func TestTargetHealthDefaultsToTheContainerHealth(t *testing.T) {
	s, err := Parse([]byte("images:\n  - match: a\n    health: timeout\n  - match: b\n    targetHealth: unhealthy\n  - match: c\n"))
	if err != nil {
		t.Fatal(err)
	}
	for image, want := range map[string]Health{"a": HealthTimeout, "b": HealthUnhealthy, "c": HealthHealthy} {
		if got := s.ImageFor(image).TargetOutcome(); got != want {
			t.Errorf("%s: %s, want %s", image, got, want)
		}
	}
	if _, err := Parse([]byte("images:\n  - match: a\n    targetHealth: sick\n")); err == nil || !strings.Contains(err.Error(), "images[0].targetHealth") {
		t.Errorf("a bad targetHealth: %v", err)
	}
}

func TestHealthyAfterNeedsFailuresToEnd(t *testing.T) {
	for doc, want := range map[string]string{
		"images: [{match: a, healthyAfter: 1m}]":                                         "ends failures that never start",
		"images: [{match: a, unhealthyAfter: 2m, healthyAfter: 1m}]":                     "must come after unhealthyAfter",
		"images: [{match: a, unhealthyAfter: 2m, healthyAfter: 3m}]":                     "",
		"images: [{match: a, targetHealth: timeout, healthyAfter: 90s}]":                 "",
		"images: [{match: a, health: unhealthy, healthyAfter: 90s}]":                     "",
		"images: [{match: a, targetHealth: healthy, health: healthy, healthyAfter: 1s}]": "ends failures that never start",
	} {
		_, err := Parse([]byte(doc))
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", doc, err, want)
		}
	}
}
