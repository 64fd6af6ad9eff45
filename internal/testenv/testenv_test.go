package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOraclesAnswer starts moto_server and drives it with the AWS CLI, so a
// broken oracle installation shows up here rather than as a puzzling failure
// elsewhere.
func TestOraclesAnswer(t *testing.T) {
	moto := StartMoto(t)
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
