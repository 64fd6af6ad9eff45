package elbv2

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// TestHealthTimeline walks targets through ELB's states with interval
// 10 s, unhealthy threshold 3 and healthy threshold 2.
func TestHealthTimeline(t *testing.T) {
	tg := &TargetGroup{Protocol: "HTTP", HealthCheck: HealthCheck{Enabled: true, IntervalSeconds: 10, UnhealthyThresholdCount: 3, HealthyThresholdCount: 2, HTTPCode: "200"},
		Attributes: map[string]string{"deregistration_delay.timeout_seconds": "30"}}
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	cases := []struct {
		name   string
		target Target
		now    int
		state  string
		reason string
		until  int // seconds; -1 for none
	}{
		{"registering", Target{}, 5, "initial", "Elb.RegistrationInProgress", 10},
		{"first check passes", Target{}, 10, "healthy", "", -1},
		{"failing from the start", Target{Outcome: "unhealthy"}, 25, "initial", "Elb.InitialHealthChecking", 30},
		{"third failure", Target{Outcome: "unhealthy"}, 30, "unhealthy", "Target.ResponseCodeMismatch", -1},
		{"timing out", Target{Outcome: "timeout"}, 40, "unhealthy", "Target.Timeout", -1},
		{"healthy until it breaks", Target{FailAt: at(45)}, 60, "healthy", "", 70},
		{"broken", Target{FailAt: at(45)}, 70, "unhealthy", "Target.ResponseCodeMismatch", -1},
		{"draining", Target{DeregisteredAt: at(20)}, 40, "draining", "Target.DeregistrationInProgress", 50},
		// Recovery (the scenario's healthyAfter).
		{"slow start, still failing", Target{Outcome: "unhealthy", RecoverAt: at(15)}, 15, "initial", "Elb.InitialHealthChecking", 20},
		{"slow start, first pass", Target{Outcome: "unhealthy", RecoverAt: at(15)}, 20, "healthy", "", -1},
		{"unhealthy, recovering later", Target{Outcome: "unhealthy", RecoverAt: at(45)}, 30, "unhealthy", "Target.ResponseCodeMismatch", 60},
		{"one pass is not enough", Target{Outcome: "unhealthy", RecoverAt: at(45)}, 55, "unhealthy", "Target.ResponseCodeMismatch", 60},
		{"healthy threshold reached", Target{Outcome: "unhealthy", RecoverAt: at(45)}, 60, "healthy", "", -1},
		{"timing out, then recovered", Target{Outcome: "timeout", RecoverAt: at(45)}, 59, "unhealthy", "Target.Timeout", 60},
		{"outage", Target{FailAt: at(45), RecoverAt: at(95)}, 70, "unhealthy", "Target.ResponseCodeMismatch", 110},
		{"outage over", Target{FailAt: at(45), RecoverAt: at(95)}, 110, "healthy", "", -1},
		{"blip under the threshold", Target{FailAt: at(45), RecoverAt: at(65)}, 60, "healthy", "", -1},
	}
	for _, c := range cases {
		tgt := c.target
		tgt.RegisteredAt = t0
		h := healthOf(tg, &tgt, at(c.now), true)
		if h.State != c.state || h.Reason != c.reason {
			t.Errorf("%s: %s/%s, want %s/%s", c.name, h.State, h.Reason, c.state, c.reason)
		}
		want := time.Time{}
		if c.until >= 0 {
			want = at(c.until)
		}
		if !h.Until.Equal(want) {
			t.Errorf("%s: until %v, want %v", c.name, h.Until, want)
		}
	}
	if h := healthOf(tg, &Target{RegisteredAt: t0}, at(100), false); h.State != "unused" || h.Reason != "Target.NotInUse" {
		t.Errorf("a group without a load balancer: %+v", h)
	}
}

// TestStateIsSavedWithTheEmulator: load balancers, listeners and targets
// survive SaveState/LoadState, and POST /_local/reset forgets them.
func TestStateIsSavedWithTheEmulator(t *testing.T) {
	em, svc, _ := newServer(t)
	tg := albWithGroup(t, em, "web")
	if err := svc.RegisterTargets(em.Now(), tg, []Target{{ID: "10.0.0.9"}}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "state.json")
	if err := em.SaveState(file); err != nil {
		t.Fatal(err)
	}
	em2 := emulator.New(emulator.Options{Clock: emulator.NewManualClock(t0), Seed: 1})
	t.Cleanup(func() {
		if err := em2.Close(); err != nil {
			t.Error(err)
		}
	})
	svc2 := Register(em2)
	if err := em2.LoadState(file); err != nil {
		t.Fatal(err)
	}
	got, ok := svc2.TargetGroup(tg)
	if !ok || len(got.Targets) != 1 || got.Targets[0].Port != 80 || len(svc2.LoadBalancersOfTargetGroup(tg)) != 1 {
		t.Fatalf("after loading: %+v", got)
	}
	if _, body := query(t, em2, "DescribeLoadBalancers"); !contains(body, "<LoadBalancerName>web</LoadBalancerName>") {
		t.Errorf("DescribeLoadBalancers after loading: %s", body)
	}
	em2.Reset()
	if _, ok := svc2.TargetGroup(tg); ok {
		t.Errorf("the target group survived a reset")
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestTargetGroupByName(t *testing.T) {
	em, svc, _ := newServer(t)
	arn := albWithGroup(t, em, "blue")
	if tg, ok := svc.TargetGroupByName("us-east-1", "blue"); !ok || tg.ARN != arn {
		t.Errorf("TargetGroupByName(us-east-1, blue) = %v %v", tg.ARN, ok)
	}
	if _, ok := svc.TargetGroupByName("eu-west-1", "blue"); ok {
		t.Errorf("found in another region")
	}
}
