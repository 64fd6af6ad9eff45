package lifecycle

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	localcfn "github.com/ecsdeploy/ecsdeploy/emulator/cloudformation"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/stack"
	"github.com/ecsdeploy/ecsdeploy/stack/cfn"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

// localECS is the emulator with its CloudFormation, reached through the SDK
// over the in-process transport (the full wire path, no socket).
type localECS struct {
	em  *emulator.Emulator
	cf  *localcfn.Service
	cfn *cloudformation.Client
	ecs *ecs.Client
}

func startLocal(t *testing.T) *localECS {
	t.Helper()
	// 400 emulated seconds per wall second: a Fargate deployment completes
	// in a fraction of a wall second.
	em := emulator.New(emulator.Options{Speed: 400})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	cf := localcfn.Register(em)
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return &localECS{em: em, cf: cf, cfn: cloudformation.NewFromConfig(cfg), ecs: ecs.NewFromConfig(cfg)}
}

// localSpec is a spec for the local ECS with the given image and count.
func localSpec(t testing.TB, image string, desired int) (*stack.Spec, Options) {
	t.Helper()
	text := `name: api
cpu: 256
memory: 512
containers:
  - name: app
    image: "` + image + `"
    portMappings:
      - containerPort: 8080
network:
  subnets: [subnet-0123abcd]
desiredCount: ` + string(rune('0'+desired)) + `
`
	s, err := stack.Parse([]byte(text), vars.Resolver{LookupEnv: func(string) (string, bool) { return "", false }})
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
		Timeout: 30 * time.Second, PollInterval: 10 * time.Millisecond}
}

func (l *localECS) status(t *testing.T, name string) string {
	t.Helper()
	st, err := Status(context.Background(), l.cfn, name)
	if err != nil {
		t.Fatal(err)
	}
	return st.Status
}

func (l *localECS) serviceTaskDefinition(t *testing.T, s *stack.Spec) string {
	t.Helper()
	out, err := l.ecs.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String(s.ClusterName()), Services: []string{s.ServiceName()}})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("describe service: %v %+v", err, out)
	}
	return aws.ToString(out.Services[0].TaskDefinition)
}

func deployOK(t *testing.T, l *localECS, opts Options, want string) *Result {
	t.Helper()
	res, err := Deploy(context.Background(), l.cfn, opts)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	if res.Action != want {
		t.Fatalf("deploy action %q, want %q (%+v)", res.Action, want, res)
	}
	return res
}

func TestLocalCreateUpdateNoOpDeleteTwice(t *testing.T) {
	l := startLocal(t)
	s, opts := localSpec(t, "nginx:1.27", 1)
	rec := &recorder{}
	opts.Reporter = rec
	created := deployOK(t, l, opts, ActionCreated)
	if created.Status != "CREATE_COMPLETE" || created.Outputs["StackId"] != created.StackID || created.Outputs[cfn.OutputServiceName] != "api" {
		t.Fatalf("created: %+v", created)
	}
	firstTD := l.serviceTaskDefinition(t, s)
	if firstTD != created.Outputs[cfn.OutputTaskDefinitionArn] {
		t.Errorf("service runs %s, stack output says %s", firstTD, created.Outputs[cfn.OutputTaskDefinitionArn])
	}
	if !hasEvent(rec.events, cfn.LogicalService, "CREATE_COMPLETE") {
		t.Errorf("the service's CREATE_COMPLETE event was not streamed")
	}

	deployOK(t, l, opts, ActionUnchanged)

	_, opts2 := localSpec(t, "nginx:1.29", 2)
	rec2 := &recorder{}
	opts2.Reporter = rec2
	updated := deployOK(t, l, opts2, ActionUpdated)
	if !hasChange(updated.Changes, cfn.LogicalTaskDefinition, "Modify") || !hasChange(updated.Changes, cfn.LogicalService, "Modify") {
		t.Errorf("changes %+v", updated.Changes)
	}
	if td := l.serviceTaskDefinition(t, s); td == firstTD || td != updated.Outputs[cfn.OutputTaskDefinitionArn] {
		t.Errorf("after the update the service runs %s (before %s, output %s)", td, firstTD, updated.Outputs[cfn.OutputTaskDefinitionArn])
	}
	for _, e := range rec2.events {
		if e.Status == "CREATE_COMPLETE" && e.LogicalResourceID == cfn.LogicalService {
			t.Errorf("the update streamed an event of the earlier create: %+v", e)
		}
	}

	for i, want := range []string{ActionDeleted, ActionAbsent} {
		res, err := Delete(context.Background(), l.cfn, opts)
		if err != nil || res.Action != want {
			t.Fatalf("delete #%d: %+v %v", i+1, res, err)
		}
	}
	out, err := l.ecs.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String(s.ClusterName()), Services: []string{s.ServiceName()}})
	if err == nil && len(out.Services) == 1 && aws.ToString(out.Services[0].Status) == "ACTIVE" {
		t.Errorf("the service is still ACTIVE after the stack was deleted")
	}
}

func hasEvent(events []Event, logical, status string) bool {
	for _, e := range events {
		if e.LogicalResourceID == logical && e.Status == status {
			return true
		}
	}
	return false
}

func failedWith(t *testing.T, err error, status, logical, reason string) {
	t.Helper()
	var sf *StackFailedError
	if !errors.As(err, &sf) {
		t.Fatalf("want a StackFailedError, got %v", err)
	}
	if sf.Status != status {
		t.Fatalf("stack ended in %s, want %s: %v", sf.Status, status, err)
	}
	for _, f := range sf.Failures {
		if f.LogicalResourceID == logical && strings.Contains(f.Reason, reason) {
			return
		}
	}
	t.Fatalf("no failure of %s with %q in %v", logical, reason, err)
}

func TestLocalRollbackCompleteIsRecreatedAndOnlyThisOperationsReasonsAreReported(t *testing.T) {
	l := startLocal(t)
	_, opts := localSpec(t, "nginx:1.27", 1)
	l.cf.SetScenario(localcfn.Scenario{Rules: []localcfn.Rule{
		{LogicalID: cfn.LogicalService, Operation: localcfn.OpCreate, Message: "first failure", Times: 1},
		{LogicalID: cfn.LogicalService, Operation: localcfn.OpCreate, Message: "second failure", Times: 1},
	}})
	_, err := Deploy(context.Background(), l.cfn, opts)
	failedWith(t, err, "ROLLBACK_COMPLETE", cfn.LogicalService, "first failure")
	if got := l.status(t, opts.StackName); got != "ROLLBACK_COMPLETE" {
		t.Fatalf("status %s", got)
	}
	rec := &recorder{}
	opts.Reporter = rec
	_, err = Deploy(context.Background(), l.cfn, opts)
	failedWith(t, err, "ROLLBACK_COMPLETE", cfn.LogicalService, "second failure")
	if strings.Contains(err.Error(), "first failure") {
		t.Errorf("the report blames the earlier operation: %v", err)
	}
	if !containsStep(rec.steps, "ROLLBACK_COMPLETE: deleting it") {
		t.Errorf("steps %v", rec.steps)
	}
	deployOK(t, l, opts, ActionRecreated)
}

func containsStep(steps []string, sub string) bool {
	for _, s := range steps {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestLocalCreateFailedIsRecreated(t *testing.T) {
	l := startLocal(t)
	_, opts := localSpec(t, "nginx:1.27", 1)
	l.cf.SetScenario(localcfn.Scenario{Rules: []localcfn.Rule{{LogicalID: cfn.LogicalService, Operation: localcfn.OpCreate, Message: "no capacity", Times: 1}}})
	// A stack created without rollback ends in CREATE_FAILED.
	_, err := l.cfn.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String(opts.StackName),
		TemplateBody: aws.String(opts.TemplateBody), OnFailure: cftypes.OnFailureDoNothing, Capabilities: capabilities})
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, l, opts.StackName, "CREATE_FAILED")
	deployOK(t, l, opts, ActionRecreated)
}

func waitStatus(t *testing.T, l *localECS, name, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := l.status(t, name)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("stack %s is %s, want %s", name, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLocalRollbackFailedIsDeletedAndRecreated(t *testing.T) {
	l := startLocal(t)
	_, opts := localSpec(t, "nginx:1.27", 1)
	l.cf.SetScenario(localcfn.Scenario{Rules: []localcfn.Rule{
		{LogicalID: cfn.LogicalService, Operation: localcfn.OpCreate, Message: "service failed", Times: 1},
		{LogicalID: cfn.LogicalLogGroup, Operation: localcfn.OpDelete, Message: "log group is locked", Times: 1},
	}})
	_, err := Deploy(context.Background(), l.cfn, opts)
	failedWith(t, err, "ROLLBACK_FAILED", cfn.LogicalLogGroup, "log group is locked")
	deployOK(t, l, opts, ActionRecreated)
}

func TestLocalDeleteFailedIsRetried(t *testing.T) {
	l := startLocal(t)
	_, opts := localSpec(t, "nginx:1.27", 1)
	deployOK(t, l, opts, ActionCreated)
	l.cf.SetScenario(localcfn.Scenario{Rules: []localcfn.Rule{{LogicalID: cfn.LogicalCluster, Operation: localcfn.OpDelete, Message: "cluster busy", Times: 1}}})
	_, err := Delete(context.Background(), l.cfn, opts)
	failedWith(t, err, "DELETE_FAILED", cfn.LogicalCluster, "cluster busy")
	rec := &recorder{}
	opts.Reporter = rec
	deployOK(t, l, opts, ActionRecreated)
	if !containsStep(rec.steps, "DELETE_FAILED: deleting it") {
		t.Errorf("steps %v", rec.steps)
	}
}

func TestLocalUpdateRollbackFailedContinuesTheRollback(t *testing.T) {
	l := startLocal(t)
	_, opts := localSpec(t, "nginx:1.27", 1)
	deployOK(t, l, opts, ActionCreated)
	l.cf.SetScenario(localcfn.Scenario{Rules: []localcfn.Rule{
		{LogicalID: cfn.LogicalService, Operation: localcfn.OpUpdate, Message: "service update failed", Times: 1},
		{LogicalID: cfn.LogicalTaskDefinition, Operation: localcfn.OpRollback, Message: "cannot restore", Times: 1},
	}})
	_, opts2 := localSpec(t, "nginx:1.29", 1)
	_, err := Deploy(context.Background(), l.cfn, opts2)
	failedWith(t, err, "UPDATE_ROLLBACK_FAILED", cfn.LogicalTaskDefinition, "cannot restore")
	rec := &recorder{}
	opts2.Reporter = rec
	deployOK(t, l, opts2, ActionUpdated)
	if !containsStep(rec.steps, "continuing the rollback") {
		t.Errorf("steps %v", rec.steps)
	}
}

func TestLocalUpdateRollbackFailedIsRecreatedOnlyWhenAllowed(t *testing.T) {
	l := startLocal(t)
	_, opts := localSpec(t, "nginx:1.27", 1)
	deployOK(t, l, opts, ActionCreated)
	l.cf.SetScenario(localcfn.Scenario{Rules: []localcfn.Rule{
		{LogicalID: cfn.LogicalService, Operation: localcfn.OpUpdate, Message: "service update failed", Times: 1},
		{LogicalID: cfn.LogicalTaskDefinition, Operation: localcfn.OpRollback, Message: "cannot restore"},
	}})
	_, opts2 := localSpec(t, "nginx:1.29", 1)
	_, err := Deploy(context.Background(), l.cfn, opts2)
	failedWith(t, err, "UPDATE_ROLLBACK_FAILED", cfn.LogicalTaskDefinition, "cannot restore")

	// The hint names the option as the caller's origins say: the field's
	// name by default, the flag a command line records.
	_, err = Deploy(context.Background(), l.cfn, opts2)
	if err == nil || !strings.Contains(err.Error(), "rerun with recreateFailedStack to delete") || exitcode.Of(err) != exitcode.Failed {
		t.Fatalf("without RecreateFailedStack: %v", err)
	}
	opts2.Origins = exitcode.Origins{"recreateFailedStack": exitcode.FlagOrigin("--recreate-failed-stack")}
	_, err = Deploy(context.Background(), l.cfn, opts2)
	if err == nil || !strings.Contains(err.Error(), "rerun with --recreate-failed-stack to delete") || exitcode.Of(err) != exitcode.Failed {
		t.Fatalf("without --recreate-failed-stack: %v", err)
	}
	if got := l.status(t, opts.StackName); got != "UPDATE_ROLLBACK_FAILED" {
		t.Fatalf("the stack was touched beyond the rollback: %s", got)
	}
	opts2.RecreateFailedStack = true
	rec := &recorder{}
	opts2.Reporter = rec
	deployOK(t, l, opts2, ActionRecreated)
	if !containsStep(rec.steps, "deleting it to create it again (--recreate-failed-stack)") {
		t.Errorf("steps %v", rec.steps)
	}
}

func TestLocalStackInProgressIsWaitedFor(t *testing.T) {
	l := startLocal(t)
	_, opts := localSpec(t, "nginx:1.27", 1)
	deployOK(t, l, opts, ActionCreated)
	// Someone else's update that takes a while (emulated minutes).
	l.cf.SetScenario(localcfn.Scenario{Rules: []localcfn.Rule{{LogicalID: cfn.LogicalService, Operation: localcfn.OpUpdate, Delay: 2 * time.Minute, Times: 1}}})
	_, other := localSpec(t, "nginx:1.28", 1)
	if _, err := l.cfn.UpdateStack(context.Background(), &cloudformation.UpdateStackInput{StackName: aws.String(other.StackName),
		TemplateBody: aws.String(other.TemplateBody), Capabilities: capabilities}); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	opts.Reporter = rec
	deployOK(t, l, opts, ActionUpdated)
	if !containsStep(rec.steps, "UPDATE_IN_PROGRESS: waiting for it to finish") {
		t.Errorf("steps %v", rec.steps)
	}
}

func TestLocalTimeoutDuringUpdateCancelsIt(t *testing.T) {
	l := startLocal(t)
	s, opts := localSpec(t, "nginx:1.27", 1)
	deployOK(t, l, opts, ActionCreated)
	before := l.serviceTaskDefinition(t, s)
	l.cf.SetScenario(localcfn.Scenario{Rules: []localcfn.Rule{{LogicalID: cfn.LogicalService, Operation: localcfn.OpUpdate, Delay: 100 * time.Hour}}})
	_, opts2 := localSpec(t, "nginx:1.29", 1)
	opts2.Timeout = 300 * time.Millisecond
	rec := &recorder{}
	opts2.Reporter = rec
	_, err := Deploy(context.Background(), l.cfn, opts2)
	if exitcode.Of(err) != exitcode.TimedOut || !strings.Contains(err.Error(), "UPDATE_ROLLBACK_COMPLETE") {
		t.Fatalf("want a timeout ending in UPDATE_ROLLBACK_COMPLETE, got %v", err)
	}
	if !containsStep(rec.steps, "cancelling the update") {
		t.Errorf("steps %v", rec.steps)
	}
	if got := l.status(t, opts.StackName); got != "UPDATE_ROLLBACK_COMPLETE" {
		t.Errorf("status %s", got)
	}
	if after := l.serviceTaskDefinition(t, s); after != before {
		t.Errorf("the service runs %s after the cancelled update, want %s", after, before)
	}
}
