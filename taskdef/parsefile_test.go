package taskdef

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// TestParseFileReadsWhatTheSDKWrites serialises a register input with every
// field set through the SDK's own JSON serializer and reads it back: names,
// enums, int32 values and nesting must all agree with the wire format.
func TestParseFileReadsWhatTheSDKWrites(t *testing.T) {
	var want ecs.RegisterTaskDefinitionInput
	fillAll(reflect.ValueOf(&want).Elem(), 0)

	var body []byte
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = io.WriteString(w, "{}") // the client reports a failed reply itself
	})
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: handler, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ecs.NewFromConfig(cfg).RegisterTaskDefinition(context.Background(), &want); err != nil {
		t.Fatal(err)
	}
	got, err := ParseFile(body)
	if err != nil {
		t.Fatalf("ParseFile of the SDK's own request: %v\n%s", err, body)
	}
	if !reflect.DeepEqual(got, &want) {
		t.Fatalf("round trip through the SDK serializer differs:\n%s", Diff(&want, got, DiffOptions{ShowValues: true}))
	}
}

const describeOutput = `{
    "taskDefinition": {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "nginx:1.25",
                "cpu": 0,
                "memoryReservation": 128,
                "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                "essential": true,
                "environment": [{"name": "MODE", "value": "prod"}],
                "mountPoints": [],
                "volumesFrom": [],
                "secrets": [{"name": "DB", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/db"}],
                "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}],
                "systemControls": []
            }
        ],
        "family": "web",
        "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
        "networkMode": "awsvpc",
        "revision": 7,
        "volumes": [],
        "status": "ACTIVE",
        "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
        "placementConstraints": [],
        "compatibilities": ["EC2", "FARGATE"],
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        "registeredAt": "2024-05-01T10:00:00.123000+02:00",
        "registeredBy": "arn:aws:sts::123456789012:assumed-role/ci/x"
    },
    "tags": [{"key": "team", "value": "core"}]
}`

func TestParseFileDescribeOutput(t *testing.T) {
	got, err := ParseFile([]byte(describeOutput))
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Family) != "web" || got.NetworkMode != types.NetworkModeAwsvpc || aws.ToString(got.Cpu) != "256" {
		t.Fatalf("top-level fields wrong: %+v", got)
	}
	c := got.ContainerDefinitions[0]
	if aws.ToInt32(c.MemoryReservation) != 128 || c.Cpu != 0 || !aws.ToBool(c.Essential) || c.PortMappings[0].Protocol != types.TransportProtocolTcp {
		t.Fatalf("container fields wrong: %+v", c)
	}
	if c.Ulimits[0].Name != types.UlimitNameNofile || c.Ulimits[0].HardLimit != 4096 {
		t.Fatalf("ulimits wrong: %+v", c.Ulimits)
	}
	if c.MountPoints == nil || len(c.MountPoints) != 0 {
		t.Fatalf("an empty list must stay an empty list, got %#v", c.MountPoints)
	}
	if got.RuntimePlatform.CpuArchitecture != types.CPUArchitectureArm64 {
		t.Fatalf("runtimePlatform wrong: %+v", got.RuntimePlatform)
	}
	if len(got.Tags) != 1 || aws.ToString(got.Tags[0].Key) != "team" {
		t.Fatalf("tags from the wrapper not taken: %+v", got.Tags)
	}

	// The same without the wrapper: read-only fields dropped, no tags.
	var wrapper map[string]json.RawMessage
	if err := json.Unmarshal([]byte(describeOutput), &wrapper); err != nil {
		t.Fatal(err)
	}
	bare, err := ParseFile(wrapper["taskDefinition"])
	if err != nil {
		t.Fatal(err)
	}
	bare.Tags = got.Tags
	if !reflect.DeepEqual(bare, got) {
		t.Fatal("the bare describe output reads differently from the wrapped one")
	}
}

func TestParseFileErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"not json", `{"family":`, []string{"not valid JSON"}},
		{"two values", `{"family":"a"} {}`, []string{"more than one"}},
		{"array", `[1]`, []string{"JSON object"}},
		{"unknown fields everywhere", `{"family":"a","containerDefinitions":[{"name":"x","image":"y","portMapings":[]}],"taskRole":"r"}`,
			[]string{`containerDefinitions[0]: unknown field "portMapings"`, `unknown field "taskRole"`}},
		{"wrong case suggested", `{"Family":"a","containerDefinitions":[{"name":"x"}]}`, []string{`did you mean "family"`}},
		{"wrong types", `{"family":"a","containerDefinitions":[{"name":"x","memory":"512","essential":"yes","cpu":1.5}]}`,
			[]string{"containerDefinitions[0].memory: expected a whole number", "essential: expected true or false", "cpu: expected a whole number"}},
		{"int32 overflow", `{"family":"a","containerDefinitions":[{"name":"x","memory":9999999999}]}`, []string{"fits in 32 bits"}},
		{"bad enum", `{"family":"a","networkMode":"awsvcp","containerDefinitions":[{"name":"x"}]}`, []string{`"awsvcp" is not a valid value`, "awsvpc"}},
		{"enum case", `{"family":"a","requiresCompatibilities":["fargate"],"containerDefinitions":[{"name":"x"}]}`, []string{`did you mean "FARGATE"`}},
		{"missing family", `{"containerDefinitions":[{"name":"x"}]}`, []string{"family: required"}},
		{"no containers", `{"family":"a"}`, []string{"containerDefinitions: at least one"}},
		{"extra beside wrapper", `{"taskDefinition":{"family":"a","containerDefinitions":[{"name":"x"}]},"ResponseMetadata":{}}`, []string{"ResponseMetadata: unknown field beside"}},
		{"tags inside wrapper", `{"taskDefinition":{"family":"a","tags":[],"containerDefinitions":[{"name":"x"}]}}`, []string{"tags belong beside"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFile([]byte(tt.in))
			if err == nil {
				t.Fatal("want an error")
			}
			if exitcode.Of(err) != exitcode.Invalid {
				t.Errorf("exit code %d, want %d", exitcode.Of(err), exitcode.Invalid)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	var ps exitcode.Problems
	_, err := ParseFile([]byte(`{"family":"a","containerDefinitions":[{"name":"x","bad":1,"worse":2}]}`))
	if !errors.As(err, &ps) || len(ps) != 2 {
		t.Fatalf("want both unknown fields as problems, got %v", err)
	}
}

func TestReadFileNamesTheFileOfAGarbledTaskDefinition(t *testing.T) {
	dir := t.TempDir()
	binary := filepath.Join(dir, "td.json")
	if err := os.WriteFile(binary, []byte{0x7f, 'E', 'L', 'F', 0, 1, 2}, 0o600); err != nil {
		t.Fatal(err)
	}
	wrongField := filepath.Join(dir, "td2.json")
	if err := os.WriteFile(wrongField, []byte(`{"family":"web","containerDefinitions":[{"name":"app","imag":"x"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{binary, wrongField, filepath.Join(dir, "missing.json")} {
		in, ps := ReadFile(path, "--task-definition-file")
		if in != nil || len(ps) == 0 {
			t.Fatalf("ReadFile(%s) = %v, %v; want problems", path, in, ps)
		}
		if text := ps.Error(); !strings.Contains(text, path) || !strings.Contains(text, "--task-definition-file") {
			t.Fatalf("problems for %s do not name the file and the flag:\n%s", path, text)
		}
	}
}
