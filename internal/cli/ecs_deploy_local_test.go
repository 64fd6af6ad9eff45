package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// The ecs-deploy script's README examples, each run under "ecsdeploy
// ecs-deploy" against the local ECS, with cluster "c" and service "web"
// in place of the README's names.

const scriptRepo = "my.private.repo.com/frontend_container"

func (l *localECS) script(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return l.run(t, append([]string{"ecs-deploy"}, args...)...)
}

func (l *localECS) serviceImage(t *testing.T) string {
	t.Helper()
	return l.image(t, aws.ToString(l.service(t).TaskDefinition))
}

// Simple deployment of a service.
func TestScriptExampleSimpleDeployment(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: scriptRepo + ":1", desired: 1})
	code, stdout, _ := l.script(t, "-c", "c", "-n", "web", "-i", scriptRepo+":latest")
	if code != 0 || !strings.Contains(stdout, "succeeded") {
		t.Fatalf("exit %d: %s", code, stdout)
	}
	if got := l.serviceImage(t); got != scriptRepo+":latest" {
		t.Fatalf("service runs %s", got)
	}
	svc := l.service(t)
	// -m and -M were not given: the script sends no deployment configuration.
	if dc := svc.DeploymentConfiguration; aws.ToInt32(dc.MinimumHealthyPercent) != 100 || aws.ToInt32(dc.MaximumPercent) != 200 {
		t.Errorf("deployment configuration changed: %+v", dc)
	}
}

// All options: credentials, region, counts, percentages, timeout, the tag
// from an environment variable, verbose.
func TestScriptExampleAllOptions(t *testing.T) {
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: scriptRepo + ":1", desired: 1})
	t.Setenv("CI_TIMESTAMP", "20240101120000")
	code, stdout, stderr := l.script(t, "-k", "ABC123", "-s", "SECRETKEY", "-r", "us-east-1", "-c", "c", "-n", "web", "-i", scriptRepo,
		"-m", "50", "-M", "100", "-t", "240", "-D", "2", "-e", "CI_TIMESTAMP", "-v")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	svc := l.service(t)
	if got := l.serviceImage(t); got != scriptRepo+":20240101120000" {
		t.Errorf("service runs %s", got)
	}
	if svc.DesiredCount != 2 || aws.ToInt32(svc.DeploymentConfiguration.MinimumHealthyPercent) != 50 || aws.ToInt32(svc.DeploymentConfiguration.MaximumPercent) != 100 {
		t.Errorf("service settings: desired %d, %+v", svc.DesiredCount, svc.DeploymentConfiguration)
	}
	if !strings.Contains(stderr, "UpdateService") {
		t.Errorf("-v did not log the API calls:\n%s", stderr)
	}
	if strings.Contains(stdout+stderr, "SECRETKEY") {
		t.Errorf("the secret key was printed")
	}
}

// Updating a task definition with a new image.
func TestScriptExampleTaskDefinition(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	td := l.createService(t, serviceSpec{image: scriptRepo + ":1", desired: 1})
	code, stdout, stderr := l.script(t, "-d", "web", "-i", scriptRepo+":17")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	out, err := l.client.DescribeTaskDefinition(context.Background(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web")})
	if err != nil || out.TaskDefinition.Revision != 2 || aws.ToString(out.TaskDefinition.ContainerDefinitions[0].Image) != scriptRepo+":17" {
		t.Fatalf("latest revision: %+v %v", out.TaskDefinition, err)
	}
	if aws.ToString(l.service(t).TaskDefinition) != td {
		t.Errorf("-d changed the service")
	}
}

// Using profiles.
func TestScriptExampleProfile(t *testing.T) {
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: scriptRepo + ":1", desired: 1})
	dir := t.TempDir()
	config, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	mustWrite(t, config, "[profile my-profile]\nregion = us-east-1\n")
	mustWrite(t, creds, "[my-profile]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n")
	t.Setenv("AWS_CONFIG_FILE", config)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("CI_TIMESTAMP", "build-7")
	code, stdout, stderr := l.script(t, "-p", "my-profile", "-c", "c", "-n", "web", "-i", scriptRepo, "-t", "240", "-e", "CI_TIMESTAMP", "-v")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	if got := l.serviceImage(t); got != scriptRepo+":build-7" {
		t.Errorf("service runs %s", got)
	}
}

// Update just the tag on whatever image is found in the task.
func TestScriptExampleTagOnly(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/core:0.1.898", desired: 1})
	code, stdout, stderr := l.script(t, "-c", "c", "-n", "web", "-to", "0.1.899", "-i", "ignore")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	if got := l.serviceImage(t); got != "registry.example.com/core:0.1.899" {
		t.Errorf("service runs %s", got)
	}
}

// --run-task --wait-for-success registers a revision and runs it once.
func TestScriptRunTaskWaitForSuccess(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, &scenario.Scenario{Images: []scenario.Image{
		exitsWith(fastImage(scriptRepo+":migrate"), 0, 3*time.Second),
		exitsWith(fastImage(scriptRepo+":broken"), 7, 3*time.Second),
	}})
	l.createService(t, serviceSpec{image: scriptRepo + ":1", desired: 1})
	code, stdout, stderr := l.script(t, "-d", "web", "-c", "c", "-i", scriptRepo+":migrate", "--run-task", "--wait-for-success",
		"--launch-type", "FARGATE", "--network-configuration", "awsvpcConfiguration={subnets=[subnet-1],assignPublicIp=DISABLED}")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	tasks, err := l.client.ListTasks(context.Background(), &ecs.ListTasksInput{Cluster: aws.String("c"), StartedBy: aws.String("ecsdeploy"), DesiredStatus: types.DesiredStatusStopped})
	if err != nil || len(tasks.TaskArns) != 1 {
		t.Fatalf("stopped tasks started by the run: %+v %v", tasks, err)
	}
	// A task that fails: the script exits 1; ecsdeploy run exits with the
	// container's code.
	code, _, stderr = l.script(t, "-d", "web", "-c", "c", "-i", scriptRepo+":broken", "--run-task", "--wait-for-success",
		"--network-configuration", `{"awsvpcConfiguration":{"subnets":["subnet-1"]}}`)
	if code != 7 || !strings.Contains(stderr, "exited 7") {
		t.Fatalf("failing task: exit %d\n%s", code, stderr)
	}
}

// Missing required arguments get the script's message, in its order of
// checks, and exit 2 with nothing changed.
func TestScriptRequiredArguments(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	td := l.createService(t, serviceSpec{image: scriptRepo + ":1", desired: 1})
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-c", "c", "-i", scriptRepo}, "One of SERVICE or TASK DEFINITION is required."},
		{[]string{"-n", "web", "-i", scriptRepo}, "CLUSTER is required. You can pass the value using -c or --cluster"},
		{[]string{"-n", "web", "-c", "c"}, "IMAGE is required. You can pass the value using -i or --image"},
		{[]string{"-n", "web", "-c", "c", "-i", "bad_image"}, "Unable to parse image name: bad_image, check the format and try again"},
		{[]string{"-n", "web", "-c", "c", "-i", scriptRepo, "--bogus"}, `unknown argument "--bogus"`},
	} {
		code, _, stderr := l.script(t, tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
	if aws.ToString(l.service(t).TaskDefinition) != td {
		t.Errorf("a refused command changed the service")
	}
}

// --max-definitions prunes safely and says what it kept that the script
// would have deregistered.
func TestScriptMaxDefinitionsNote(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: scriptRepo + ":1", desired: 1})
	// Another service of the cluster runs web:2, which the script would
	// deregister with --max-definitions 1.
	other := l.register(t, "web", scriptRepo+":other", serviceSpec{})
	if _, err := l.client.CreateService(context.Background(), &ecs.CreateServiceInput{Cluster: aws.String("c"), ServiceName: aws.String("other"),
		TaskDefinition: aws.String(other), DesiredCount: aws.Int32(0), LaunchType: types.LaunchTypeFargate,
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}}}); err != nil {
		t.Fatal(err)
	}
	l.register(t, "web", scriptRepo+":unused", serviceSpec{}) // web:3, which nothing uses
	code, stdout, stderr := l.script(t, "-c", "c", "-n", "web", "-i", scriptRepo+":2", "--max-definitions", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	// web:2 runs in another service, web:1 is the rollback target; web:3 goes.
	if !strings.Contains(stderr, "note: --max-definitions 1: kept web:2, web:1, which ecs-deploy would have deregistered") {
		t.Errorf("no note of the kept revisions:\n%s", stderr)
	}
	if !strings.Contains(stderr, "deregistered old revision web:3") {
		t.Errorf("web:3 was not pruned:\n%s", stderr)
	}
}

func TestScriptArgsUnderTheScriptsName(t *testing.T) {
	t.Parallel()
	if got := ScriptArgs("/usr/local/bin/ecs-deploy", []string{"-c", "x"}); strings.Join(got, " ") != "ecs-deploy -c x" {
		t.Errorf("as ecs-deploy: %v", got)
	}
	if got := ScriptArgs("ecsdeploy", []string{"deploy"}); strings.Join(got, " ") != "deploy" {
		t.Errorf("as ecsdeploy: %v", got)
	}
}
