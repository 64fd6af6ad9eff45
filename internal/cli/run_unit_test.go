package cli

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/runtask"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

func TestParseCapacityProvider(t *testing.T) {
	t.Parallel()
	got, err := parseCapacityProvider("FARGATE_SPOT:3:1")
	if err != nil || aws.ToString(got.CapacityProvider) != "FARGATE_SPOT" || got.Weight != 3 || got.Base != 1 {
		t.Fatalf("got %+v, %v", got, err)
	}
	if got, err := parseCapacityProvider("FARGATE"); err != nil || got.Weight != 0 || got.Base != 0 {
		t.Fatalf("got %+v, %v", got, err)
	}
	for _, bad := range []string{"", ":1", "x:-1", "x:a", "x:1:2:3"} {
		if _, err := parseCapacityProvider(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestNeedsRevision(t *testing.T) {
	t.Parallel()
	described := &rollout.Base{From: &types.TaskDefinition{}}
	env := taskdef.KeyValueChange{Container: "app", Key: "A", Value: "1"}
	tag := types.Tag{Key: aws.String("k"), Value: aws.String("v")}
	cases := []struct {
		name    string
		changes taskdef.Changes
		base    *rollout.Base
		want    bool
	}{
		{"nothing", taskdef.Changes{}, described, false},
		{"environment set, merge", taskdef.Changes{Env: []taskdef.KeyValueChange{env}}, described, false},
		{"environment set, explicit merge", taskdef.Changes{Env: []taskdef.KeyValueChange{env}, EnvMode: taskdef.ModeMerge}, described, false},
		{"tags go on the task", taskdef.Changes{Tags: []types.Tag{tag}}, described, false},
		{"environment replace", taskdef.Changes{Env: []taskdef.KeyValueChange{env}, EnvMode: "replace"}, described, true},
		{"environment unset", taskdef.Changes{Env: []taskdef.KeyValueChange{{Container: "app", Key: "A", Unset: true}}}, described, true},
		{"image", taskdef.Changes{Images: []taskdef.ImageChange{{Container: "app", Image: "x:1"}}}, described, true},
		{"tag only", taskdef.Changes{TagOnly: aws.String("2")}, described, true},
		{"secret", taskdef.Changes{Secrets: []taskdef.KeyValueChange{env}}, described, true},
		{"env file", taskdef.Changes{EnvFiles: []taskdef.EnvFileChange{{Container: "app", ARN: "arn:aws:s3:::b/k.env"}}}, described, true},
		{"from a file", taskdef.Changes{}, &rollout.Base{}, true},
	}
	for _, tc := range cases {
		if got := runtask.NeedsRevision(tc.base.From, "", tc.changes); got != tc.want {
			t.Errorf("%s: needsRevision = %v, want %v", tc.name, got, tc.want)
		}
	}
}
