package reliability

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// killPoint is where a kill test stops the command with SIGKILL: at the
// first call matching the rule (the call is not passed on).
type killPoint struct {
	name string
	rule Rule
}

func after(op string) func(map[string]int) bool {
	return func(seen map[string]int) bool { return seen[op] > 0 }
}

// TestKilledCommandsConverge kills each command with SIGKILL at each point
// where it can be interrupted (before it registers, between registering
// and updating, while it waits), then runs the same command again: the
// second run must succeed and leave the state a single run leaves.
func TestKilledCommandsConverge(t *testing.T) {
	beforeRegister := killPoint{"before register", Rule{Operation: "RegisterTaskDefinition"}}
	cases := []struct {
		cmd    string
		args   func(t tb, e *env) []string
		points []killPoint
		want   endState
	}{
		{"deploy", func(t tb, e *env) []string { return deployArgs("v2") }, []killPoint{
			beforeRegister,
			{"between register and update", Rule{Operation: "UpdateService"}},
			{"while waiting", Rule{Operation: "DescribeServices", When: after("UpdateService")}},
		}, endState{"app:v2", 2, 2}},
		{"run", func(t tb, e *env) []string { return commands[6].prepare(t, e, "exit0") }, []killPoint{
			beforeRegister,
			{"between register and run", Rule{Operation: "RunTask"}},
			{"while waiting", Rule{Operation: "DescribeTasks", When: after("RunTask")}},
		}, endState{"app:good", 2, 2}},
		{"rollback", func(t tb, e *env) []string { return commands[4].prepare(t, e, "v2") }, []killPoint{
			{"before update", Rule{Operation: "UpdateService"}},
			{"while waiting", Rule{Operation: "DescribeServices", When: after("UpdateService")}},
		}, endState{"app:v2", 2, 2}},
		{"scale", func(t tb, e *env) []string { return commands[5].prepare(t, e, "good") }, []killPoint{
			{"before update", Rule{Operation: "UpdateService"}},
			{"while waiting", Rule{Operation: "DescribeServices", When: after("UpdateService")}},
		}, endState{"app:good", 4, 1}},
	}
	for _, tc := range cases {
		for _, kp := range tc.points {
			t.Run(tc.cmd+"/"+kp.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, breakerRollback, wallTime) // the commands run as processes
				args := tc.args(t, e)
				full := append(append([]string{}, args...), "--endpoint-url", e.url, "--region", "us-east-1")
				cmd := exec.Command(os.Args[0], full...)
				cmd.Env = append(os.Environ(), cliEnv+"=1")
				var out strings.Builder
				cmd.Stdout, cmd.Stderr = &out, &out
				rule := kp.rule
				rule.Action = Reset
				// The child's calls reach the proxy only after Start, but the
				// race detector cannot see that: cmd.Process is handed over.
				var mu sync.Mutex
				rule.Before = func() {
					mu.Lock()
					defer mu.Unlock()
					_ = cmd.Process.Kill()
				}
				e.proxy.SetRules(rule)
				mu.Lock()
				err := cmd.Start()
				mu.Unlock()
				if err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				select {
				case err := <-done:
					_ = err // killed on purpose: the wait reports the signal
				case <-time.After(60 * time.Second):
					_ = cmd.Process.Kill()
					t.Fatalf("the command was never killed: it did not reach %s\n%s", kp.name, out.String())
				}
				if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || e.proxy.Hits() == 0 {
					t.Fatalf("the command ended (%v) before reaching %s:\n%s", cmd.ProcessState, kp.name, out.String())
				}
				e.proxy.SetRules()
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				code, rerun := e.run(ctx, args...)
				got := e.endState(t)
				if code != 0 || got != tc.want {
					t.Fatalf("killed %s, then run again: exit %d, %s; want exit 0, %s\n%s", kp.name, code, fmtState(got), fmtState(tc.want), trimLines(rerun, 15))
				}
			})
		}
	}
}

func fmtState(s endState) string {
	return fmt.Sprintf("%s x%d, %d ACTIVE", s.Image, s.Desired, s.Active)
}
