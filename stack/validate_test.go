package stack

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

// validBase is a valid spec; cases below break one thing in it.
const validBase = `name: web
cpu: 256
memory: 512
containers:
  - name: app
    image: nginx:1.27
    portMappings:
      - containerPort: 80
network:
  subnets: [subnet-0123abcd]
`

func problemsOf(t *testing.T, spec string) exitcode.Problems {
	t.Helper()
	_, err := Parse([]byte(spec), vars.Resolver{})
	if err == nil {
		t.Fatalf("spec was accepted:\n%s", spec)
	}
	var ps exitcode.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error is not exitcode.Problems: %v", err)
	}
	if exitcode.Of(err) != exitcode.Invalid {
		t.Fatalf("exit code %d, want %d", exitcode.Of(err), exitcode.Invalid)
	}
	return ps
}

func TestValidSpecsParse(t *testing.T) {
	for _, path := range []string{"testdata/minimal.yaml", "testdata/given-roles.yaml", "testdata/sidecars.yaml", "../examples/stack.yaml"} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(data, vars.Resolver{}); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	if _, err := Parse([]byte(validBase), vars.Resolver{}); err != nil {
		t.Fatalf("base spec: %v", err)
	}
}

func TestEachSpecErrorHasItsFieldAndLine(t *testing.T) {
	cases := []struct {
		name, spec, field string
		line              int
		message           string
	}{
		{"unknown top-level field", validBase + "replicas: 3\n", "replicas", 11, "unknown field"},
		{"unknown container field", strings.Replace(validBase, "    image: nginx:1.27\n", "    image: nginx:1.27\n    imagee: x\n", 1), "containers[0].imagee", 7, "unknown field"},
		{"cpu not a Fargate size", strings.Replace(validBase, "cpu: 256", "cpu: 300", 1), "cpu", 2, "not a Fargate task size"},
		{"memory not offered with cpu", strings.Replace(validBase, "memory: 512", "memory: 4096", 1), "memory", 3, "512, 1024 or 2048"},
		{"memory off the step", strings.Replace(strings.Replace(validBase, "memory: 512", "memory: 2500", 1), "cpu: 256", "cpu: 1024", 1), "memory", 3, "2048 to 8192 in steps of 1024"},
		{"container memory over task", strings.Replace(validBase, "    image: nginx:1.27\n", "    image: nginx:1.27\n    memory: 1024\n", 1), "containers[0].memory", 7, "more than the task's memory 512"},
		{"container cpu over task", strings.Replace(validBase, "    image: nginx:1.27\n", "    image: nginx:1.27\n    cpu: 512\n", 1), "containers[0].cpu", 7, "more than the task's cpu 256"},
		{"lb names a missing container", validBase + "loadBalancers:\n  - targetGroupArn: arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/a/b\n    containerName: api\n    containerPort: 80\n",
			"loadBalancers[0].containerName", 13, `no container named "api"`},
		{"lb names a missing port", validBase + "loadBalancers:\n  - targetGroupArn: arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/a/b\n    containerName: app\n    containerPort: 8080\n",
			"loadBalancers[0].containerPort", 14, "no port mapping for port 8080"},
		{"undefined volume", strings.Replace(validBase, "    image: nginx:1.27\n", "    image: nginx:1.27\n    mountPoints:\n      - sourceVolume: data\n        containerPath: /data\n", 1),
			"containers[0].mountPoints[0].sourceVolume", 8, `volume "data" is not defined`},
		{"duplicate container", strings.Replace(validBase, "network:", "  - name: app\n    image: busybox\nnetwork:", 1), "containers[1].name", 9, "already used by containers[0]"},
		{"duplicate volume", validBase + "volumes:\n  - name: a\n  - name: a\n", "volumes[1].name", 13, "already used by volumes[0]"},
		{"EC2 refused", validBase + "launchType: EC2\n", "launchType", 11, "only creates Fargate services"},
		{"missing subnets", strings.Replace(validBase, "  subnets: [subnet-0123abcd]\n", "  assignPublicIp: true\n", 1), "network.subnets", 9, "at least one subnet"},
		{"wrong type", strings.Replace(validBase, "cpu: 256", "cpu: lots", 1), "cpu", 2, "whole number"},
		{"unknown parameter mark", validBase + "parameters: [cpu]\n", "parameters[0]", 11, "cannot be a parameter"},
		{"reserved tag", validBase + "tags:\n  ecsdeploy:service: x\n", "tags.ecsdeploy:service", 12, "reserved"},
		{"host port differs", strings.Replace(validBase, "containerPort: 80\n", "containerPort: 80\n        hostPort: 8080\n", 1), "containers[0].portMappings[0].hostPort", 9, "must equal containerPort"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := problemsOf(t, c.spec)
			for _, p := range ps {
				if p.Field == c.field && p.Line == c.line && strings.Contains(p.Message, c.message) {
					return
				}
			}
			t.Fatalf("want a problem at line %d field %s containing %q, got:\n%v", c.line, c.field, c.message, ps)
		})
	}
}

func TestValidationCollectsEveryProblem(t *testing.T) {
	spec := `name: web
cpu: 256
memory: 4096
containers:
  - name: app
    image: ""
    memory: 8192
    mountPoints:
      - sourceVolume: missing
        containerPath: /x
  - name: app
    image: busybox
network:
  subnets: []
loadBalancers:
  - targetGroupArn: arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/a/b
    containerName: nope
    containerPort: 1
`
	ps := problemsOf(t, spec)
	want := []string{"memory", "containers[0].image", "containers[0].memory", "containers[0].mountPoints[0].sourceVolume",
		"containers[1].name", "network.subnets", "loadBalancers[0].containerName"}
	fields := map[string]bool{}
	for _, p := range ps {
		fields[p.Field] = true
		if p.Line == 0 {
			t.Errorf("problem without a line: %v", p)
		}
	}
	for _, f := range want {
		if !fields[f] {
			t.Errorf("no problem reported for %s; got:\n%v", f, ps)
		}
	}
}

func TestFargateSizes(t *testing.T) {
	ok := [][2]int{{256, 512}, {256, 2048}, {512, 4096}, {1024, 2048}, {2048, 16384}, {4096, 30720}, {8192, 16384}, {8192, 61440}, {16384, 122880}, {16384, 40960}}
	bad := [][2]int{{256, 1536}, {256, 4096}, {512, 512}, {1024, 9216}, {4096, 31744}, {8192, 18432}, {16384, 36864}, {128, 512}, {3072, 8192}}
	for _, p := range ok {
		if !FargateSizeOK(p[0], p[1]) {
			t.Errorf("cpu %d memory %d should be offered", p[0], p[1])
		}
	}
	for _, p := range bad {
		if FargateSizeOK(p[0], p[1]) {
			t.Errorf("cpu %d memory %d should be refused", p[0], p[1])
		}
	}
}

func TestVariablesAreSubstitutedAndUnresolvedOnesReported(t *testing.T) {
	text := strings.Replace(validBase, "image: nginx:1.27", `image: "nginx:#{Tag}"`, 1)
	s, err := Parse([]byte(text), vars.Resolver{Vars: map[string]string{"Tag": "1.29"}, LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	if s.Containers[0].Image != "nginx:1.29" {
		t.Errorf("image %q, want nginx:1.29", s.Containers[0].Image)
	}
	_, err = Parse([]byte(text), vars.Resolver{LookupEnv: func(string) (string, bool) { return "", false }})
	var ps exitcode.Problems
	if !errors.As(err, &ps) || len(ps) == 0 || ps[0].Field != "containers[0].image" || ps[0].Line != 6 {
		t.Fatalf("unresolved variable: %v", err)
	}
}

// TestDuplicateContainerIsReportedOnce: two containers with the same name
// are one mistake, not also a clash of their image parameters.
func TestDuplicateContainerIsReportedOnce(t *testing.T) {
	ps := problemsOf(t, strings.Replace(validBase, "network:", "  - name: app\n    image: busybox\nnetwork:", 1))
	if len(ps) != 1 || ps[0].Field != "containers[1].name" {
		t.Fatalf("want only the duplicate name, got:\n%v", ps)
	}
	// Different names that make the same parameter name still clash.
	ps = problemsOf(t, strings.Replace(validBase, "network:", "  - name: App\n    image: busybox\nnetwork:", 1))
	found := false
	for _, p := range ps {
		found = found || strings.Contains(p.Message, "would share the template parameter")
	}
	if !found {
		t.Fatalf("names app and App make one parameter; got:\n%v", ps)
	}
}
