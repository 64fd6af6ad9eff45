package spec

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

func resolver(m map[string]string) vars.Resolver {
	return vars.Resolver{Vars: m, LookupEnv: func(string) (string, bool) { return "", false }}
}

type container struct {
	Name   string            `yaml:"name"`
	Image  string            `yaml:"image"`
	Memory *int32            `yaml:"memory"`
	Ports  []int             `yaml:"ports"`
	Env    map[string]string `yaml:"env"`
}

type base struct {
	Owner string `yaml:"owner"`
}

type sample struct {
	base       `yaml:",inline"`
	Name       string      `yaml:"name"`
	Enabled    bool        `yaml:"enabled"`
	Ratio      float64     `yaml:"ratio"`
	Count      uint8       `yaml:"count"`
	Wait       Duration    `yaml:"wait"`
	Containers []container `yaml:"containers"`
	Extra      any         `yaml:"extra"`
	Ignored    string      `yaml:"-"`
	lines      Lines
}

func (s *sample) SetLines(l Lines) { s.lines = l }

func TestDecodeSubstitutesAndConverts(t *testing.T) {
	doc := `
owner: "#{Owner}"
name: svc-#{Env}
enabled: "#{On}"
ratio: 0.5
count: "#{N}"
wait: 90
containers:
  - name: web
    image: "repo/web:#{Tag}"
    memory: "#{Mem}"
    ports: [80, "#{Port}"]
    env:
      "#{Env}_MODE": on-#{Env}
  - name: side
    image: busybox
extra:
  any: ["#{Tag}", 1]
`
	r := resolver(map[string]string{"Owner": "team", "Env": "prod", "On": "true", "N": "7", "Tag": "1.2", "Mem": "512", "Port": "8080"})
	var s sample
	if err := Decode([]byte(doc), r, &s); err != nil {
		t.Fatal(err)
	}
	mem := int32(512)
	want := sample{
		base: base{Owner: "team"}, Name: "svc-prod", Enabled: true, Ratio: 0.5, Count: 7, Wait: Duration(90 * time.Second),
		Containers: []container{
			{Name: "web", Image: "repo/web:1.2", Memory: &mem, Ports: []int{80, 8080}, Env: map[string]string{"prod_MODE": "on-prod"}},
			{Name: "side", Image: "busybox"},
		},
		Extra: map[string]any{"any": []any{"1.2", 1}},
	}
	got := s
	got.lines = nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	if s.lines.Line("containers[0].image") != 10 || s.lines.Line("containers[1].name") != 15 || s.lines.Line("name") != 3 ||
		s.lines.Line("containers") != 8 || s.lines.Line("containers[0].env") != 13 {
		t.Errorf("lines = %v", s.lines)
	}
}

func TestDecodeReportsEveryProblem(t *testing.T) {
	doc := `name: x
nmae: typo
Enabled: true
enabled: maybe
count: 300
wait: soon
ratio: [1]
containers:
  - name: web
    image: "#{Missing}"
    memory: lots
    ports: {a: 1}
    colour: red
  - image: "#{Bad"
    name: ok
name: again
`
	var s sample
	err := Decode([]byte(doc), resolver(nil), &s)
	var ps exitcode.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want exitcode.Problems, got %v", err)
	}
	want := []struct {
		line  int
		field string
		msg   string
	}{
		{2, "nmae", `unknown field (did you mean "name"?)`},
		{3, "Enabled", `did you mean "enabled"`},
		{4, "enabled", "expected true or false"},
		{5, "count", "up to 255"},
		{6, "wait", "not a duration"},
		{7, "ratio", "expected a single value, found a list"},
		{10, "containers[0].image", "#{Missing}"},
		{11, "containers[0].memory", "expected a whole number"},
		{12, "containers[0].ports", "expected a list"},
		{13, "containers[0].colour", "unknown field"},
		{14, "containers[1].image", "unterminated"},
		{16, "name", "more than once"},
	}
	if len(ps) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(want), err)
	}
	for i, w := range want {
		p := ps[i]
		if p.Line != w.line || p.Field != w.field || !strings.Contains(p.Message, w.msg) {
			t.Errorf("problem %d = %+v, want line %d field %s containing %q", i, p, w.line, w.field, w.msg)
		}
	}
	if exitcode.Of(err) != exitcode.Invalid {
		t.Errorf("exit code %d", exitcode.Of(err))
	}
}

func TestDecodeYAMLFeatures(t *testing.T) {
	doc := `
defaults: &d
  name: web
  image: "img:#{Tag}"
containers:
  - <<: *d
  - <<: *d
    name: other
  - *d
`
	type withDefaults struct {
		Defaults   container   `yaml:"defaults"`
		Containers []container `yaml:"containers"`
	}
	var s withDefaults
	if err := Decode([]byte(doc), resolver(map[string]string{"Tag": "3"}), &s); err != nil {
		t.Fatal(err)
	}
	names := []string{s.Containers[0].Name, s.Containers[1].Name, s.Containers[2].Name}
	if !reflect.DeepEqual(names, []string{"web", "other", "web"}) || s.Containers[1].Image != "img:3" {
		t.Fatalf("merge keys and aliases: %+v", s.Containers)
	}
}

func TestDecodeUnquotedVariableHint(t *testing.T) {
	var s sample
	err := Decode([]byte("name: #{Name}\n"), resolver(map[string]string{"Name": "x"}), &s)
	if err == nil || !strings.Contains(err.Error(), "put it in quotes") || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("want a hint to quote the value, got %v", err)
	}
}

func TestDecodeEdgeCases(t *testing.T) {
	var s sample
	for _, empty := range []string{"", "# only a comment\n", "---\n"} {
		if err := Decode([]byte(empty), resolver(nil), &s); err != nil {
			t.Errorf("Decode(%q): %v", empty, err)
		}
	}
	if err := Decode([]byte("name: [\n"), resolver(nil), &s); err == nil || !strings.Contains(err.Error(), "line") {
		t.Errorf("syntax error without a line: %v", err)
	}
	if err := Decode([]byte("name: a\n---\nname: b\n"), resolver(nil), &s); err == nil || !strings.Contains(err.Error(), "more than one YAML document") {
		t.Errorf("two documents: %v", err)
	}
	if err := Decode([]byte("- a\n"), resolver(nil), &s); err == nil || !strings.Contains(err.Error(), "expected a mapping") {
		t.Errorf("top-level list: %v", err)
	}
	if err := Decode([]byte("name: x"), resolver(nil), s); err == nil {
		t.Error("a non-pointer target was accepted")
	}
	// A billion-laughs document is refused rather than expanded.
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	var m map[string]any
	err := Decode([]byte(bomb), resolver(nil), &m)
	if err == nil {
		t.Error("alias bomb decoded")
	}
}

// FuzzDecode checks that Decode never panics and that every failure is a
// list of problems (exit code 2), whatever the input.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"", "name: x", "containers: [{name: a, image: b}]", "wait: 10m\ncount: 3", "name: \"#{V}\"",
		"a: &a {name: x}\ncontainers: [*a, {<<: *a}]", "name: #{V}", "- 1", "{", "count: -1", "enabled: [",
		"cluster: c\nservice: s\nimages: {web: nginx}\nenv: {web: {A: b}}",
		"images: [web=nginx, \"nginx:1\", {container: a, image: b}]\ndesiredCount: \"#{N}\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		r := resolver(map[string]string{"V": "v", "N": "2"})
		var s sample
		if err := Decode([]byte(doc), r, &s); err != nil {
			var ps exitcode.Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("Decode(%q) failed without problems: %v", doc, err)
			}
		}
		var d Deploy
		if err := Decode([]byte(doc), r, &d); err == nil {
			// Only that they do not panic: the fuzzed input may be invalid.
			_ = d.Validate()
			_ = d.Changes()
		}
	})
}

// upper is a type with its own YAML decoding, as other specs may define.
type upper string

func (u *upper) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("upper wants a scalar")
	}
	*u = upper(strings.ToUpper(n.Value))
	return nil
}

func TestDecodeUsesUnmarshalers(t *testing.T) {
	var s struct {
		Mode  upper  `yaml:"mode"`
		Other *upper `yaml:"other"`
	}
	if err := Decode([]byte("mode: \"#{M}\"\nother: x\n"), resolver(map[string]string{"M": "fast"}), &s); err != nil {
		t.Fatal(err)
	}
	if s.Mode != "FAST" || s.Other == nil || *s.Other != "X" {
		t.Fatalf("got %+v", s)
	}
	err := Decode([]byte("mode: [a]\n"), resolver(nil), &s)
	var ps exitcode.Problems
	if !errors.As(err, &ps) || ps[0].Field != "mode" || ps[0].Line != 1 || !strings.Contains(ps[0].Message, "upper wants a scalar") {
		t.Fatalf("got %v", err)
	}
}
