package apply

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	localcfn "github.com/ecsdeploy/ecsdeploy/emulator/cloudformation"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/stack"
	"github.com/ecsdeploy/ecsdeploy/stack/cfn"
	"github.com/ecsdeploy/ecsdeploy/stack/lifecycle"
	"github.com/ecsdeploy/ecsdeploy/vars"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

func localAPIs(t *testing.T) APIs {
	t.Helper()
	em := emulator.New(emulator.Options{Speed: 300})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	localcfn.Register(em)
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return APIs{CloudFormation: cloudformation.NewFromConfig(cfg), ECS: ecs.NewFromConfig(cfg)}
}

func parse(t *testing.T, image string) *stack.Spec {
	t.Helper()
	s, err := stack.Parse([]byte(`name: orders
cluster: ""
cpu: 512
memory: 1024
containers:
  - name: app
    image: `+image+`
    environment: {MODE: fast}
network:
  subnets: [subnet-0123abcd]
desiredCount: 2
parameters: [desiredCount, containers.app.environment.MODE]
`), vars.Resolver{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	body, err := cfn.Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	generated.Record(string(body))
	return s
}

func TestParametersAreTheSpecsValues(t *testing.T) {
	got := Parameters(parse(t, "nginx:1.27"))
	want := map[string]string{"AppImage": "nginx:1.27", "DesiredCount": "2", "AppEnvMODE": "fast"}
	if len(got) != len(want) {
		t.Fatalf("parameters %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestDeployWaitsForTheServiceAndReportsProgress(t *testing.T) {
	apis := localAPIs(t)
	var steps []string
	rep := progress.ReporterFunc(func(e progress.Event) {
		if s, ok := e.(progress.Step); ok {
			steps = append(steps, s.Message)
		}
	})
	opts := Options{Timeout: time.Minute, PollInterval: 20 * time.Millisecond, Watch: watch.Options{Interval: 20 * time.Millisecond}, Reporter: rep}
	res, err := Deploy(context.Background(), apis, parse(t, "nginx:1.27"), opts)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	if res.Action != lifecycle.ActionCreated || res.Outcome != progress.Succeeded || res.DeploymentID == "" || res.TaskDefinition == "" {
		t.Fatalf("result %+v", res)
	}
	if res.Finished.Before(res.Started) {
		t.Errorf("finished %v before started %v", res.Finished, res.Started)
	}
	joined := strings.Join(steps, "\n")
	for _, want := range []string{"creating stack ecsdeploy-orders", "stack: Service AWS::ECS::Service CREATE_COMPLETE"} {
		if !strings.Contains(joined, want) {
			t.Errorf("progress lacks %q:\n%s", want, joined)
		}
	}

	steps = nil
	res, err = Deploy(context.Background(), apis, parse(t, "nginx:1.29"), opts)
	if err != nil || res.Action != lifecycle.ActionUpdated || res.Outcome != progress.Succeeded {
		t.Fatalf("update: %+v %v", res, err)
	}
	if joined := strings.Join(steps, "\n"); !strings.Contains(joined, "change: Modify TaskDefinition (AWS::ECS::TaskDefinition), replacement: True") {
		t.Errorf("the change set was not printed:\n%s", joined)
	}

	del, err := Delete(context.Background(), apis.CloudFormation, "ecsdeploy-orders", opts)
	if err != nil || del.Outcome != Deleted || del.Action != lifecycle.ActionDeleted {
		t.Fatalf("delete: %+v %v", del, err)
	}
}
