package reliability

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	localcfn "github.com/ecsdeploy/ecsdeploy/emulator/cloudformation"
	"github.com/ecsdeploy/ecsdeploy/emulator/logs"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/internal/cli"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// speed is emulated seconds per wall second: a rollout of two emulated
// minutes takes under a second.
const speed = 150

func TestMain(m *testing.M) {
	// The commands run in-process, in parallel: the environment is set once.
	// The secret key and session token are markers TestNoSecretInAnyOutput
	// looks for in every output (it runs in parallel, so it cannot set them).
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDRELIABILITY", "AWS_SECRET_ACCESS_KEY": markSecretKey, "AWS_SESSION_TOKEN": markSession, "AWS_REGION": "us-east-1",
		"AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	} {
		if err := os.Setenv(k, v); err != nil {
			panic(err)
		}
	}
	// AWS_CA_BUNDLE: the local ECS is reached over loopback HTTP, and the
	// SDK would parse the machine's bundle at every configuration load.
	for _, k := range []string{"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE"} {
		if err := os.Unsetenv(k); err != nil {
			panic(err)
		}
	}
	if os.Getenv(cliEnv) != "" { // the test binary as ecsdeploy, for the kill tests
		os.Exit(cli.Main(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// cliEnv makes the test binary run ecsdeploy instead of the tests.
const cliEnv = "RELIABILITY_RUN_CLI"

// images are the behaviours a scenario gives the image a command deploys.
var images = []scenario.Image{
	{Match: "*:crash", ExitCode: intp(1), ExitAfter: secs(5)},
	{Match: "*:pullfail", PullFailure: "pull access denied for app, repository does not exist"},
	{Match: "*:unhealthy", Health: scenario.HealthUnhealthy},
	{Match: "*:dies-later", ExitCode: intp(137), ExitAfter: secs(150)},
	{Match: "*:exit3", ExitCode: intp(3), ExitAfter: secs(5)},
	{Match: "*:exit0", ExitCode: intp(0), ExitAfter: secs(5)},
}

func intp(v int) *int              { return &v }
func secs(n int) scenario.Duration { return scenario.Duration(time.Duration(n) * time.Second) }

// tb is what the harness needs of a test: *testing.T, or a recorder for
// the cells the matrix runs concurrently.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// recorder is a tb that records the first fatal message and ends the cell.
type recorder struct {
	msg      string
	cleanups []func()
}

var errRecorderFatal = fmt.Errorf("cell ended by Fatal")

func (r *recorder) Helper()           {}
func (r *recorder) Cleanup(fn func()) { r.cleanups = append(r.cleanups, fn) }
func (r *recorder) Fatal(args ...any) { r.msg = fmt.Sprint(args...); panic(errRecorderFatal) }
func (r *recorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	panic(errRecorderFatal)
}

// done runs the cleanups, last first.
func (r *recorder) done() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func trimLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// env is one local ECS behind a Proxy on a loopback socket, and an SDK
// client that reaches the local ECS directly (no faults) for set-up and
// checks.
type env struct {
	em     *emulator.Emulator
	proxy  *Proxy
	url    string
	client *ecs.Client
	clock  watch.Clock // of the commands run in-process; nil: the wall clock
}

// clockKind is how time passes in an env.
type clockKind int

const (
	// wallTime: the local ECS runs speed times faster than the wall clock,
	// for commands that pause on the wall clock (stack deploy's waits, a
	// command run as a process of its own).
	wallTime clockKind = iota
	// steppedTime: the local ECS stands still until a command run
	// in-process pauses; see steppedClock.
	steppedTime
)

// steppedClock is the clock of the commands run in-process on a stepped
// local ECS. It runs speed times slower than the local ECS, as the wall
// clock does beside a local ECS at that speed, so every flag keeps its
// meaning (a 100ms poll interval is 15 emulated seconds); a pause moves the
// local ECS forward by the pause times speed at once, so nothing waits.
type steppedClock struct {
	em    *emulator.Emulator
	start time.Time
}

func (c steppedClock) Now() time.Time {
	return c.start.Add(time.Duration(float64(c.em.Now().Sub(c.start)) / speed))
}

func (c steppedClock) After(d time.Duration) <-chan time.Time {
	c.em.Advance(time.Duration(float64(d) * speed))
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}

func newEnv(t tb, breaker *types.DeploymentCircuitBreaker, kind clockKind) *env {
	t.Helper()
	e := newBareEnv(t, kind)
	e.createService(t, breaker)
	return e
}

// newBareEnv is newEnv with cluster "c" and nothing in it.
func newBareEnv(t tb, kind clockKind) *env {
	t.Helper()
	opts := emulator.Options{Speed: speed, Seed: 11, Scenario: &scenario.Scenario{Images: images}}
	start := time.Now()
	if kind == steppedTime {
		opts.Clock = emulator.NewManualClock(start)
	}
	em := emulator.New(opts)
	// tb has no Error, and a Fatal in a cleanup would end the cell twice;
	// the emulator's Close only stops its clock.
	t.Cleanup(func() { _ = em.Close() })
	logs.Register(em)
	localcfn.Register(em)
	proxy := NewProxy(em)
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{em: em, proxy: proxy, url: srv.URL, client: ecs.NewFromConfig(cfg)}
	if kind == steppedTime {
		e.clock = steppedClock{em: em, start: start}
	}
	if _, err := e.client.CreateCluster(context.Background(), &ecs.CreateClusterInput{ClusterName: aws.String("c")}); err != nil {
		t.Fatal(err)
	}
	return e
}

// createService makes cluster "c" and service "web" (family "web",
// container "app", image app:good, 2 tasks, Fargate) at steady state.
func (e *env) createService(t tb, breaker *types.DeploymentCircuitBreaker) {
	ctx := context.Background()
	td := e.register(t, "app:good")
	if _, err := e.client.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String("c"), ServiceName: aws.String("web"), TaskDefinition: aws.String(td), DesiredCount: aws.Int32(2),
		LaunchType:           types.LaunchTypeFargate,
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1", "subnet-2"}}},
		DeploymentConfiguration: &types.DeploymentConfiguration{MinimumHealthyPercent: aws.Int32(100), MaximumPercent: aws.Int32(200),
			DeploymentCircuitBreaker: breaker},
	}); err != nil {
		t.Fatal(err)
	}
	e.em.Advance(3 * time.Minute)
}

// register registers a revision of family "web" running image, with a
// container health check.
func (e *env) register(t tb, image string) string {
	out, err := e.client.RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"), NetworkMode: types.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String(image), Essential: aws.Bool(true),
			HealthCheck: &types.HealthCheck{Command: []string{"CMD-SHELL", "true"}, Interval: aws.Int32(5), Retries: aws.Int32(2)}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

// setFaults makes the local ECS throttle or fail calls from now on.
func (e *env) setFaults(t tb, faults []scenario.Fault) {
	if err := e.em.SetScenario(&scenario.Scenario{Images: images, Faults: faults}); err != nil {
		t.Fatal(err)
	}
}

// run runs ecsdeploy in-process against the proxy and returns its exit
// code and what it printed.
func (e *env) run(ctx context.Context, args ...string) (int, string) {
	var out bytes.Buffer
	d := cli.NewDeps(&cli.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out}, e.clock, awsconfig.Options{}, nil)
	full := append(append([]string{}, args...), "--endpoint-url", e.url, "--region", "us-east-1")
	code := cli.Execute(ctx, d, full)
	return code, out.String()
}

// endState is what a cell checks after the command.
type endState struct {
	Image   string // of the service's task definition
	Desired int32
	Active  int // ACTIVE revisions of family web
}

func (e *env) endState(t tb) endState {
	ctx := context.Background()
	e.setFaults(t, nil)
	e.proxy.SetRules()
	svc, err := e.client.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{"web"}})
	if err != nil || len(svc.Services) != 1 {
		t.Fatalf("describe the service: %v", err)
	}
	td, err := e.client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: svc.Services[0].TaskDefinition})
	if err != nil {
		t.Fatal(err)
	}
	list, err := e.client.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("web"), Status: types.TaskDefinitionStatusActive})
	if err != nil {
		t.Fatal(err)
	}
	return endState{Image: aws.ToString(td.TaskDefinition.ContainerDefinitions[0].Image), Desired: svc.Services[0].DesiredCount, Active: len(list.TaskDefinitionArns)}
}
