package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
)

// TestEveryTimeoutFlagReadsTheSameWay builds each command with a runF that
// only reads its --timeout: a bare number is seconds everywhere, a duration
// is a duration, and zero or a word is a problem named after the flag.
func TestEveryTimeoutFlagReadsTheSameWay(t *testing.T) {
	t.Parallel()
	d := runOpts{}.deps(&bytes.Buffer{}, &bytes.Buffer{})
	var got *durationFlag
	commands := map[string]func() *cobra.Command{
		"deploy": func() *cobra.Command {
			return NewCmdDeploy(d, func(_ context.Context, o *deployOptions) error { got = &o.timeout; return nil })
		},
		"rollback": func() *cobra.Command {
			return NewCmdRollback(d, func(_ context.Context, o *rollbackOptions) error { got = &o.timeout; return nil })
		},
		"promote": func() *cobra.Command {
			return NewCmdPromote(d, func(_ context.Context, o *promoteOptions) error { got = &o.target.timeout; return nil })
		},
		"abort": func() *cobra.Command {
			return NewCmdAbort(d, func(_ context.Context, o *abortOptions) error { got = &o.target.timeout; return nil })
		},
		"run": func() *cobra.Command {
			return NewCmdRun(d, func(_ context.Context, o *runOptions) error { got = &o.timeout; return nil })
		},
		"scale": func() *cobra.Command {
			return NewCmdScale(d, func(_ context.Context, o *scaleOptions) error { got = &o.timeout; return nil })
		},
		"stack deploy": func() *cobra.Command {
			return newCmdStackDeploy(d, func(_ context.Context, o *stackDeployOptions) error { got = &o.times.timeout; return nil })
		},
		"stack delete": func() *cobra.Command {
			return newCmdStackDelete(d, func(_ context.Context, o *stackDeleteOptions) error { got = &o.times.timeout; return nil })
		},
	}
	for name, build := range commands {
		for text, want := range map[string]time.Duration{"90": 90 * time.Second, "90s": 90 * time.Second, "2m": 2 * time.Minute} {
			cmd := build()
			args := []string{"--timeout", text}
			if name == "scale" {
				args = append(args, "3", "-n", "web")
			}
			cmd.SetArgs(args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			if err := cmd.Execute(); err != nil {
				t.Fatalf("%s --timeout %s: %v", name, text, err)
			}
			var ps exitcode.Problems
			if v := got.value("timeout", nil, &ps); v != want || len(ps) > 0 {
				t.Errorf("%s --timeout %s = %s %v, want %s", name, text, v, ps, want)
			}
		}
		for _, bad := range []string{"0", "soon", "-5"} {
			cmd := build()
			args := []string{"--timeout", bad}
			if name == "scale" {
				args = append(args, "3", "-n", "web")
			}
			cmd.SetArgs(args)
			if err := cmd.Execute(); err != nil {
				t.Fatalf("%s --timeout %s: %v", name, bad, err)
			}
			var ps exitcode.Problems
			got.value("timeout", nil, &ps)
			if len(ps) != 1 || ps[0].Field != "--timeout" {
				t.Errorf("%s --timeout %s: problems %v, want one about --timeout", name, bad, ps)
			}
		}
	}
}

// TestStackDeployTimeoutInSecondsRuns: "stack deploy --timeout 90" is read as
// 90 seconds end to end (it was refused for a missing unit): the command gets
// as far as the spec, which is what is missing here.
func TestStackDeployTimeoutInSecondsRuns(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := execute(context.Background(), runOpts{}.deps(&out, &errOut), []string{"stack", "deploy", "--timeout", "90"})
	if code != exitcode.Invalid || !strings.Contains(errOut.String(), "--file") || strings.Contains(errOut.String(), "timeout") {
		t.Fatalf("exit %d, stderr %q: want only the missing --file", code, errOut.String())
	}
}

// TestMissingClusterOrServiceIsInvalidInEveryCommand: each command that names
// a service or cluster refuses a missing one the same way: exit 2, the same
// words, before changing anything.
func TestMissingClusterOrServiceIsInvalidInEveryCommand(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, nil)
	l.registerFamily(t, "job", taskContainer("job", "job:1", true))
	commands := [][]string{
		{"deploy", "--tag-only", "2"},
		{"diff", "--tag-only", "2"},
		{"rollback"},
		{"promote"},
		{"abort"},
		{"scale", "2"},
		{"status"},
		{"run", "--task-definition", "job"},
	}
	for _, args := range commands {
		for _, c := range []struct {
			target []string
			want   string
		}{
			{[]string{"-c", "nowhere", "-n", "web"}, "error: cluster nowhere not found"},
			{[]string{"-c", "default", "-n", "nosuch"}, "error: service nosuch not found in cluster default"},
		} {
			if args[0] == "run" && c.target[1] == "default" {
				c.target = []string{"--service", "nosuch"}
			}
			full := append(append([]string{}, args...), c.target...)
			code, _, stderr := l.exec(t, full...)
			if code != exitcode.Invalid || strings.TrimSpace(stderr) != c.want {
				t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", full, code, stderr, c.want)
			}
		}
	}
	if n := l.taskCount(t); n != 0 {
		t.Errorf("%d tasks were started", n)
	}
}

// TestProgressFollowsTheTerminalOverride: the live view is chosen for a
// terminal on stderr (overridable for tests), lines otherwise.
func TestProgressFollowsTheTerminalOverride(t *testing.T) {
	t.Parallel()
	d := NewDeps(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, nil, awsconfig.Options{}, nil)
	if _, live := d.Progress().(*progress.Live); live {
		t.Fatal("a buffer is not a terminal")
	}
	d.IO.SetStderrTTY(true)
	if _, live := d.Progress().(*progress.Live); !live {
		t.Fatalf("with stderr a terminal, got %T", d.Progress())
	}
	d.Global.Output = "json"
	if _, live := d.Progress().(*progress.Live); live {
		t.Fatal("--output json keeps progress as lines")
	}
}

// TestEngineProblemsNameTheFlagOrTheSpecField: a problem the engine finds
// in a request field is named after the flag when a flag gave the value, and
// after the spec's field when the spec file did.
func TestEngineProblemsNameTheFlagOrTheSpecField(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, nil)
	td := l.registerFamily(t, "web", taskContainer("app", "web:1", true))
	l.createService(t, "web", td, 1)
	spec := filepath.Join(t.TempDir(), "deploy.yaml")
	writeFile(t, spec, "cluster: default\nservice: web\ntemplateFamily: nosuch\n")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"rollback", "-n", "web", "-c", "default", "--to-revision", "9"}, "--to-revision: web:9 does not exist"},
		{[]string{"register", "--template-family", "nosuch", "--family", "web"}, "--template-family: task definition nosuch not found"},
		{[]string{"deploy", "-c", "default", "-n", "web", "--template-family", "nosuch"}, "--template-family: task definition nosuch not found"},
		{[]string{"diff", "-f", spec}, "templateFamily: task definition nosuch not found"},
	}
	for _, c := range cases {
		code, _, stderr := l.exec(t, c.args...)
		if code != exitcode.Invalid || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
	}
}
