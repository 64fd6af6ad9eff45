package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"go.yaml.in/yaml/v3"
)

// "service:" may be written two ways: the service's name, or a mapping of
// UpdateService members in the API's own shape, whose "service" member is
// the name:
//
//	service:
//	  service: web
//	  enableExecuteCommand: true
//	  capacityProviderStrategy:
//	    - {capacityProvider: FARGATE_SPOT, weight: 3}
//
// The members are checked against the SDK's UpdateServiceInput, so every
// member the API has is accepted, with its enumerations checked, and a
// misspelt one is an error. decodeStruct hands the mapping to
// decodeServiceUpdate of any struct that has it (Deploy, and the structs
// that embed it), and decodes the name as the service field.
type serviceMappingHolder interface {
	decodeServiceUpdate(d *decoder, n *yaml.Node) string
}

// decodeServiceUpdate decodes the service: mapping into x.ServiceUpdate and
// returns its service member (the name), or "".
func (x *Deploy) decodeServiceUpdate(d *decoder, n *yaml.Node) string {
	c, ok := d.expandTree(n, "service")
	if !ok {
		return ""
	}
	var m map[string]any
	if err := c.Decode(&m); err != nil {
		d.problem(n, "service", "%s", strings.TrimPrefix(yamlErrorText(err), "yaml: "))
		return ""
	}
	name := ""
	if v, ok := m["service"]; ok {
		s, isString := v.(string)
		if !isString {
			d.problem(n, "service.service", "expected the service's name")
		}
		name = s
		delete(m, "service")
	}
	if v, ok := m["cluster"]; ok {
		s, _ := v.(string)
		x.serviceCluster = s
		delete(m, "cluster")
	}
	if _, ok := m["taskDefinition"]; ok {
		d.problem(n, "service.taskDefinition", "the task definition is set by deploy; use taskDefinition, images or the other task-definition fields at the top level")
		delete(m, "taskDefinition")
	}
	in, err := DecodeUpdateService(m)
	if err != nil {
		d.problem(n, "service", "%v", err)
		return name
	}
	x.ServiceUpdate = in
	return name
}

// DecodeUpdateService turns UpdateService members in the API's shape (as
// decoded from YAML or JSON) into the SDK's input, refusing unknown members
// and values outside an enumeration.
func DecodeUpdateService(m map[string]any) (*ecs.UpdateServiceInput, error) {
	var in ecs.UpdateServiceInput
	var taken []special
	if err := takeSpecial(m, reflect.TypeOf(in), nil, "", &taken); err != nil {
		return nil, err
	}
	// A substituted variable is text; where the member is a number or a
	// boolean, text that reads as one is taken as one.
	data, err := json.Marshal(coerce(m, reflect.TypeOf(in)))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var te *json.UnmarshalTypeError
		msg := err.Error()
		switch f, ok := strings.CutPrefix(msg, "json: unknown field "); {
		case ok:
			msg = fmt.Sprintf("unknown UpdateService member %s (members: %s)", f, strings.Join(updateServiceMembers(), ", "))
		case errors.As(err, &te):
			parts := strings.Split(te.Field, ".")
			for i, p := range parts {
				parts[i] = strings.ToLower(p[:1]) + p[1:]
			}
			msg = fmt.Sprintf("%s: expected %s, found %s", strings.Join(parts, "."), kindWord(te.Type), te.Value)
		default:
			msg = strings.TrimPrefix(msg, "json: ")
		}
		return nil, fmt.Errorf("%s", msg)
	}
	putSpecial(reflect.ValueOf(&in).Elem(), taken)
	if err := checkEnums(reflect.ValueOf(in), ""); err != nil {
		return nil, err
	}
	return &in, nil
}

func updateServiceMembers() []string {
	t := reflect.TypeOf(ecs.UpdateServiceInput{})
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() {
			out = append(out, strings.ToLower(f.Name[:1])+f.Name[1:])
		}
	}
	sort.Strings(out)
	return out
}

// checkEnums walks v and checks every value of an SDK enumeration type (a
// string type with a Values method) against its values.
func checkEnums(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return checkEnums(v.Elem(), path)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			p := strings.ToLower(f.Name[:1]) + f.Name[1:]
			if path != "" {
				p = path + "." + p
			}
			if err := checkEnums(v.Field(i), p); err != nil {
				return err
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if err := checkEnums(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.String:
		m := v.MethodByName("Values")
		if !m.IsValid() || v.String() == "" {
			return nil
		}
		out := m.Call(nil)[0]
		var allowed []string
		for i := 0; i < out.Len(); i++ {
			s := out.Index(i).String()
			if s == v.String() {
				return nil
			}
			allowed = append(allowed, s)
		}
		if len(allowed) == 0 {
			return nil
		}
		return fmt.Errorf("%s: %q is not one of %s", path, v.String(), strings.Join(allowed, ", "))
	}
	return nil
}

func kindWord(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "text"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a mapping"
	}
	return t.String()
}

// coerce converts text in v to a number or boolean where the SDK type t
// has one there, and leaves everything else as it is.
func coerce(v any, t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch x := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return v
		}
		for k, val := range x {
			for i := 0; i < t.NumField(); i++ {
				if f := t.Field(i); f.IsExported() && strings.EqualFold(f.Name, k) {
					x[k] = coerce(val, f.Type)
					break
				}
			}
		}
	case []any:
		if t.Kind() != reflect.Slice {
			return v
		}
		for i := range x {
			x[i] = coerce(x[i], t.Elem())
		}
	case string:
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return n
			}
		case reflect.Float32, reflect.Float64:
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return f
			}
		case reflect.Bool:
			if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
				return b
			}
		}
	}
	return v
}
