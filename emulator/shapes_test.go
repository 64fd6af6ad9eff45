package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/internal/awsmodel"
)

func TestOutputsFollowBotocoreModel(t *testing.T) {
	model := awsmodel.Load(t, "ecs")
	selfCheck := model.CheckJSON("DescribeServices", map[string]any{"services": []any{map[string]any{"desiredCount": "3", "bogus": 1}}})
	if len(selfCheck) != 2 {
		t.Fatalf("the conformance check does not catch a wrong type and an unknown member: %v", selfCheck)
	}
	em := New(Options{Clock: NewManualClock(testStart), Seed: 3, DefaultCluster: true})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "*:crash", ExitCode: intp(2), ExitAfter: secs(2)}}}); err != nil {
		t.Fatal(err)
	}
	var problems []string
	call := func(op, body string) map[string]any {
		out, err := em.InvokeECS(context.Background(), "us-east-1", op, []byte(body))
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		problems = append(problems, model.CheckJSON(op, v)...)
		return v
	}
	td := `{"family":"f","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512","tags":[{"key":"a","value":"b"}],
	  "executionRoleArn":"arn:aws:iam::000000000000:role/x",
	  "containerDefinitions":[{"name":"c","image":"app:%s","portMappings":[{"containerPort":80}],"environment":[{"name":"A","value":"1"}],
	    "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g"}},
	    "healthCheck":{"command":["CMD","true"],"interval":5,"retries":1}}]}`
	call("RegisterTaskDefinition", fmt.Sprintf(td, "1"))
	call("RegisterTaskDefinition", fmt.Sprintf(td, "crash"))
	call("RegisterTaskDefinition", `{"family":"ec2","containerDefinitions":[{"name":"c","image":"x","memory":128,"portMappings":[{"containerPort":80,"hostPort":8080}]}]}`)
	call("CreateService", `{"serviceName":"s","taskDefinition":"f:1","desiredCount":2,"launchType":"FARGATE","tags":[{"key":"k","value":"v"}],
	  "networkConfiguration":{"awsvpcConfiguration":{"subnets":["sn-1"],"securityGroups":["sg-1"],"assignPublicIp":"DISABLED"}},
	  "deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":true}},"healthCheckGracePeriodSeconds":10}`)
	call("CreateService", `{"serviceName":"e","taskDefinition":"ec2","desiredCount":2}`)
	em.Advance(2 * time.Minute)
	call("UpdateService", `{"service":"s","taskDefinition":"f:2"}`)
	em.Advance(2 * time.Minute)
	run := call("RunTask", `{"taskDefinition":"ec2","count":2,"tags":[{"key":"t","value":"1"}]}`)
	em.Advance(time.Minute)
	call("StopTask", fmt.Sprintf(`{"task":%q}`, run["tasks"].([]any)[0].(map[string]any)["taskArn"]))
	em.Advance(time.Minute)
	call("DescribeServices", `{"services":["s","e","missing"],"include":["TAGS"]}`)
	all := call("ListTasks", `{"desiredStatus":"STOPPED","maxResults":5}`)
	running := call("ListTasks", `{}`)
	arns := append(all["taskArns"].([]any), running["taskArns"].([]any)...)
	ids, _ := json.Marshal(append(arns, "missing"))
	call("DescribeTasks", fmt.Sprintf(`{"tasks":%s,"include":["TAGS"]}`, ids))
	call("DescribeTaskDefinition", `{"taskDefinition":"f:2","include":["TAGS"]}`)
	call("ListTaskDefinitions", `{"familyPrefix":"f","sort":"DESC","maxResults":1}`)
	call("ListTaskDefinitionFamilies", `{}`)
	call("DeregisterTaskDefinition", `{"taskDefinition":"ec2:1"}`)
	call("DeleteTaskDefinitions", `{"taskDefinitions":["ec2:1","f:1"]}`)
	cis := call("ListContainerInstances", `{}`)
	ciIDs, _ := json.Marshal(cis["containerInstanceArns"])
	call("DescribeContainerInstances", fmt.Sprintf(`{"containerInstances":%s}`, ciIDs))
	call("UpdateContainerInstancesState", fmt.Sprintf(`{"containerInstances":[%q],"status":"DRAINING"}`, cis["containerInstanceArns"].([]any)[0]))
	call("DescribeClusters", `{"clusters":["default","nope"],"include":["TAGS","SETTINGS","STATISTICS"]}`)
	call("ListClusters", `{}`)
	call("ListServices", `{}`)
	call("TagResource", `{"resourceArn":"arn:aws:ecs:us-east-1:000000000000:cluster/default","tags":[{"key":"x","value":"y"}]}`)
	call("ListTagsForResource", `{"resourceArn":"arn:aws:ecs:us-east-1:000000000000:cluster/default"}`)
	call("UntagResource", `{"resourceArn":"arn:aws:ecs:us-east-1:000000000000:cluster/default","tagKeys":["x"]}`)
	history := call("ListServiceDeployments", `{"service":"s"}`)
	var sdArns, revArns []string
	for _, b := range history["serviceDeployments"].([]any) {
		sdArns = append(sdArns, b.(map[string]any)["serviceDeploymentArn"].(string))
		revArns = append(revArns, b.(map[string]any)["targetServiceRevisionArn"].(string))
	}
	sdJSON, _ := json.Marshal(sdArns)
	revJSON, _ := json.Marshal(revArns)
	call("DescribeServiceDeployments", fmt.Sprintf(`{"serviceDeploymentArns":%s}`, sdJSON))
	call("DescribeServiceRevisions", fmt.Sprintf(`{"serviceRevisionArns":%s}`, revJSON))
	call("DeleteService", `{"service":"e","force":true}`)
	call("CreateCluster", `{"clusterName":"other","settings":[{"name":"containerInsights","value":"enabled"}]}`)
	call("DeleteCluster", `{"cluster":"other"}`)
	for _, p := range problems {
		t.Error(p)
	}
}
