package taskdef

import (
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// TestRegisterInputCoversEveryField walks both SDK types: every field of
// TaskDefinition must be copied (same name and type in the register input)
// or be a known read-only field, and every register-input field must come
// from TaskDefinition or be a known register-only field. When AWS adds a
// field to both, RegisterInput carries it with no change; when it adds one
// to only one side, or changes a type, this test names it.
func TestRegisterInputCoversEveryField(t *testing.T) {
	src := reflect.TypeOf(types.TaskDefinition{})
	dst := reflect.TypeOf(ecs.RegisterTaskDefinitionInput{})
	readOnly := setOf(ReadOnlyFields)
	registerOnly := setOf(RegisterOnlyFields)

	for i := 0; i < src.NumField(); i++ {
		f := src.Field(i)
		if !f.IsExported() {
			continue
		}
		df, ok := dst.FieldByName(f.Name)
		switch {
		case readOnly[f.Name] && ok:
			t.Errorf("%s is listed as read-only but RegisterTaskDefinitionInput now takes it; remove it from ReadOnlyFields", f.Name)
		case readOnly[f.Name]:
		case !ok:
			t.Errorf("TaskDefinition.%s has no counterpart in RegisterTaskDefinitionInput: add it to ReadOnlyFields if describe-only, or map it", f.Name)
		case df.Type != f.Type:
			t.Errorf("TaskDefinition.%s is %s but RegisterTaskDefinitionInput.%s is %s: it would not be copied", f.Name, f.Type, f.Name, df.Type)
		}
	}
	for i := 0; i < dst.NumField(); i++ {
		f := dst.Field(i)
		if !f.IsExported() {
			continue
		}
		_, ok := src.FieldByName(f.Name)
		if !ok && !registerOnly[f.Name] {
			t.Errorf("RegisterTaskDefinitionInput.%s is not in TaskDefinition and not in RegisterOnlyFields: it would be lost on the copy", f.Name)
		}
		if ok && registerOnly[f.Name] {
			t.Errorf("%s is listed as register-only but TaskDefinition now has it", f.Name)
		}
	}
	for _, name := range ReadOnlyFields {
		if _, ok := src.FieldByName(name); !ok {
			t.Errorf("ReadOnlyFields names %s, which TaskDefinition does not have", name)
		}
	}
}

// TestRegisterInputCopiesEverything fills every field of a TaskDefinition,
// recursively, with non-zero values, and checks the register input holds
// all shared ones, that read-only ones are gone, and that nothing aliases.
func TestRegisterInputCopiesEverything(t *testing.T) {
	var td types.TaskDefinition
	fillAll(reflect.ValueOf(&td).Elem(), 0)
	tags := []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}
	in := RegisterInput(&td, tags)

	got := reflect.ValueOf(in).Elem()
	want := reflect.ValueOf(&td).Elem()
	for _, f := range sharedFields() {
		name := got.Type().FieldByIndex(f.dst).Name
		if !reflect.DeepEqual(got.FieldByIndex(f.dst).Interface(), want.FieldByIndex(f.src).Interface()) {
			t.Errorf("%s not copied", name)
		}
	}
	if n := len(sharedFields()); n+len(ReadOnlyFields) != countExported(want.Type()) {
		t.Errorf("%d shared + %d read-only fields != %d TaskDefinition fields", n, len(ReadOnlyFields), countExported(want.Type()))
	}
	if !reflect.DeepEqual(in.Tags, tags) {
		t.Errorf("tags = %v", in.Tags)
	}
	// Changing the copy must not change the original.
	*in.ContainerDefinitions[0].Image = "changed"
	in.ContainerDefinitions[0].Environment[0].Value = aws.String("changed")
	in.Volumes[0].EfsVolumeConfiguration.FileSystemId = aws.String("changed")
	in.ContainerDefinitions[0].DockerLabels["k"] = "changed"
	tags[0].Value = aws.String("changed")
	if *td.ContainerDefinitions[0].Image == "changed" || *td.ContainerDefinitions[0].Environment[0].Value == "changed" ||
		*td.Volumes[0].EfsVolumeConfiguration.FileSystemId == "changed" || td.ContainerDefinitions[0].DockerLabels["k"] == "changed" {
		t.Error("the register input aliases the task definition")
	}
	if *in.Tags[0].Value == "changed" {
		t.Error("the register input aliases the tags passed in")
	}
	if RegisterInput(nil, nil) == nil {
		t.Error("RegisterInput(nil) should return an empty input")
	}
}

func setOf(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func countExported(t reflect.Type) int {
	n := 0
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			n++
		}
	}
	return n
}

// fillAll sets every exported field reachable from v to a non-zero value:
// strings get "x", enums their first known value, numbers 1, slices one
// element, maps one entry.
func fillAll(v reflect.Value, depth int) {
	if depth > 12 {
		return
	}
	if v.Type() == reflect.TypeOf(time.Time{}) {
		v.Set(reflect.ValueOf(time.Unix(1700000000, 0).UTC()))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillAll(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillAll(v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fillAll(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		k.SetString("k")
		e := reflect.New(v.Type().Elem()).Elem()
		fillAll(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.String:
		if vals := enumValues(v.Type()); len(vals) > 0 {
			v.SetString(vals[0])
			return
		}
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(1.5)
	}
}

func enumValues(t reflect.Type) []string {
	m, ok := t.MethodByName("Values")
	if !ok {
		return nil
	}
	out := m.Func.Call([]reflect.Value{reflect.Zero(t)})[0]
	var vals []string
	for i := 0; i < out.Len(); i++ {
		vals = append(vals, out.Index(i).String())
	}
	sort.Strings(vals)
	return vals
}
