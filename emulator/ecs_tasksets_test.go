package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/internal/awsmodel"
)

const taskSetTD = `{"family":"web","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
  "containerDefinitions":[{"name":"app","image":"app:%d","portMappings":[{"containerPort":8080}]}]}`

const taskSetNet = `{"awsvpcConfiguration":{"subnets":["subnet-a","subnet-b"]}}`

func mustInvokeTS(t *testing.T, em *Emulator, op, body string) map[string]any {
	t.Helper()
	out, apiErr := invokeErr(t, em, op, body)
	if apiErr != nil {
		t.Fatalf("%s: %v", op, apiErr)
	}
	return out
}

func asController(t *testing.T, em *Emulator, op, body string) map[string]any {
	t.Helper()
	out, err := em.InvokeECSAsController(context.Background(), "us-east-1", controllerCodeDeploy, op, []byte(body))
	if err != nil {
		t.Fatalf("%s as CODE_DEPLOY: %v", op, err)
	}
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func wantTSError(t *testing.T, em *Emulator, op, body, code, msg string) {
	t.Helper()
	_, apiErr := invokeErr(t, em, op, body)
	if apiErr == nil {
		t.Fatalf("%s %s: no error, want %s %q", op, body, code, msg)
	}
	if apiErr.Code != code || !strings.Contains(apiErr.Message, msg) || apiErr.HTTPStatus != 400 {
		t.Fatalf("%s: got %d %s %q, want 400 %s containing %q", op, apiErr.HTTPStatus, apiErr.Code, apiErr.Message, code, msg)
	}
}

func describeTaskSetService(t *testing.T, em *Emulator, name string) map[string]any {
	t.Helper()
	out := mustInvokeTS(t, em, "DescribeServices", fmt.Sprintf(`{"cluster":"c","services":[%q]}`, name))
	return out["services"].([]any)[0].(map[string]any)
}

func newCodeDeployService(t *testing.T, em *Emulator) {
	t.Helper()
	mustInvokeTS(t, em, "CreateCluster", `{"clusterName":"c"}`)
	mustInvokeTS(t, em, "RegisterTaskDefinition", fmt.Sprintf(taskSetTD, 1))
	mustInvokeTS(t, em, "RegisterTaskDefinition", fmt.Sprintf(taskSetTD, 2))
	mustInvokeTS(t, em, "CreateService", `{"cluster":"c","serviceName":"web","taskDefinition":"web:1","desiredCount":3,"launchType":"FARGATE",
	  "deploymentController":{"type":"CODE_DEPLOY"},"networkConfiguration":`+taskSetNet+`,
	  "loadBalancers":[{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/blue/1","containerName":"app","containerPort":8080}]}`)
}

func TestCodeDeployServiceRunsAPrimaryTaskSet(t *testing.T) {
	em, _ := newTestEmulator(t)
	newCodeDeployService(t, em)
	em.Advance(2 * time.Minute)
	s := describeTaskSetService(t, em, "web")
	if d := s["deployments"].([]any); len(d) != 0 {
		t.Fatalf("a CODE_DEPLOY service has no deployments, got %v", d)
	}
	sets := s["taskSets"].([]any)
	if len(sets) != 1 {
		t.Fatalf("taskSets = %v", sets)
	}
	ts := sets[0].(map[string]any)
	if ts["status"] != "PRIMARY" || ts["startedBy"] != "CODE_DEPLOY" || ts["computedDesiredCount"] != 3.0 ||
		ts["runningCount"] != 3.0 || ts["stabilityStatus"] != "STEADY_STATE" || !strings.HasPrefix(ts["id"].(string), "ecs-svc/") {
		t.Fatalf("task set = %v", ts)
	}
	if s["runningCount"] != 3.0 || !strings.HasSuffix(s["taskDefinition"].(string), "web:1") {
		t.Fatalf("service = %v", s)
	}
	tasks := mustInvokeTS(t, em, "ListTasks", `{"cluster":"c","serviceName":"web"}`)["taskArns"].([]any)
	if len(tasks) != 3 {
		t.Fatalf("tasks = %v", tasks)
	}

	// UpdateService may not change what a CodeDeploy deployment changes.
	refusals := map[string]string{
		`"taskDefinition":"web:2"`:  "Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.",
		`"forceNewDeployment":true`: "Cannot force a new deployment on services with a CODE_DEPLOY deployment controller.",
		`"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-z"]}}`: "Unable to update network parameters",
		`"loadBalancers":[]`:        "Unable to update load balancers",
		`"platformVersion":"1.3.0"`: "Unable to update platform version",
	}
	for member, msg := range refusals {
		wantTSError(t, em, "UpdateService", `{"cluster":"c","service":"web",`+member+`}`, "InvalidParameterException", msg)
	}
	// The same task definition and desiredCount are fine; the task set follows.
	mustInvokeTS(t, em, "UpdateService", `{"cluster":"c","service":"web","taskDefinition":"web:1","desiredCount":5}`)
	em.Advance(2 * time.Minute)
	ts = describeTaskSetService(t, em, "web")["taskSets"].([]any)[0].(map[string]any)
	if ts["computedDesiredCount"] != 5.0 || ts["runningCount"] != 5.0 {
		t.Fatalf("after desiredCount 5: %v", ts)
	}

	// Only the controller itself manages a CODE_DEPLOY service's task sets.
	create := `{"cluster":"c","service":"web","taskDefinition":"web:2","externalId":"d-ABC","scale":{"value":40,"unit":"PERCENT"},
	  "networkConfiguration":` + taskSetNet + `,"launchType":"FARGATE",
	  "loadBalancers":[{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/green/2","containerName":"app","containerPort":8080}]}`
	wantTSError(t, em, "CreateTaskSet", create, "InvalidParameterException", "Amazon ECS only supports task set management on services configured to use external deployment controllers.")
	green := asController(t, em, "CreateTaskSet", create)["taskSet"].(map[string]any)
	if green["status"] != "ACTIVE" || green["computedDesiredCount"] != 2.0 || green["externalId"] != "d-ABC" {
		t.Fatalf("replacement task set = %v", green)
	}
	em.Advance(2 * time.Minute)
	asController(t, em, "UpdateServicePrimaryTaskSet", fmt.Sprintf(`{"cluster":"c","service":"web","primaryTaskSet":%q}`, green["taskSetArn"]))
	asController(t, em, "UpdateTaskSet", fmt.Sprintf(`{"cluster":"c","service":"web","taskSet":%q,"scale":{"value":100,"unit":"PERCENT"}}`, green["id"]))
	blue := ts["id"].(string)
	asController(t, em, "DeleteTaskSet", fmt.Sprintf(`{"cluster":"c","service":"web","taskSet":%q,"force":true}`, blue))
	em.Advance(3 * time.Minute)
	s = describeTaskSetService(t, em, "web")
	sets = s["taskSets"].([]any)
	if len(sets) != 1 || sets[0].(map[string]any)["id"] != green["id"] || sets[0].(map[string]any)["runningCount"] != 5.0 {
		t.Fatalf("after the swap: %v", sets)
	}
	if !strings.HasSuffix(s["taskDefinition"].(string), "web:2") {
		t.Fatalf("the service's task definition follows the PRIMARY task set: %v", s["taskDefinition"])
	}
	out := mustInvokeTS(t, em, "DescribeTaskSets", fmt.Sprintf(`{"cluster":"c","service":"web","taskSets":[%q]}`, blue))
	if f := out["failures"].([]any); len(f) != 1 || f[0].(map[string]any)["reason"] != "MISSING" {
		t.Fatalf("a deleted task set is MISSING: %v", out)
	}
}

func TestExternalControllerTaskSets(t *testing.T) {
	em, _ := newTestEmulator(t)
	mustInvokeTS(t, em, "CreateCluster", `{"clusterName":"c"}`)
	mustInvokeTS(t, em, "RegisterTaskDefinition", fmt.Sprintf(taskSetTD, 1))
	mustInvokeTS(t, em, "CreateService", `{"cluster":"c","serviceName":"ecs","taskDefinition":"web:1","desiredCount":1,"launchType":"FARGATE","networkConfiguration":`+taskSetNet+`}`)
	wantTSError(t, em, "CreateService", `{"cluster":"c","serviceName":"x","taskDefinition":"web:1","desiredCount":1,"deploymentController":{"type":"EXTERNAL"}}`,
		"InvalidParameterException", "TaskDefinition must be blank.")
	mustInvokeTS(t, em, "CreateService", `{"cluster":"c","serviceName":"ext","desiredCount":4,"deploymentController":{"type":"EXTERNAL"}}`)
	create := func(svc string, scale float64) string {
		return fmt.Sprintf(`{"cluster":"c","service":%q,"taskDefinition":"web:1","launchType":"FARGATE","networkConfiguration":%s,"scale":{"value":%g,"unit":"PERCENT"}}`, svc, taskSetNet, scale)
	}
	wantTSError(t, em, "CreateTaskSet", create("ecs", 50), "InvalidParameterException", "only supports task set management on services configured to use external deployment controllers")
	wantTSError(t, em, "CreateTaskSet", create("ext", 101), "InvalidParameterException", "scale.value")
	wantTSError(t, em, "CreateTaskSet", strings.Replace(create("ext", 50), `"taskDefinition":"web:1",`, "", 1), "InvalidParameterException", "taskDefinition")
	wantTSError(t, em, "CreateTaskSet", strings.Replace(create("ext", 50), `"scale"`, `"loadBalancers":[{"targetGroupArn":"tg","containerName":"web","containerPort":8080}],"scale"`, 1),
		"InvalidParameterException", "The container web does not exist in the task definition.")
	wantTSError(t, em, "CreateTaskSet", strings.Replace(create("ext", 50), `"scale"`, `"loadBalancers":[{"targetGroupArn":"tg","containerName":"app","containerPort":80}],"scale"`, 1),
		"InvalidParameterException", "The container app did not have a container port 80 defined.")
	a := mustInvokeTS(t, em, "CreateTaskSet", create("ext", 50))["taskSet"].(map[string]any)
	if a["computedDesiredCount"] != 2.0 || a["status"] != "ACTIVE" {
		t.Fatalf("task set = %v", a)
	}
	b := mustInvokeTS(t, em, "CreateTaskSet", create("ext", 30))["taskSet"].(map[string]any)
	if b["computedDesiredCount"] != 2.0 { // ceil(4 × 0.3)
		t.Fatalf("computedDesiredCount is ceil(desired × scale): %v", b)
	}
	for range 3 {
		mustInvokeTS(t, em, "CreateTaskSet", create("ext", 0))
	}
	wantTSError(t, em, "CreateTaskSet", create("ext", 0), "InvalidParameterException", "5 deployments exist on the service. Unable to create new TaskSet since this exceeds the maximum limit.")
	mustInvokeTS(t, em, "UpdateServicePrimaryTaskSet", fmt.Sprintf(`{"cluster":"c","service":"ext","primaryTaskSet":%q}`, a["id"]))
	wantTSError(t, em, "DeleteTaskSet", fmt.Sprintf(`{"cluster":"c","service":"ext","taskSet":%q}`, a["id"]), "InvalidParameterException", "PRIMARY")
	wantTSError(t, em, "DeleteTaskSet", fmt.Sprintf(`{"cluster":"c","service":"ext","taskSet":%q}`, b["id"]), "InvalidParameterException", "scaled above 0")
	wantTSError(t, em, "UpdateTaskSet", `{"cluster":"c","service":"ext","taskSet":"ecs-svc/1","scale":{"value":1}}`, "TaskSetNotFoundException", "")
	em.Advance(2 * time.Minute)
	s := describeTaskSetService(t, em, "ext")
	if s["runningCount"] != 4.0 || len(s["taskSets"].([]any)) != 5 {
		t.Fatalf("service = %v", s)
	}
	mustInvokeTS(t, em, "UpdateTaskSet", fmt.Sprintf(`{"cluster":"c","service":"ext","taskSet":%q,"scale":{"value":0,"unit":"PERCENT"}}`, b["id"]))
	del := mustInvokeTS(t, em, "DeleteTaskSet", fmt.Sprintf(`{"cluster":"c","service":"ext","taskSet":%q}`, b["id"]))["taskSet"].(map[string]any)
	if del["status"] != "DRAINING" {
		t.Fatalf("deleted task set = %v", del)
	}
	em.Advance(2 * time.Minute)
	out := mustInvokeTS(t, em, "DescribeTaskSets", `{"cluster":"c","service":"ext"}`)
	if n := len(out["taskSets"].([]any)); n != 4 {
		t.Fatalf("%d task sets after the delete, want 4", n)
	}
	if s := describeTaskSetService(t, em, "ext"); s["runningCount"] != 2.0 {
		t.Fatalf("runningCount after the delete = %v", s["runningCount"])
	}

	// The state survives a save and a load.
	file := filepath.Join(t.TempDir(), "state.json")
	if err := em.SaveState(file); err != nil {
		t.Fatal(err)
	}
	em2 := New(Options{Clock: NewManualClock(testStart), Seed: 1})
	defer func() {
		if err := em2.Close(); err != nil {
			t.Error(err)
		}
	}()
	if err := em2.LoadState(file); err != nil {
		t.Fatal(err)
	}
	out2 := mustInvokeTS(t, em2, "DescribeTaskSets", `{"cluster":"c","service":"ext"}`)
	a1, _ := json.Marshal(out["taskSets"])
	a2, _ := json.Marshal(out2["taskSets"])
	if string(a1) != string(a2) {
		t.Fatalf("task sets changed across save and load:\n%s\n%s", a1, a2)
	}
}

func TestTaskSetOutputsFollowBotocoreModel(t *testing.T) {
	model := awsmodel.Load(t, "ecs")
	em, _ := newTestEmulator(t)
	newCodeDeployService(t, em)
	var problems []string
	check := func(op string, v map[string]any) {
		problems = append(problems, model.CheckJSON(op, v)...)
	}
	em.Advance(time.Minute)
	check("DescribeServices", mustInvokeTS(t, em, "DescribeServices", `{"cluster":"c","services":["web"],"include":["TAGS"]}`))
	body := `{"cluster":"c","service":"web","taskDefinition":"web:2","launchType":"FARGATE","networkConfiguration":` + taskSetNet + `,"tags":[{"key":"a","value":"b"}]}`
	ts := asController(t, em, "CreateTaskSet", body)
	check("CreateTaskSet", ts)
	id := ts["taskSet"].(map[string]any)["id"].(string)
	check("UpdateTaskSet", asController(t, em, "UpdateTaskSet", fmt.Sprintf(`{"cluster":"c","service":"web","taskSet":%q,"scale":{"value":50,"unit":"PERCENT"}}`, id)))
	check("DescribeTaskSets", mustInvokeTS(t, em, "DescribeTaskSets", fmt.Sprintf(`{"cluster":"c","service":"web","taskSets":[%q,"nope"],"include":["TAGS"]}`, id)))
	check("UpdateServicePrimaryTaskSet", asController(t, em, "UpdateServicePrimaryTaskSet", fmt.Sprintf(`{"cluster":"c","service":"web","primaryTaskSet":%q}`, id)))
	first := describeTaskSetService(t, em, "web")["taskSets"].([]any)[0].(map[string]any)["id"].(string)
	check("DeleteTaskSet", asController(t, em, "DeleteTaskSet", fmt.Sprintf(`{"cluster":"c","service":"web","taskSet":%q,"force":true}`, first)))
	for _, p := range problems {
		t.Error(p)
	}
}
