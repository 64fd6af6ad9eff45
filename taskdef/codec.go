package taskdef

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// The SDK's types carry no JSON tags. On the wire, and in the JSON the AWS
// CLI reads and writes, each field is named by its Go name with the first
// letter lowered ("containerDefinitions", "pidMode"); a test checks this
// against the SDK's own serializer. These functions map between SDK values
// and that JSON through reflection, so that fields AWS adds are handled
// without code here.

var timeType = reflect.TypeOf(time.Time{})

// jsonName is the wire name of an SDK struct field.
func jsonName(goName string) string {
	r, size := utf8.DecodeRuneInString(goName)
	return string(unicode.ToLower(r)) + goName[size:]
}

// decodeInto fills v (settable) from a value produced by json.Decoder with
// UseNumber, collecting every problem with its path.
func decodeInto(raw any, v reflect.Value, path string, errs *exitcode.Problems) {
	fail := func(format string, args ...any) {
		errs.Add(path, 0, format, args...)
	}
	if raw == nil {
		return // null leaves the zero value, as the SDK does
	}
	if v.Type() == timeType {
		t, err := parseTime(raw)
		if err != nil {
			fail("%v", err)
			return
		}
		v.Set(reflect.ValueOf(t))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		decodeInto(raw, elem.Elem(), path, errs)
		v.Set(elem)
	case reflect.Struct:
		obj, ok := raw.(map[string]any)
		if !ok {
			fail("expected an object, found %s", jsonKind(raw))
			return
		}
		fields := map[string]int{}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() {
				fields[jsonName(f.Name)] = i
			}
		}
		for _, key := range sortedKeys(obj) {
			i, ok := fields[key]
			if !ok {
				fail("unknown field %q%s", key, suggestField(key, fields))
				continue
			}
			decodeInto(obj[key], v.Field(i), joinPath(path, key), errs)
		}
	case reflect.Slice:
		arr, ok := raw.([]any)
		if !ok {
			fail("expected a list, found %s", jsonKind(raw))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(arr), len(arr))
		for i, item := range arr {
			decodeInto(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), errs)
		}
		v.Set(s)
	case reflect.Map:
		obj, ok := raw.(map[string]any)
		if !ok || v.Type().Key().Kind() != reflect.String {
			fail("expected an object, found %s", jsonKind(raw))
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(obj))
		for _, key := range sortedKeys(obj) {
			elem := reflect.New(v.Type().Elem()).Elem()
			decodeInto(obj[key], elem, joinPath(path, key), errs)
			m.SetMapIndex(reflect.ValueOf(key).Convert(v.Type().Key()), elem)
		}
		v.Set(m)
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			fail("expected a string, found %s", jsonKind(raw))
			return
		}
		if err := checkEnum(v.Type(), s); err != nil {
			fail("%v", err)
			return
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			fail("expected true or false, found %s", jsonKind(raw))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := raw.(json.Number)
		if !ok {
			fail("expected a whole number, found %s", jsonKind(raw))
			return
		}
		i, err := strconv.ParseInt(n.String(), 10, v.Type().Bits())
		if err != nil {
			fail("expected a whole number that fits in %d bits, found %s", v.Type().Bits(), n)
			return
		}
		v.SetInt(i)
	case reflect.Float32, reflect.Float64:
		n, ok := raw.(json.Number)
		if !ok {
			fail("expected a number, found %s", jsonKind(raw))
			return
		}
		f, err := strconv.ParseFloat(n.String(), v.Type().Bits())
		if err != nil {
			fail("expected a number, found %s", n)
			return
		}
		v.SetFloat(f)
	default:
		fail("cannot read a value of type %s", v.Type())
	}
}

// checkEnum rejects values outside an SDK enum type's Values(). Enum types
// are string types with a Values method; a value in the wrong case gets
// the right spelling suggested.
func checkEnum(t reflect.Type, s string) error {
	m, ok := t.MethodByName("Values")
	if !ok || m.Type.NumIn() != 1 || m.Type.NumOut() != 1 {
		return nil
	}
	out := m.Func.Call([]reflect.Value{reflect.Zero(t)})[0]
	var allowed []string
	for i := 0; i < out.Len(); i++ {
		a := out.Index(i).String()
		if a == s {
			return nil
		}
		if strings.EqualFold(a, s) {
			return fmt.Errorf("%q is not a valid value; did you mean %q?", s, a)
		}
		allowed = append(allowed, a)
	}
	return fmt.Errorf("%q is not a valid value; expected one of %s", s, strings.Join(allowed, ", "))
}

func parseTime(raw any) (time.Time, error) {
	switch x := raw.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(x.String(), 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("expected a time, found %s", x)
		}
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("expected a time (RFC 3339 or epoch seconds), found %q", x)
	}
	return time.Time{}, fmt.Errorf("expected a time, found %s", jsonKind(raw))
}

func suggestField(key string, fields map[string]int) string {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return fmt.Sprintf(" (did you mean %q?)", name)
		}
	}
	return ""
}

func jsonKind(raw any) string {
	switch x := raw.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "the number " + x.String()
	}
	return fmt.Sprintf("%T", raw)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// encodeValue turns an SDK value into plain JSON-like values (map[string]any,
// []any, string, bool, int64, float64, time as RFC 3339) with wire names,
// leaving out struct fields that say nothing: nil pointers, empty slices and
// maps, and zero non-pointer scalars (which the SDK does not send).
func encodeValue(v reflect.Value) (any, bool) {
	if v.Type() == timeType {
		return v.Interface().(time.Time).UTC().Format(time.RFC3339Nano), true
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		return encodeValue(v.Elem())
	case reflect.Struct:
		obj := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if isValueScalar(fv.Kind()) && fv.IsZero() {
				// Like the SDK's serializer: a zero non-pointer scalar
				// (cpu: 0 on a container) means "not set".
				continue
			}
			if (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.Len() == 0 {
				// Describe output lists "mountPoints: []" where a file
				// leaves the field out; both mean none.
				continue
			}
			if x, ok := encodeValue(fv); ok {
				obj[jsonName(f.Name)] = x
			}
		}
		return obj, true
	case reflect.Slice:
		if v.IsNil() {
			return nil, false
		}
		arr := make([]any, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			x, _ := encodeValue(v.Index(i))
			arr = append(arr, x)
		}
		return arr, true
	case reflect.Map:
		if v.IsNil() {
			return nil, false
		}
		obj := map[string]any{}
		iter := v.MapRange()
		for iter.Next() {
			x, _ := encodeValue(iter.Value())
			obj[iter.Key().String()] = x
		}
		return obj, true
	case reflect.String:
		// Enum types and required strings use the zero value for "unset".
		return v.String(), v.String() != "" || v.Type() == reflect.TypeOf("")
	case reflect.Bool:
		return v.Bool(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), true
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	}
	return nil, false
}

func isValueScalar(k reflect.Kind) bool {
	switch k {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}
