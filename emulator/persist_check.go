package emulator

import (
	"fmt"
	"reflect"
	"strings"
)

// nullEntry finds the first element of a list or map in v that is a nil
// pointer (a `null` where the saved state always has an object: a
// container, an instance, a deployment, a task, a service...) and returns
// where it is, in the file's own terms ("clusters.web.deployments[0]").
// Nil pointers held in fields are left alone: those are optional.
func nullEntry(v reflect.Value, at string) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ""
		}
		return nullEntry(v.Elem(), at)
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if p := nullEntry(v.Field(i), joinPath(at, name)); p != "" {
				return p
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 { // json.RawMessage and []byte
			return ""
		}
		for i := 0; i < v.Len(); i++ {
			e := v.Index(i)
			where := fmt.Sprintf("%s[%d]", at, i)
			if e.Kind() == reflect.Pointer && e.IsNil() {
				return where
			}
			if p := nullEntry(e, where); p != "" {
				return p
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			e := iter.Value()
			where := joinPath(at, fmt.Sprint(iter.Key().Interface()))
			if e.Kind() == reflect.Pointer && e.IsNil() {
				return where
			}
			if p := nullEntry(e, where); p != "" {
				return p
			}
		}
	}
	return ""
}

func joinPath(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}
