package lifecycle

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
	"github.com/ecsdeploy/ecsdeploy/stack"
	"github.com/ecsdeploy/ecsdeploy/stack/cfn"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

// recorder keeps what the lifecycle reported, for assertions.
type recorder struct {
	mu      sync.Mutex
	steps   []string
	changes []Change
	events  []Event
}

func (r *recorder) Step(m string) { r.mu.Lock(); r.steps = append(r.steps, m); r.mu.Unlock() }
func (r *recorder) Changes(c []Change) {
	r.mu.Lock()
	r.changes = append(r.changes, c...)
	r.mu.Unlock()
}
func (r *recorder) StackEvent(e Event) { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() }

// motoNetwork creates a VPC, a subnet and a security group in moto's EC2,
// which ECS needs before it accepts an awsvpc service.
func motoNetwork(t *testing.T, endpoint string) (subnet, group string) {
	t.Helper()
	var vpc struct{ Vpc struct{ VpcId string } }
	mustJSON(t, testenv.RunAWSCLI(t, endpoint, "ec2", "create-vpc", "--cidr-block", "10.0.0.0/16"), &vpc)
	var sn struct{ Subnet struct{ SubnetId string } }
	mustJSON(t, testenv.RunAWSCLI(t, endpoint, "ec2", "create-subnet", "--vpc-id", vpc.Vpc.VpcId, "--cidr-block", "10.0.1.0/24"), &sn)
	var sg struct{ GroupId string }
	mustJSON(t, testenv.RunAWSCLI(t, endpoint, "ec2", "create-security-group", "--group-name", "web", "--description", "web", "--vpc-id", vpc.Vpc.VpcId), &sg)
	return sn.Subnet.SubnetId, sg.GroupId
}

func mustJSON(t *testing.T, text string, into any) {
	t.Helper()
	if err := json.Unmarshal([]byte(text), into); err != nil {
		t.Fatalf("decode %q: %v", text, err)
	}
}

func specFor(t *testing.T, subnet, group, image string, desired int) (*stack.Spec, Options) {
	t.Helper()
	yaml := `name: web
cpu: 256
memory: 512
containers:
  - name: app
    image: ` + image + `
    portMappings:
      - containerPort: 80
network:
  subnets: [` + subnet + `]
  securityGroups: [` + group + `]
desiredCount: ` + string(rune('0'+desired)) + `
tags:
  team: platform
`
	s, err := stack.Parse([]byte(yaml), vars.Resolver{})
	if err != nil {
		t.Fatal(err)
	}
	body, err := cfn.Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	recordTemplate(string(body))
	params := map[string]string{}
	for _, p := range s.TemplateParameters() {
		params[p.Name] = p.Default
	}
	return s, Options{StackName: s.StackName(), TemplateBody: string(body), Parameters: params, Tags: s.StackTags(),
		Timeout: time.Minute, PollInterval: 50 * time.Millisecond}
}

func TestLifecycleAgainstMoto(t *testing.T) {
	moto := testenv.StartMoto(t)
	ctx := context.Background()
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{EndpointURL: moto.Endpoint, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	clients := awsconfig.NewClients(cfg)
	subnet, group := motoNetwork(t, moto.Endpoint)

	s, opts := specFor(t, subnet, group, "nginx:1.27", 1)
	rec := &recorder{}
	opts.Reporter = rec

	// Create.
	res, err := Deploy(ctx, clients.CloudFormation, opts)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if res.Action != ActionCreated || res.Status != "CREATE_COMPLETE" || res.StackID == "" || res.Outputs["StackId"] != res.StackID {
		t.Fatalf("create result %+v", res)
	}
	if len(rec.events) == 0 {
		t.Errorf("no stack events were reported while creating")
	}
	svc := describeService(t, clients.ECS, s)
	if aws.ToString(svc.Status) != "ACTIVE" || svc.DesiredCount != 1 {
		t.Fatalf("service after create: status %s desired %d", aws.ToString(svc.Status), svc.DesiredCount)
	}
	if got := res.Outputs[cfn.OutputServiceName]; got != "web" {
		t.Errorf("ServiceName output %q", got)
	}

	// The same spec again: an empty change set is a successful no-op.
	rec.events = nil
	res, err = Deploy(ctx, clients.CloudFormation, opts)
	if err != nil {
		t.Fatalf("no-op deploy: %v", err)
	}
	if res.Action != ActionUnchanged {
		t.Fatalf("second deploy of the same spec: %+v", res)
	}

	// Update: more tasks. (Task definition changes through a stack are not
	// an oracle on moto; the service's desired count is.)
	_, opts2 := specFor(t, subnet, group, "nginx:1.27", 3)
	rec2 := &recorder{}
	opts2.Reporter = rec2
	res, err = Deploy(ctx, clients.CloudFormation, opts2)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if res.Action != ActionUpdated || res.Status != "UPDATE_COMPLETE" {
		t.Fatalf("update result %+v", res)
	}
	if !hasChange(rec2.changes, cfn.LogicalService, "Modify") {
		t.Errorf("the change set did not list the service as modified: %+v", rec2.changes)
	}
	if svc := describeService(t, clients.ECS, s); svc.DesiredCount != 3 {
		t.Errorf("desired count after update = %d, want 3", svc.DesiredCount)
	}

	state, err := Status(ctx, clients.CloudFormation, s.StackName())
	if err != nil || !state.Exists || state.Status != "UPDATE_COMPLETE" || state.Next != "update" {
		t.Fatalf("status %+v, %v", state, err)
	}

	// Delete, then delete again: both succeed.
	res, err = Delete(ctx, clients.CloudFormation, opts)
	if err != nil || res.Action != ActionDeleted {
		t.Fatalf("delete: %+v, %v", res, err)
	}
	res, err = Delete(ctx, clients.CloudFormation, opts)
	if err != nil || res.Action != ActionAbsent {
		t.Fatalf("second delete: %+v, %v", res, err)
	}
	state, err = Status(ctx, clients.CloudFormation, s.StackName())
	if err != nil || state.Exists {
		t.Fatalf("status after delete %+v, %v", state, err)
	}
}

func describeService(t *testing.T, api *ecs.Client, s *stack.Spec) struct {
	Status       *string
	DesiredCount int32
} {
	t.Helper()
	out, err := api.DescribeServices(context.Background(), &ecs.DescribeServicesInput{
		Cluster: aws.String(s.ClusterName()), Services: []string{s.ServiceName()}})
	if err != nil {
		t.Fatalf("describe service: %v", err)
	}
	if len(out.Services) != 1 {
		t.Fatalf("service %s not found in cluster %s: %+v", s.ServiceName(), s.ClusterName(), out.Failures)
	}
	return struct {
		Status       *string
		DesiredCount int32
	}{out.Services[0].Status, out.Services[0].DesiredCount}
}

func hasChange(changes []Change, logicalID, action string) bool {
	for _, c := range changes {
		if c.LogicalResourceID == logicalID && strings.EqualFold(c.Action, action) {
			return true
		}
	}
	return false
}
