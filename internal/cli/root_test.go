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

// TestEveryCommandAnswersTheSameAboutClusterServiceAndTimeout: every
// command that names a service or cluster gives the same answer, exit code
// and words, before changing anything: a cluster or service that does not
// exist, a service not given, a cluster given empty (an unset variable), a
// cluster left out (ECS's default cluster, "default"), a bad --timeout.
func TestEveryCommandAnswersTheSameAboutClusterServiceAndTimeout(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, nil)
	l.registerFamily(t, "job", taskContainer("job", "job:1", true))
	const (
		noCluster    = "error: cluster nowhere not found"
		noService    = "error: service nosuch not found in cluster default"
		needsService = "error: invalid input: --service: required: name the service (-n/--service, or service: in the spec file)"
		emptyCluster = "error: invalid input: --cluster: empty: name the cluster, or leave -c/--cluster and cluster: out for ECS's default cluster \"default\""
		badTimeout   = "error: invalid input: --timeout: "
	)
	type answer struct {
		args []string
		want string
	}
	// Each command with the arguments it needs besides the target.
	commands := []struct {
		args          []string
		needsService  bool // the service is required, not optional
		takesTimeout  bool
		targetsFamily bool // names a family, not a service
	}{
		{args: []string{"deploy", "--tag-only", "2"}, needsService: true, takesTimeout: true},
		{args: []string{"diff", "--tag-only", "2"}, needsService: true},
		{args: []string{"rollback"}, needsService: true, takesTimeout: true},
		{args: []string{"promote"}, needsService: true, takesTimeout: true},
		{args: []string{"abort"}, needsService: true, takesTimeout: true},
		{args: []string{"scale", "2"}, needsService: true, takesTimeout: true},
		{args: []string{"status"}, needsService: true},
		{args: []string{"run", "--task-definition", "job"}, takesTimeout: true},
		{args: []string{"register", "--tag-only", "2"}},
		{args: []string{"revisions", "job"}, targetsFamily: true},
	}
	for _, c := range commands {
		with := func(more ...string) []string { return append(append([]string{}, c.args...), more...) }
		answers := []answer{
			{with("-c", "nowhere", "-n", "web"), noCluster},
			{with("-n", "nosuch"), noService}, // no -c: the cluster is "default"
			{with("-c", "", "-n", "web"), emptyCluster},
		}
		if c.targetsFamily {
			answers = []answer{{with("-c", "nowhere"), noCluster}, {with("-c", ""), emptyCluster}}
		}
		if c.needsService {
			answers = append(answers, answer{with("-c", "default"), needsService})
		}
		if c.takesTimeout {
			answers = append(answers, answer{with("-n", "web", "--timeout", "soon"), badTimeout})
		}
		for _, a := range answers {
			code, _, stderr := l.exec(t, a.args...)
			got := strings.TrimSpace(stderr)
			if code != exitcode.Invalid || got != a.want && !(a.want == badTimeout && strings.HasPrefix(got, a.want) && !strings.Contains(got, "\n")) {
				t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", a.args, code, got, a.want)
			}
		}
	}
	// The timeout's one wording, in every command that takes it.
	var words []string
	for _, args := range [][]string{{"deploy", "-n", "web"}, {"rollback", "-n", "web"}, {"scale", "2", "-n", "web"}, {"run", "--task-definition", "job"}} {
		_, _, stderr := l.exec(t, append(args, "--timeout", "soon")...)
		words = append(words, strings.TrimSpace(stderr))
	}
	for _, w := range words[1:] {
		if w != words[0] {
			t.Errorf("--timeout soon is answered differently:\n%s", strings.Join(words, "\n"))
			break
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
