package cloudformation

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// template is a parsed CloudFormation template. The intrinsic functions
// Ref, Fn::GetAtt, Fn::Sub and Fn::Join are evaluated, in the long form
// ecsdeploy renders or the short YAML tags (!Ref) a user's template may use
// (see shortform.go); other functions are refused when evaluated.
type template struct {
	Body       string
	Parameters map[string]paramDecl
	Resources  map[string]resourceDecl
	Outputs    map[string]outputDecl
}

type paramDecl struct {
	Type    string
	Default *string
}

type resourceDecl struct {
	Type       string
	Properties map[string]any
	DependsOn  []string
}

type outputDecl struct {
	Value       any
	Description string
}

func parseTemplate(body string) (*template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		return nil, fmt.Errorf("Template format error: %w", err)
	}
	if err := expandShortForms(&doc); err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := doc.Decode(&raw); err != nil {
		return nil, fmt.Errorf("Template format error: %w", err)
	}
	if raw == nil {
		return nil, fmt.Errorf("Template format error: the template is empty")
	}
	t := &template{Body: body, Parameters: map[string]paramDecl{}, Resources: map[string]resourceDecl{}, Outputs: map[string]outputDecl{}}
	for name, v := range asMap(raw["Parameters"]) {
		m := asMap(v)
		p := paramDecl{Type: fmt.Sprint(m["Type"])}
		if d, ok := m["Default"]; ok {
			s := scalarString(d)
			p.Default = &s
		}
		t.Parameters[name] = p
	}
	resources := asMap(raw["Resources"])
	if len(resources) == 0 {
		return nil, fmt.Errorf("Template format error: At least one Resources member must be defined.")
	}
	for name, v := range resources {
		m := asMap(v)
		typ, _ := m["Type"].(string)
		if typ == "" {
			return nil, fmt.Errorf("Template format error: [/Resources/%s] Every Resources object must contain a Type member.", name)
		}
		r := resourceDecl{Type: typ, Properties: asMap(m["Properties"])}
		switch d := m["DependsOn"].(type) {
		case string:
			r.DependsOn = []string{d}
		case []any:
			for _, x := range d {
				r.DependsOn = append(r.DependsOn, fmt.Sprint(x))
			}
		}
		t.Resources[name] = r
	}
	for name, v := range asMap(raw["Outputs"]) {
		m := asMap(v)
		desc, _ := m["Description"].(string)
		t.Outputs[name] = outputDecl{Value: m["Value"], Description: desc}
	}
	if err := t.checkReferences(); err != nil {
		return nil, err
	}
	return t, nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = scalarString(p)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

var pseudoParameters = map[string]bool{"AWS::Region": true, "AWS::AccountId": true, "AWS::Partition": true,
	"AWS::StackName": true, "AWS::StackId": true, "AWS::URLSuffix": true, "AWS::NoValue": true}

// checkReferences refuses Refs and GetAtts to names the template does not declare.
func (t *template) checkReferences() error {
	for name, r := range t.Resources {
		for _, dep := range t.dependencies(name) {
			if _, ok := t.Resources[dep]; !ok {
				return fmt.Errorf("Template format error: Unresolved resource dependencies [%s] in the Resources block of the template", dep)
			}
		}
		var bad string
		walkRefs(r.Properties, func(ref string, attr bool) {
			if attr || pseudoParameters[ref] {
				return
			}
			if _, p := t.Parameters[ref]; !p {
				if _, res := t.Resources[ref]; !res && bad == "" {
					bad = ref
				}
			}
		})
		if bad != "" {
			return fmt.Errorf("Template format error: Unresolved resource dependencies [%s] in the Resources block of the template", bad)
		}
	}
	return nil
}

// dependencies lists the resources name refers to or depends on.
func (t *template) dependencies(name string) []string {
	r := t.Resources[name]
	seen := map[string]bool{}
	var deps []string
	add := func(d string) {
		if !seen[d] {
			seen[d] = true
			deps = append(deps, d)
		}
	}
	for _, d := range r.DependsOn {
		add(d)
	}
	walkRefs(r.Properties, func(ref string, _ bool) {
		if _, ok := t.Resources[ref]; ok {
			add(ref)
		}
	})
	sort.Strings(deps)
	return deps
}

// walkRefs calls fn for every resource or parameter name v refers to:
// Ref targets, GetAtt resources (attr true) and ${Name} / ${Name.Attr} in Sub.
func walkRefs(v any, fn func(name string, attr bool)) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if ref, ok := x["Ref"].(string); ok {
				fn(ref, false)
				return
			}
			if ga, ok := x["Fn::GetAtt"]; ok {
				if parts := getAttParts(ga); len(parts) == 2 {
					fn(parts[0], true)
				}
				return
			}
			if sub, ok := x["Fn::Sub"]; ok {
				s, _ := sub.(string)
				for _, name := range subNames(s) {
					if i := strings.IndexByte(name, '.'); i >= 0 {
						fn(name[:i], true)
					} else {
						fn(name, false)
					}
				}
				return
			}
		}
		for _, val := range x {
			walkRefs(val, fn)
		}
	case []any:
		for _, val := range x {
			walkRefs(val, fn)
		}
	}
}

func getAttParts(v any) []string {
	switch x := v.(type) {
	case string:
		return strings.SplitN(x, ".", 2)
	case []any:
		out := make([]string, 0, len(x))
		for _, p := range x {
			out = append(out, fmt.Sprint(p))
		}
		return out
	}
	return nil
}

// subNames lists the ${...} names of a Fn::Sub string (not ${!Literal}).
func subNames(s string) []string {
	var names []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return names
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return names
		}
		name := s[i+2 : i+j]
		if !strings.HasPrefix(name, "!") {
			names = append(names, name)
		}
		s = s[i+j+1:]
	}
}

// order returns the resources so that each comes after what it depends on;
// ties are broken by name so the order is deterministic.
func (t *template) order() ([]string, error) {
	names := make([]string, 0, len(t.Resources))
	for n := range t.Resources {
		names = append(names, n)
	}
	sort.Strings(names)
	done := map[string]bool{}
	visiting := map[string]bool{}
	var out []string
	var visit func(n string) error
	visit = func(n string) error {
		if done[n] {
			return nil
		}
		if visiting[n] {
			return fmt.Errorf("Template format error: Circular dependency between resources: [%s]", n)
		}
		visiting[n] = true
		for _, d := range t.dependencies(n) {
			if err := visit(d); err != nil {
				return err
			}
		}
		visiting[n] = false
		done[n] = true
		out = append(out, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// resolver evaluates intrinsic functions against a stack's parameters and
// the physical ids and attributes of its resources.
type resolver struct {
	params    map[string]string
	paramType map[string]string
	pseudo    map[string]string
	physical  func(logical string) (string, bool)
	attribute func(logical, attr string) (string, bool)
}

func (r *resolver) resolve(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if ref, ok := x["Ref"].(string); ok {
				return r.ref(ref)
			}
			if ga, ok := x["Fn::GetAtt"]; ok {
				parts := getAttParts(ga)
				if len(parts) != 2 {
					return nil, fmt.Errorf("Template error: every Fn::GetAtt object requires two non-empty parameters")
				}
				val, ok := r.attribute(parts[0], parts[1])
				if !ok {
					return nil, fmt.Errorf("Template error: resource %s does not support attribute type %s in Fn::GetAtt", parts[0], parts[1])
				}
				return val, nil
			}
			if sub, ok := x["Fn::Sub"]; ok {
				s, ok := sub.(string)
				if !ok {
					return nil, fmt.Errorf("Template error: the local ECS supports Fn::Sub with a string only")
				}
				return r.sub(s)
			}
			if join, ok := x["Fn::Join"].([]any); ok && len(join) == 2 {
				sep := scalarString(join[0])
				items, err := r.resolve(join[1])
				if err != nil {
					return nil, err
				}
				list, _ := items.([]any)
				parts := make([]string, len(list))
				for i, it := range list {
					parts[i] = scalarString(it)
				}
				return strings.Join(parts, sep), nil
			}
			for k := range x {
				if strings.HasPrefix(k, "Fn::") {
					// Passing it on as a literal would provision a wrong value silently.
					return nil, fmt.Errorf("Template error: the local ECS does not evaluate %s (it evaluates Ref, Fn::GetAtt, Fn::Sub and Fn::Join)", k)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, val := range x {
			res, err := r.resolve(val)
			if err != nil {
				return nil, err
			}
			if isNoValue(res) {
				continue
			}
			out[k] = res
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for _, val := range x {
			res, err := r.resolve(val)
			if err != nil {
				return nil, err
			}
			out = append(out, res)
		}
		return out, nil
	}
	return v, nil
}

type noValue struct{}

func isNoValue(v any) bool { _, ok := v.(noValue); return ok }

func (r *resolver) ref(name string) (any, error) {
	if name == "AWS::NoValue" {
		return noValue{}, nil
	}
	if v, ok := r.pseudo[name]; ok {
		return v, nil
	}
	if v, ok := r.params[name]; ok {
		switch typ := r.paramType[name]; {
		case typ == "Number":
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				if n == float64(int64(n)) {
					return int64(n), nil
				}
				return n, nil
			}
			return v, nil
		case typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<"):
			var list []any
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					list = append(list, p)
				}
			}
			return list, nil
		}
		return v, nil
	}
	if v, ok := r.physical(name); ok {
		return v, nil
	}
	return nil, fmt.Errorf("Template error: unresolved reference %s", name)
}

func (r *resolver) sub(s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+j]
		switch {
		case strings.HasPrefix(name, "!"):
			b.WriteString("${" + name[1:] + "}")
		case strings.Contains(name, "."):
			k := strings.IndexByte(name, '.')
			v, ok := r.attribute(name[:k], name[k+1:])
			if !ok {
				return "", fmt.Errorf("Template error: unresolved attribute %s in Fn::Sub", name)
			}
			b.WriteString(v)
		default:
			v, err := r.ref(name)
			if err != nil {
				return "", err
			}
			b.WriteString(scalarString(v))
		}
		s = s[i+j+1:]
	}
}

func yamlUnmarshal(body string, into any) error { return yaml.Unmarshal([]byte(body), into) }
