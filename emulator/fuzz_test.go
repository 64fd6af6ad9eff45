package emulator

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzECSRequest feeds arbitrary operations and bodies to the ECS
// endpoint. Whatever arrives, the emulator must answer — never panic — and
// must not answer 200 to a body that is not a JSON object.
func FuzzECSRequest(f *testing.F) {
	seeds := []struct{ op, body string }{
		{"CreateCluster", `{"clusterName":"a"}`},
		{"CreateCluster", `{"clusterName":5}`},
		{"RegisterTaskDefinition", `{"family":"f","containerDefinitions":[{"name":"c","image":"i","memory":128}]}`},
		{"RegisterTaskDefinition", `{"family":"f","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512","containerDefinitions":[{"name":"c","image":"i","portMappings":[{"containerPort":80,"hostPort":81}]}]}`},
		{"RegisterTaskDefinition", `{"family":"f","containerDefinitions":[{"name":"c","image":"i","healthCheck":{"command":[],"interval":1}}]}`},
		{"CreateService", `{"serviceName":"s","taskDefinition":"f:1","desiredCount":3}`},
		{"CreateService", `{"serviceName":"s","taskDefinition":"f","desiredCount":-1,"deploymentConfiguration":{"maximumPercent":"x"}}`},
		{"UpdateService", `{"service":"s","desiredCount":99999999999999999999}`},
		{"DescribeServices", `{"services":["s","t"],"include":["TAGS"]}`},
		{"RunTask", `{"taskDefinition":"f:1","count":11}`},
		{"ListTasks", `{"desiredStatus":"PENDING","nextToken":"!!"}`},
		{"DescribeTasks", `{"tasks":[]}`},
		{"TagResource", `{"resourceArn":"arn:aws:ecs:us-east-1:000000000000:cluster/default","tags":[{"key":"k","value":"v"}]}`},
		{"DeleteTaskDefinitions", `{"taskDefinitions":["f:1"]}`},
		{"Nope", `{}`},
		{"ListClusters", `[1,2]`},
		{"ListClusters", `{"maxResults":0}`},
		{"ListClusters", "{\"a\":\"\xff\"}"},
		{"CreateCluster", `{} {}`},
	}
	for _, s := range seeds {
		f.Add(s.op, s.body)
	}
	em := New(Options{Clock: NewManualClock(testStart), Seed: 1, DefaultCluster: true})
	f.Cleanup(func() {
		if err := em.Close(); err != nil {
			f.Error(err)
		}
	})
	f.Fuzz(func(t *testing.T, op, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", ecsTargetPrefix+"."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		rec := httptest.NewRecorder()
		em.ServeHTTP(rec, req)
		trimmed := strings.TrimSpace(body)
		if rec.Code == http.StatusOK && trimmed != "" && !strings.HasPrefix(trimmed, "{") {
			t.Fatalf("%s with body %q answered 200", op, body)
		}
		if rec.Code >= 500 && !strings.Contains(rec.Body.String(), "ServerException") {
			t.Fatalf("%s: status %d without a ServerException body: %s", op, rec.Code, rec.Body.String())
		}
		if rec.Code == http.StatusInternalServerError && strings.Contains(rec.Body.String(), "internal error") {
			t.Fatalf("%s with body %q panicked inside the handler", op, body)
		}
		em.Advance(time.Second)
	})
}
