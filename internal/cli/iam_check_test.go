package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The IAM check names the entry to change for each way the table and the
// recorded calls can disagree.
func TestCheckIAMPolicy(t *testing.T) {
	t.Parallel()
	rec := func(calls ...string) map[string]bool {
		m := map[string]bool{}
		for _, c := range calls {
			m[c] = true
		}
		return m
	}
	table := map[string][]string{
		"abort":   {"ecs:StopServiceDeployment", "codedeploy:StopDeployment", "ecs:DescribeServices"},
		"approve": {"ecs:ContinueServiceDeployment"},
	}
	aliases := map[string][]string{"bg": {"abort", "approve"}}
	for _, tt := range []struct {
		name     string
		recorded map[string]map[string]bool
		want     []string // one problem containing each; none when empty
	}{
		{"agrees", map[string]map[string]bool{
			"abort":   rec("ECS.StopServiceDeployment", "CodeDeploy.StopDeployment", "ECS.DescribeServices"),
			"approve": rec("ECS.ContinueServiceDeployment"),
			"bg":      rec("ECS.StopServiceDeployment", "ECS.ContinueServiceDeployment"), // an alias: its commands' union
		}, nil},
		{"a command without an entry", map[string]map[string]bool{
			"promote": rec("ECS.ContinueServiceDeployment", "CodeDeploy.ContinueDeployment"),
		}, []string{`command "promote" calls AWS but iampolicy.Commands has no entry for it: add "promote": {"codedeploy:ContinueDeployment", "ecs:ContinueServiceDeployment"}`}},
		{"a call the entry lacks", map[string]map[string]bool{
			"abort":   rec("ECS.StopServiceDeployment", "CodeDeploy.StopDeployment", "ECS.DescribeServices", "Elastic Load Balancing v2.DescribeTargetHealth"),
			"approve": rec("ECS.ContinueServiceDeployment"),
		}, []string{`command "abort" calls elasticloadbalancing:DescribeTargetHealth, which iampolicy.Commands["abort"] does not list: add "elasticloadbalancing:DescribeTargetHealth" to that entry`}},
		{"an entry listing what no test called", map[string]map[string]bool{
			"abort":   rec("ECS.StopServiceDeployment", "ECS.DescribeServices"),
			"approve": rec("ECS.ContinueServiceDeployment"),
		}, []string{`iampolicy.Commands["abort"] lists codedeploy:StopDeployment, which no test of "abort" called`}},
		{"an alias's calls are not its commands' own", map[string]map[string]bool{
			"bg":      rec("ECS.StopServiceDeployment", "CodeDeploy.StopDeployment", "ECS.DescribeServices"),
			"approve": rec("ECS.ContinueServiceDeployment"),
		}, nil},
		{"a service without an IAM prefix", map[string]map[string]bool{
			"approve": rec("ECS.ContinueServiceDeployment", "Lambda.Invoke"),
		}, []string{`no IAM prefix known for service "Lambda"`}},
	} {
		problems, _ := checkIAMPolicy(tt.recorded, table, aliases)
		if len(problems) != len(tt.want) {
			t.Errorf("%s: problems %q, want %d", tt.name, problems, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			if !strings.Contains(problems[i], w) || !strings.Contains(problems[i], "docs/iam.md") && !strings.Contains(problems[i], "serviceIDs") {
				t.Errorf("%s: problem %q, want it to contain %q and say where to change", tt.name, problems[i], w)
			}
		}
	}
}

// Command tests run command lines through execute, which records their API
// calls for the IAM check; one calling Execute itself would hide them.
func TestCommandTestsGoThroughExecute(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*_test.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	direct := regexp.MustCompile(`(^|[^.\w])Execute\(`)
	for _, f := range files {
		if f == "iam_calls_test.go" {
			continue // execute itself
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if direct.MatchString(line) && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				t.Errorf("%s:%d calls Execute: use execute(ctx, deps, args) so the IAM check sees the command's API calls", f, i+1)
			}
		}
	}
}
