package console

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
)

var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// newServer serves an emulator on a manual clock with its console, and
// returns an ECS client that reaches it over HTTP.
func newServer(t testing.TB) (*emulator.Emulator, *httptest.Server, *ecs.Client) {
	return newServerWith(t, nil)
}

// newServerWith is newServer with a chance to configure the console first.
func newServerWith(t testing.TB, configure func(*Console)) (*emulator.Emulator, *httptest.Server, *ecs.Client) {
	t.Helper()
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(start), Seed: 1, DefaultCluster: true})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	c := New(em)
	if configure != nil {
		configure(c)
	}
	srv := httptest.NewServer(c.Wrap(em))
	t.Cleanup(srv.Close)
	t.Cleanup(c.Close) // ends the event streams first, as local serve does on shutdown
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	// Three attempts: on a loaded machine a loopback connection was once
	// reset under the SDK, which retries only such connection errors.
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{EndpointURL: srv.URL, Region: "us-east-1", MaxAttempts: 3, AccessKey: "local", SecretKey: "local"})
	if err != nil {
		t.Fatal(err)
	}
	return em, srv, ecs.NewFromConfig(cfg)
}

func noRedirects(req *http.Request, via []*http.Request) error { return http.ErrUseLastResponse }

func TestBrowserGetOfRootRedirectsToTheConsole(t *testing.T) {
	_, srv, client := newServer(t)
	hc := &http.Client{CheckRedirect: noRedirects}
	res, err := hc.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close() // read already; a close error changes nothing here
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != Path {
		t.Fatalf("GET / answered %d Location %q, want a redirect to %s", res.StatusCode, res.Header.Get("Location"), Path)
	}
	// An AWS client keeps reaching the API at /.
	out, err := client.ListClusters(context.Background(), &ecs.ListClustersInput{})
	if err != nil || len(out.ClusterArns) != 1 {
		t.Fatalf("the API behind the console: %v %v", err, out)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/ecs/aws4_request")
	res, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close() // read already; a close error changes nothing here
	if res.StatusCode == http.StatusFound {
		t.Fatal("a signed GET / was redirected to the console instead of reaching the API")
	}
}

func TestConsoleServesItsPageAndIsReadOnly(t *testing.T) {
	_, srv, _ := newServer(t)
	total := 0
	for _, name := range []string{"", "app.js", "style.css"} {
		res, err := http.Get(srv.URL + Path + name)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		_ = res.Body.Close() // read already; a close error changes nothing here
		if res.StatusCode != http.StatusOK || len(body) == 0 {
			t.Fatalf("%s%s: %d, %d bytes", Path, name, res.StatusCode, len(body))
		}
		total += len(body)
		if name == "" && !strings.Contains(string(body), `<label for="scenario-text">`) {
			t.Fatalf("the page has no labelled scenario field")
		}
	}
	if total > 200<<10 {
		t.Errorf("the page weighs %d bytes, above 200 KB", total)
	}
	t.Logf("page weight: %d bytes (HTML, JS and CSS, uncompressed)", total)
	for _, name := range []string{"", "api/clusters", "events"} {
		res, err := http.Post(srv.URL+Path+name, "text/plain", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close() // read already; a close error changes nothing here
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST %s%s answered %d, want 405", Path, name, res.StatusCode)
		}
	}
	res, err := http.Get(srv.URL + Path + "api/service?region=us-east-1&cluster=default&service=nope")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close() // read already; a close error changes nothing here
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("a missing service answered %d, want 404", res.StatusCode)
	}
}

// sseReader reads server-sent events from the console.
type sseReader struct {
	sc   *bufio.Scanner
	body io.Closer
}

func openEvents(t *testing.T, url string) *sseReader {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events: content type %q", ct)
	}
	t.Cleanup(func() { _ = res.Body.Close() })
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	return &sseReader{sc: sc, body: res.Body}
}

// next returns the next event's name and data.
func (r *sseReader) next() (string, string, error) {
	var name, data string
	for r.sc.Scan() {
		line := r.sc.Text()
		switch {
		case line == "" && name != "":
			return name, data, nil
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
	if err := r.sc.Err(); err != nil {
		return "", "", err
	}
	return "", "", io.EOF
}

// waitFor reads events until one named name satisfies ok.
func (r *sseReader) waitFor(t *testing.T, name string, ok func(data string) bool) string {
	t.Helper()
	type ev struct {
		name, data string
		err        error
	}
	deadline := time.After(20 * time.Second)
	for {
		ch := make(chan ev, 1)
		go func() { n, d, err := r.next(); ch <- ev{n, d, err} }()
		select {
		case e := <-ch:
			if e.err != nil {
				t.Fatalf("waiting for %s: %v", name, e.err)
			}
			if e.name == name && ok(e.data) {
				return e.data
			}
		case <-deadline:
			t.Fatalf("no %s event matched", name)
		}
	}
}

func TestEventStreamFollowsAServiceFromTheChangeFeed(t *testing.T) {
	em, srv, client := newServer(t)
	ctx := context.Background()
	td, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"), NetworkMode: types.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		ContainerDefinitions:    []types.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("web:1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ev := openEvents(t, srv.URL+Path+"events?region=us-east-1&cluster=default&service=web")
	ev.waitFor(t, "service", func(d string) bool { return strings.Contains(d, `"missing":true`) })
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"),
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(3), LaunchType: types.LaunchTypeFargate,
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1", "subnet-2"}}}}); err != nil {
		t.Fatal(err)
	}
	ev.waitFor(t, "service", func(d string) bool { return strings.Contains(d, `"name":"web"`) })
	em.Advance(2 * time.Minute)
	data := ev.waitFor(t, "service", func(d string) bool {
		var s emulator.ServiceSnapshot
		if json.Unmarshal([]byte(d), &s) != nil {
			return false
		}
		running := 0
		for _, task := range s.Tasks {
			if task.LastStatus == "RUNNING" {
				running++
			}
		}
		return running == 3
	})
	var snap emulator.ServiceSnapshot
	if err := json.Unmarshal([]byte(data), &snap); err != nil {
		t.Fatal(err)
	}
	if snap.MinHealthy != 3 || snap.MaxTasks != 6 || len(snap.Deployments) != 1 || snap.Deployments[0].RolloutState != "COMPLETED" {
		t.Fatalf("snapshot: min %d max %d deployments %+v", snap.MinHealthy, snap.MaxTasks, snap.Deployments)
	}
	if len(snap.Timelines) != 1 || snap.Timelines[0].Status != "SUCCESSFUL" {
		t.Fatalf("timelines: %+v", snap.Timelines)
	}
	ev.waitFor(t, "clusters", func(d string) bool { return strings.Contains(d, `"name":"web"`) })
}

func TestFocusMatchesOnlyItsService(t *testing.T) {
	f := focus{region: "r", cluster: "c", service: "s"}
	cases := []struct {
		ch   emulator.Change
		want bool
	}{
		{emulator.Change{Region: "r", Cluster: "c", Service: "s"}, true},
		{emulator.Change{Region: "r", Cluster: "c", Service: "other"}, false},
		{emulator.Change{Region: "r", Cluster: "other"}, false},
		{emulator.Change{Region: "r", Cluster: "c"}, true},
		{emulator.Change{Region: "r"}, true},
		{emulator.Change{Region: "other"}, false},
		{emulator.Change{All: true}, true},
		{emulator.Change{Scenario: true}, true},
	}
	for _, c := range cases {
		if got := f.touches(c.ch); got != c.want {
			t.Errorf("touches(%+v) = %v, want %v", c.ch, got, c.want)
		}
	}
}
