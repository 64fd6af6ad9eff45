package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// TestAWSCLIAgreesWithCodeDeployReport deploys a CODE_DEPLOY service with
// ecsdeploy against `local serve`, twice (a success, then a failing
// AfterAllowTraffic hook that the group rolls back), and asks the AWS CLI
// for each deployment: `aws deploy get-deployment` must agree with our JSON
// report on the deployment id, its status and the rollback.
func TestAWSCLIAgreesWithCodeDeployReport(t *testing.T) {
	t.Parallel()
	testenv.RequireTool(t, "aws")
	const speed = 100
	dir := t.TempDir()
	sc := filepath.Join(dir, "hooks.yaml")
	if err := os.WriteFile(sc, []byte("hooks:\n  - match: check-prod\n    result: Failed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := testenv.FreeLoopbackAddr(t)
	url := "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan int, 1)
	go func() {
		code, _, _ := runCLI(t, ctx, "local", "serve", "--addr", addr, "--state", filepath.Join(dir, "state.json"),
			"--scenario", sc, "--speed", "100", "--console=false")
		served <- code
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-served; code != 0 {
			t.Errorf("local serve exited %d", code)
		}
	})
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{EndpointURL: url, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	e := &codeDeployECS{localECS: &localECS{client: ecs.NewFromConfig(cfg)}, elb: elb.NewFromConfig(cfg), cd: cd.NewFromConfig(cfg)}
	for i := 0; ; i++ { // until local serve listens
		if _, err := e.client.ListClusters(context.Background(), &ecs.ListClustersInput{}); err == nil {
			break
		} else if i == 100 {
			t.Fatalf("local serve does not answer: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.setUp(t, func(d time.Duration) { time.Sleep(d / speed) })

	for _, c := range []struct {
		name     string
		args     []string
		code     int
		status   string
		rollback bool
	}{
		{"success", nil, 0, "Succeeded", false},
		{"failing hook, rolled back", []string{"--hook", "AfterAllowTraffic=check-prod"}, 1, "Failed", true},
	} {
		code, stdout, stderr := runCLI(t, context.Background(), append([]string{"deploy", "--endpoint-url", url, "-c", "c", "-n", "web",
			"-i", "app=web:2", "-t", "10m", "--output", "json"}, c.args...)...)
		if code != c.code {
			t.Fatalf("%s: exit %d, want %d\n%s\n%s", c.name, code, c.code, stdout, stderr)
		}
		var ours struct {
			DeploymentID         string `json:"deploymentId"`
			Outcome              string `json:"outcome"`
			RollbackDeploymentID string `json:"rollbackDeploymentId"`
		}
		if err := json.Unmarshal([]byte(stdout), &ours); err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, stdout)
		}
		var theirs struct {
			DeploymentInfo struct {
				DeploymentID string `json:"deploymentId"`
				Status       string `json:"status"`
				RollbackInfo *struct {
					RollbackDeploymentID string `json:"rollbackDeploymentId"`
				} `json:"rollbackInfo"`
			} `json:"deploymentInfo"`
		}
		out := testenv.RunAWSCLI(t, url, "deploy", "get-deployment", "--deployment-id", ours.DeploymentID)
		if err := json.Unmarshal([]byte(out), &theirs); err != nil {
			t.Fatalf("%s: aws deploy get-deployment: %v\n%s", c.name, err, out)
		}
		info := theirs.DeploymentInfo
		if info.DeploymentID != ours.DeploymentID || info.Status != c.status {
			t.Errorf("%s: the AWS CLI says %s is %s; we reported %s %s (want %s)", c.name, info.DeploymentID, info.Status, ours.DeploymentID, ours.Outcome, c.status)
		}
		if want := map[string]string{"Succeeded": "succeeded", "Failed": "failed"}[info.Status]; ours.Outcome != want {
			t.Errorf("%s: we reported %s for a deployment CodeDeploy says is %s", c.name, ours.Outcome, info.Status)
		}
		theirRollback := ""
		if info.RollbackInfo != nil {
			theirRollback = info.RollbackInfo.RollbackDeploymentID
		}
		if theirRollback != ours.RollbackDeploymentID || (theirRollback != "") != c.rollback {
			t.Errorf("%s: rollback deployment: AWS CLI %q, our report %q", c.name, theirRollback, ours.RollbackDeploymentID)
		}
	}
}
