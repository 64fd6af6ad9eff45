package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
	"github.com/ecsdeploy/ecsdeploy/stack/apply"
	"github.com/ecsdeploy/ecsdeploy/stack/lifecycle"
)

const stackTestSpec = `name: shop
cpu: 256
memory: 512
containers:
  - name: web
    image: "nginx:#{Tag}"
    portMappings:
      - containerPort: 80
network:
  subnets: ["#{Subnet}"]
  securityGroups: ["#{Group}"]
`

// runStackCLI runs ecsdeploy in-process and returns its exit code and output.
func runStackCLI(t *testing.T, o runOpts, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := execute(context.Background(), o.deps(&out, &errOut), args)
	return code, out.String(), errOut.String()
}

func writeSpec(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stack.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestStackInvalidSpecIsRefusedBeforeAnyAWSCall(t *testing.T) {
	t.Parallel()
	path := writeSpec(t, strings.Replace(stackTestSpec, "memory: 512", "memory: 4096\nlaunchType: EC2", 1))
	calls := &awsconfig.CallCounter{}
	g := runOpts{AWS: awsconfig.Options{Calls: calls}}
	code, _, errOut := runStackCLI(t, g, "--endpoint-url", "http://127.0.0.1:1", "stack", "deploy", "-f", path, "--var", "Tag=1", "--var", "Subnet=subnet-0123abcd", "--var", "Group=sg-0123abcd")
	if code != exitcode.Invalid {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", code, exitcode.Invalid, errOut)
	}
	for _, want := range []string{"line 3: memory:", "line 4: launchType: EC2 is not supported"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if calls.Total() != 0 {
		t.Errorf("%d AWS calls were made for an invalid spec", calls.Total())
	}
}

func TestStackTemplatePrintsTheTemplateWithVariables(t *testing.T) {
	t.Parallel()
	path := writeSpec(t, stackTestSpec)
	code, out, errOut := runStackCLI(t, runOpts{}, "stack", "template", "-f", path, "--var", "Tag=1.27", "--var", "Subnet=subnet-0123abcd", "--var", "Group=sg-0123abcd")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"AWSTemplateFormatVersion", "Default: nginx:1.27", "- subnet-0123abcd", "Type: AWS::ECS::Service"} {
		if !strings.Contains(out, want) {
			t.Errorf("template lacks %q:\n%s", want, out)
		}
	}
	// cfn-lint checks it with the stack tests' templates, in one run after
	// the tests (TestMain): a finding fails the package.
	stackTemplates.Record(out)
}

func TestStackCommandsAgainstMoto(t *testing.T) {
	t.Parallel()
	moto := sharedMoto.Server(t)
	subnet, group := motoNetworkForCLI(t, moto.Endpoint)
	path := writeSpec(t, stackTestSpec)
	newGlobals := func() runOpts {
		// The endpoint is a flag (flags reset the fields they own); moto's
		// 500s must not be retried.
		return runOpts{AWS: awsconfig.Options{MaxAttempts: 1}}
	}
	deploy := func(tag string) apply.Result {
		t.Helper()
		recordStackTemplate(t, path, "--var", "Tag="+tag, "--var", "Subnet="+subnet, "--var", "Group="+group)
		code, out, errOut := runStackCLI(t, newGlobals(), "--endpoint-url", moto.Endpoint, "stack", "deploy", "-f", path, "--no-wait", "--output", "json",
			"--stack-poll-interval", "50ms", "--var", "Tag="+tag, "--var", "Subnet="+subnet, "--var", "Group="+group)
		if code != 0 {
			t.Fatalf("stack deploy exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		var res apply.Result
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("stdout is not the JSON result: %v\n%s", err, out)
		}
		return res
	}
	first := deploy("1.27")
	// --no-wait returns once CreateStack is accepted: no outputs yet.
	if first.Action != lifecycle.ActionCreateStarted || first.StackID == "" || first.StackStatus != "CREATE_IN_PROGRESS" || first.Outcome != apply.StackStarted {
		t.Fatalf("first deploy: %+v", first)
	}
	second := deploy("1.27")
	if second.Action != lifecycle.ActionUnchanged || second.StackID != first.StackID {
		t.Fatalf("second deploy of the same spec: %+v", second)
	}

	// The service is visible through ECS.
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{EndpointURL: moto.Endpoint, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	svcs, err := ecs.NewFromConfig(cfg).DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String("shop"), Services: []string{"shop"}})
	if err != nil || len(svcs.Services) != 1 || aws.ToString(svcs.Services[0].Status) != "ACTIVE" {
		t.Fatalf("service through ECS describe: %+v %v", svcs, err)
	}

	code, out, errOut := runStackCLI(t, newGlobals(), "--endpoint-url", moto.Endpoint, "stack", "status", "-f", path, "--var", "Tag=1.27", "--var", "Subnet="+subnet, "--var", "Group="+group)
	if code != 0 || !strings.Contains(out, "ecsdeploy-shop: CREATE_COMPLETE") || !strings.Contains(out, first.StackID) {
		t.Fatalf("stack status exit %d:\n%s\n%s", code, out, errOut)
	}
	for i, want := range []string{"stack ecsdeploy-shop deleted", "does not exist: nothing to delete"} {
		code, out, errOut := runStackCLI(t, newGlobals(), "--endpoint-url", moto.Endpoint, "stack", "delete", "--stack-name", "ecsdeploy-shop", "--stack-poll-interval", "50ms")
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("delete #%d exit %d:\n%s\n%s", i+1, code, out, errOut)
		}
	}
}

// motoNetworkForCLI creates the VPC, subnet and security group ECS needs.
func motoNetworkForCLI(t *testing.T, endpoint string) (subnet, group string) {
	t.Helper()
	var vpc struct{ Vpc struct{ VpcId string } }
	decodeJSON(t, testenv.RunAWSCLI(t, endpoint, "ec2", "create-vpc", "--cidr-block", "10.0.0.0/16"), &vpc)
	var sn struct{ Subnet struct{ SubnetId string } }
	decodeJSON(t, testenv.RunAWSCLI(t, endpoint, "ec2", "create-subnet", "--vpc-id", vpc.Vpc.VpcId, "--cidr-block", "10.0.1.0/24"), &sn)
	var sg struct{ GroupId string }
	decodeJSON(t, testenv.RunAWSCLI(t, endpoint, "ec2", "create-security-group", "--group-name", "shop", "--description", "shop", "--vpc-id", vpc.Vpc.VpcId), &sg)
	return sn.Subnet.SubnetId, sg.GroupId
}

func decodeJSON(t *testing.T, text string, into any) {
	t.Helper()
	if err := json.Unmarshal([]byte(text), into); err != nil {
		t.Fatalf("decode %q: %v", text, err)
	}
}
