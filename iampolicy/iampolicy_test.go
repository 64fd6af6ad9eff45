package iampolicy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestActionsAndDocument(t *testing.T) {
	got, err := Actions("scale", "diff")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ecs:DescribeServices", "ecs:DescribeTaskDefinition", "ecs:DescribeTasks", "ecs:ListTasks", "ecs:UpdateService"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Actions = %v", got)
	}
	if _, err := Actions("deploy", "dpeloy"); err == nil || !strings.Contains(err.Error(), `unknown command "dpeloy"`) || !strings.Contains(err.Error(), "stack deploy") {
		t.Fatalf("unknown command: %v", err)
	}
	es, _ := Actions("ecs-deploy")
	union, _ := Actions("deploy", "register", "run")
	if !reflect.DeepEqual(es, union) {
		t.Errorf("ecs-deploy = %v, want deploy+register+run", es)
	}
	deploy, _ := Actions("deploy")
	var doc Policy
	if err := json.Unmarshal([]byte(Document(deploy, true).JSON()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2012-10-17" || len(doc.Statement) != 3 {
		t.Fatalf("document: %+v", doc)
	}
	for _, s := range doc.Statement {
		for _, a := range s.Action {
			if a == "iam:PassRole" && s.Condition == nil {
				t.Errorf("iam:PassRole without its condition")
			}
		}
	}
	if doc.Statement[2].Action[0] != "sts:AssumeRole" {
		t.Errorf("no sts:AssumeRole with --assume-role: %+v", doc.Statement[2])
	}
}

func TestActionOf(t *testing.T) {
	for call, want := range map[string]string{"ECS.UpdateService": "ecs:UpdateService", "CloudWatch Logs.GetLogEvents": "logs:GetLogEvents",
		"CloudFormation.CreateChangeSet": "cloudformation:CreateChangeSet"} {
		if got, err := ActionOf(call); err != nil || got != want {
			t.Errorf("ActionOf(%q) = %q, %v", call, got, err)
		}
	}
	if _, err := ActionOf("Nope.X"); err == nil {
		t.Error("unknown service accepted")
	}
}

// The docs list the actions per command exactly as the table has them.
func TestDocsListTheTable(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "docs", "iam.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), Markdown()) {
		t.Fatalf("docs/iam.md does not hold the current table; replace it with:\n%s", Markdown())
	}
}
