package testenv

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOraclesAnswer starts moto_server and drives it with the AWS CLI, so a
// broken oracle installation shows up here rather than as a puzzling failure
// elsewhere. The server is a SharedMoto's: started once, stopped by Stop.
func TestOraclesAnswer(t *testing.T) {
	var shared SharedMoto
	t.Cleanup(shared.Stop)
	moto := shared.Server(t)
	if again := shared.Server(t); again != moto {
		t.Fatalf("a second Server started another moto_server: %s, then %s", moto.Endpoint, again.Endpoint)
	}
	RunAWSCLI(t, moto.Endpoint, "ecs", "create-cluster", "--cluster-name", "oracle-check")
	out := RunAWSCLI(t, moto.Endpoint, "ecs", "list-clusters")
	if !strings.Contains(out, "cluster/oracle-check") {
		t.Fatalf("list-clusters did not show the new cluster:\n%s", out)
	}
	moto.Reset(t)
	out = RunAWSCLI(t, moto.Endpoint, "ecs", "list-clusters")
	if strings.Contains(out, "oracle-check") {
		t.Fatalf("reset did not wipe moto's state:\n%s", out)
	}
	shared.Stop()
	if resp, err := http.Get(moto.Endpoint + "/moto-api/"); err == nil {
		_ = resp.Body.Close()
		t.Fatalf("moto_server still answers on %s after Stop", moto.Endpoint)
	}
}

func TestCfnLintAcceptsAMinimalTemplate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.yaml")
	tpl := "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Cluster:\n    Type: AWS::ECS::Cluster\n"
	if err := os.WriteFile(path, []byte(tpl), 0o600); err != nil {
		t.Fatal(err)
	}
	CfnLint(t, path)
}

// TestShimResolvesToTheProgram checks that a program found through a
// version manager's shim runs directly, and that anything else is kept.
func TestShimResolvesToTheProgram(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"shims", "bin", "versions"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	prog := filepath.Join(root, "versions", "tool")
	shim := filepath.Join(root, "shims", "tool")
	for _, p := range []string{prog, shim} {
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	manager := "#!/bin/sh\n[ \"$1 $2\" = \"which tool\" ] && echo " + prog + "\n"
	if err := os.WriteFile(filepath.Join(root, "bin", "pyenv"), []byte(manager), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := direct("tool", shim); got != prog {
		t.Fatalf("direct(shim) = %q, want %q", got, prog)
	}
	if got := direct("tool", prog); got != prog {
		t.Fatalf("direct(program) = %q, want it unchanged", got)
	}
	other := filepath.Join(root, "shims", "other") // the manager does not know it
	if got := direct("other", other); got != other {
		t.Fatalf("direct(unknown shim) = %q, want it unchanged", got)
	}
}

// TestBatchedAWSCLIAnswersAsTheProgram runs the same command lines through
// the batched AWS CLI and through the aws program against one endpoint, and
// requires the same output, exit status and error.
func TestBatchedAWSCLIAnswersAsTheProgram(t *testing.T) {
	bin := RequireTool(t, "aws")
	if pythonOf(bin) == nil {
		t.Skipf("%s is not a Python script: it always runs as a program", bin)
	}
	SetFakeAWSEnv(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch target := r.Header.Get("X-Amz-Target"); {
		case strings.HasSuffix(target, ".ListClusters"):
			_, _ = w.Write([]byte(`{"clusterArns":["arn:aws:ecs:us-east-1:000000000000:cluster/one"]}`))
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"ClusterNotFoundException","message":"Cluster not found."}`))
		}
	}))
	t.Cleanup(srv.Close)
	env := append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDTESTTESTTEST", "AWS_SECRET_ACCESS_KEY=testsecret", "AWS_PAGER=")
	base := []string{"--endpoint-url", srv.URL, "--region", "us-east-1", "--output", "json", "ecs"}
	for _, args := range [][]string{
		{"list-clusters", "--query", "clusterArns[0]", "--output", "text"},
		{"describe-services", "--cluster", "nope", "--services", "web"}, // an error reply
		{"describe-services", "--no-such-flag"},                         // a usage error
	} {
		full := append(append([]string{}, base...), args...)
		batched, batchedErr := runAWSCLI(bin, full, env)
		program, programErr := runAWSCLIProgram(bin, full, env)
		if batched != program {
			t.Errorf("aws ecs %s: batched output %q, the program's %q", strings.Join(args, " "), batched, program)
		}
		if (batchedErr == nil) != (programErr == nil) || batchedErr != nil && batchedErr.Error() != programErr.Error() {
			t.Errorf("aws ecs %s: batched error %v, the program's %v", strings.Join(args, " "), batchedErr, programErr)
		}
	}
	if awsBatches.broken[bin] {
		t.Fatalf("the batched AWS CLI did not start: every command ran as a program")
	}
}
