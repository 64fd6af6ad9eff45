package emulator_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/elbv2"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

const (
	benchServices        = 1000
	benchTasksPerService = 10
	benchDescribeCalls   = 2000
	benchDeployments     = 100
	benchSteps           = 60
)

// BenchmarkLocalECSAt1000Services measures the emulator with 1,000
// services of 10 tasks each: DescribeServices (10 services per call, over
// HTTP through the Go SDK) latency p50/p99, heap in use, and the
// scheduler's step time with 100 deployments in flight. Run with
//
//	go test ./emulator -run '^$' -bench LocalECSAt1000Services -benchtime 1x
//
// The moto sub-benchmark measures the same DescribeServices against moto_server.
func BenchmarkLocalECSAt1000Services(b *testing.B) {
	b.Run("emulator", func(b *testing.B) { benchmarkEmulator(b, false) })
	b.Run("emulator-half-behind-load-balancers", func(b *testing.B) { benchmarkEmulator(b, true) })
	b.Run("moto", benchmarkMoto)
}

// benchmarkEmulator builds the services; withLBs puts every other one
// behind a target group of the local ELBv2 (its own group and listener
// rule on one ALB), so its tasks register as targets and roll out on
// target health.
func benchmarkEmulator(b *testing.B, withLBs bool) {
	testenv.SetFakeAWSEnv(b)
	ctx := context.Background()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	clock := emulator.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	em := emulator.New(emulator.Options{Clock: clock, Seed: 1, DefaultCluster: true})
	b.Cleanup(func() {
		if err := em.Close(); err != nil {
			b.Error(err)
		}
	})
	invoke := func(op, body string) {
		if _, err := em.InvokeECS(ctx, "us-east-1", op, []byte(body)); err != nil {
			b.Fatalf("%s: %v", op, err)
		}
	}
	td := `{"family":"svc","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
	  "containerDefinitions":[{"name":"app","image":"app:%d","portMappings":[{"containerPort":8080}]}]}`
	invoke("RegisterTaskDefinition", fmt.Sprintf(td, 1))
	invoke("RegisterTaskDefinition", fmt.Sprintf(td, 2))
	groups := map[int]string{}
	if withLBs {
		groups = benchTargetGroups(b, em, benchServices/2)
	}
	for i := 0; i < benchServices; i++ {
		lbs := ""
		if tg, ok := groups[i/2]; ok && i%2 == 0 {
			lbs = fmt.Sprintf(`,"loadBalancers":[{"targetGroupArn":%q,"containerName":"app","containerPort":8080}]`, tg)
		}
		invoke("CreateService", fmt.Sprintf(`{"serviceName":"s%04d","taskDefinition":"svc:1","desiredCount":%d,"launchType":"FARGATE",
		  "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-a","subnet-b","subnet-c"]}}%s}`, i, benchTasksPerService, lbs))
	}
	em.Advance(2 * time.Minute)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	heapMiB := float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)

	srv := httptest.NewServer(em)
	defer srv.Close()
	client := sdkClient(b, srv.URL)
	checkSteady(b, client)
	p50, p99, errs := measureDescribe(b, client)
	h50, h99 := measureHandler(b, em)

	for i := 0; i < benchDeployments; i++ {
		invoke("UpdateService", fmt.Sprintf(`{"service":"s%04d","taskDefinition":"svc:2"}`, i))
	}
	steps := make([]time.Duration, 0, benchSteps)
	for i := 0; i < benchSteps; i++ {
		start := time.Now()
		em.Advance(time.Second)
		steps = append(steps, time.Since(start))
	}
	stepMean, stepMax := meanMax(steps)

	b.ReportMetric(ms(p50), "describe-p50-ms")
	b.ReportMetric(ms(p99), "describe-p99-ms")
	b.ReportMetric(ms(h99), "handler-p99-ms")
	b.ReportMetric(heapMiB, "heap-MiB")
	b.ReportMetric(ms(stepMean), "step-mean-ms")
	title := "local ECS"
	if withLBs {
		title += ", every other service behind a target group"
	}
	b.Logf("\n%s, %d services x %d tasks (Fargate)\n"+
		"  DescribeServices (10/call, %d calls over HTTP): p50 %.3f ms   p99 %.3f ms   (client transport errors: %d)\n"+
		"  the same, in the handler alone (no client):  p50 %.3f ms   p99 %.3f ms\n"+
		"  heap in use for the state:                    %.1f MiB\n"+
		"  scheduler step, %d deployments in flight:     mean %.3f ms   max %.3f ms (%d steps)",
		title, benchServices, benchTasksPerService, benchDescribeCalls, ms(p50), ms(p99), errs, ms(h50), ms(h99), heapMiB,
		benchDeployments, ms(stepMean), ms(stepMax), benchSteps)
}

func benchmarkMoto(b *testing.B) {
	moto := testenv.StartMoto(b)
	ctx := context.Background()
	client := sdkClient(b, moto.Endpoint)
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		b.Fatal(err)
	}
	// moto cannot run awsvpc tasks without its EC2 subnets; an EC2 service
	// stores the same service record, which is what DescribeServices reads.
	if _, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("svc"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("app:1"), Memory: aws.Int32(256)}}}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < benchServices; i++ {
		if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String(fmt.Sprintf("s%04d", i)),
			TaskDefinition: aws.String("svc:1"), DesiredCount: aws.Int32(benchTasksPerService)}); err != nil {
			b.Fatal(err)
		}
	}
	p50, p99, errs := measureDescribe(b, client)
	b.ReportMetric(ms(p50), "describe-p50-ms")
	b.ReportMetric(ms(p99), "describe-p99-ms")
	b.Logf("\nmoto_server, %d services (it runs no tasks)\n  DescribeServices (10/call, %d calls over HTTP): p50 %.3f ms   p99 %.3f ms   (client transport errors: %d)",
		benchServices, benchDescribeCalls, ms(p50), ms(p99), errs)
}

func sdkClient(b *testing.B, endpoint string) *ecs.Client {
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{EndpointURL: endpoint, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		b.Fatal(err)
	}
	cfg.HTTPClient = plainBodyClient{http.DefaultTransport}
	return ecs.NewFromConfig(cfg)
}

// plainBodyClient sends requests with a body that offers only Read and
// Close. The SDK's own body wrapper also offers WriteTo, which answers
// io.EOF (an error to io.Copy) once the SDK has closed it, and the SDK
// closes it as soon as the reply's headers arrive. net/http writes the body
// straight to the socket and then reads it once more to check for extra
// bytes; when a fast server has already replied, that last read fails, and
// net/http closes the connection, often while the SDK still reads the reply
// ("use of closed network connection"), else merely forcing a reconnect (one
// call in twenty here). A plain body ends with a clean EOF, so connections
// are kept and the figures measure the emulator, not reconnects.
type plainBodyClient struct{ rt http.RoundTripper }

func (c plainBodyClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body = struct{ io.ReadCloser }{req.Body}
	}
	return c.rt.RoundTrip(req)
}

func checkSteady(b *testing.B, client *ecs.Client) {
	out, err := client.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Services: []string{"s0000", "s0999"}})
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range out.Services {
		if s.RunningCount != benchTasksPerService || s.Deployments[0].RolloutState != types.DeploymentRolloutStateCompleted {
			b.Fatalf("%s is not steady: %d running, %s", aws.ToString(s.ServiceName), s.RunningCount, s.Deployments[0].RolloutState)
		}
	}
}

// measureDescribe times DescribeServices calls of 10 services each, cycling
// through all services. Client-side transport errors are counted and left
// out of the latencies (see plainBodyClient for the one the SDK used to hit).
func measureDescribe(b *testing.B, client *ecs.Client) (p50, p99 time.Duration, errs int) {
	ctx := context.Background()
	lat := make([]time.Duration, 0, benchDescribeCalls)
	for call := 0; call < benchDescribeCalls; call++ {
		names := make([]string, 10)
		for j := range names {
			names[j] = fmt.Sprintf("s%04d", (call*10+j)%benchServices)
		}
		start := time.Now()
		out, err := client.DescribeServices(ctx, &ecs.DescribeServicesInput{Services: names})
		elapsed := time.Since(start)
		if err != nil {
			errs++
			if errs > benchDescribeCalls/100 {
				b.Fatalf("describe call %d: %v", call, err)
			}
			continue
		}
		if len(out.Services) != 10 {
			b.Fatalf("describe call %d: %d services", call, len(out.Services))
		}
		lat = append(lat, elapsed)
	}
	slices.Sort(lat)
	return lat[len(lat)/2], lat[len(lat)*99/100], errs
}

// measureHandler times the same DescribeServices requests served in-process
// (the emulator's share of the latency, without the SDK or sockets).
func measureHandler(b *testing.B, em *emulator.Emulator) (p50, p99 time.Duration) {
	lat := make([]time.Duration, 0, benchDescribeCalls)
	for call := 0; call < benchDescribeCalls; call++ {
		names := make([]string, 10)
		for j := range names {
			names[j] = fmt.Sprintf("%q", fmt.Sprintf("s%04d", (call*10+j)%benchServices))
		}
		req := httptest.NewRequest("POST", "/", strings.NewReader(`{"services":[`+strings.Join(names, ",")+`]}`))
		req.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DescribeServices")
		rec := httptest.NewRecorder()
		start := time.Now()
		em.ServeHTTP(rec, req)
		lat = append(lat, time.Since(start))
		if rec.Code != 200 {
			b.Fatalf("handler: %d %s", rec.Code, rec.Body.String())
		}
	}
	slices.Sort(lat)
	return lat[len(lat)/2], lat[len(lat)*99/100]
}

func meanMax(ds []time.Duration) (mean, max time.Duration) {
	var sum time.Duration
	for _, d := range ds {
		sum += d
		if d > max {
			max = d
		}
	}
	return sum / time.Duration(len(ds)), max
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchTargetGroups registers the local ELBv2 on em and builds one ALB
// with a listener whose rule i forwards to target group i; it returns the
// groups' ARNs by index.
func benchTargetGroups(b *testing.B, em *emulator.Emulator, n int) map[int]string {
	svc := elbv2.Register(em)
	rc := &emulator.RequestContext{Region: "us-east-1", AccountID: em.AccountID(), Now: em.Now()}
	call := func(action string, kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		out, err := svc.ServeQuery(rc, action, v)
		if err != nil {
			b.Fatalf("%s: %v", action, err)
		}
		data, _ := xml.Marshal(out)
		return string(data)
	}
	arnIn := func(doc, elem string) string {
		_, rest, _ := strings.Cut(doc, "<"+elem+">")
		arn, _, _ := strings.Cut(rest, "</"+elem+">")
		return arn
	}
	lb := arnIn(call("CreateLoadBalancer", "Name", "bench", "Subnets.member.1", "subnet-a", "Subnets.member.2", "subnet-b"), "LoadBalancerArn")
	listener := ""
	groups := map[int]string{}
	for i := 0; i < n; i++ {
		tg := arnIn(call("CreateTargetGroup", "Name", fmt.Sprintf("tg%04d", i), "Protocol", "HTTP", "Port", "8080",
			"VpcId", "vpc-1", "TargetType", "ip"), "TargetGroupArn")
		groups[i] = tg
		if listener == "" {
			listener = arnIn(call("CreateListener", "LoadBalancerArn", lb, "Port", "80",
				"DefaultActions.member.1.Type", "forward", "DefaultActions.member.1.TargetGroupArn", tg), "ListenerArn")
			continue
		}
		call("CreateRule", "ListenerArn", listener, "Priority", fmt.Sprint(i), "Conditions.member.1.Field", "path-pattern",
			"Conditions.member.1.Values.member.1", fmt.Sprintf("/s%d/*", i), "Actions.member.1.Type", "forward", "Actions.member.1.TargetGroupArn", tg)
	}
	return groups
}
