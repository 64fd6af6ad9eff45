package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"go.yaml.in/yaml/v3"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// actionFile is the composite action at the repository's root.
type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID    string            `yaml:"id"`
			Shell string            `yaml:"shell"`
			Env   map[string]string `yaml:"env"`
			Run   string            `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

var expression = regexp.MustCompile(`\$\{\{\s*(.+?)\s*\}\}`)

// runAction runs the action's shell steps as a runner would: each step's
// env with its expressions evaluated, its own $GITHUB_OUTPUT file, bash
// with -eo pipefail. It returns the outputs of every step by step id and
// the last exit code.
func runAction(t *testing.T, runnerTemp string, inputs map[string]string, env []string) (map[string]map[string]string, int) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q", a.Runs.Using)
	}
	for name := range inputs {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("the action has no input %q", name)
		}
	}
	outputs := map[string]map[string]string{}
	eval := func(expr string) string {
		switch {
		case strings.HasPrefix(expr, "inputs."):
			name := strings.TrimPrefix(expr, "inputs.")
			in, ok := a.Inputs[name]
			if !ok {
				t.Fatalf("expression %q names no input", expr)
			}
			if v, given := inputs[name]; given {
				return v
			}
			return in.Default
		case expr == "github.action_path":
			return root
		case strings.HasPrefix(expr, "steps."):
			parts := strings.Split(expr, ".") // steps.ID.outputs.NAME
			return outputs[parts[1]][parts[3]]
		}
		t.Fatalf("unknown expression %q", expr)
		return ""
	}
	temp := t.TempDir()
	code := 0
	for i, step := range a.Runs.Steps {
		if step.Shell != "bash" {
			t.Fatalf("step %d runs %q, not bash", i, step.Shell)
		}
		if strings.Contains(step.Run, "${{") {
			// Inputs reach the scripts through env only, never spliced into code.
			t.Fatalf("step %s has an expression in its script", step.ID)
		}
		script := filepath.Join(temp, step.ID+".sh")
		if err := os.WriteFile(script, []byte(step.Run), 0o700); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(temp, step.ID+".out")
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Env = append(append(os.Environ(), env...), "GITHUB_OUTPUT="+out, "RUNNER_TEMP="+runnerTemp)
		for k, v := range step.Env {
			cmd.Env = append(cmd.Env, k+"="+expression.ReplaceAllStringFunc(v, func(m string) string {
				return eval(expression.FindStringSubmatch(m)[1])
			}))
		}
		combined, err := cmd.CombinedOutput()
		t.Logf("step %s:\n%s", step.ID, combined)
		code = cmd.ProcessState.ExitCode()
		outputs[step.ID] = readOutputs(t, out)
		if err != nil {
			break
		}
	}
	// The action's outputs are those of its steps.
	outputs["action"] = map[string]string{}
	for name, o := range a.Outputs {
		outputs["action"][name] = expression.ReplaceAllStringFunc(o.Value, func(m string) string {
			return eval(expression.FindStringSubmatch(m)[1])
		})
	}
	return outputs, code
}

func readOutputs(t *testing.T, file string) map[string]string {
	t.Helper()
	out := map[string]string{}
	data, err := os.ReadFile(file)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out
}

// localStateWithService saves a local ECS state holding service web (one
// Fargate task of web:1) in cluster default.
func localStateWithService(t *testing.T) string {
	t.Helper()
	em := emulator.New(emulator.Options{Speed: 1000, DefaultCluster: true})
	defer func() { _ = em.Close() }()
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	c := ecs.NewFromConfig(cfg)
	ctx := context.Background()
	td, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
		NetworkMode: types.NetworkModeAwsvpc, RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("registry.example.com/web:1"), Essential: aws.Bool(true)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("default"), ServiceName: aws.String("web"),
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(1), LaunchType: types.LaunchTypeFargate,
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		out, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("default"), Services: []string{"web"}})
		if err == nil && len(out.Services[0].Deployments) == 1 && out.Services[0].Deployments[0].RolloutState == types.DeploymentRolloutStateCompleted {
			break
		}
		if i > 500 {
			t.Fatalf("the service did not become stable: %+v %v", out, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	state := filepath.Join(t.TempDir(), "state.json")
	if err := em.SaveState(state); err != nil {
		t.Fatal(err)
	}
	return state
}

// The action builds ecsdeploy, deploys, and hands the CI variables and the
// deployment id out as outputs; in ecs-deploy-compatible mode it takes the
// script's action inputs.
func TestActionDeploysAndSetsOutputs(t *testing.T) {
	t.Parallel()
	env := []string{"ECSDEPLOY_LOCAL_STATE=" + localStateWithService(t)}
	runner := t.TempDir() // one job: the second use of the action finds ecsdeploy installed

	outputs, code := runAction(t, runner, map[string]string{
		"cluster": "default", "service": "web", "image": "web=registry.example.com/web:2\n",
		"timeout": "5m", "args": `--local --poll-interval "200ms"`,
	}, env)
	if code != 0 {
		t.Fatalf("native mode: exit %d", code)
	}
	got := outputs["action"]
	for k, want := range map[string]string{"TaskDefinitionRevision": "2", "TaskDefinitionFamily": "web", "ClusterName": "default",
		"ServiceName": "web", "Region": "us-east-1", "status": "0"} {
		if got[k] != want {
			t.Errorf("output %s = %q, want %q (all: %v)", k, got[k], want, got)
		}
	}
	if !strings.HasPrefix(got["DeploymentId"], "ecs-svc/") {
		t.Errorf("DeploymentId = %q", got["DeploymentId"])
	}
	first := got["DeploymentId"]

	// The script's own action inputs, as a workflow written for it gives them.
	outputs, code = runAction(t, runner, map[string]string{
		"ecs-deploy-compatible": "true",
		"cluster_cmd":           "--cluster", "cluster": "default",
		"service_name_cmd": "--service-name", "service_name": "web",
		"image_cmd": "--image", "image": "registry.example.com/web:3",
		"enable_rollback_cmd": "--enable-rollback", "enable_rollback": "true",
		"timeout": "300", "args": "--local --poll-interval 200ms",
	}, env)
	got = outputs["action"]
	if code != 0 || got["TaskDefinitionRevision"] != "3" || got["status"] != "0" || got["DeploymentId"] == first || got["DeploymentId"] == "" {
		t.Fatalf("compatible mode: exit %d, outputs %v", code, got)
	}

	// A failure is the step's exit status, and status says so.
	outputs, code = runAction(t, runner, map[string]string{
		"ecs-deploy-compatible": "true", "cluster_cmd": "--cluster", "cluster": "default", "args": "--local",
	}, env)
	if code != 2 || outputs["action"]["status"] != "2" {
		t.Fatalf("missing service: exit %d, outputs %v", code, outputs["action"])
	}
}

// Under the name ecs-deploy the binary reads the script's command line.
func TestInvokedAsEcsDeploy(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	link := filepath.Join(t.TempDir(), "ecs-deploy")
	if err := os.Symlink(bin, link); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	out, err := exec.Command(link, "-c", "c", "-i", "repo/app").CombinedOutput()
	ee := (*exec.ExitError)(nil)
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "One of SERVICE or TASK DEFINITION is required") {
		t.Fatalf("ecs-deploy without -n: %v\n%s", err, out)
	}
}
