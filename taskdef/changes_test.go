package taskdef

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

func TestParseImageFlag(t *testing.T) {
	digest := "sha256:" + strings.Repeat("a", 64)
	tests := []struct {
		in      string
		want    ImageChange
		wantErr bool
	}{
		{"web=nginx:1", ImageChange{Container: "web", Image: "nginx:1"}, false},
		{"nginx:1", ImageChange{Container: "", Image: "nginx:1"}, false},
		{"localhost:5000/a/b:c", ImageChange{Container: "", Image: "localhost:5000/a/b:c"}, false},
		{"app=reg.io:5000/team/app@" + digest, ImageChange{Container: "app", Image: "reg.io:5000/team/app@" + digest}, false},
		{"side-car_2=reg.io/x:1", ImageChange{Container: "side-car_2", Image: "reg.io/x:1"}, false},
		{"=nginx", ImageChange{}, true},
		{"web=", ImageChange{}, true},
		{"", ImageChange{}, true},
		{"we b=nginx", ImageChange{}, true},
	}
	for _, tt := range tests {
		got, err := ParseImageFlag(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseImageFlag(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseKeyValueFlags(t *testing.T) {
	tests := []struct {
		in      string
		parse   func(string) (KeyValueChange, error)
		want    KeyValueChange
		wantErr bool
	}{
		{"web:KEY=value", ParseEnvFlag, KeyValueChange{Container: "web", Key: "KEY", Value: "value"}, false},
		{"web:URL=http://a:b@c/?x=y", ParseEnvFlag, KeyValueChange{Container: "web", Key: "URL", Value: "http://a:b@c/?x=y"}, false},
		{"web:EMPTY=", ParseEnvFlag, KeyValueChange{Container: "web", Key: "EMPTY"}, false},
		{"web:DB=arn:aws:ssm:us-east-1:123456789012:parameter/db", ParseEnvFlag,
			KeyValueChange{Container: "web", Key: "DB", Value: "arn:aws:ssm:us-east-1:123456789012:parameter/db"}, false},
		{"KEY=value", ParseEnvFlag, KeyValueChange{}, true},
		{"web:KEY", ParseEnvFlag, KeyValueChange{}, true},
		{"web:=v", ParseEnvFlag, KeyValueChange{}, true},
		{":K=v", ParseEnvFlag, KeyValueChange{}, true},
		{"web:KEY", ParseUnsetFlag, KeyValueChange{Container: "web", Key: "KEY", Unset: true}, false},
		{"web:KEY=x", ParseUnsetFlag, KeyValueChange{}, true},
		{"web:", ParseUnsetFlag, KeyValueChange{}, true},
		{"KEY", ParseUnsetFlag, KeyValueChange{}, true},
	}
	for _, tt := range tests {
		got, err := tt.parse(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parse(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseErrorsDoNotShowValues(t *testing.T) {
	for _, in := range []string{"KEY=s3cr3t", "we b:KEY=s3cr3t", "KEY=s3cr3t:x", "web:=s3cr3t"} {
		_, err := ParseEnvFlag(in)
		if err == nil || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("ParseEnvFlag(%q) error %v", in, err)
		}
	}
	if _, err := ParseUnsetFlag("web:KEY=s3cr3t"); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("ParseUnsetFlag error %v", err)
	}
	// An entry without '=' may be the value itself.
	if _, err := ParseEnvFlag("web:s3cr3t"); err == nil || strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "no '='") {
		t.Errorf("ParseEnvFlag without '=' error %v", err)
	}
	if _, err := ParseUnsetFlag("s3cr3t"); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("ParseUnsetFlag without ':' error %v", err)
	}
}

// A malformed secret reference is never repeated: it may be the secret's
// value given where its reference belongs. Each message says what is
// expected instead; the caller names the field.
func TestSecretReferenceErrorsDoNotShowTheValue(t *testing.T) {
	for _, tt := range []struct{ ref, want string }{
		{"arn:aws:secretsmanager:us-east-1:123:secret:s3cr3t", "malformed Secrets Manager ARN"},
		{"arn:aws:ssm:us-east-1:123456789012:param/s3cr3t", "malformed SSM parameter ARN"},
		{"arn:aws:s3:::s3cr3t", "neither a Secrets Manager nor an SSM parameter ARN"},
		{"s3cr3t with spaces", "not a Secrets Manager ARN"},
		// Made of a name's characters, but not a valid SSM parameter name.
		{"ssm-s3cr3t", "may not begin with aws or ssm"},
		{"AWSs3cr3t", "may not begin with aws or ssm"},
		{"team/s3cr3t", "fully qualified"},
		{"/" + strings.Repeat("a/", 16) + "s3cr3t", "15 levels"},
		{strings.Repeat("s", 1012) + "3cr3t", "1011 characters"},
	} {
		err := CheckSecretRef(tt.ref)
		if err == nil {
			t.Errorf("CheckSecretRef(%.40q) accepted it", tt.ref)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "3cr3t") {
			t.Errorf("CheckSecretRef(%.40q) error shows the value: %v", tt.ref, err)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckSecretRef(%.40q) error %q lacks %q", tt.ref, err, tt.want)
		}
	}
	for _, ok := range []string{"db-password", "/prod/db/password", "arn:aws:ssm:us-east-1:123456789012:parameter/prod/db"} {
		if err := CheckSecretRef(ok); err != nil {
			t.Errorf("CheckSecretRef(%q) = %v, want accepted", ok, err)
		}
	}
}

func TestParseEnvFileAndTagFlags(t *testing.T) {
	f, err := ParseEnvFileFlag("web:arn:aws:s3:::bucket/path/app.env")
	if err != nil || f != (EnvFileChange{Container: "web", ARN: "arn:aws:s3:::bucket/path/app.env"}) {
		t.Errorf("ParseEnvFileFlag = %+v, %v", f, err)
	}
	for _, bad := range []string{"web", "web:", ":arn"} {
		if _, err := ParseEnvFileFlag(bad); err == nil {
			t.Errorf("ParseEnvFileFlag(%q) accepted", bad)
		}
	}
	tag, err := ParseTagFlag("team=a=b")
	if err != nil || aws.ToString(tag.Key) != "team" || aws.ToString(tag.Value) != "a=b" {
		t.Errorf("ParseTagFlag = %+v, %v", tag, err)
	}
	tag, err = ParseTagFlag("empty=")
	if err != nil || aws.ToString(tag.Value) != "" || tag.Value == nil {
		t.Errorf("ParseTagFlag(empty=) = %+v, %v", tag, err)
	}
	for _, bad := range []string{"novalue", "=v"} {
		if _, err := ParseTagFlag(bad); err == nil {
			t.Errorf("ParseTagFlag(%q) accepted", bad)
		}
	}
}

func TestChangesIsEmpty(t *testing.T) {
	if !(Changes{EnvMode: ModeReplace}).IsEmpty() {
		t.Error("modes alone change nothing")
	}
	for _, c := range []Changes{
		{TagOnly: aws.String("x")}, {TagOnly: aws.String("")}, {Images: []ImageChange{{Image: "a"}}}, {Env: []KeyValueChange{{}}},
		{Secrets: []KeyValueChange{{}}}, {EnvFiles: []EnvFileChange{{}}}, {Tags: []types.Tag{{}}},
	} {
		if c.IsEmpty() {
			t.Errorf("%+v reported empty", c)
		}
	}
}

func TestValidate(t *testing.T) {
	sm := "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
	good := Changes{
		Images:  []ImageChange{{Container: "web", Image: "nginx:1"}, {Image: "reg.io:5000/a/b:2"}},
		TagOnly: aws.String("v2"),
		Env:     []KeyValueChange{{Container: "web", Key: "A", Value: "1"}, {Container: "web", Key: "B", Unset: true}, {Container: "side", Key: "A", Value: "2"}},
		Secrets: []KeyValueChange{
			{Container: "web", Key: "S1", Value: sm},
			{Container: "web", Key: "S2", Value: sm + ":password:AWSCURRENT:"},
			{Container: "web", Key: "S3", Value: "arn:aws:ssm:eu-west-1:123456789012:parameter/app/db"},
			{Container: "web", Key: "S4", Value: "/app/db"},
			{Container: "web", Key: "S5", Value: "plain-name"},
			{Container: "web", Key: "S6", Value: "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/x"},
		},
		EnvFiles:    []EnvFileChange{{Container: "web", ARN: "arn:aws:s3:::my-bucket/conf/app.env"}},
		EnvMode:     ModeReplace,
		SecretMode:  ModeMerge,
		EnvFileMode: ModeAppend,
		Tags:        []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}},
	}
	if ps := good.Validate(); len(ps) != 0 {
		t.Fatalf("valid changes reported: %v", ps.Err())
	}

	var files []EnvFileChange
	for i := 0; i < 11; i++ {
		files = append(files, EnvFileChange{Container: "web", ARN: "arn:aws:s3:::bucket/f" + string(rune('a'+i)) + ".env"})
	}
	bad := []struct {
		name string
		c    Changes
		want string
	}{
		{"image twice", Changes{Images: []ImageChange{{Container: "web", Image: "a"}, {Container: "web", Image: "b"}}}, "more than once"},
		{"bad image", Changes{Images: []ImageChange{{Container: "", Image: "Bad:x"}}}, "lowercase"},
		{"bad tag", Changes{TagOnly: aws.String("-x")}, "tagOnly: tag"},
		// An unset CI variable must not redeploy the old image and succeed.
		{"empty tag", Changes{TagOnly: aws.String(""), From: exitcode.Origins{"tagOnly": exitcode.FlagOrigin("tag-only")}}, "--tag-only: the tag is empty"},
		{"env twice", Changes{Env: []KeyValueChange{{Container: "w", Key: "A", Value: "1"}, {Container: "w", Key: "A", Value: "2"}}}, "more than once"},
		{"set and unset", Changes{Env: []KeyValueChange{{Container: "w", Key: "A", Value: "1"}, {Container: "w", Key: "A", Unset: true}}}, "more than once"},
		{"bad env key", Changes{Env: []KeyValueChange{{Container: "w", Key: "A=B"}}}, "'='"},
		{"bad SM arn", Changes{Secrets: []KeyValueChange{{Container: "w", Key: "S", Value: "arn:aws:secretsmanager:us-east-1:123:secret:x"}}}, "malformed Secrets Manager ARN"},
		{"bad SSM arn", Changes{Secrets: []KeyValueChange{{Container: "w", Key: "S", Value: "arn:aws:ssm:us-east-1:123456789012:param/x"}}}, "malformed SSM parameter ARN"},
		{"other arn", Changes{Secrets: []KeyValueChange{{Container: "w", Key: "S", Value: "arn:aws:s3:::b/k"}}}, "neither"},
		{"secret value by mistake", Changes{Secrets: []KeyValueChange{{Container: "w", Key: "S", Value: "hunter2 !"}}}, "not shown"},
		{"empty secret", Changes{Secrets: []KeyValueChange{{Container: "w", Key: "S"}}}, "empty secret reference"},
		{"env file not s3", Changes{EnvFiles: []EnvFileChange{{Container: "w", ARN: "arn:aws:s3:::bucket/app.txt"}}}, "ending in .env"},
		{"env file twice", Changes{EnvFiles: []EnvFileChange{{Container: "w", ARN: "arn:aws:s3:::bucket/a.env"}, {Container: "w", ARN: "arn:aws:s3:::bucket/a.env"}}}, "twice"},
		{"eleven env files", Changes{EnvFiles: files}, "at most 10"},
		{"env mode", Changes{EnvMode: "append"}, "merge or replace"},
		{"secret mode", Changes{SecretMode: "x"}, "secretMode"},
		{"env file mode", Changes{EnvFileMode: "merge"}, "append or replace"},
		{"tag twice", Changes{Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("")}, {Key: aws.String("a"), Value: aws.String("")}}}, "more than once"},
		{"aws tag", Changes{Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("")}}}, "reserved"},
		{"bad container", Changes{Env: []KeyValueChange{{Container: "a b", Key: "K", Value: "v"}}}, "not allowed"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			ps := tt.c.Validate()
			if len(ps) == 0 {
				t.Fatal("no problem reported")
			}
			if !strings.Contains(ps.Error(), tt.want) {
				t.Fatalf("problems %q lack %q", ps.Error(), tt.want)
			}
			if strings.Contains(ps.Error(), "hunter2") {
				t.Fatal("a secret value appears in the problems")
			}
		})
	}
	// Several problems come back together.
	all := Changes{TagOnly: aws.String("-x"), EnvMode: "x", Secrets: []KeyValueChange{{Container: "w", Key: "S", Value: "arn:x"}}}
	if ps := all.Validate(); len(ps) != 3 {
		t.Fatalf("want 3 problems, got %v", ps)
	}
}

// The same rule holds wherever a change was given, and its problem names
// where: two images for one container are refused from flags, from a file's
// images: list, and from both, each reported at the second and naming the
// first.
func TestValidateReportsAtTheOrigin(t *testing.T) {
	flag := func(arg string) exitcode.Origin { return exitcode.FlagOrigin("--image", arg) }
	file := func(i, line int) exitcode.Origin {
		return exitcode.FileOrigin("deploy.yaml", "images["+strconv.Itoa(i)+"]", line)
	}
	for _, tt := range []struct {
		name   string
		images []ImageChange
		want   string
	}{
		{"two flags", []ImageChange{{Container: "web", Image: "a:1", From: flag("web=a:1")}, {Container: "web", Image: "a:2", From: flag("web=a:2")}},
			`--image web=a:2: container "web" is given an image more than once (also at --image web=a:1)`},
		{"two list items", []ImageChange{{Container: "web", Image: "a:1", From: file(0, 4)}, {Container: "web", Image: "a:2", From: file(1, 5)}},
			`deploy.yaml:5: images[1]: container "web" is given an image more than once (also at deploy.yaml:4)`},
		{"no origin", []ImageChange{{Container: "web", Image: "a:1"}, {Container: "web", Image: "a:2"}},
			`images[1]: container "web" is given an image more than once (also at images[0])`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ps := Changes{Images: tt.images}.Validate()
			if len(ps) != 1 || ps.Error() != "invalid input: "+tt.want {
				t.Fatalf("problems %v\nwant one: %s", ps, tt.want)
			}
		})
	}
	// Apply names the origin too: a key the file set for a missing container.
	c := Changes{Env: []KeyValueChange{{Container: "nope", Key: "A", Value: "1", From: exitcode.FileOrigin("d.yaml", "env.nope.A", 7)}}}
	in := &ecs.RegisterTaskDefinitionInput{Family: aws.String("f"), ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx")}}}
	_, err := Apply(in, c)
	var ps exitcode.Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].File != "d.yaml" || ps[0].Line != 7 || ps[0].Field != "env.nope.A" {
		t.Fatalf("Apply: %v; want the problem at d.yaml:7 env.nope.A", err)
	}
	if strings.Contains(err.Error(), "--env") {
		t.Fatalf("a change from a file is named after a flag: %v", err)
	}
}

func TestMerge(t *testing.T) {
	base := Changes{
		Images:  []ImageChange{{Container: "web", Image: "a:1"}, {Container: "side", Image: "b:1"}},
		TagOnly: aws.String("base"),
		Env:     []KeyValueChange{{Container: "web", Key: "A", Value: "file"}, {Container: "web", Key: "B", Value: "file"}},
		EnvMode: ModeReplace,
		Tags:    []types.Tag{{Key: aws.String("t"), Value: aws.String("file")}},
	}
	over := Changes{
		Images: []ImageChange{{Container: "web", Image: "a:2"}},
		Env:    []KeyValueChange{{Container: "web", Key: "A", Unset: true}},
		Tags:   []types.Tag{{Key: aws.String("t"), Value: aws.String("flag")}},
	}
	got := Merge(base, over)
	want := Changes{
		Images:  []ImageChange{{Container: "side", Image: "b:1"}, {Container: "web", Image: "a:2"}},
		TagOnly: aws.String("base"),
		Env:     []KeyValueChange{{Container: "web", Key: "B", Value: "file"}, {Container: "web", Key: "A", Unset: true}},
		EnvMode: ModeReplace,
		Tags:    []types.Tag{{Key: aws.String("t"), Value: aws.String("flag")}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Merge =\n%+v\nwant\n%+v", got, want)
	}
	if ps := got.Validate(); len(ps) != 0 {
		t.Fatalf("merged changes invalid: %v", ps)
	}
}
