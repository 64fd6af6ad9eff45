package console

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// BenchmarkAPIWith1000Services measures what an open console costs the
// API: the latency of DescribeServices over HTTP on an emulator running in
// real time with 1,000 services, while another client keeps changing their
// desired counts (so the change feed, the scheduler and, with a page open,
// the console's snapshots are all busy). It reports p50 and p99 with no
// page open and with one page open on one of the services.
//
//	go test ./emulator/console -run '^$' -bench APIWith1000 -benchtime 3000x
func BenchmarkAPIWith1000Services(b *testing.B) {
	for _, pages := range []int{0, 1} {
		b.Run(fmt.Sprintf("pages=%d", pages), func(b *testing.B) { benchAPI(b, pages) })
	}
}

const benchServices = 1000

func benchAPI(b *testing.B, pages int) {
	em := emulator.New(emulator.Options{Speed: 15, Seed: 1, DefaultCluster: true})
	defer func() {
		if err := em.Close(); err != nil {
			b.Error(err)
		}
	}()
	ctx := context.Background()
	invoke := func(op, body string) {
		if _, err := em.InvokeECS(ctx, "us-east-1", op, []byte(body)); err != nil {
			b.Fatalf("%s: %v", op, err)
		}
	}
	invoke("RegisterTaskDefinition", `{"family":"web","networkMode":"awsvpc","cpu":"256","memory":"512","requiresCompatibilities":["FARGATE"],
		"containerDefinitions":[{"name":"web","image":"web:1","essential":true}]}`)
	for i := range benchServices {
		invoke("CreateService", fmt.Sprintf(`{"serviceName":"svc-%d","taskDefinition":"web","desiredCount":1,"launchType":"FARGATE",
			"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-a","subnet-b","subnet-c"]}}}`, i))
	}
	em.Advance(3 * time.Minute)

	c := New(em)
	srv := httptest.NewServer(c.Wrap(em))
	defer srv.Close()
	defer c.Close()

	var streamed atomic.Int64
	var readers sync.WaitGroup
	for p := range pages {
		res, err := http.Get(fmt.Sprintf("%s%sevents?region=us-east-1&cluster=default&service=svc-%d", srv.URL, Path, p))
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = res.Body.Close() }()
		readers.Add(1)
		go func() { // a page reading every event
			defer readers.Done()
			r := bufio.NewReaderSize(res.Body, 1<<16)
			n, _ := io.Copy(io.Discard, r)
			streamed.Add(n)
		}()
	}

	call := func(op, body string) time.Duration {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", bytes.NewBufferString(body))
		req.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/ecs/aws4_request")
		t0 := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close() // read already; a close error changes nothing here
		if res.StatusCode != http.StatusOK {
			b.Fatalf("%s: HTTP %d", op, res.StatusCode)
		}
		return time.Since(t0)
	}

	stop := make(chan struct{})
	var churn sync.WaitGroup
	churn.Add(1)
	go func() { // another client keeps services deploying
		defer churn.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
				call("UpdateService", fmt.Sprintf(`{"service":"svc-%d","desiredCount":%d}`, i%benchServices, 1+(i/benchServices)%2))
			}
		}
	}()

	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lat = append(lat, call("DescribeServices", fmt.Sprintf(`{"services":["svc-%d"]}`, i%benchServices)))
	}
	b.StopTimer()
	close(stop)
	churn.Wait()
	c.Close()
	readers.Wait()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	if pages > 0 {
		b.ReportMetric(float64(streamed.Load())/1024, "streamed-KiB")
	}
}

// BenchmarkClusterListWith1000Services measures the largest message a page
// receives: every cluster with a summary of each of 1,000 services, taken
// under the state lock and encoded.
func BenchmarkClusterListWith1000Services(b *testing.B) {
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(start), Seed: 1, DefaultCluster: true})
	defer func() {
		if err := em.Close(); err != nil {
			b.Error(err)
		}
	}()
	ctx := context.Background()
	if _, err := em.InvokeECS(ctx, "us-east-1", "RegisterTaskDefinition", []byte(`{"family":"web","networkMode":"awsvpc","cpu":"256","memory":"512",
		"requiresCompatibilities":["FARGATE"],"containerDefinitions":[{"name":"web","image":"web:1","essential":true}]}`)); err != nil {
		b.Fatal(err)
	}
	for i := range benchServices {
		if _, err := em.InvokeECS(ctx, "us-east-1", "CreateService", []byte(fmt.Sprintf(`{"serviceName":"svc-%d","taskDefinition":"web",
			"desiredCount":1,"launchType":"FARGATE","networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-a"]}}}`, i))); err != nil {
			b.Fatal(err)
		}
	}
	em.Advance(2 * time.Minute)
	size := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		data, err := json.Marshal(em.ClusterSnapshots())
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.ReportMetric(float64(size)/1024, "KiB")
}
