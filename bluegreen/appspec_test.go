package bluegreen

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bluegreen -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs from the golden file:\n%s", name, got)
	}
}

func fargateService() types.Service {
	return types.Service{
		ServiceName:     aws.String("web"),
		PlatformVersion: aws.String("1.4.0"),
		LoadBalancers: []types.LoadBalancer{{
			TargetGroupArn: aws.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-blue/0123456789abcdef"),
			ContainerName:  aws.String("web"), ContainerPort: aws.Int32(8080),
		}},
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
			Subnets: []string{"subnet-1", "subnet-2"}, SecurityGroups: []string{"sg-1"}, AssignPublicIp: types.AssignPublicIpDisabled,
		}},
		CapacityProviderStrategy: []types.CapacityProviderStrategyItem{
			{CapacityProvider: aws.String("FARGATE"), Base: 1, Weight: 1},
			{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 3},
		},
	}
}

func TestAppSpecGolden(t *testing.T) {
	spec, err := NewAppSpec("arn:aws:ecs:us-east-1:123456789012:task-definition/web:8", fargateService(), []Hook{
		{Event: "AfterAllowTraffic", Function: "arn:aws:lambda:us-east-1:123456789012:function:after-traffic"},
		{Event: "AfterAllowTestTraffic", Function: "smoke-tests"},
	})
	if err != nil {
		t.Fatal(err)
	}
	y, err := spec.YAML()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "appspec.yaml", y)
	j, err := spec.JSON()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "appspec.json", j)
}

func TestAppSpecMinimal(t *testing.T) {
	svc := types.Service{ServiceName: aws.String("web"), LoadBalancers: []types.LoadBalancer{{ContainerName: aws.String("web"), ContainerPort: aws.Int32(80)}}}
	spec, err := NewAppSpec("arn:td", svc, nil)
	if err != nil {
		t.Fatal(err)
	}
	y, _ := spec.YAML()
	for _, absent := range []string{"Hooks", "NetworkConfiguration", "CapacityProviderStrategy", "PlatformVersion"} {
		if strings.Contains(y, absent) {
			t.Errorf("an AppSpec for a service without %s must not mention it:\n%s", absent, y)
		}
	}
}

func TestAppSpecRefusals(t *testing.T) {
	noLB := fargateService()
	noLB.LoadBalancers = nil
	if _, err := NewAppSpec("arn:td", noLB, nil); err == nil || !strings.Contains(err.Error(), "no load balancer") {
		t.Errorf("a service without a load balancer: %v", err)
	}
	for _, c := range []struct {
		hooks []Hook
		want  string
	}{
		{[]Hook{{Event: "Install", Function: "f"}}, `"Install" does not exist`},
		{[]Hook{{Event: "BeforeInstall", Function: "f"}, {Event: "BeforeInstall", Function: "g"}}, "given twice"},
		{[]Hook{{Event: "BeforeInstall", Function: " "}}, "names no Lambda function"},
	} {
		if _, err := NewAppSpec("arn:td", fargateService(), c.hooks); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("hooks %+v: %v, want %q", c.hooks, err, c.want)
		}
	}
}

func TestParseHook(t *testing.T) {
	h, err := ParseHook("AfterAllowTestTraffic=arn:aws:lambda:us-east-1:123456789012:function:smoke")
	if err != nil || h.Event != "AfterAllowTestTraffic" || h.Function != "arn:aws:lambda:us-east-1:123456789012:function:smoke" {
		t.Fatalf("%+v %v", h, err)
	}
	for _, bad := range []string{"smoke", "=f", "BeforeInstall="} {
		if _, err := ParseHook(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
