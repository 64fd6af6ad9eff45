package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func post(t *testing.T, h http.Handler, target, auth, contentType, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func decodeError(t *testing.T, rec *httptest.ResponseRecorder) (string, string) {
	t.Helper()
	var body struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body is not JSON: %q", rec.Body.String())
	}
	if rec.Header().Get("X-Amzn-ErrorType") != body.Type {
		t.Errorf("X-Amzn-ErrorType %q differs from __type %q", rec.Header().Get("X-Amzn-ErrorType"), body.Type)
	}
	return body.Type, body.Message
}

func TestRouterRejectsBadJSONRequests(t *testing.T) {
	em, _ := newTestEmulator(t)
	cases := []struct {
		name, target, body, wantType string
	}{
		{"unknown operation", "AmazonEC2ContainerServiceV20141113.Frobnicate", "{}", "UnknownOperationException"},
		{"unknown service", "Nope_2020.Do", "{}", "UnknownOperationException"},
		{"malformed JSON", "AmazonEC2ContainerServiceV20141113.CreateCluster", "{", "SerializationException"},
		{"array body", "AmazonEC2ContainerServiceV20141113.CreateCluster", "[]", "SerializationException"},
		{"mistyped member", "AmazonEC2ContainerServiceV20141113.CreateCluster", `{"clusterName": 5}`, "SerializationException"},
		{"bad name", "AmazonEC2ContainerServiceV20141113.CreateCluster", `{"clusterName": "a b"}`, "InvalidParameterException"},
		{"raw member of the wrong kind", "AmazonEC2ContainerServiceV20141113.CreateService", `{"serviceName":"s","loadBalancers":"lb"}`, "SerializationException"},
		{"nested list mistyped", "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"dependsOn":{}}]}`, "SerializationException"},
		{"volumes mistyped", "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition", `{"family":"f","volumes":{},"containerDefinitions":[{"name":"a","image":"i","memory":64}]}`, "SerializationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := post(t, em, tc.target, "", "application/x-amz-json-1.1", tc.body)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", rec.Code, rec.Body.String())
			}
			if typ, _ := decodeError(t, rec); typ != tc.wantType {
				t.Fatalf("__type %q, want %q", typ, tc.wantType)
			}
		})
	}
}

func TestRegisteredServicesAreDispatched(t *testing.T) {
	em, _ := newTestEmulator(t)
	em.RegisterJSONService("Demo_2020", JSONHandlerFunc(func(rc *RequestContext, op string, body []byte) (any, error) {
		if op == "Fail" {
			return nil, Errorf("DemoException", "failed in %s", rc.Region)
		}
		return map[string]string{"op": op, "region": rc.Region}, nil
	}))
	em.RegisterQueryService("demoquery", QueryHandlerFunc(func(rc *RequestContext, action string, p url.Values) (any, error) {
		if action == "Fail" {
			return nil, Errorf("ValidationError", "bad %s", p.Get("Name"))
		}
		return struct {
			Name string `xml:"Name"`
		}{p.Get("Name")}, nil
	}))
	auth := "AWS4-HMAC-SHA256 Credential=AKID/20260301/eu-west-1/demoquery/aws4_request, SignedHeaders=host, Signature=x"

	rec := post(t, em, "Demo_2020.Ping", auth, "application/x-amz-json-1.1", "{}")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"region":"eu-west-1"`) {
		t.Fatalf("JSON dispatch: %d %s", rec.Code, rec.Body.String())
	}
	rec = post(t, em, "Demo_2020.Fail", auth, "application/x-amz-json-1.1", "{}")
	if typ, msg := decodeError(t, rec); rec.Code != 400 || typ != "DemoException" || msg != "failed in eu-west-1" {
		t.Fatalf("JSON error: %d %s %s", rec.Code, typ, msg)
	}
	rec = post(t, em, "", auth, "application/x-www-form-urlencoded", "Action=Hello&Name=x%26y")
	want := "<HelloResponse><HelloResult><Name>x&amp;y</Name></HelloResult><ResponseMetadata><RequestId>"
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), want) {
		t.Fatalf("Query dispatch: %d %s", rec.Code, rec.Body.String())
	}
	rec = post(t, em, "", auth, "application/x-www-form-urlencoded", "Action=Fail&Name=n")
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 400 || !strings.Contains(string(body), "<Error><Type>Sender</Type><Code>ValidationError</Code><Message>bad n</Message></Error><RequestId>") {
		t.Fatalf("Query error: %d %s", rec.Code, body)
	}
}

func TestClusterLifecycleThroughSDK(t *testing.T) {
	_, client := newTestEmulator(t)
	ctx := context.Background()
	out, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Cluster.ClusterArn); got != "arn:aws:ecs:us-east-1:000000000000:cluster/prod" {
		t.Fatalf("cluster ARN %q", got)
	}
	if out.Cluster.RegisteredContainerInstancesCount != 6 {
		t.Fatalf("default capacity: %d instances, want 6", out.Cluster.RegisteredContainerInstancesCount)
	}
	desc, err := client.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"prod", "nope"}, Include: []types.ClusterField{"TAGS"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(desc.Clusters) != 1 || len(desc.Clusters[0].Tags) != 1 || len(desc.Failures) != 1 || aws.ToString(desc.Failures[0].Reason) != "MISSING" {
		t.Fatalf("describe: %+v", desc)
	}
	if _, err := client.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	_, err = client.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("prod")})
	var nf *types.ClusterNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("second delete: %v, want ClusterNotFoundException", err)
	}
}
