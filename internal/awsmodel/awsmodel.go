// Package awsmodel checks the emulator's responses against the service
// models that botocore ships (the AWS CLI's own description of every AWS
// API): member names, list and structure nesting, and scalar types, for
// JSON and for Query (XML) services. It is used by tests only.
package awsmodel

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// Shape is the part of a botocore shape the checks need.
type Shape struct {
	Type    string `json:"type"`
	Members map[string]struct {
		Shape        string `json:"shape"`
		LocationName string `json:"locationName"`
	} `json:"members"`
	Member struct {
		Shape        string `json:"shape"`
		LocationName string `json:"locationName"`
	} `json:"member"`
	Value struct {
		Shape string `json:"shape"`
	} `json:"value"`
	Enum []string `json:"enum"`
}

// Model is a botocore service model.
type Model struct {
	Operations map[string]struct {
		Output struct {
			Shape         string `json:"shape"`
			ResultWrapper string `json:"resultWrapper"`
		} `json:"output"`
	} `json:"operations"`
	Shapes map[string]Shape `json:"shapes"`
}

// Load reads the newest model of service (the botocore directory name:
// "elbv2", "cloudwatch", "ecs") from the botocore installed with the AWS
// CLI; it skips the test outside CI when botocore is missing.
func Load(t testing.TB, service string) *Model {
	t.Helper()
	py := testenv.RequireTool(t, "python3")
	out, err := exec.Command(py, "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		if testenv.InCI() {
			t.Fatalf("botocore is required in CI: %v", err)
		}
		t.Skipf("botocore not importable: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "data", service, "*", "service-2.json.gz"))
	if len(files) == 0 {
		t.Fatalf("botocore has no %s model", service)
	}
	sort.Strings(files)
	f, err := os.Open(files[len(files)-1])
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }() // read only
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var m Model
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// CheckQueryXML checks a Query-protocol response body of operation op:
// <OpResponse><OpResult>…</OpResult><ResponseMetadata/></OpResponse>.
func (m *Model) CheckQueryXML(op string, body []byte) []string {
	root, err := parseXML(body)
	if err != nil {
		return []string{fmt.Sprintf("%s: the response is not XML: %v", op, err)}
	}
	if root.name != op+"Response" {
		return []string{fmt.Sprintf("%s: root element %s, want %sResponse", op, root.name, op)}
	}
	var problems []string
	o, ok := m.Operations[op]
	if !ok {
		return []string{fmt.Sprintf("%s: not an operation of the model", op)}
	}
	for _, c := range root.children {
		switch c.name {
		case "ResponseMetadata":
		case op + "Result":
			if o.Output.Shape == "" {
				problems = append(problems, fmt.Sprintf("%s: has a result element, but the operation has no output", op))
				continue
			}
			m.checkXML(op, o.Output.Shape, c, &problems)
		default:
			problems = append(problems, fmt.Sprintf("%s: unexpected element %s", op, c.name))
		}
	}
	return problems
}

type node struct {
	name     string
	text     string
	children []*node
}

func parseXML(body []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err != nil {
			if root != nil && len(stack) == 0 {
				return root, nil
			}
			return nil, err
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &node{name: tk.Name.Local}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tk)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

func (m *Model) checkXML(path, shapeName string, n *node, problems *[]string) {
	sh, ok := m.Shapes[shapeName]
	if !ok {
		*problems = append(*problems, fmt.Sprintf("%s: unknown shape %s", path, shapeName))
		return
	}
	bad := func(format string, args ...any) {
		*problems = append(*problems, fmt.Sprintf("%s (shape %s): %s", path, shapeName, fmt.Sprintf(format, args...)))
	}
	text := strings.TrimSpace(n.text)
	switch sh.Type {
	case "structure":
		byName := map[string]string{}
		for name, mem := range sh.Members {
			if mem.LocationName != "" {
				byName[mem.LocationName] = mem.Shape
			} else {
				byName[name] = mem.Shape
			}
		}
		seen := map[string]bool{}
		for _, c := range n.children {
			s, ok := byName[c.name]
			if !ok {
				bad("%s is not a member", c.name)
				continue
			}
			if seen[c.name] {
				bad("%s appears twice", c.name)
			}
			seen[c.name] = true
			m.checkXML(path+"."+c.name, s, c, problems)
		}
	case "list":
		want := "member"
		if sh.Member.LocationName != "" {
			want = sh.Member.LocationName
		}
		for i, c := range n.children {
			if c.name != want {
				bad("list item <%s>, want <%s>", c.name, want)
				continue
			}
			m.checkXML(fmt.Sprintf("%s[%d]", path, i), sh.Member.Shape, c, problems)
		}
	case "map":
		for _, c := range n.children {
			if c.name != "entry" {
				bad("map item <%s>, want <entry>", c.name)
			}
		}
	case "string":
		if len(n.children) > 0 {
			bad("string expected, got elements")
		}
		if len(sh.Enum) > 0 && !contains(sh.Enum, text) {
			bad("%q is not one of %v", text, sh.Enum)
		}
	case "boolean":
		if text != "true" && text != "false" {
			bad("boolean expected, got %q", text)
		}
	case "integer", "long":
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			bad("integer expected, got %q", text)
		}
	case "double", "float":
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			bad("number expected, got %q", text)
		}
	case "timestamp":
		if _, err := time.Parse(time.RFC3339Nano, text); err != nil {
			bad("ISO 8601 timestamp expected, got %q", text)
		}
	}
}

// CheckJSON checks a JSON response v (decoded into any) of operation op.
func (m *Model) CheckJSON(op string, v any) []string {
	var problems []string
	m.checkJSON(op, m.Operations[op].Output.Shape, v, &problems)
	return problems
}

func (m *Model) checkJSON(path, shapeName string, v any, problems *[]string) {
	sh, ok := m.Shapes[shapeName]
	if !ok {
		*problems = append(*problems, fmt.Sprintf("%s: unknown shape %s", path, shapeName))
		return
	}
	bad := func(want string) {
		*problems = append(*problems, fmt.Sprintf("%s: %s expected (shape %s), got %T", path, want, shapeName, v))
	}
	switch sh.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("object")
			return
		}
		for k, child := range obj {
			mem, ok := sh.Members[k]
			if !ok {
				*problems = append(*problems, fmt.Sprintf("%s.%s: not a member of %s", path, k, shapeName))
				continue
			}
			m.checkJSON(path+"."+k, mem.Shape, child, problems)
		}
	case "list":
		arr, ok := v.([]any)
		if !ok {
			bad("array")
			return
		}
		for i, child := range arr {
			m.checkJSON(fmt.Sprintf("%s[%d]", path, i), sh.Member.Shape, child, problems)
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("object")
			return
		}
		for k, child := range obj {
			m.checkJSON(path+"."+k, sh.Value.Shape, child, problems)
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			bad("string")
		} else if len(sh.Enum) > 0 && !contains(sh.Enum, s) {
			*problems = append(*problems, fmt.Sprintf("%s: %q is not one of %v", path, s, sh.Enum))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("boolean")
		}
	case "integer", "long":
		if n, ok := v.(float64); !ok || n != float64(int64(n)) {
			bad("integer")
		}
	case "double", "float", "timestamp":
		if _, ok := v.(float64); !ok {
			bad("number")
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
