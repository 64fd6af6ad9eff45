package spec

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Every interface in UpdateServiceInput is a document or a union that
// DecodeUpdateService knows: a union the SDK adds fails here.
func TestUpdateServiceUnionsAreKnown(t *testing.T) {
	var walk func(t reflect.Type, path string, seen map[reflect.Type]bool) []string
	walk = func(tp reflect.Type, path string, seen map[reflect.Type]bool) []string {
		for tp.Kind() == reflect.Pointer || tp.Kind() == reflect.Slice || tp.Kind() == reflect.Map {
			tp = tp.Elem()
		}
		switch {
		case tp.Kind() == reflect.Interface:
			if _, ok := unions[tp]; ok || tp == documentType {
				return nil
			}
			return []string{path + " (" + tp.String() + ")"}
		case tp.Kind() != reflect.Struct || seen[tp]:
			return nil
		}
		seen[tp] = true
		defer delete(seen, tp)
		var out []string
		for i := 0; i < tp.NumField(); i++ {
			if f := tp.Field(i); f.IsExported() {
				out = append(out, walk(f.Type, path+"."+f.Name, seen)...)
			}
		}
		return out
	}
	if unknown := walk(reflect.TypeOf(ecs.UpdateServiceInput{}), "UpdateServiceInput", map[reflect.Type]bool{}); len(unknown) > 0 {
		t.Errorf("union members DecodeUpdateService cannot build: %s; add them to unions", strings.Join(unknown, ", "))
	}
}

func TestDecodeUpdateServiceDocumentsAndUnions(t *testing.T) {
	in, err := DecodeUpdateService(map[string]any{
		"deploymentConfiguration": map[string]any{"lifecycleHooks": []any{map[string]any{
			"hookTargetArn": "arn:aws:lambda:us-east-1:123456789012:function:f", "lifecycleStages": []any{"POST_SCALE_UP"},
			"hookDetails": map[string]any{"suite": "smoke", "n": 2},
		}}},
		"serviceConnectConfiguration": map[string]any{"enabled": true, "containerConfigurations": []any{map[string]any{"logLevel": "debug"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	hook := in.DeploymentConfiguration.LifecycleHooks[0]
	if hook.HookDetails == nil {
		t.Fatal("hookDetails lost")
	}
	raw, err := hook.HookDetails.MarshalSmithyDocument()
	var details map[string]any
	if err != nil || json.Unmarshal(raw, &details) != nil || details["suite"] != "smoke" || details["n"] != 2.0 {
		t.Errorf("hookDetails: %s %v", raw, err)
	}
	if aws.ToString(hook.HookTargetArn) == "" || len(hook.LifecycleStages) != 1 {
		t.Errorf("the rest of the hook is lost: %+v", hook)
	}
	cc := in.ServiceConnectConfiguration.ContainerConfigurations
	if len(cc) != 1 {
		t.Fatalf("containerConfigurations: %+v", cc)
	}
	if m, ok := cc[0].(*types.ServiceConnectContainerConfigurationMemberLogLevel); !ok || m.Value != types.ServiceConnectContainerLogLevelDebug {
		t.Errorf("containerConfigurations[0]: %#v", cc[0])
	}

	for _, tt := range []struct {
		value any
		want  string
	}{
		{map[string]any{"logLevel": "loud"}, `"loud" is not one of`},
		{map[string]any{"volume": "x"}, "unknown member volume (members: logLevel)"},
		{map[string]any{"logLevel": "debug", "other": 1}, "exactly one of logLevel"},
		{"debug", "exactly one of logLevel"},
	} {
		_, err := DecodeUpdateService(map[string]any{"serviceConnectConfiguration": map[string]any{"containerConfigurations": []any{tt.value}}})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want %q", tt.value, err, tt.want)
		}
	}
}
