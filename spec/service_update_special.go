package spec

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	ecsdocument "github.com/aws/aws-sdk-go-v2/service/ecs/document"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Two kinds of UpdateService member cannot be decoded as plain JSON into
// the SDK's types: documents (free-form JSON, such as a lifecycle hook's
// hookDetails) and unions (a mapping with exactly one member, such as a
// Service Connect containerConfigurations entry: {logLevel: debug}). Both
// are Go interfaces in the SDK. takeSpecial removes them from the decoded
// mapping before the JSON decoding and putSpecial sets them afterwards.

// unionMember builds a union's value from one member's name and value.
type unionMember func(v any) (any, error)

// unions lists, per SDK union type that UpdateServiceInput holds, its
// members as the API spells them. A union the SDK adds is reported by
// TestUpdateServiceUnionsAreKnown.
var unions = map[reflect.Type]map[string]unionMember{
	reflect.TypeOf((*types.ServiceConnectContainerConfiguration)(nil)).Elem(): {
		"logLevel": func(v any) (any, error) {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("expected text")
			}
			return &types.ServiceConnectContainerConfigurationMemberLogLevel{Value: types.ServiceConnectContainerLogLevel(s)}, nil
		},
	},
}

var documentType = reflect.TypeOf((*ecsdocument.Interface)(nil)).Elem()

// special is one value taken out of the mapping: where it goes (member
// names in the SDK's spelling and list indexes) and what it becomes.
type special struct {
	at    []any // string: struct field; int: list index
	value any
}

// takeSpecial walks v along the SDK type t, replaces every document and
// union value by nil and returns them, with a problem for each union that
// is not one known member.
func takeSpecial(v any, t reflect.Type, at []any, path string, out *[]special) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch x := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return nil
		}
		for k, val := range x {
			f, ok := t.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, k) })
			if !ok || !f.IsExported() {
				continue // the JSON decoding names it
			}
			p := joinPath(path, k)
			if f.Type.Kind() == reflect.Interface {
				built, err := buildSpecial(f.Type, val, p)
				if err != nil {
					return err
				}
				x[k] = nil
				*out = append(*out, special{at: append(append([]any{}, at...), f.Name), value: built})
				continue
			}
			if err := takeSpecial(val, f.Type, append(append([]any{}, at...), f.Name), p, out); err != nil {
				return err
			}
		}
	case []any:
		if t.Kind() != reflect.Slice {
			return nil
		}
		elem := t.Elem()
		for i, val := range x {
			p := fmt.Sprintf("%s[%d]", path, i)
			here := append(append([]any{}, at...), i)
			if elem.Kind() == reflect.Interface {
				built, err := buildSpecial(elem, val, p)
				if err != nil {
					return err
				}
				x[i] = nil
				*out = append(*out, special{at: here, value: built})
				continue
			}
			if err := takeSpecial(val, elem, here, p, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// buildSpecial turns v into the value of interface type t.
func buildSpecial(t reflect.Type, v any, path string) (any, error) {
	if t == documentType {
		return ecsdocument.NewLazyDocument(v), nil
	}
	members, ok := unions[t]
	if !ok {
		return nil, fmt.Errorf("%s: this member is not supported in a spec yet", path)
	}
	names := make([]string, 0, len(members))
	for n := range members {
		names = append(names, n)
	}
	sort.Strings(names)
	m, isMap := v.(map[string]any)
	if !isMap || len(m) != 1 {
		return nil, fmt.Errorf("%s: expected a mapping with exactly one of %s", path, strings.Join(names, ", "))
	}
	for k, val := range m {
		build, ok := members[k]
		if !ok {
			return nil, fmt.Errorf("%s: unknown member %s (members: %s)", path, k, strings.Join(names, ", "))
		}
		out, err := build(val)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", path, k, err)
		}
		return out, nil
	}
	return nil, nil
}

// putSpecial sets each taken value in the decoded input v (a pointer).
func putSpecial(v reflect.Value, taken []special) {
	for _, s := range taken {
		at := v
		for _, step := range s.at {
			for at.Kind() == reflect.Pointer {
				if at.IsNil() {
					at.Set(reflect.New(at.Type().Elem()))
				}
				at = at.Elem()
			}
			switch st := step.(type) {
			case string:
				at = at.FieldByName(st)
			case int:
				at = at.Index(st)
			}
		}
		if s.value != nil {
			at.Set(reflect.ValueOf(s.value))
		}
	}
}
