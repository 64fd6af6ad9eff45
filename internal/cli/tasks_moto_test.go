package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/inspect"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// TestRunAndStatusAgainstMoto checks run's and status's calls against moto's
// ECS for API conformance. Moto needs a container instance for RunTask on
// EC2 (made from an EC2 instance through the AWS CLI), crashes on awsvpc
// tasks and on containers without container-level memory, and moves a task
// one status further on each DescribeTasks until STOPPED with exit code 0.
func TestRunAndStatusAgainstMoto(t *testing.T) {
	t.Parallel()
	moto := sharedMoto.Server(t)
	ctx := context.Background()
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{EndpointURL: moto.Endpoint, MaxAttempts: 1, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	client := ecs.NewFromConfig(cfg)
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("run-c")}); err != nil {
		t.Fatal(err)
	}
	ami := strings.Trim(strings.TrimSpace(testenv.RunAWSCLI(t, moto.Endpoint, "ec2", "describe-images", "--query", "Images[0].ImageId")), `"`)
	var run struct{ Instances []struct{ InstanceId string } }
	if err := json.Unmarshal([]byte(testenv.RunAWSCLI(t, moto.Endpoint, "ec2", "run-instances", "--image-id", ami, "--count", "1")), &run); err != nil || len(run.Instances) != 1 {
		t.Fatalf("start an EC2 instance in moto: %v", err)
	}
	doc, _ := json.Marshal(map[string]string{"instanceId": run.Instances[0].InstanceId, "region": "us-east-1", "availabilityZone": "us-east-1a"})
	if _, err := client.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("run-c"), InstanceIdentityDocument: aws.String(string(doc))}); err != nil {
		t.Fatal(err)
	}
	reg, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("migrate"), NetworkMode: types.NetworkModeBridge,
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("migrate"), Image: aws.String("registry.example.com/migrate:1"),
			Memory: aws.Int32(128), Essential: aws.Bool(true)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String("run-c"), ServiceName: aws.String("web"), DesiredCount: aws.Int32(2),
		TaskDefinition: reg.TaskDefinition.TaskDefinitionArn, LaunchType: types.LaunchTypeEc2,
	}); err != nil {
		t.Fatal(err)
	}

	proxy := motoContainerShapes(t, moto.Endpoint)
	execMoto := func(args ...string) (int, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		g := runOpts{AWS: awsconfig.Options{MaxAttempts: 1, Handler: proxy}}.deps(&out, &errOut)
		code := execute(ctx, g, append([]string{"-r", "us-east-1"}, args...))
		t.Logf("ecsdeploy %s → exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out.String(), errOut.String())
		return code, out.String()
	}

	code, stdout := execMoto("run", "-c", "run-c", "--service", "web", "--env", "migrate:STEP=all", "--command", "migrate=bin/migrate up",
		"--poll-interval", "10ms", "--output", "json")
	var rep runReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 0 {
		t.Fatalf("run: exit %d, %v", code, err)
	}
	if rep.Outcome != "succeeded" || len(rep.TaskARNs) != 1 || rep.RegisteredRevision || rep.APICalls["ECS.RunTask"] != 1 {
		t.Fatalf("run report: %+v", rep)
	}
	proxied, err := awsconfig.Load(ctx, awsconfig.Options{Handler: proxy, MaxAttempts: 1, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := ecs.NewFromConfig(proxied).DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("run-c"), Tasks: rep.TaskARNs})
	if err != nil || len(tasks.Tasks) != 1 {
		t.Fatalf("describe the task: %v", err)
	}
	task := tasks.Tasks[0]
	if aws.ToString(task.StartedBy) != "ecsdeploy" || aws.ToString(task.TaskDefinitionArn) != aws.ToString(reg.TaskDefinition.TaskDefinitionArn) {
		t.Fatalf("task as moto stored it: startedBy %q, task definition %q", aws.ToString(task.StartedBy), aws.ToString(task.TaskDefinitionArn))
	}
	if ov := task.Overrides; ov == nil || len(ov.ContainerOverrides) != 1 || strings.Join(ov.ContainerOverrides[0].Command, " ") != "bin/migrate up" ||
		aws.ToString(ov.ContainerOverrides[0].Environment[0].Name) != "STEP" {
		t.Fatalf("overrides as moto stored them: %+v", task.Overrides)
	}

	// An image change registers a revision for the run (moto accepts the copy).
	code, stdout = execMoto("run", "-c", "run-c", "--task-definition", "migrate:1", "-i", "migrate=registry.example.com/migrate:2",
		"--poll-interval", "10ms", "--output", "json")
	rep = runReport{}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 0 || !rep.RegisteredRevision || !strings.HasSuffix(rep.TaskDefinition, "migrate:2") {
		t.Fatalf("run with an image: exit %d, %v, %+v", code, err, rep)
	}

	code, stdout = execMoto("status", "-c", "run-c", "-n", "web", "--output", "json")
	var st inspect.ServiceStatus
	if err := json.Unmarshal([]byte(stdout), &st); err != nil || code != 0 {
		t.Fatalf("status: exit %d, %v", code, err)
	}
	if st.Service != "web" || st.Desired != 2 || st.TaskDefinition != aws.ToString(reg.TaskDefinition.TaskDefinitionArn) || st.Status != "ACTIVE" {
		t.Fatalf("status report: %+v", st)
	}
	if code, _ := execMoto("status", "-c", "run-c", "-n", "nosuch"); code != 2 {
		t.Fatalf("status of a missing service: exit %d", code)
	}
}

// motoContainerShapes forwards requests to moto and fixes the one shape of
// its answers the Go SDK cannot read: moto 5.2.1 writes a task's container
// cpu and memory as numbers, where the ECS API has strings. Everything else
// passes through untouched.
func motoContainerShapes(t *testing.T, endpoint string) http.Handler {
	t.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		var doc map[string]any
		if json.Unmarshal(body, &doc) == nil {
			if tasks, ok := doc["tasks"].([]any); ok {
				for _, task := range tasks {
					containers, _ := task.(map[string]any)["containers"].([]any)
					for _, c := range containers {
						for _, k := range []string{"cpu", "memory", "memoryReservation"} {
							if n, ok := c.(map[string]any)[k].(float64); ok {
								c.(map[string]any)[k] = strconv.FormatFloat(n, 'f', -1, 64)
							}
						}
					}
				}
				body, _ = json.Marshal(doc)
			}
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	return proxy
}
