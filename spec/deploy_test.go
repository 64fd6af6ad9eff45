package spec

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

func TestLoadDeployExample(t *testing.T) {
	r := resolver(map[string]string{"Env": "prod", "Tag": "1.4.2"})
	d, err := LoadDeploy(filepath.Join("..", "examples", "deploy.yaml"), r)
	if err != nil {
		t.Fatal(err)
	}
	if ps := d.Validate(); len(ps) != 0 {
		t.Fatalf("example invalid: %v", ps.Err())
	}
	if d.Cluster != "prod-cluster" || d.Service != "web" || *d.DesiredCount != 4 || d.HealthCheckGracePeriod.Std() != time.Minute ||
		d.Timeout.Std() != 15*time.Minute || d.StableFor.Std() != 2*time.Minute || !*d.CircuitBreaker.Rollback || *d.KeepRevisions != 10 || *d.AssignPublicIP {
		t.Fatalf("settings wrong: %+v", d)
	}
	c := d.Changes()
	// Each change names where the file gave it.
	if o := c.Images[0].From; o.File != d.file || o.Field != "images.web" || o.Line == 0 {
		t.Fatalf("image change from %+v; want the file, images.web and its line", o)
	}
	if o := c.From.Of("tagOnly"); o.Field != "tagOnly" || o.File != "" {
		t.Fatalf("origin of an unset tagOnly = %+v; want the request field", o)
	}
	c = withoutOrigins(c)
	want := taskdef.Changes{
		Images: []taskdef.ImageChange{{Container: "web", Image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4.2"}},
		Env: []taskdef.KeyValueChange{
			{Container: "web", Key: "APP_ENV", Value: "prod"},
			{Container: "web", Key: "LOG_LEVEL", Value: "info"},
			{Container: "web", Key: "LEGACY_FLAG", Unset: true},
		},
		EnvMode: taskdef.ModeMerge,
		Secrets: []taskdef.KeyValueChange{
			{Container: "web", Key: "API_KEY", Value: "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/shop/api-key"},
			{Container: "web", Key: "DATABASE_URL", Value: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/shop/db-AbCdEf"},
			{Container: "web", Key: "OLD_TOKEN", Unset: true},
		},
		SecretMode:  taskdef.ModeMerge,
		EnvFiles:    []taskdef.EnvFileChange{{Container: "web", ARN: "arn:aws:s3:::shop-config-prod/web/common.env"}},
		EnvFileMode: taskdef.ModeAppend,
		Tags:        []types.Tag{{Key: aws.String("environment"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("shop")}},
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("changes =\n%+v\nwant\n%+v", c, want)
	}
	if ps := c.Validate(); len(ps) != 0 {
		t.Fatalf("the spec's changes fail taskdef validation: %v", ps.Err())
	}
}

func TestLoadDeployUnresolvedAndMissingFile(t *testing.T) {
	d, err := LoadDeploy(filepath.Join("..", "examples", "deploy.yaml"), resolver(nil))
	var ps exitcode.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want problems, got %v", err)
	}
	// What did decode is still returned, so that a caller does not report
	// "service: web" as missing.
	if d == nil || d.Service != "web" {
		t.Fatalf("with problems, LoadDeploy returned %+v; want the settings it could read", d)
	}
	// Every field that uses a variable is named, with its line.
	for _, field := range []string{"cluster", "images.web", "env.web.APP_ENV", "secrets.web.DATABASE_URL", "envFiles.web[0]", "tags.environment"} {
		found := false
		for _, p := range ps {
			if p.Field == field && p.Line > 0 && strings.Contains(p.Message, "unresolved variable") {
				found = true
			}
		}
		if !found {
			t.Errorf("no unresolved-variable problem for %s in:\n%v", field, err)
		}
	}
	_, err = LoadDeploy(filepath.Join(t.TempDir(), "missing.yaml"), resolver(nil))
	if exitcode.Of(err) != exitcode.Invalid {
		t.Fatalf("missing file: code %d, %v", exitcode.Of(err), err)
	}
}

func TestDeployImagesForms(t *testing.T) {
	digest := "sha256:" + strings.Repeat("e", 64)
	doc := `
images:
  - web=reg.io:5000/team/web:#{Tag}
  - "reg.io:5000/team/worker@` + digest + `"
  - {container: proxy, image: "envoyproxy/envoy:v1"}
`
	var d Deploy
	if err := Decode([]byte(doc), resolver(map[string]string{"Tag": "2"}), &d); err != nil {
		t.Fatal(err)
	}
	want := Images{
		{Container: "web", Image: "reg.io:5000/team/web:2"},
		{Image: "reg.io:5000/team/worker@" + digest},
		{Container: "proxy", Image: "envoyproxy/envoy:v1"},
	}
	if !reflect.DeepEqual(d.Images, want) {
		t.Fatalf("images = %+v", d.Images)
	}
	bad := "images:\n  - \"=x\"\n  - [a]\n  - {container: a, image: b, extra: c}\n"
	err := Decode([]byte(bad), resolver(nil), &d)
	var ps exitcode.Problems
	if !errors.As(err, &ps) || len(ps) != 3 {
		t.Fatalf("want 3 problems, got %v", err)
	}
	if err := Decode([]byte("images: web\n"), resolver(nil), &d); err == nil || !strings.Contains(err.Error(), "map of container to image") {
		t.Fatalf("scalar images: %v", err)
	}
	if err := Decode([]byte("images:\n  web: a\n  web: b\n"), resolver(nil), &d); err == nil || !strings.Contains(err.Error(), "more than once") {
		t.Fatalf("duplicate container: %v", err)
	}
}

func TestDeployValidate(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		field string
		line  int
		msg   string
	}{
		{"service empty after substitution", "cluster: c\nservice: \"#{Empty}\"\n", "service", 2, "required"},
		{"cluster empty after substitution", "cluster: \"#{Empty}\"\nservice: s\n", "cluster", 1, "ECS's default cluster"},
		{"service missing", "cluster: c\n", "service", 0, "required: name the service"},
		{"two sources", "cluster: c\nservice: s\nuseLatestTaskDef: true\ntemplateFamily: t\n", "templateFamily", 4, "choose one"},
		{"bad family", "cluster: c\nservice: s\ntemplateFamily: \"a b\"\n", "templateFamily", 3, "family name"},
		{"existing revision with changes", "cluster: c\nservice: s\ntaskDefinition: web:3\nimages: {web: nginx}\n", "taskDefinition", 3, "as it is"},
		{"bad revision", "cluster: c\nservice: s\ntaskDefinition: web:0\n", "taskDefinition", 3, "family:revision"},
		{"negative count", "cluster: c\nservice: s\ndesiredCount: -1\n", "desiredCount", 3, "0 or more"},
		{"min over 100", "cluster: c\nservice: s\nminHealthyPercent: 101\n", "minHealthyPercent", 3, "0 to 100"},
		{"max below min", "cluster: c\nservice: s\nminHealthyPercent: 100\nmaxPercent: 50\n", "maxPercent", 4, "below"},
		{"grace fraction", "cluster: c\nservice: s\nhealthCheckGracePeriod: 1.5s\n", "healthCheckGracePeriod", 3, "whole seconds"},
		{"subnet", "cluster: c\nservice: s\nsubnets: [subnet-1, nope]\n", "subnets[1]", 3, "subnet id"},
		{"security group", "cluster: c\nservice: s\nsecurityGroups: [group]\n", "securityGroups[0]", 3, "security group id"},
		{"platform", "cluster: c\nservice: s\nplatformVersion: newest\n", "platformVersion", 3, "LATEST"},
		{"breaker", "cluster: c\nservice: s\ncircuitBreaker: {enable: false, rollback: true}\n", "circuitBreaker.rollback", 3, "enabled"},
		{"breaker rollback without enable", "cluster: c\nservice: s\ncircuitBreaker: {rollback: true}\n", "circuitBreaker.rollback", 3, "add enable: true"},
		{"timeout", "cluster: c\nservice: s\ntimeout: 0\n", "timeout", 3, "more than zero"},
		{"keep", "cluster: c\nservice: s\nkeepRevisions: 0\n", "keepRevisions", 3, "at least 1"},
	}
	// Left out, the cluster is ECS's default one (the command fills it in).
	var noCluster Deploy
	if err := Decode([]byte("service: s\n"), resolver(nil), &noCluster); err != nil {
		t.Fatal(err)
	}
	if ps := noCluster.Validate(); len(ps) != 0 {
		t.Fatalf("a spec without cluster: %v", ps.Err())
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Deploy
			if err := Decode([]byte(tt.doc), resolver(map[string]string{"Empty": ""}), &d); err != nil {
				t.Fatal(err)
			}
			ps := d.Validate()
			if len(ps) != 1 {
				t.Fatalf("want 1 problem, got %v", ps)
			}
			if p := ps[0]; p.Field != tt.field || p.Line != tt.line || !strings.Contains(p.Message, tt.msg) {
				t.Fatalf("problem = %+v; want field %s line %d containing %q", p, tt.field, tt.line, tt.msg)
			}
		})
	}
}

func TestDeployChangesProblems(t *testing.T) {
	doc := `cluster: c
service: s
images:
  web: "Bad:Ref"
tagOnly: "-x"
env:
  web:
    A: "1"
unsetEnv:
  web: [A, B, B]
secrets:
  web:
    S: "arn:aws:ssm:us-east-1:1:parameter/x"
envMode: keep
envFiles:
  web: [arn:aws:s3:::b/a.txt]
tags:
  "aws:x": y
`
	var d Deploy
	if err := Decode([]byte(doc), resolver(nil), &d); err != nil {
		t.Fatal(err)
	}
	ps := d.Validate()
	want := map[string]int{
		"images.web":      4,
		"tagOnly":         5,
		"unsetEnv.web[0]": 10,
		"unsetEnv.web[2]": 10,
		"secrets.web.S":   13,
		"envMode":         14,
		"envFiles.web[0]": 16,
		"tags.aws:x":      18,
	}
	got := map[string]int{}
	for _, p := range ps {
		got[p.Field] = p.Line
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("problems at %v, want %v:\n%v", got, want, ps.Err())
	}
}

func TestDeployEnvFileLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("envFiles:\n  web:\n")
	for i := 0; i < 11; i++ {
		b.WriteString("    - arn:aws:s3:::bucket/f" + string(rune('a'+i)) + ".env\n")
	}
	path := filepath.Join(t.TempDir(), "d.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := LoadDeploy(path, resolver(nil))
	if err != nil {
		t.Fatal(err)
	}
	ps := d.ValidateChanges()
	if len(ps) != 1 || ps[0].Field != "envFiles.web[10]" || ps[0].File != path || ps[0].Line != 13 || !strings.Contains(ps[0].Message, "at most 10") {
		t.Fatalf("problems = %v", ps)
	}
}

// Malformed input never repeats the value it rejects: a scalar where a map
// belongs (a mis-indented secret), an unterminated #{ in a value, a
// malformed secret reference. Each problem names the field instead.
func TestSpecProblemsDoNotShowRejectedValues(t *testing.T) {
	doc := "cluster: c\nservice: s\nenv:\n  app: s3cr3t-one\n" +
		"secrets:\n  app:\n    DB: \"arn:aws:ssm:us-east-1:1:param/s3cr3t-two\"\n    API: ssm-s3cr3t-three\n" +
		"tags:\n  team: \"p#{s3cr3t-four\"\n"
	var d Deploy
	err := Decode([]byte(doc), resolver(nil), &d)
	var ps exitcode.Problems
	if err != nil && !errors.As(err, &ps) {
		t.Fatal(err)
	}
	ps = append(ps, d.ValidateChanges()...)
	text := ps.Error()
	if strings.Contains(text, "s3cr3t") {
		t.Fatalf("problems show a rejected value:\n%s", text)
	}
	for _, field := range []string{"env.app", "secrets.app.DB", "secrets.app.API", "tags.team"} {
		if !strings.Contains(text, field) {
			t.Errorf("problems do not name %s:\n%s", field, text)
		}
	}
}

func TestLoadDeployWithASyntaxErrorReportsOnlyThatError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deploy.yaml")
	if err := os.WriteFile(path, []byte("cluster: c\nservice: web\nimages:\n  app: x\n  bad: [unclosed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := LoadDeploy(path, resolver(nil))
	var ps exitcode.Problems
	if !errors.As(err, &ps) || len(ps) != 1 {
		t.Fatalf("LoadDeploy = %v; want one problem", err)
	}
	if ps[0].Line == 0 || strings.Contains(ps[0].Message, "line ") {
		t.Fatalf("problem %+v: the line belongs in Line, not repeated in the message", ps[0])
	}
	if more := d.Validate(); len(more) != 0 {
		t.Fatalf("Validate after a syntax error adds %v; the syntax error is the only problem", more)
	}
}

// withoutOrigins is c without the origins of its changes, to compare values.
func withoutOrigins(c taskdef.Changes) taskdef.Changes {
	c.From = nil
	for i := range c.Images {
		c.Images[i].From = exitcode.Origin{}
	}
	for i := range c.Env {
		c.Env[i].From = exitcode.Origin{}
	}
	for i := range c.Secrets {
		c.Secrets[i].From = exitcode.Origin{}
	}
	for i := range c.EnvFiles {
		c.EnvFiles[i].From = exitcode.Origin{}
	}
	return c
}

// Two entries for one container in an images: list are refused, as two -i
// for one container are, at the second entry's file and line, naming the
// first; the map form refuses it while decoding. A flag overriding the
// container leaves nothing to refuse.
func TestDeployImagesListGivesAContainerOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deploy.yaml")
	doc := "cluster: c\nservice: s\nimages:\n  - web=reg.io/web:1\n  - web=reg.io/web:2\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := LoadDeploy(path, resolver(nil))
	if err != nil {
		t.Fatal(err)
	}
	ps := d.Validate()
	want := path + `:5: images[1]: container "web" is given an image more than once (also at ` + path + `:4)`
	if len(ps) != 1 || ps[0].String() != want {
		t.Fatalf("problems %v\nwant one: %s", ps, want)
	}
	d.Override(taskdef.Changes{Images: []taskdef.ImageChange{{Container: "web", Image: "reg.io/web:3", From: exitcode.FlagOrigin("--image", "web=reg.io/web:3")}}})
	if ps := d.Validate(); len(ps) != 0 {
		t.Fatalf("with -i web=… over the list: %v", ps.Err())
	}
}

// A setting a flag gave is reported against the flag, not the file's
// field; one whose flag value could not be read is not reported again.
func TestDeployValidateNamesTheFlag(t *testing.T) {
	var d Deploy
	if err := Decode([]byte("cluster: c\nservice: s\nminHealthyPercent: 50\n"), resolver(nil), &d); err != nil {
		t.Fatal(err)
	}
	d.MinHealthyPercent = aws.Int32(200)
	d.Given("minHealthyPercent", exitcode.FlagOrigin("-m"), true)
	d.Cluster = ""
	d.Given("cluster", exitcode.FlagOrigin("--cluster"), false)
	ps := d.Validate()
	if len(ps) != 1 || ps[0].Field != "-m" || ps[0].Line != 0 || !strings.Contains(ps[0].Message, "0 to 100") {
		t.Fatalf("problems %v; want one, for -m", ps)
	}
}
