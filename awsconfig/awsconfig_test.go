package awsconfig

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// fakeECS answers ListClusters, throttling the first n attempts.
type fakeECS struct {
	throttleFirst int32
	attempts      atomic.Int32
	lastAuth      atomic.Value
}

func (f *fakeECS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.attempts.Add(1)
	f.lastAuth.Store(r.Header.Get("Authorization"))
	_, _ = io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if n <= f.throttleFirst {
		w.WriteHeader(400)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "ThrottlingException", "message": "Rate exceeded"})
		return
	}
	if r.Header.Get("X-Amz-Target") != "AmazonEC2ContainerServiceV20141113.ListClusters" {
		w.WriteHeader(400)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "UnknownOperationException"})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"clusterArns": []string{"arn:aws:ecs:us-east-1:000000000000:cluster/default"}})
}

func isolateEnv(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestInProcessHandlerRetriesThrottlingAndCounts(t *testing.T) {
	isolateEnv(t)
	fake := &fakeECS{throttleFirst: 2}
	var calls CallCounter
	var log strings.Builder
	cfg, err := Load(context.Background(), Options{Handler: fake, Calls: &calls, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "us-east-1" {
		t.Fatalf("local default region = %q", cfg.Region)
	}
	out, err := NewClients(cfg).ECS.ListClusters(context.Background(), &ecs.ListClustersInput{})
	if err != nil {
		t.Fatalf("ListClusters after throttling: %v", err)
	}
	if len(out.ClusterArns) != 1 {
		t.Fatalf("clusterArns = %v", out.ClusterArns)
	}
	if got := fake.attempts.Load(); got != 3 {
		t.Fatalf("attempts at the server = %d, want 3 (two throttled, one success)", got)
	}
	if calls.Total() != 1 || calls.Attempts() != 3 || calls.Counts()["ECS.ListClusters"] != 1 {
		t.Fatalf("counter: total=%d attempts=%d counts=%v", calls.Total(), calls.Attempts(), calls.Counts())
	}
	if n := strings.Count(log.String(), "aws: ECS.ListClusters"); n != 3 {
		t.Fatalf("logged %d attempts, want 3:\n%s", n, log.String())
	}
}

func TestStaticKeysNeverLogged(t *testing.T) {
	isolateEnv(t)
	fake := &fakeECS{throttleFirst: 1}
	var log strings.Builder
	cfg, err := Load(context.Background(), Options{Handler: fake, Region: "eu-west-1",
		AccessKey: "AKIAABCDEFGHIJKLMNOP", SecretKey: "very-secret-value", Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewClients(cfg).ECS.ListClusters(context.Background(), &ecs.ListClustersInput{}); err != nil {
		t.Fatal(err)
	}
	auth, _ := fake.lastAuth.Load().(string)
	if !strings.Contains(auth, "AKIAABCDEFGHIJKLMNOP/") || !strings.Contains(auth, "/eu-west-1/ecs/") {
		t.Fatalf("request was not signed with the given key and region: %q", auth)
	}
	if strings.Contains(log.String(), "AKIAABCDEFGHIJKLMNOP") || strings.Contains(log.String(), "very-secret-value") {
		t.Fatalf("credentials leaked into the log:\n%s", log.String())
	}
}

func TestAccessKeyNeedsSecret(t *testing.T) {
	isolateEnv(t)
	if _, err := Load(context.Background(), Options{Region: "us-east-1", AccessKey: "AKIAX"}); err == nil {
		t.Fatal("an access key without a secret key must be refused")
	}
}

func TestMissingRegionIsExplained(t *testing.T) {
	isolateEnv(t)
	_, err := Load(context.Background(), Options{})
	if err == nil || !strings.Contains(err.Error(), "--region") {
		t.Fatalf("err = %v, want a message naming --region", err)
	}
}

func TestEndpointURLOption(t *testing.T) {
	isolateEnv(t)
	cfg, err := Load(context.Background(), Options{Region: "us-east-1", EndpointURL: "http://127.0.0.1:4566"})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cfg.BaseEndpoint) != "http://127.0.0.1:4566" {
		t.Fatalf("BaseEndpoint = %v", aws.ToString(cfg.BaseEndpoint))
	}
}

func TestRedact(t *testing.T) {
	in := `Credential=AKIAABCDEFGHIJKLMNOP/2026 Signature=abcdef0123 x-amz-security-token: IQoJb3JpZ2lu secret_key=hunter2`
	out := Redact(in)
	for _, leak := range []string{"AKIAABCDEFGHIJKLMNOP", "abcdef0123", "IQoJb3JpZ2lu", "hunter2"} {
		if strings.Contains(out, leak) {
			t.Errorf("Redact left %q in %q", leak, out)
		}
	}
}
