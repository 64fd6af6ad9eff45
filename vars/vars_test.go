package vars

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestExpand(t *testing.T) {
	r := Resolver{
		Vars:      map[string]string{"Tag": "1.2", "Empty": "", "Both": "from-flag", "Nested": "#{Tag}"},
		FileVars:  map[string]string{"Both": "from-file", "Region": "eu-west-1"},
		LookupEnv: env(map[string]string{"ECSDEPLOY_VAR_Both": "from-env", "ECSDEPLOY_VAR_Account": "123", "ECSDEPLOY_VAR_app_name": "api"}),
	}
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"", ""},
		{"app:#{Tag}", "app:1.2"},
		{"#{ Tag }", "1.2"},
		{"#{Tag}#{Tag}", "1.21.2"},
		{"x#{Empty}y", "xy"},
		{"#{Both}", "from-flag"},
		{"#{Region}", "eu-west-1"},
		{"#{Account}", "123"},
		{"#{app.name}", "api"},  // '.' read from the environment as '_'
		{"#{Nested}", "#{Tag}"}, // values are not expanded again
		{"##{Tag}", "#{Tag}"},
		{"a # b { } #", "a # b { } #"},
		{"#Tag}", "#Tag}"},
	}
	for _, tt := range tests {
		got, err := r.Expand(tt.in)
		if err != nil {
			t.Errorf("Expand(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExpandErrors(t *testing.T) {
	r := Resolver{Vars: map[string]string{"A": "a"}, LookupEnv: env(nil)}
	_, err := r.Expand("#{B}-#{A}-#{C}-#{B}")
	var ue *UnresolvedError
	if !errors.As(err, &ue) {
		t.Fatalf("want *UnresolvedError, got %v", err)
	}
	if !reflect.DeepEqual(ue.Names, []string{"B", "C"}) {
		t.Fatalf("names = %v", ue.Names)
	}
	for _, want := range []string{"#{B}", "#{C}", "--var B=", "ECSDEPLOY_VAR_B"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	for in, want := range map[string]string{
		"#{A":          "unterminated",
		"#{}":          "empty variable name",
		"#{A | Lower}": `unknown filter "Lower" (known filters: Base64Decode,`,
		"#{a b}":       "not allowed",
	} {
		_, err := r.Expand(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Expand(%q) error = %v, want it to contain %q", in, err, want)
		}
	}
}

func TestDefaultLookupUsesProcessEnvironment(t *testing.T) {
	t.Setenv("ECSDEPLOY_VAR_FromEnv", "yes")
	got, err := Resolver{}.Expand("#{FromEnv}")
	if err != nil || got != "yes" {
		t.Fatalf("Expand = %q, %v", got, err)
	}
}

func TestReferences(t *testing.T) {
	got := References("#{A} #{ B } ##{C} #{A} #{bad name} #{D")
	if !reflect.DeepEqual(got, []string{"A", "B"}) {
		t.Fatalf("References = %v", got)
	}
}

func TestParseAssignments(t *testing.T) {
	got, err := ParseAssignments([]string{"A=1", "B=x=y", "C=", "A=2"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "2", "B": "x=y", "C": ""}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	// "hunter2" has no '=': it may be a value given without its name, so it
	// is not repeated either.
	_, err = ParseAssignments([]string{"hunter2", "=x", "bad name=s3cr3t", "OK=1"})
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q shows a value", err)
	}
	for _, bad := range []string{`one without '=' (not shown)`, `"=…"`, `"bad name=…"`} {
		if !strings.Contains(err.Error(), bad) {
			t.Errorf("error %q does not name %s", err, bad)
		}
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	dotenv := filepath.Join(dir, "vars.env")
	if err := os.WriteFile(dotenv, []byte("# comment\n\nTag=1.0\nexport Region = eu-west-1\nQuoted=\"a b\"\nSingle='c'\nEq=x=y\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	yml := filepath.Join(dir, "vars.yaml")
	if err := os.WriteFile(yml, []byte("Tag: \"2.0\"\nCount: 3\nFlag: true\nNone:\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	r := Resolver{Vars: map[string]string{"Flag": "from-flag"}, LookupEnv: env(nil)}
	if err := r.LoadFile(dotenv); err != nil {
		t.Fatal(err)
	}
	if err := r.LoadFile(yml); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Tag": "2.0", "Region": "eu-west-1", "Quoted": "a b", "Single": "c", "Eq": "x=y",
		"Count": "3", "Flag": "true", "None": ""}
	if !reflect.DeepEqual(r.FileVars, want) {
		t.Fatalf("FileVars = %v, want %v", r.FileVars, want)
	}
	if got, _ := r.Expand("#{Flag}"); got != "from-flag" {
		t.Fatalf("--var must win over a file, got %q", got)
	}

	bad := map[string]string{
		"a.env":  "NOEQUALS\n",
		"b.env":  "bad name=1\n",
		"c.yaml": "- a\n- b\n",
		"d.yml":  "A: [1, 2]\n",
		"e.yaml": "A: [\n",
	}
	for name, content := range bad {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := (&Resolver{}).LoadFile(p); err == nil {
			t.Errorf("LoadFile(%s) accepted %q", name, content)
		}
	}
	if err := (&Resolver{}).LoadFile(filepath.Join(dir, "missing.env")); err == nil {
		t.Error("LoadFile of a missing file succeeded")
	}
}

// FuzzExpand checks that Expand never panics, that text without "#{" is
// returned unchanged, and that with every referenced name defined as "v"
// expansion succeeds or fails only on syntax.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"", "plain", "#{A}", "##{A}", "#{A", "#{ A }-#{B}", "#{A|x}", "###{A}}", "#{#{A}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := Resolver{LookupEnv: func(string) (string, bool) { return "v", true }}
		got, err := r.Expand(s)
		if !strings.Contains(s, "#{") {
			if err != nil || got != s {
				t.Fatalf("Expand(%q) = %q, %v; want it unchanged", s, got, err)
			}
			return
		}
		var ue *UnresolvedError
		if errors.As(err, &ue) {
			t.Fatalf("Expand(%q): every name resolves, yet %v", s, err)
		}
		for _, name := range References(s) {
			if CheckName(name) != nil {
				t.Fatalf("References(%q) returned invalid name %q", s, name)
			}
		}
	})
}
