package taskdef

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// masked is what a plain environment value is shown as without ShowValues.
const masked = "***"

// renderer turns a register input into a normalised, order-insensitive text:
// containers by name, volumes by name, environment variables, secrets and
// tags as maps sorted by key, other lists of objects sorted, lists of plain
// values (commands, entry points) in their own order because it matters.
type renderer struct {
	showValues bool
	// changedEnv holds "container\x00key" for environment values that differ
	// between the two sides; masked values are marked so the diff shows them.
	changedEnv map[string]bool
	side       string // "old" or "new", for marking changed masked values
}

func (r renderer) render(in *ecs.RegisterTaskDefinitionInput) []string {
	if in == nil {
		return nil
	}
	tree, _ := encodeValue(reflect.ValueOf(in).Elem())
	obj := tree.(map[string]any)
	r.normaliseTop(obj)
	var lines []string
	writeValue(&lines, obj, 0)
	return lines
}

func (r renderer) normaliseTop(obj map[string]any) {
	if cds, ok := obj["containerDefinitions"].([]any); ok {
		byName := map[string]any{}
		for i, cd := range cds {
			c, ok := cd.(map[string]any)
			if !ok {
				continue
			}
			name, _ := c["name"].(string)
			if name == "" {
				name = "#" + itoa(i)
			}
			delete(c, "name")
			r.normaliseContainer(name, c)
			byName[name] = c
		}
		obj["containerDefinitions"] = byName
	}
	if vols, ok := obj["volumes"].([]any); ok {
		obj["volumes"] = keyBy(vols, "name")
	}
	if tags, ok := obj["tags"].([]any); ok {
		obj["tags"] = pairsToMap(tags, "key", "value", nil)
	}
	sortSets(obj, "requiresCompatibilities")
}

func (r renderer) normaliseContainer(name string, c map[string]any) {
	if env, ok := c["environment"].([]any); ok {
		c["environment"] = pairsToMap(env, "name", "value", func(key string, v any) any {
			if r.showValues {
				return v
			}
			if r.changedEnv[name+"\x00"+key] {
				return masked + " (" + r.side + " value)"
			}
			return masked
		})
	}
	if secrets, ok := c["secrets"].([]any); ok {
		// valueFrom is a reference (an ARN or parameter name), not the secret.
		c["secrets"] = pairsToMap(secrets, "name", "valueFrom", nil)
	}
}

// keyBy turns a list of objects into a map by one of their fields.
func keyBy(list []any, field string) map[string]any {
	out := map[string]any{}
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		k, _ := m[field].(string)
		if k == "" {
			k = "#" + itoa(i)
		}
		c := map[string]any{}
		for kk, vv := range m {
			if kk != field {
				c[kk] = vv
			}
		}
		out[k] = c
	}
	return out
}

// pairsToMap turns [{name: K, value: V}] into {K: V}.
func pairsToMap(list []any, keyField, valueField string, transform func(string, any) any) map[string]any {
	out := map[string]any{}
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		k, _ := m[keyField].(string)
		v := m[valueField]
		if transform != nil {
			v = transform(k, v)
		}
		out[k] = v
	}
	return out
}

func sortSets(obj map[string]any, fields ...string) {
	for _, f := range fields {
		if list, ok := obj[f].([]any); ok {
			sort.Slice(list, func(i, j int) bool { return scalarText(list[i]) < scalarText(list[j]) })
		}
	}
}

// writeValue renders v as indented YAML-like lines with keys sorted and
// lists of objects sorted by their own rendering.
func writeValue(lines *[]string, v any, indent int) {
	pad := strings.Repeat("  ", indent)
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			child := x[k]
			if isScalar(child) {
				*lines = append(*lines, pad+k+": "+scalarText(child))
				continue
			}
			if isEmpty(child) {
				*lines = append(*lines, pad+k+": "+emptyText(child))
				continue
			}
			*lines = append(*lines, pad+k+":")
			writeValue(lines, child, indent+1)
		}
	case []any:
		items := make([][]string, len(x))
		allScalar := true
		for i, item := range x {
			if isScalar(item) {
				items[i] = []string{"- " + scalarText(item)}
				continue
			}
			allScalar = false
			var sub []string
			writeValue(&sub, item, 1)
			if len(sub) > 0 {
				sub[0] = "- " + strings.TrimPrefix(sub[0], "  ")
			}
			items[i] = sub
		}
		if !allScalar {
			// Objects in a list (port mappings, mount points, ulimits…) mean
			// the same in any order; plain values (a command) do not.
			sort.SliceStable(items, func(i, j int) bool {
				return strings.Join(items[i], "\n") < strings.Join(items[j], "\n")
			})
		}
		for _, item := range items {
			for _, l := range item {
				*lines = append(*lines, pad+l)
			}
		}
	default:
		*lines = append(*lines, pad+scalarText(v))
	}
}

func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

func emptyText(v any) string {
	if _, ok := v.([]any); ok {
		return "[]"
	}
	return "{}"
}

func scalarText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
