package cli

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

func runCLI(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	return runCLIWith(t, ctx, runOpts{}, args...)
}

// runCLIWith is runCLI with the settings in o (a state of the test's own).
func runCLIWith(t *testing.T, ctx context.Context, o runOpts, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := execute(ctx, o.deps(&out, &errOut), args)
	return code, out.String(), errOut.String()
}

// TestLocalStateIsSharedBetweenCommands also checks that the environment
// chooses the state (the other tests give theirs through runOpts.State).
func TestLocalStateIsSharedBetweenCommands(t *testing.T) {
	testenv.SetFakeAWSEnv(t)
	dir := t.TempDir()
	t.Setenv(LocalStateEnv, dir)
	ctx := context.Background()
	local := stateFileECS{global: &GlobalOptions{LocalState: dir}}

	code, out, _ := runCLI(t, ctx, "local", "path")
	if code != 0 || strings.TrimSpace(out) != filepath.Join(dir, "state.json") {
		t.Fatalf("local path: %d %q", code, out)
	}
	// First use: the default cluster exists with capacity in three zones.
	h, closeFn, err := local.Open(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	client := localClient(t, h)
	desc, err := client.DescribeClusters(ctx, &ecs.DescribeClustersInput{})
	if err != nil || len(desc.Clusters) != 1 || desc.Clusters[0].RegisteredContainerInstancesCount != 6 {
		t.Fatalf("default cluster: %v %+v", err, desc)
	}
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}
	// The next command sees it.
	h, closeFn, err = local.Open(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	list, err := localClient(t, h).ListClusters(ctx, &ecs.ListClustersInput{})
	if cerr := closeFn(); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil || len(list.ClusterArns) != 2 {
		t.Fatalf("after reopening: %v %v", err, list)
	}
	code, out, _ = runCLI(t, ctx, "local", "reset")
	if code != 0 || !strings.Contains(out, "Removed") {
		t.Fatalf("reset: %d %q", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "state.json")); !os.IsNotExist(err) {
		t.Fatalf("state file still there: %v", err)
	}
}

func TestLocalDamagedStateIsAnErrorAndKept(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(file, []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := (stateFileECS{global: &GlobalOptions{LocalState: file}}).Open(context.Background(), false); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("open: %v", err)
	}
	if data, _ := os.ReadFile(file); string(data) != "{broken" {
		t.Fatalf("damaged state file was replaced")
	}
}

func localClient(t *testing.T, h http.Handler) *ecs.Client {
	t.Helper()
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: h, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return ecs.NewFromConfig(cfg)
}

func TestLocalServeAnswersAndSavesOnInterrupt(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "serve.json")
	addr := testenv.FreeLoopbackAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		code     int
		out, err string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errOut := runCLI(t, ctx, "local", "serve", "--addr", addr, "--state", file, "--speed", "50")
		done <- result{code, out, errOut}
	}()
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{EndpointURL: "http://" + addr, Region: "eu-west-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	client := ecs.NewFromConfig(cfg)
	var list *ecs.ListClustersOutput
	for i := 0; i < 100; i++ {
		if list, err = client.ListClusters(context.Background(), &ecs.ListClustersInput{}); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil || len(list.ClusterArns) != 1 || !strings.Contains(list.ClusterArns[0], ":eu-west-1:") {
		t.Fatalf("list clusters: %v %v", err, list)
	}
	if _, err := cloudformation.NewFromConfig(cfg).DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{}); err != nil {
		t.Fatalf("local serve answers CloudFormation too: %v", err)
	}
	cancel()
	r := <-done
	if r.code != 0 || !strings.Contains(r.out, "export AWS_ENDPOINT_URL=http://"+addr) ||
		!strings.Contains(r.out, "export AWS_ACCESS_KEY_ID=") || !strings.Contains(r.out, "state saved") {
		t.Fatalf("serve exited %d:\n%s\n%s", r.code, r.out, r.err)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("state not saved: %v", err)
	}
}

func TestLocalServeOnABusyAddressSaysHowToChooseAnother(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = busy.Close() })
	code, _, errOut := runCLI(t, context.Background(), "local", "serve", "--addr", busy.Addr().String(),
		"--state", filepath.Join(t.TempDir(), "state.json"))
	if code != 2 || !strings.Contains(errOut, busy.Addr().String()) || !strings.Contains(errOut, "--addr") {
		t.Fatalf("serve on a busy address: exit %d, %q", code, errOut)
	}
}
