package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestIAMPolicyCommand(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := execute(context.Background(), runOpts{}.deps(&out, &errOut), []string{"iam-policy", "rollback", "stack-deploy", "--assume-role"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var doc struct {
		Version   string
		Statement []struct {
			Action    []string
			Condition map[string]any
		}
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	all := map[string]bool{}
	for _, s := range doc.Statement {
		for _, a := range s.Action {
			all[a] = true
		}
	}
	for _, want := range []string{"ecs:UpdateService", "cloudformation:CreateStack", "sts:AssumeRole", "iam:PassRole"} {
		if !all[want] {
			t.Errorf("policy lacks %s:\n%s", want, out.String())
		}
	}
	if all["ecs:RunTask"] {
		t.Errorf("rollback and stack deploy do not run tasks, yet the policy allows ecs:RunTask")
	}
	out.Reset()
	errOut.Reset()
	code = execute(context.Background(), runOpts{}.deps(&out, &errOut), []string{"iam-policy", "deplyo"})
	if code != 2 || !strings.Contains(errOut.String(), `unknown command "deplyo"`) {
		t.Fatalf("unknown command: exit %d, %s", code, errOut.String())
	}
}
