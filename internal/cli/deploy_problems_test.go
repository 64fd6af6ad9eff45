package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// Each problem names what the user typed, once: a setting given by a flag is
// reported under that flag (not the spec's name for it), and a flag whose
// #{variable} did not resolve is reported for the variable only, not again as
// a malformed value.
func TestDeployProblemsNameTheFlagOnce(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	g := runOpts{}.deps(&out, &errOut)
	code := execute(context.Background(), g, []string{"deploy", "-c", "c", "-n", "web", "--output", "json",
		"-i", "app=#{Tag}", "-D", "#{Count}", "--template-family", "#{Family}", "--circuit-breaker=#{Breaker}",
		"-m", "200"})
	if code != exitcode.Invalid {
		t.Fatalf("exit %d, want %d\n%s", code, exitcode.Invalid, errOut.String())
	}
	var report struct {
		Problems exitcode.Problems `json:"problems"`
	}
	if err := json.Unmarshal(out.Bytes(), &report); err != nil {
		t.Fatalf("stdout is not one JSON report: %v\n%s", err, out.String())
	}
	got := map[string]int{}
	for _, p := range report.Problems {
		got[p.Field]++
	}
	want := map[string]int{"--image": 1, "--desired-count": 1, "--template-family": 1, "--circuit-breaker": 1, "--min-healthy-percent": 1}
	if len(got) != len(want) {
		t.Fatalf("problems by field %v, want %v:\n%s", got, want, errOut.String())
	}
	for field, n := range want {
		if got[field] != n {
			t.Fatalf("problems by field %v, want %v:\n%s", got, want, errOut.String())
		}
	}
}

// A spec with an unresolved variable still counts the settings it does hold:
// "service: web" is not reported missing, and the unresolved cluster and
// secret are reported once each, not again as empty.
func TestDeploySpecProblemsAreNotRepeatedAsMissingValues(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "deploy.yaml")
	specText := "cluster: \"#{Env}-cluster\"\nservice: web\nsecrets:\n  app:\n    DB: \"arn:aws:ssm:eu-west-1:123456789012:parameter/#{Env}/db\"\n"
	if err := os.WriteFile(path, []byte(specText), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	g := runOpts{}.deps(&out, &errOut)
	code := execute(context.Background(), g, []string{"deploy", "-f", path, "--output", "json"})
	if code != exitcode.Invalid {
		t.Fatalf("exit %d, want %d\n%s", code, exitcode.Invalid, errOut.String())
	}
	var report struct {
		Problems exitcode.Problems `json:"problems"`
	}
	if err := json.Unmarshal(out.Bytes(), &report); err != nil {
		t.Fatalf("stdout is not one JSON report: %v\n%s", err, out.String())
	}
	var fields []string
	for _, p := range report.Problems {
		fields = append(fields, p.Field)
	}
	if want := []string{"cluster", "secrets.app.DB"}; strings.Join(fields, ",") != strings.Join(want, ",") {
		t.Fatalf("problems for %v, want one each for %v:\n%s", fields, want, errOut.String())
	}
}

// One rule, wherever the value was given: two images for one container are
// refused from two -i and from two entries of a spec's images: list alike,
// by deploy, diff and register, before any AWS call, each problem naming
// where the second was given (the flag, or the spec's file and line) and
// where the first was.
func TestTwoImagesForOneContainerAreRefusedFromFlagsAndFromASpec(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "deploy.yaml")
	specText := "cluster: c\nservice: web\nimages:\n  - app=registry.example.com/app:1\n  - app=registry.example.com/app:2\n"
	if err := os.WriteFile(path, []byte(specText), 0o600); err != nil {
		t.Fatal(err)
	}
	fromFlags := `--image app=registry.example.com/app:2: container "app" is given an image more than once (also at --image app=registry.example.com/app:1)`
	fromSpec := path + `:5: images[1]: container "app" is given an image more than once (also at ` + path + `:4)`
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"deploy", "-c", "c", "-n", "web", "-i", "app=registry.example.com/app:1", "-i", "app=registry.example.com/app:2"}, fromFlags},
		{[]string{"deploy", "-f", path}, fromSpec},
		{[]string{"diff", "-f", path}, fromSpec},
		{[]string{"register", "-f", path}, fromSpec},
		{[]string{"register", "--family", "web", "-i", "app=registry.example.com/app:1", "-i", "app=registry.example.com/app:2"}, fromFlags},
	} {
		var out, errOut bytes.Buffer
		code := execute(context.Background(), runOpts{}.deps(&out, &errOut), tt.args)
		if code != exitcode.Invalid || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit %d and %q", tt.args, code, errOut.String(), exitcode.Invalid, tt.want)
		}
	}
}

// A setting --no-wait cannot honour is named where it was given: the flag,
// or the spec's file and line.
func TestNoWaitConflictsNameWhereTheSettingWasGiven(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "deploy.yaml")
	if err := os.WriteFile(path, []byte("cluster: c\nservice: web\nrollback: true\nkeepRevisions: 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"deploy", "-f", path, "--no-wait"}, []string{path + ":3: rollback: needs the deploy to wait", path + ":4: keepRevisions: prunes only after a success"}},
		{[]string{"deploy", "-c", "c", "-n", "web", "--no-wait", "--rollback", "--keep-revisions", "5"}, []string{"--rollback: needs the deploy to wait", "--keep-revisions: prunes only after a success"}},
	} {
		var out, errOut bytes.Buffer
		code := execute(context.Background(), runOpts{}.deps(&out, &errOut), tt.args)
		for _, want := range tt.want {
			if code != exitcode.Invalid || !strings.Contains(errOut.String(), want) {
				t.Errorf("%v: exit %d, stderr:\n%s\nwant exit 2 and %q", tt.args, code, errOut.String(), want)
			}
		}
	}
}

// deploy's rollout flags are laid over the spec before the one check: a
// flag overriding a bad value in the spec leaves nothing to report, and a
// bad flag is reported once, as the flag, by the spec's rule.
func TestRolloutFlagsOverrideTheSpecBeforeTheCheck(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "deploy.yaml")
	if err := os.WriteFile(path, []byte("cluster: c\nservice: web\nkeepRevisions: 0\ntimeout: 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// --tag-only "" keeps every run from reaching AWS.
	var out, errOut bytes.Buffer
	code := execute(context.Background(), runOpts{}.deps(&out, &errOut), []string{"deploy", "-f", path, "--keep-revisions", "5", "--timeout", "60", "--tag-only", ""})
	if code != exitcode.Invalid || strings.Contains(errOut.String(), "keepRevisions") || strings.Contains(errOut.String(), "timeout") {
		t.Errorf("flags over the spec's bad values: exit %d\n%s", code, errOut.String())
	}
	out.Reset()
	errOut.Reset()
	code = execute(context.Background(), runOpts{}.deps(&out, &errOut), []string{"deploy", "-c", "c", "-n", "web", "--keep-revisions", "0", "--tag-only", ""})
	want := "--keep-revisions: must be at least 1 (the revision just deployed is always kept), got 0"
	if code != exitcode.Invalid || strings.Count(errOut.String(), "--keep-revisions") != 1 || !strings.Contains(errOut.String(), want) {
		t.Errorf("--keep-revisions 0: exit %d\n%s\nwant it once: %s", code, errOut.String(), want)
	}
}
