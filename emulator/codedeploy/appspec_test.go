package codedeploy

import (
	"strings"
	"testing"
)

const goodSpec = `version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:2"
        LoadBalancerInfo:
          ContainerName: "app"
          ContainerPort: 8080
        PlatformVersion: "1.4.0"
        NetworkConfiguration:
          AwsvpcConfiguration:
            Subnets: ["subnet-a"]
            SecurityGroups: ["sg-1"]
            AssignPublicIp: "DISABLED"
        CapacityProviderStrategy:
          - CapacityProvider: FARGATE_SPOT
            Base: 1
            Weight: 2
Hooks:
  - BeforeInstall: "before"
  - AfterAllowTestTraffic: "arn:aws:lambda:us-east-1:123456789012:function:smoke:live"
`

func TestParseAppSpecReadsEveryProperty(t *testing.T) {
	spec, err := parseAppSpec(goodSpec)
	if err != nil {
		t.Fatal(err)
	}
	if spec.TaskDefinition != "arn:aws:ecs:us-east-1:000000000000:task-definition/web:2" || spec.ContainerName != "app" ||
		spec.ContainerPort != 8080 || spec.PlatformVersion != "1.4.0" || len(spec.Hooks) != 2 ||
		spec.Hooks["AfterAllowTestTraffic"] != "arn:aws:lambda:us-east-1:123456789012:function:smoke:live" {
		t.Fatalf("spec = %+v", spec)
	}
	net := mustJSON(spec.Network)
	if net != `{"awsvpcConfiguration":{"assignPublicIp":"DISABLED","securityGroups":["sg-1"],"subnets":["subnet-a"]}}` {
		t.Errorf("network = %s", net)
	}
	if got := mustJSON(spec.CapacityStrat); got != `[{"base":1,"capacityProvider":"FARGATE_SPOT","weight":2}]` {
		t.Errorf("capacity provider strategy = %s", got)
	}
	// The same AppSpec as JSON.
	js := `{"version":0.0,"Resources":[{"TargetService":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":"arn:x","LoadBalancerInfo":{"ContainerName":"app","ContainerPort":80}}}}]}`
	if spec, err := parseAppSpec(js); err != nil || spec.ContainerPort != 80 {
		t.Fatalf("JSON AppSpec: %+v, %v", spec, err)
	}
}

func TestParseAppSpecRefusesWhatCodeDeployRefuses(t *testing.T) {
	base := strings.Replace(goodSpec, "Hooks:\n  - BeforeInstall: \"before\"\n  - AfterAllowTestTraffic: \"arn:aws:lambda:us-east-1:123456789012:function:smoke:live\"\n", "", 1)
	cases := []struct{ name, spec, want string }{
		{"not YAML", "version: [", "cannot be parsed"},
		{"version", strings.Replace(base, "version: 0.0", "version: 1.0", 1), "version must be 0.0"},
		{"no resources", "version: 0.0\n", "exactly one resource"},
		{"wrong type", strings.Replace(base, "AWS::ECS::Service", "AWS::Lambda::Function", 1), "Type must be AWS::ECS::Service"},
		{"no task definition", strings.Replace(base, `TaskDefinition: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:2"`, "", 1), "TaskDefinition property is missing"},
		{"no container name", strings.Replace(base, `ContainerName: "app"`, "", 1), "ContainerName is missing"},
		{"bad port", strings.Replace(base, "ContainerPort: 8080", "ContainerPort: http", 1), "ContainerPort must be a port number"},
		{"no subnets", strings.Replace(base, `Subnets: ["subnet-a"]`, "Subnets: []", 1), "Subnets must list at least one subnet"},
		{"bad public ip", strings.Replace(base, `AssignPublicIp: "DISABLED"`, "AssignPublicIp: yes", 1), "AssignPublicIp must be ENABLED or DISABLED"},
		{"bad capacity provider", strings.Replace(base, "CapacityProvider: FARGATE_SPOT", `CapacityProvider: ""`, 1), "needs a CapacityProvider"},
		{"hook on Install", base + "Hooks:\n  - Install: fn\n", `"Install" is not an ECS lifecycle event`},
		{"malformed hook ARN", base + "Hooks:\n  - AfterInstall: \"arn:aws:lambda:us-east-1:123:function:fn\"\n", "is not a Lambda function name or ARN"},
		{"hook name with spaces", base + "Hooks:\n  - AfterInstall: \"my function\"\n", "is not a Lambda function name or ARN"},
		{"hook twice", base + "Hooks:\n  - AfterInstall: a\n  - AfterInstall: b\n", "more than once"},
	}
	for _, c := range cases {
		_, err := parseAppSpec(c.spec)
		if err == nil || !isCode(err, "InvalidRevisionException") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want InvalidRevisionException containing %q", c.name, err, c.want)
		}
	}
}

func TestParseRevision(t *testing.T) {
	sum := sha256Hex(goodSpec)
	ok := &revisionInput{RevisionType: "AppSpecContent"}
	ok.AppSpecContent = &struct {
		Content string `json:"content"`
		Sha256  string `json:"sha256"`
	}{goodSpec, sum}
	if _, err := parseRevision(ok); err != nil {
		t.Fatalf("a matching sha256 is accepted: %v", err)
	}
	ok.AppSpecContent.Sha256 = strings.Repeat("0", 64)
	if _, err := parseRevision(ok); !isCode(err, "InvalidRevisionException") {
		t.Fatalf("a wrong sha256: %v", err)
	}
	if _, err := parseRevision(nil); !isCode(err, "RevisionRequiredException") {
		t.Fatalf("no revision: %v", err)
	}
	if _, err := parseRevision(&revisionInput{RevisionType: "S3"}); !isCode(err, "InvalidRevisionException") {
		t.Fatalf("an S3 revision: %v", err)
	}
}

// FuzzParseAppSpec: any content either parses or is refused with
// InvalidRevisionException — never a panic (which would be a 500).
func FuzzParseAppSpec(f *testing.F) {
	f.Add(goodSpec)
	f.Add(`{"version":0.0,"Resources":[{"T":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":"x","LoadBalancerInfo":{"ContainerName":"a","ContainerPort":1}}}}],"Hooks":[{"AfterInstall":"f"}]}`)
	f.Add("version: 0.0\nResources: [ {a: 1} ]\nHooks: {x: 1}\n")
	f.Add("Hooks:\n  - AfterInstall: [1, 2]\n")
	f.Fuzz(func(t *testing.T, content string) {
		spec, err := parseAppSpec(content)
		if err != nil && !isCode(err, "InvalidRevisionException") {
			t.Fatalf("%q: %v", content, err)
		}
		if err == nil && (spec.TaskDefinition == "" || spec.ContainerName == "" || spec.ContainerPort < 1) {
			t.Fatalf("%q parsed into an incomplete spec %+v", content, spec)
		}
	})
}
