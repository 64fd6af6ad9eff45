package taskdef

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

func sampleInput() *ecs.RegisterTaskDefinitionInput {
	return &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"),
		ContainerDefinitions: []types.ContainerDefinition{
			{
				Name:  aws.String("web"),
				Image: aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:1.0"),
				Environment: []types.KeyValuePair{
					{Name: aws.String("MODE"), Value: aws.String("prod")},
					{Name: aws.String("OLD"), Value: aws.String("x")},
				},
				Secrets: []types.Secret{
					{Name: aws.String("DB"), ValueFrom: aws.String("arn:aws:ssm:us-east-1:123456789012:parameter/db")},
				},
				EnvironmentFiles: []types.EnvironmentFile{
					{Type: types.EnvironmentFileTypeS3, Value: aws.String("arn:aws:s3:::b/base.env")},
				},
			},
			{
				Name:  aws.String("worker"),
				Image: aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:1.0"),
			},
			{
				Name:  aws.String("proxy"),
				Image: aws.String("envoyproxy/envoy:v1.30@sha256:" + strings.Repeat("c", 64)),
			},
		},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}},
	}
}

func env(cd types.ContainerDefinition) map[string]string {
	m := map[string]string{}
	for _, kv := range cd.Environment {
		m[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
	}
	return m
}

func secrets(cd types.ContainerDefinition) map[string]string {
	m := map[string]string{}
	for _, s := range cd.Secrets {
		m[aws.ToString(s.Name)] = aws.ToString(s.ValueFrom)
	}
	return m
}

func files(cd types.ContainerDefinition) []string {
	var out []string
	for _, f := range cd.EnvironmentFiles {
		out = append(out, aws.ToString(f.Value))
	}
	return out
}

func TestApplyImages(t *testing.T) {
	ecr := "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web"
	tests := []struct {
		name   string
		c      Changes
		images [3]string
	}{
		{"by container", Changes{Images: []ImageChange{{Container: "worker", Image: ecr + ":2.0"}}},
			[3]string{ecr + ":1.0", ecr + ":2.0", "envoyproxy/envoy:v1.30@sha256:" + strings.Repeat("c", 64)}},
		{"by repository retags every match", Changes{Images: []ImageChange{{Container: "", Image: ecr + ":2.0"}}},
			[3]string{ecr + ":2.0", ecr + ":2.0", "envoyproxy/envoy:v1.30@sha256:" + strings.Repeat("c", 64)}},
		{"by repository with docker hub spelling", Changes{Images: []ImageChange{{Container: "", Image: "docker.io/envoyproxy/envoy:v1.31"}}},
			[3]string{ecr + ":1.0", ecr + ":1.0", "docker.io/envoyproxy/envoy:v1.31"}},
		{"tag only drops digests", Changes{TagOnly: aws.String("v9")},
			[3]string{ecr + ":v9", ecr + ":v9", "envoyproxy/envoy:v9"}},
		{"explicit image wins over tag only", Changes{TagOnly: aws.String("v9"), Images: []ImageChange{{Container: "proxy", Image: "envoyproxy/envoy:v1.31"}}},
			[3]string{ecr + ":v9", ecr + ":v9", "envoyproxy/envoy:v1.31"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := sampleInput()
			sum, err := Apply(in, tt.c)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range tt.images {
				if got := aws.ToString(in.ContainerDefinitions[i].Image); got != want {
					t.Errorf("container %d image = %q, want %q", i, got, want)
				}
			}
			for _, cs := range sum.Containers {
				if cs.ImageBefore == cs.ImageAfter {
					t.Errorf("summary lists unchanged container %s", cs.Name)
				}
			}
		})
	}
}

func TestApplyEnvironment(t *testing.T) {
	t.Run("merge keeps other keys", func(t *testing.T) {
		in := sampleInput()
		sum, err := Apply(in, Changes{Env: []KeyValueChange{
			{Container: "web", Key: "NEW", Value: "1"},
			{Container: "web", Key: "MODE", Value: "staging"},
			{Container: "web", Key: "OLD", Unset: true},
			{Container: "worker", Key: "W", Value: "2"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if got := env(in.ContainerDefinitions[0]); !reflect.DeepEqual(got, map[string]string{"MODE": "staging", "NEW": "1"}) {
			t.Errorf("web env = %v", got)
		}
		if got := env(in.ContainerDefinitions[1]); !reflect.DeepEqual(got, map[string]string{"W": "2"}) {
			t.Errorf("worker env = %v", got)
		}
		web := sum.Containers[0]
		if !reflect.DeepEqual(web.EnvSet, []string{"MODE", "NEW"}) || !reflect.DeepEqual(web.EnvRemoved, []string{"OLD"}) {
			t.Errorf("summary = %+v", web)
		}
		if strings.Contains(sum.String(), "staging") {
			t.Error("the summary shows a value")
		}
	})
	t.Run("replace drops the container's other keys", func(t *testing.T) {
		in := sampleInput()
		sum, err := Apply(in, Changes{EnvMode: ModeReplace, Env: []KeyValueChange{{Container: "web", Key: "MODE", Value: "x"}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := env(in.ContainerDefinitions[0]); !reflect.DeepEqual(got, map[string]string{"MODE": "x"}) {
			t.Errorf("web env = %v", got)
		}
		if !reflect.DeepEqual(sum.Containers[0].EnvRemoved, []string{"OLD"}) {
			t.Errorf("summary = %+v", sum.Containers[0])
		}
	})
	t.Run("unset of a missing key warns", func(t *testing.T) {
		in := sampleInput()
		sum, err := Apply(in, Changes{Env: []KeyValueChange{{Container: "web", Key: "NOPE", Unset: true}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0], "NOPE") {
			t.Errorf("warnings = %v", sum.Warnings)
		}
		if !reflect.DeepEqual(in, sampleInput()) {
			t.Error("the task definition changed")
		}
	})
}

func TestApplySecretsAndFiles(t *testing.T) {
	in := sampleInput()
	sm := "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf"
	sum, err := Apply(in, Changes{
		Secrets:     []KeyValueChange{{Container: "web", Key: "API", Value: sm}, {Container: "worker", Key: "DB", Value: "/db"}},
		SecretMode:  ModeReplace,
		EnvFiles:    []EnvFileChange{{Container: "web", ARN: "arn:aws:s3:::b/extra.env"}, {Container: "worker", ARN: "arn:aws:s3:::b/w.env"}},
		EnvFileMode: ModeAppend,
		Tags:        []types.Tag{{Key: aws.String("team"), Value: aws.String("edge")}, {Key: aws.String("env"), Value: aws.String("prod")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := secrets(in.ContainerDefinitions[0]); !reflect.DeepEqual(got, map[string]string{"API": sm}) {
		t.Errorf("web secrets = %v", got)
	}
	if got := files(in.ContainerDefinitions[0]); !reflect.DeepEqual(got, []string{"arn:aws:s3:::b/base.env", "arn:aws:s3:::b/extra.env"}) {
		t.Errorf("web files = %v", got)
	}
	if in.ContainerDefinitions[1].EnvironmentFiles[0].Type != types.EnvironmentFileTypeS3 {
		t.Error("environment file type not s3")
	}
	wantTags := []types.Tag{{Key: aws.String("team"), Value: aws.String("edge")}, {Key: aws.String("env"), Value: aws.String("prod")}}
	if !reflect.DeepEqual(in.Tags, wantTags) {
		t.Errorf("tags = %v", in.Tags)
	}
	if !reflect.DeepEqual(sum.TagsSet, []string{"env", "team"}) || !reflect.DeepEqual(sum.Containers[0].SecretsRemoved, []string{"DB"}) {
		t.Errorf("summary = %+v", sum)
	}
	if strings.Contains(sum.String(), sm) {
		t.Error("summary shows a secret reference value")
	}

	// Replace mode for files drops the old ones.
	in = sampleInput()
	if _, err := Apply(in, Changes{EnvFileMode: ModeReplace, EnvFiles: []EnvFileChange{{Container: "web", ARN: "arn:aws:s3:::b/new.env"}}}); err != nil {
		t.Fatal(err)
	}
	if got := files(in.ContainerDefinitions[0]); !reflect.DeepEqual(got, []string{"arn:aws:s3:::b/new.env"}) {
		t.Errorf("files after replace = %v", got)
	}
}

func TestApplyIsAllOrNothing(t *testing.T) {
	in := sampleInput()
	var many []EnvFileChange
	for i := 0; i < 10; i++ {
		many = append(many, EnvFileChange{Container: "web", ARN: "arn:aws:s3:::b/f" + string(rune('a'+i)) + ".env"})
	}
	_, err := Apply(in, Changes{
		Images:   []ImageChange{{Container: "web", Image: "nginx:2"}, {Container: "missing", Image: "nginx:2"}, {Container: "", Image: "ghcr.io/nobody/x:1"}},
		Env:      []KeyValueChange{{Container: "ghost", Key: "A", Value: "1"}},
		EnvFiles: many, // web already has one file: 11 in all
	})
	var ps exitcode.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want exitcode.Problems, got %v", err)
	}
	if exitcode.Of(err) != exitcode.Invalid {
		t.Errorf("exit code %d", exitcode.Of(err))
	}
	for _, want := range []string{`no container "missing"`, `no container "ghost"`, "ghcr.io/nobody/x", "11 environment files"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if len(ps) != 4 {
		t.Errorf("want 4 problems, got %d: %v", len(ps), err)
	}
	if !reflect.DeepEqual(in, sampleInput()) {
		t.Fatal("a failed Apply changed the task definition")
	}
}

func TestApplyEmptyChangesNothing(t *testing.T) {
	in := sampleInput()
	sum, err := Apply(in, Changes{})
	if err != nil || len(sum.Containers) != 0 || !reflect.DeepEqual(in, sampleInput()) {
		t.Fatalf("Apply(empty) = %+v, %v", sum, err)
	}
	if _, err := Apply(nil, Changes{}); err == nil {
		t.Fatal("Apply(nil) succeeded")
	}
}
