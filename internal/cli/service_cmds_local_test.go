package cli

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/inspect"
)

// longRunning: every image runs until stopped, starting in two seconds.
func longRunning() *scenario.Scenario {
	return &scenario.Scenario{Images: []scenario.Image{fastImage("*")}}
}

func TestStatusShowsDeploymentsTasksAndEvents(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, longRunning())
	td := l.registerFamily(t, "web", taskContainer("app", "web:1", true))
	l.createService(t, "web", td, 3)

	code, stdout, _ := l.exec(t, "status", "--service", "web", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var rep inspect.ServiceStatus
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("not one JSON report: %v\n%s", err, stdout)
	}
	if rep.TaskDefinition != td || rep.Desired != 3 || rep.Running != 3 || len(rep.Deployments) != 1 ||
		rep.Deployments[0].RolloutState != "COMPLETED" || rep.Deployments[0].Running != 3 {
		t.Fatalf("report = %+v", rep)
	}
	running := 0
	for _, z := range rep.Zones {
		running += z.Status["RUNNING"]
		if !strings.HasPrefix(z.Zone, "us-east-1") {
			t.Fatalf("zone %q", z.Zone)
		}
	}
	if running != 3 || len(rep.Zones) != 3 {
		t.Fatalf("tasks by zone = %+v; want one running task in each of 3 zones", rep.Zones)
	}
	if len(rep.Events) == 0 || !strings.Contains(rep.Events[0].Message, "steady state") {
		t.Fatalf("events = %+v", rep.Events)
	}

	code, stdout, _ = l.exec(t, "status", "-n", "web")
	for _, want := range []string{"service web (cluster default): ACTIVE, 3 desired, 3 running", "task definition: web:1",
		"PRIMARY", "COMPLETED", "us-east-1a", "recent events:"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Fatalf("text view lacks %q:\n%s", want, stdout)
		}
	}
}

func TestStatusWatchRefreshesUntilInterrupted(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, longRunning())
	td := l.registerFamily(t, "web", taskContainer("app", "web:1", true))
	l.createService(t, "web", td, 1)
	var out, errOut syncBuffer
	clk := &stepClock{now: emuStart, asked: make(chan chan time.Time, 1)}
	g := runOpts{Local: l.em, Clock: clk}.deps(&out, &errOut)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, g, []string{"--local", "status", "-n", "web", "--watch", "--interval", "100ms", "--output", "json"})
	}()
	// The watch asks its clock for the next refresh only after it has
	// printed the current view; the test waits for that request, so each
	// step is a signal, not a guessed time.
	nextWait := func(what string) chan time.Time {
		t.Helper()
		select {
		case tick := <-clk.asked:
			return tick
		case code := <-done:
			t.Fatalf("the watch ended (exit %d) before %s; stderr %s", code, what, errOut.String())
		}
		return nil
	}
	tick := nextWait("the first report")
	if s := out.String(); strings.Count(s, "\n") != 1 || !strings.Contains(s, `"desiredCount":1`) {
		t.Fatalf("first report:\n%s", s)
	}
	// Scale while watching: the next refresh must show the change.
	if _, err := l.client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), DesiredCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	tick <- clk.now.Add(100 * time.Millisecond)
	nextWait("the report of the new desired count")
	if s := out.String(); !strings.Contains(s, `"desiredCount":2`) {
		t.Fatalf("no report of the new desired count after a refresh:\n%s", s)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d; stderr %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var first, last inspect.ServiceStatus
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	if len(lines) < 2 || first.Desired != 1 || last.Desired != 2 {
		t.Fatalf("watch printed %d reports, desired %d then %d:\n%s", len(lines), first.Desired, last.Desired, out.String())
	}
}

func TestStatusBadInput(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, longRunning())
	cases := map[string][]string{
		"service nosuch not found in cluster default": {"status", "--service", "nosuch"},
		"cluster nowhere not found":                   {"status", "--service", "web", "--cluster", "nowhere"},
		"--service":                                   {"status"},
	}
	for want, args := range cases {
		code, stdout, stderr := l.exec(t, args...)
		if code != 2 || stdout != "" {
			t.Fatalf("%v: exit %d, stdout %q", args, code, stdout)
		}
		oneLine(t, stderr, want)
	}
}

func TestScaleWaitsWithTheWatcher(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, longRunning())
	td := l.registerFamily(t, "web", taskContainer("app", "web:1", true))
	l.createService(t, "web", td, 1)

	code, stdout, _ := l.exec(t, "scale", "4", "-n", "web", "--output", "json")
	var res scaleReport
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 0 {
		t.Fatalf("exit %d, %v:\n%s", code, err, stdout)
	}
	if svc := l.service(t, "web"); res.Outcome != "succeeded" || svc.RunningCount != 4 || res.PreviousCount != 1 {
		t.Fatalf("scale up: %+v; service runs %d", res, svc.RunningCount)
	}
	if res.APICalls["ECS.DescribeServices"] == 0 {
		t.Fatalf("api calls not counted: %v", res.APICalls)
	}

	code, stdout, _ = l.exec(t, "scale", "1", "-n", "web")
	if svc := l.service(t, "web"); code != 0 || svc.RunningCount != 1 || !strings.HasPrefix(stdout, "succeeded: service web in default scaled 4 → 1") {
		t.Fatalf("scale down: exit %d, running %d:\n%s", code, svc.RunningCount, stdout)
	}
}

func TestScaleBadInput(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, longRunning())
	td := l.registerFamily(t, "web", taskContainer("app", "web:1", true))
	l.createService(t, "web", td, 1)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"scale", "-1", "-n", "web"}, "COUNT must be 0 or more"},
		{[]string{"scale", "-n", "web", "--", "-3"}, "COUNT must be 0 or more, not -3"},
		{[]string{"scale", "two", "-n", "web"}, `COUNT "two" is not a whole number`},
		{[]string{"scale", "2", "-n", "nosuch"}, "service nosuch not found"},
	}
	for _, tc := range cases {
		code, _, stderr := l.exec(t, tc.args...)
		if code != 2 {
			t.Fatalf("%v: exit %d", tc.args, code)
		}
		oneLine(t, stderr, tc.want)
	}
	if svc := l.service(t, "web"); svc.DesiredCount != 1 {
		t.Fatalf("desired count changed to %d", svc.DesiredCount)
	}
}

func TestRegisterMakesARevisionWithoutTouchingTheService(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, longRunning())
	td := l.registerFamily(t, "web", taskContainer("app", "registry.example.com/web:1.0", true), taskContainer("log", "fluent:1", false))
	l.createService(t, "web", td, 1)

	code, stdout, _ := l.exec(t, "register", "-n", "web", "-i", "app=registry.example.com/web:1.1", "--env", "app:MODE=new", "--output", "json")
	var rep registerReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 0 {
		t.Fatalf("exit %d, %v:\n%s", code, err, stdout)
	}
	if !rep.Registered || rep.Revision != 2 || rep.Base != td || !strings.Contains(rep.Diff, "registry.example.com/web:1.1") {
		t.Fatalf("report = %+v", rep)
	}
	out, err := l.client.DescribeTaskDefinition(context.Background(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web:2")})
	if err != nil {
		t.Fatal(err)
	}
	app, log := out.TaskDefinition.ContainerDefinitions[0], out.TaskDefinition.ContainerDefinitions[1]
	if aws.ToString(app.Image) != "registry.example.com/web:1.1" || aws.ToString(log.Image) != "fluent:1" ||
		aws.ToBool(log.Essential) || aws.ToString(app.Environment[0].Value) != "new" {
		t.Fatalf("registered containers: %+v", out.TaskDefinition.ContainerDefinitions)
	}
	if got := aws.ToString(l.service(t, "web").TaskDefinition); got != td {
		t.Fatalf("register changed the service to %s", got)
	}

	// Nothing to change: nothing registered; the base is printed.
	code, stdout, stderr := l.exec(t, "register", "--family", "web")
	if code != 0 || strings.TrimSpace(stdout) != strings.Replace(td, "web:1", "web:2", 1) || !strings.Contains(stderr, "nothing changes") {
		t.Fatalf("no-op register: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// --dry-run shows the diff and registers nothing.
	code, stdout, _ = l.exec(t, "register", "--task-definition", "web:1", "--tag-only", "2.0", "--dry-run")
	if code != 0 || !strings.Contains(stdout, "registry.example.com/web:2.0") {
		t.Fatalf("dry run: exit %d\n%s", code, stdout)
	}
	list, _ := l.client.ListTaskDefinitions(context.Background(), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("web")})
	if len(list.TaskDefinitionArns) != 2 {
		t.Fatalf("revisions after a dry run: %v", list.TaskDefinitionArns)
	}
	// A new tag is a change: a revision carrying it is registered.
	code, stdout, _ = l.exec(t, "register", "--family", "web", "--tag", "team=data", "--output", "json")
	rep = registerReport{}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 0 || !rep.Registered || rep.Revision != 3 {
		t.Fatalf("tag-only register: exit %d, %v, %+v", code, err, rep)
	}
	tagged, err := l.client.DescribeTaskDefinition(context.Background(), &ecs.DescribeTaskDefinitionInput{
		TaskDefinition: aws.String("web:3"), Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags}})
	if err != nil || len(tagged.Tags) != 1 || aws.ToString(tagged.Tags[0].Value) != "data" {
		t.Fatalf("tags of web:3: %+v, %v", tagged.Tags, err)
	}
	// Unknown container: exit 2, nothing registered.
	code, _, stderr = l.exec(t, "register", "--family", "web", "-i", "nope=x:1")
	if code != 2 {
		t.Fatalf("unknown container: exit %d", code)
	}
	oneLine(t, stderr, "nope")
}

func TestRevisionsListAndPruneNeverTouchesRevisionsInUse(t *testing.T) {
	t.Parallel()
	l := newTaskECS(t, longRunning())
	ctx := context.Background()
	var arns []string
	for i := 1; i <= 7; i++ {
		arns = append(arns, l.registerFamily(t, "web", taskContainer("app", "web:"+string(rune('0'+i)), true)))
	}
	// A family whose name starts like ours must not be listed or pruned.
	other := l.registerFamily(t, "web-worker", taskContainer("w", "worker:1", true))
	// Service "api" runs web:3 (with nothing before it, rollback would pick
	// web:2); service "web" ran web:4 and now runs web:5, so web:4 is its
	// rollback target.
	l.createService(t, "api", arns[2], 1)
	l.createService(t, "web", arns[3], 1)
	if _, err := l.client.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(arns[4])}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 600; i++ {
		if s := l.service(t, "web"); len(s.Deployments) == 1 && s.Deployments[0].RolloutState == types.DeploymentRolloutStateCompleted {
			break
		}
		l.em.Advance(time.Second)
	}

	code, stdout, _ := l.exec(t, "revisions", "web", "--output", "json")
	var listing struct {
		Revisions []inspect.Revision `json:"revisions"`
	}
	if err := json.Unmarshal([]byte(stdout), &listing); err != nil || code != 0 {
		t.Fatalf("exit %d, %v:\n%s", code, err, stdout)
	}
	if len(listing.Revisions) != 7 || listing.Revisions[0].Revision != 7 || listing.Revisions[4].UsedBy[0] != "api" ||
		listing.Revisions[2].UsedBy[0] != "web" || listing.Revisions[0].Images[0] != "app=web:7" || listing.Revisions[0].RegisteredAt == nil {
		t.Fatalf("listing = %+v", listing.Revisions)
	}

	// A dry run changes nothing.
	code, stdout, _ = l.exec(t, "revisions", "prune", "web", "--keep", "1", "--dry-run")
	if code != 0 || !strings.Contains(stdout, "would deregister web:6") {
		t.Fatalf("dry run: exit %d\n%s", code, stdout)
	}
	for _, a := range arns {
		if st := l.revisionStatus(t, a); st != types.TaskDefinitionStatusActive {
			t.Fatalf("dry run deregistered %s", a)
		}
	}

	code, stdout, _ = l.exec(t, "revisions", "prune", "web", "--keep", "1", "--output", "json")
	var pr pruneReport
	if err := json.Unmarshal([]byte(stdout), &pr); err != nil || code != 0 {
		t.Fatalf("exit %d, %v:\n%s", code, err, stdout)
	}
	want := map[string]types.TaskDefinitionStatus{
		arns[0]: types.TaskDefinitionStatusInactive, // old, unused
		arns[1]: types.TaskDefinitionStatusActive,   // what service api would roll back to
		arns[2]: types.TaskDefinitionStatusActive,   // service api runs it
		arns[3]: types.TaskDefinitionStatusActive,   // service web's rollback target
		arns[4]: types.TaskDefinitionStatusActive,   // service web runs it
		arns[5]: types.TaskDefinitionStatusInactive, // old, unused
		arns[6]: types.TaskDefinitionStatusActive,   // the newest
		other:   types.TaskDefinitionStatusActive,   // another family
	}
	for arn, st := range want {
		if got := l.revisionStatus(t, arn); got != st {
			t.Errorf("%s is %s, want %s (report %+v)", shortTaskDef(arn), got, st, pr)
		}
	}
	if len(pr.Deregistered) != 2 || len(pr.Kept) != 4 {
		t.Fatalf("report = %+v", pr)
	}

	for args, want := range map[string]string{
		"revisions nosuch":                "task definition family nosuch not found",
		"revisions prune web --keep 0":    "--keep",
		"revisions prune web":             "--keep",
		"revisions prune nosuch --keep 2": "task definition family nosuch not found",
		"revisions bad:name":              "not a task-definition family name",
		"revisions web --cluster nowhere": "cluster nowhere not found",
	} {
		code, _, stderr := l.exec(t, strings.Fields(args)...)
		if code != 2 {
			t.Fatalf("%s: exit %d", args, code)
		}
		oneLine(t, stderr, want)
	}
}

// stepClock is a clock a test drives: After hands the test the channel it
// will fire, so a test knows when a loop waits and decides when it goes on.
type stepClock struct {
	now   time.Time
	asked chan chan time.Time
}

func (c *stepClock) Now() time.Time { return c.now }

func (c *stepClock) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.asked <- ch
	return ch
}

// syncBuffer is a buffer a command writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
