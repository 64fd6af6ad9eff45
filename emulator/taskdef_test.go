package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func invokeErr(t *testing.T, em *Emulator, op, body string) (map[string]any, *APIError) {
	t.Helper()
	out, err := em.InvokeECS(context.Background(), "us-east-1", op, []byte(body))
	if err != nil {
		var ae *APIError
		if !errors.As(err, &ae) {
			t.Fatalf("%s: not an AWS-shaped error: %v", op, err)
		}
		return nil, ae
	}
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	return v, nil
}

func TestRegisterTaskDefinitionValidation(t *testing.T) {
	em, _ := newTestEmulator(t)
	fargate := `"networkMode":"awsvpc","requiresCompatibilities":["FARGATE"]`
	cases := []struct{ name, body, code, msg string }{
		{"no family", `{"containerDefinitions":[{"name":"a","image":"i","memory":64}]}`, "InvalidParameterException", "family"},
		{"bad family", `{"family":"a b","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`, "ClientException", "Family"},
		{"no containers", `{"family":"f"}`, "ClientException", "Container list cannot be empty"},
		{"no essential", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"essential":false}]}`, "ClientException", "essential"},
		{"no memory", `{"family":"f","containerDefinitions":[{"name":"a","image":"i"}]}`, "ClientException", "memory"},
		{"reservation above memory", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"memoryReservation":128}]}`, "ClientException", "memoryReservation"},
		{"duplicate names", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64},{"name":"a","image":"i","memory":64}]}`, "ClientException", "Duplicate"},
		{"fargate bridge", `{"family":"f","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512","containerDefinitions":[{"name":"a","image":"i"}]}`, "ClientException", "awsvpc"},
		{"fargate no cpu", `{"family":"f",` + fargate + `,"memory":"512","containerDefinitions":[{"name":"a","image":"i"}]}`, "ClientException", "'cpu'"},
		{"fargate table", `{"family":"f",` + fargate + `,"cpu":"256","memory":"4096","containerDefinitions":[{"name":"a","image":"i"}]}`, "ClientException", "No Fargate configuration exists"},
		{"fargate stop timeout", `{"family":"f",` + fargate + `,"cpu":"1 vCPU","memory":"2GB","containerDefinitions":[{"name":"a","image":"i","stopTimeout":121}]}`, "ClientException", "stop timeout"},
		{"awsvpc ports", `{"family":"f",` + fargate + `,"cpu":"256","memory":"512","containerDefinitions":[{"name":"a","image":"i","portMappings":[{"containerPort":80,"hostPort":8080}]}]}`, "ClientException", "must match"},
		{"bad health interval", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"healthCheck":{"command":["CMD","true"],"interval":1}}]}`, "ClientException", "interval"},
		{"bad task cpu", `{"family":"f","cpu":"lots","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`, "ClientException", "Invalid 'cpu'"},
		{"dependsOn unknown container", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"dependsOn":[{"containerName":"b","condition":"START"}]}]}`, "ClientException", "'b', which is not in this task definition"},
		{"dependsOn bad condition", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"dependsOn":[{"containerName":"b","condition":"READY"}]},{"name":"b","image":"i","memory":64}]}`, "ClientException", "START, COMPLETE, SUCCESS or HEALTHY"},
		{"dependsOn SUCCESS of essential", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"dependsOn":[{"containerName":"b","condition":"SUCCESS"}]},{"name":"b","image":"i","memory":64}]}`, "ClientException", "essential container 'b'"},
		{"dependsOn HEALTHY without check", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"dependsOn":[{"containerName":"b","condition":"HEALTHY"}]},{"name":"b","image":"i","memory":64}]}`, "ClientException", "health check on container 'b'"},
		{"dependsOn no condition", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"dependsOn":[{"containerName":"b"}]},{"name":"b","image":"i","memory":64}]}`, "ClientException", "containerName and condition"},
		{"wrong type", `{"family":"f","containerDefinitions":{"name":"a"}}`, "SerializationException", "containerDefinitions"},
		{"too large", `{"family":"f","containerDefinitions":[{"name":"a","image":"` + strings.Repeat("x", 70000) + `","memory":64}]}`, "ClientException", "Max allowed length is '65536' bytes"},
	}
	for _, tc := range cases {
		_, err := invokeErr(t, em, "RegisterTaskDefinition", tc.body)
		if err == nil || err.Code != tc.code || !strings.Contains(err.Message, tc.msg) || err.Status() != 400 {
			t.Errorf("%s: got %v, want %s containing %q", tc.name, err, tc.code, tc.msg)
		}
	}
}

func TestTaskDefinitionRevisionsFamiliesAndPaging(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	for _, fam := range []string{"web", "web", "web", "worker", "web-canary"} {
		registerWeb(t, client, fam, "app:1")
	}
	if _, err := client.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("web:3")}); err != nil {
		t.Fatal(err)
	}
	desc, err := client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web")})
	if err != nil || desc.TaskDefinition.Revision != 2 {
		t.Fatalf("family alone should give the latest ACTIVE revision (2): %v %+v", err, desc)
	}
	c := desc.TaskDefinition.ContainerDefinitions[0]
	if !aws.ToBool(c.Essential) || c.PortMappings[0].Protocol != types.TransportProtocolTcp || aws.ToInt32(c.PortMappings[0].HostPort) != 8080 {
		t.Fatalf("defaults not applied: %+v", c)
	}
	if len(desc.TaskDefinition.Compatibilities) != 2 || desc.TaskDefinition.RegisteredAt == nil {
		t.Fatalf("computed members: %+v", desc.TaskDefinition)
	}
	page1, err := client.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("web"), MaxResults: aws.Int32(1)})
	if err != nil || len(page1.TaskDefinitionArns) != 1 || page1.NextToken == nil {
		t.Fatalf("page 1: %v %+v", err, page1)
	}
	page2, err := client.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("web"), MaxResults: aws.Int32(1), NextToken: page1.NextToken})
	if err != nil || len(page2.TaskDefinitionArns) != 1 || page2.NextToken != nil || !strings.HasSuffix(page2.TaskDefinitionArns[0], "web:2") {
		t.Fatalf("page 2: %v %+v", err, page2)
	}
	prefixed, _ := client.ListTaskDefinitionFamilies(ctx, &ecs.ListTaskDefinitionFamiliesInput{FamilyPrefix: aws.String("web")})
	if len(prefixed.Families) != 2 {
		t.Fatalf("ListTaskDefinitionFamilies' familyPrefix is a prefix: %v", prefixed.Families)
	}
	inactive, _ := client.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{Status: types.TaskDefinitionStatusInactive})
	if len(inactive.TaskDefinitionArns) != 1 {
		t.Fatalf("inactive: %v", inactive.TaskDefinitionArns)
	}
	fams, _ := client.ListTaskDefinitionFamilies(ctx, &ecs.ListTaskDefinitionFamiliesInput{})
	if strings.Join(fams.Families, ",") != "web,web-canary,worker" {
		t.Fatalf("families: %v", fams.Families)
	}
	del, err := client.DeleteTaskDefinitions(ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{"web:3", "web:1"}})
	if err != nil || len(del.TaskDefinitions) != 1 || len(del.Failures) != 1 || del.TaskDefinitions[0].Status != types.TaskDefinitionStatusDeleteInProgress {
		t.Fatalf("delete: %v %+v", err, del)
	}
	if _, err := client.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{NextToken: aws.String("garbage")}); apiCode(err) != "InvalidParameterException" {
		t.Fatalf("bad token: %v", err)
	}
	if next := registerWeb(t, client, "web", "app:2"); !strings.HasSuffix(next, "web:4") {
		t.Fatalf("revisions keep counting after deregistration: %s", next)
	}
	_ = em
}

func TestDescribeTaskDefinitionTagsOnlyWithInclude(t *testing.T) {
	_, client := newTestEmulator(t)
	ctx := context.Background()
	_, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("t"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("i"), Memory: aws.Int32(64)}},
		Tags:                 []types.Tag{{Key: aws.String("team"), Value: aws.String("x")}}})
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("t:1")})
	tagged, _ := client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("t:1"), Include: []types.TaskDefinitionField{"TAGS"}})
	if len(plain.Tags) != 0 || len(tagged.Tags) != 1 {
		t.Fatalf("tags without include: %v, with: %v", plain.Tags, tagged.Tags)
	}
}

func TestServiceAndTaskErrorsAreECSShaped(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerWeb(t, client, "web", "app:1")
	cases := []struct{ op, body, code string }{
		{"DescribeServices", `{"cluster":"nope","services":["a"]}`, "ClusterNotFoundException"},
		{"DescribeServices", `{"services":[]}`, "InvalidParameterException"},
		{"DescribeServices", `{"services":["1","2","3","4","5","6","7","8","9","10","11"]}`, "InvalidParameterException"},
		{"UpdateService", `{"service":"ghost"}`, "ServiceNotFoundException"},
		{"CreateService", `{"serviceName":"s","taskDefinition":"nope:1"}`, "ClientException"},
		{"CreateService", `{"serviceName":"s","taskDefinition":"` + td + `"}`, "InvalidParameterException"}, // awsvpc needs a network configuration
		{"CreateService", `{"serviceName":"s","taskDefinition":"` + td + `","launchType":"FARGATE","networkConfiguration":{"awsvpcConfiguration":{"subnets":[]}}}`, "InvalidParameterException"},
		{"RunTask", `{"taskDefinition":"web:1","count":11}`, "InvalidParameterException"},
		{"StopTask", `{"task":"0123"}`, "InvalidParameterException"},
		{"ListTasks", `{"serviceName":"ghost"}`, "ServiceNotFoundException"},
		{"ListServices", `{"maxResults":101}`, "InvalidParameterException"},
		{"TagResource", `{"resourceArn":"arn:aws:ecs:us-east-1:000000000000:service/default/ghost","tags":[{"key":"a","value":"b"}]}`, "ResourceNotFoundException"},
		{"DeleteCluster", `{"cluster":"default"}`, ""},
	}
	for _, tc := range cases {
		_, err := invokeErr(t, em, tc.op, tc.body)
		got := ""
		if err != nil {
			got = err.Code
		}
		if got != tc.code {
			t.Errorf("%s %s: got %v, want %q", tc.op, tc.body, err, tc.code)
		}
	}
}

func TestUpdateServiceStartsDeploymentsOnlyWhenECSDoes(t *testing.T) {
	em, client := newTestEmulator(t)
	ctx := context.Background()
	createFargateService(t, em, client, "web:1", 2, false)
	first := describeService(t, client, "default", "web").Deployments[0]
	update := func(in *ecs.UpdateServiceInput) int {
		in.Service = aws.String("web")
		out, err := client.UpdateService(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Service.Deployments)
	}
	if n := update(&ecs.UpdateServiceInput{DesiredCount: aws.Int32(3)}); n != 1 {
		t.Fatalf("desiredCount started a deployment: %d", n)
	}
	if n := update(&ecs.UpdateServiceInput{TaskDefinition: first.TaskDefinition}); n != 1 {
		t.Fatalf("the same task definition started a deployment: %d", n)
	}
	if n := update(&ecs.UpdateServiceInput{HealthCheckGracePeriodSeconds: aws.Int32(30), DeploymentConfiguration: &types.DeploymentConfiguration{MinimumHealthyPercent: aws.Int32(50)}}); n != 1 {
		t.Fatalf("configuration changes started a deployment: %d", n)
	}
	if n := update(&ecs.UpdateServiceInput{ForceNewDeployment: true}); n != 2 {
		t.Fatalf("forceNewDeployment: %d deployments", n)
	}
	if n := update(&ecs.UpdateServiceInput{NetworkConfiguration: awsvpc("subnet-9")}); n != 3 {
		t.Fatalf("network change: %d deployments", n)
	}
	svc := describeService(t, client, "default", "web")
	if !strings.HasPrefix(aws.ToString(svc.Deployments[0].Id), "ecs-svc/") || len(aws.ToString(svc.Deployments[0].Id)) != len("ecs-svc/")+19 {
		t.Fatalf("deployment id %q", aws.ToString(svc.Deployments[0].Id))
	}
	if aws.ToString(svc.Deployments[0].Status) != "PRIMARY" || aws.ToString(svc.Deployments[1].Status) != "ACTIVE" {
		t.Fatalf("statuses: %s %s", aws.ToString(svc.Deployments[0].Status), aws.ToString(svc.Deployments[1].Status))
	}
}

func TestRegisterTaskDefinitionAcceptsValidDependencies(t *testing.T) {
	em, _ := newTestEmulator(t)
	body := `{"family":"f","containerDefinitions":[
	  {"name":"app","image":"i","memory":64,"dependsOn":[{"containerName":"init","condition":"SUCCESS"},{"containerName":"proxy","condition":"HEALTHY"}]},
	  {"name":"init","image":"i","memory":64,"essential":false},
	  {"name":"proxy","image":"i","memory":64,"healthCheck":{"command":["CMD","true"]}}]}`
	if _, err := invokeErr(t, em, "RegisterTaskDefinition", body); err != nil {
		t.Fatalf("valid dependencies rejected: %v", err)
	}
}
