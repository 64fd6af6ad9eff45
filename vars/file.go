package vars

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LoadFile reads variables from a file into r.FileVars; a later file
// overrides values of an earlier one, and --var values (r.Vars) still win.
//
// The format follows the extension: ".yaml", ".yml" and ".json" files hold
// one mapping of names to scalar values (YAML, of which JSON is a subset);
// any other file holds KEY=VALUE lines, where blank lines and lines starting
// with '#' are skipped, "export " before a name is allowed, and one pair of
// matching quotes around the value is removed. Nothing else is interpreted:
// no escapes, no interpolation.
func (r *Resolver) LoadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read variable file: %w", err)
	}
	var vals map[string]string
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		vals, err = parseYAMLVars(data)
	default:
		vals, err = parseDotenv(data)
	}
	if err != nil {
		return fmt.Errorf("variable file %s: %w", path, err)
	}
	if r.FileVars == nil {
		r.FileVars = map[string]string{}
	}
	for k, v := range vals {
		r.FileVars[k] = v
	}
	return nil
}

func parseDotenv(data []byte) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		name, value, ok := strings.Cut(line, "=")
		name = strings.TrimSpace(name)
		if !ok {
			return nil, fmt.Errorf("line %d: expected KEY=VALUE", n)
		}
		if err := CheckName(name); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out[name] = unquote(strings.TrimSpace(value))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

func parseYAMLVars(data []byte) (map[string]string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	out := map[string]string{}
	if len(doc.Content) == 0 {
		return out, nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: expected a mapping of variable names to values", m.Line)
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if err := CheckName(k.Value); err != nil {
			return nil, fmt.Errorf("line %d: %w", k.Line, err)
		}
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: %s: values must be scalars (strings, numbers, booleans)", v.Line, k.Value)
		}
		if v.Tag == "!!null" {
			out[k.Value] = ""
			continue
		}
		out[k.Value] = v.Value
	}
	return out, nil
}
