package taskdef

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func BenchmarkRegisterInputEveryField(b *testing.B) {
	var td types.TaskDefinition
	fillAll(reflect.ValueOf(&td).Elem(), 0)
	b.ReportAllocs()
	for b.Loop() {
		_ = RegisterInput(&td, nil)
	}
}

func BenchmarkApplyImageAndEnv(b *testing.B) {
	c := Changes{
		Images: []ImageChange{{Image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:2.0"}},
		Env:    []KeyValueChange{{Container: "web", Key: "MODE", Value: "x"}},
	}
	b.ReportAllocs()
	for b.Loop() {
		in := sampleInput()
		if _, err := Apply(in, c); err != nil {
			b.Fatal(err)
		}
	}
}
