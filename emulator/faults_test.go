package emulator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestThrottlingByRateIsDeterministic(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Faults: []scenario.Fault{{Operation: "ListClusters", Kind: scenario.FaultThrottle, Rate: 0.5}}}); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for i := 0; i < 4; i++ {
		_, err := client.ListClusters(context.Background(), &ecs.ListClustersInput{})
		codes = append(codes, apiCode(err))
	}
	if strings.Join(codes, ",") != ",ThrottlingException,,ThrottlingException" {
		t.Fatalf("codes %q: every second call should be throttled", codes)
	}
	if _, err := client.DescribeClusters(context.Background(), &ecs.DescribeClustersInput{}); err != nil {
		t.Fatalf("other operations are not affected: %v", err)
	}
}

func TestServerErrorWithinTimeWindow(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Faults: []scenario.Fault{{Operation: "Describe*", Kind: scenario.FaultServer,
		After: scenario.Duration(10 * time.Second), For: scenario.Duration(20 * time.Second)}}}); err != nil {
		t.Fatal(err)
	}
	call := func() string {
		_, err := client.DescribeClusters(context.Background(), &ecs.DescribeClustersInput{})
		return apiCode(err)
	}
	if got := call(); got != "" {
		t.Fatalf("before the window: %q", got)
	}
	em.Advance(15 * time.Second)
	if got := call(); got != "ServerException" {
		t.Fatalf("inside the window: %q", got)
	}
	em.Advance(20 * time.Second)
	if got := call(); got != "" {
		t.Fatalf("after the window: %q", got)
	}
}

func TestDroppedConnectionAndLatencyOverHTTP(t *testing.T) {
	em, _ := newTestEmulator(t)
	srv := httptest.NewServer(em)
	t.Cleanup(srv.Close)
	if err := em.SetScenario(&scenario.Scenario{Faults: []scenario.Fault{
		{Operation: "ListClusters", Kind: scenario.FaultDrop},
		{Operation: "ListServices", Kind: scenario.FaultLatency, Latency: scenario.Duration(150 * time.Millisecond)},
	}}); err != nil {
		t.Fatal(err)
	}
	send := func(op string) (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("{}"))
		req.Header.Set("X-Amz-Target", ecsTargetPrefix+"."+op)
		return http.DefaultClient.Do(req)
	}
	if resp, err := send("ListClusters"); err == nil {
		_ = resp.Body.Close()
		t.Fatalf("dropped call got a reply: %d", resp.StatusCode)
	}
	start := time.Now()
	resp, err := send("ListServices")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close() // read to the end above
	if elapsed := time.Since(start); elapsed < 150*time.Millisecond || !strings.Contains(string(body), "ClusterNotFoundException") {
		t.Fatalf("latency fault: %d after %v: %s", resp.StatusCode, elapsed, body)
	}
}

func TestAdminEndpointReplacesScenario(t *testing.T) {
	em, client := newTestEmulator(t)
	post := func(path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		rec := httptest.NewRecorder()
		em.ServeHTTP(rec, req)
		return rec
	}
	if rec := post("/_local/scenario", "faults:\n  - operation: ListClusters\n    kind: throttle\n"); rec.Code != 200 {
		t.Fatalf("set scenario: %d %s", rec.Code, rec.Body.String())
	}
	if _, err := client.ListClusters(context.Background(), &ecs.ListClustersInput{}); apiCode(err) != "ThrottlingException" {
		t.Fatalf("after setting the fault: %v", err)
	}
	if rec := post("/_local/scenario", "faults:\n  - operation: ListClusters\n    kind: explode\n"); rec.Code != 400 || !strings.Contains(rec.Body.String(), "explode") {
		t.Fatalf("invalid scenario: %d %s", rec.Code, rec.Body.String())
	}
	if rec := post("/_local/scenario", "{}"); rec.Code != 200 {
		t.Fatalf("clear scenario: %d", rec.Code)
	}
	if _, err := client.ListClusters(context.Background(), &ecs.ListClustersInput{}); err != nil {
		t.Fatalf("after clearing: %v", err)
	}
	if _, err := client.CreateCluster(context.Background(), &ecs.CreateClusterInput{ClusterName: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	if rec := post("/_local/reset", ""); rec.Code != 200 {
		t.Fatalf("reset: %d", rec.Code)
	}
	if list, _ := client.ListClusters(context.Background(), &ecs.ListClustersInput{}); len(list.ClusterArns) != 0 {
		t.Fatalf("after reset: %v", list.ClusterArns)
	}
	before := em.Now()
	if rec := post("/_local/advance?by=90s", ""); rec.Code != 200 || !em.Now().Equal(before.Add(90*time.Second)) {
		t.Fatalf("advance: %d %s", rec.Code, rec.Body.String())
	}
}
