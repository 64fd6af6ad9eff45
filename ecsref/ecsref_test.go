package ecsref

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestShort(t *testing.T) {
	cases := map[string]string{
		"arn:aws:ecs:us-east-1:123456789012:task-definition/web:7":                  "web:7",
		"arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789ab": "0123456789abcdef0123456789ab",
		"arn:aws:ecs:us-east-1:123456789012:service/prod/web":                       "web",
		"web:7": "web:7",
		"":      "",
		"a/":    "",
	}
	for in, want := range cases {
		if got := Short(in); got != want {
			t.Errorf("Short(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFamilyRevision(t *testing.T) {
	cases := []struct {
		in     string
		family string
		rev    int32
	}{
		{"arn:aws:ecs:us-east-1:123456789012:task-definition/web:7", "web", 7},
		{"web:12", "web", 12},
		{"web", "web", 0},
		{"web:latest", "web", 0},
		{"web:-3", "web", 0},
		{"web:99999999999", "web", 0},
		{"my-app_2:3", "my-app_2", 3},
	}
	for _, c := range cases {
		family, rev := FamilyRevision(c.in)
		if family != c.family || rev != c.rev {
			t.Errorf("FamilyRevision(%q) = %q, %d; want %q, %d", c.in, family, rev, c.family, c.rev)
		}
	}
}

func TestPrimaryDeployment(t *testing.T) {
	svc := types.Service{Deployments: []types.Deployment{
		{Id: aws.String("ecs-svc/old"), Status: aws.String("ACTIVE")},
		{Id: aws.String("ecs-svc/new"), Status: aws.String("PRIMARY")},
	}}
	d, ok := PrimaryDeployment(svc)
	if !ok || aws.ToString(d.Id) != "ecs-svc/new" {
		t.Fatalf("PrimaryDeployment = %v, %v; want ecs-svc/new", aws.ToString(d.Id), ok)
	}
	if _, ok := PrimaryDeployment(types.Service{Deployments: svc.Deployments[:1]}); ok {
		t.Fatal("a service with no PRIMARY deployment must report none")
	}
}
