package taskdef

import (
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// ReadOnlyFields are the TaskDefinition fields that DescribeTaskDefinition
// returns and RegisterTaskDefinition does not take. RegisterInput leaves them
// out; every other shared field is copied.
var ReadOnlyFields = []string{
	"TaskDefinitionArn", "Revision", "Status", "RequiresAttributes", "Compatibilities",
	"RegisteredAt", "RegisteredBy", "DeregisteredAt", "DeleteRequestedAt",
}

// RegisterOnlyFields are the RegisterTaskDefinitionInput fields that a
// TaskDefinition does not carry: tags come back from DescribeTaskDefinition
// beside the task definition (with include=TAGS), so they are passed apart.
var RegisterOnlyFields = []string{"Tags"}

// RegisterInput builds the input that registers a copy of td, with tags.
// It copies every field TaskDefinition shares, by name and type, with
// RegisterTaskDefinitionInput, found by reflection so that a field AWS adds
// to both is carried without a change here. The result is a deep copy:
// changing it never changes td.
func RegisterInput(td *types.TaskDefinition, tags []types.Tag) *ecs.RegisterTaskDefinitionInput {
	in := &ecs.RegisterTaskDefinitionInput{}
	if td == nil {
		return in
	}
	src := reflect.ValueOf(td).Elem()
	dst := reflect.ValueOf(in).Elem()
	for _, f := range sharedFields() {
		dst.FieldByIndex(f.dst).Set(deepCopy(src.FieldByIndex(f.src)))
	}
	in.Tags = deepCopy(reflect.ValueOf(tags)).Interface().([]types.Tag)
	return in
}

type fieldPair struct{ src, dst []int }

// sharedFields lists the exported fields of RegisterTaskDefinitionInput that
// TaskDefinition has with the same name and type.
func sharedFields() []fieldPair {
	srcT := reflect.TypeOf(types.TaskDefinition{})
	dstT := reflect.TypeOf(ecs.RegisterTaskDefinitionInput{})
	var out []fieldPair
	for i := 0; i < dstT.NumField(); i++ {
		df := dstT.Field(i)
		if !df.IsExported() {
			continue
		}
		sf, ok := srcT.FieldByName(df.Name)
		if !ok || !sf.IsExported() || sf.Type != df.Type {
			continue
		}
		out = append(out, fieldPair{src: sf.Index, dst: df.Index})
	}
	return out
}

// CloneInput returns a deep copy of in.
func CloneInput(in *ecs.RegisterTaskDefinitionInput) *ecs.RegisterTaskDefinitionInput {
	if in == nil {
		return nil
	}
	return deepCopy(reflect.ValueOf(in)).Interface().(*ecs.RegisterTaskDefinitionInput)
}

// deepCopy copies v so that no pointer, slice or map of the result is shared
// with v. Unexported fields (the SDK's serde markers, time.Time's internals)
// are copied by value, which is what a struct assignment does.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(deepCopy(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			s.Index(i).Set(deepCopy(v.Index(i)))
		}
		return s
	case reflect.Map:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			m.SetMapIndex(deepCopy(iter.Key()), deepCopy(iter.Value()))
		}
		return m
	case reflect.Struct:
		s := reflect.New(v.Type()).Elem()
		s.Set(v)
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				s.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return s
	case reflect.Interface:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		c := deepCopy(v.Elem())
		out := reflect.New(v.Type()).Elem()
		out.Set(c)
		return out
	default:
		return v
	}
}
