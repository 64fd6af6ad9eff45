package reliability

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// command is one way of running ecsdeploy the matrix covers.
type command struct {
	name    string
	breaker *types.DeploymentCircuitBreaker // of the service at the start
	images  []string                        // the images it is tried with
	// prepare sets the cell up (registering what the command needs) and
	// returns the command line.
	prepare func(t tb, e *env, image string) []string
	// bare: the cell starts with an empty cluster (prepare makes the rest).
	bare bool
	// wall: the command pauses on the wall clock, so its cells run beside
	// a local ECS on the wall clock; the others run on a stepped one.
	wall bool
	// write is the call that changes things, for the write faults;
	// register is the registration, if the command makes one.
	write, register, poll string
}

var breakerRollback = &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}

// waitFlags make the commands poll fast; the timeout is far above what a
// rollout takes at this speed (20 s wall = 50 emulated minutes), enough to
// ride out throttling's backoff under -race on a loaded machine.
var waitFlags = []string{"--poll-interval", "100ms", "-t", "20"}

// deployArgs deploys image. Tasks of dies-later pass their health checks
// and die after ECS's verdict: deploy watches on with --stable-for (2 s
// wall, 300 emulated seconds) to see them die.
func deployArgs(image string, extra ...string) []string {
	args := append([]string{"deploy", "-c", "c", "-n", "web", "-i", "app=app:" + image}, waitFlags...)
	if image == "dies-later" {
		args = append(args, "--stable-for", "2")
	}
	return append(args, extra...)
}

var deployImages = []string{"v2", "crash", "pullfail", "unhealthy", "dies-later"}

var commands = []command{
	{name: "deploy (breaker, rollback)", breaker: breakerRollback, images: deployImages,
		prepare: func(t tb, e *env, image string) []string { return deployArgs(image) },
		write:   "UpdateService", register: "RegisterTaskDefinition", poll: "DescribeServices"},
	{name: "deploy (no breaker)", images: deployImages,
		prepare: func(t tb, e *env, image string) []string { return deployArgs(image) },
		write:   "UpdateService", register: "RegisterTaskDefinition", poll: "DescribeServices"},
	{name: "deploy -D 3 --rollback (breaker)", breaker: breakerRollback, images: deployImages,
		prepare: func(t tb, e *env, image string) []string { return deployArgs(image, "-D", "3", "--rollback") },
		write:   "UpdateService", register: "RegisterTaskDefinition", poll: "DescribeServices"},
	{name: "deploy -D 3 --rollback (no breaker)", images: deployImages,
		prepare: func(t tb, e *env, image string) []string { return deployArgs(image, "-D", "3", "--rollback") },
		write:   "UpdateService", register: "RegisterTaskDefinition", poll: "DescribeServices"},
	// rollback has no --stable-for: dies-later would rightly succeed.
	{name: "rollback --to-revision", breaker: breakerRollback, images: []string{"v2", "crash", "pullfail", "unhealthy"},
		prepare: func(t tb, e *env, image string) []string {
			e.register(t, "app:"+image) // revision 2
			return append([]string{"rollback", "-c", "c", "-n", "web", "--to-revision", "2"}, waitFlags...)
		},
		write: "UpdateService", poll: "DescribeServices"},
	{name: "scale 4", breaker: breakerRollback, images: []string{"good"},
		prepare: func(t tb, e *env, image string) []string {
			return append([]string{"scale", "4", "-c", "c", "-n", "web"}, waitFlags...)
		},
		write: "UpdateService", poll: "DescribeServices"},
	{name: "run", breaker: breakerRollback, images: []string{"exit0", "exit3", "crash", "pullfail"},
		prepare: func(t tb, e *env, image string) []string {
			return append([]string{"run", "-c", "c", "--family", "web", "-i", "app=app:" + image, "--subnets", "subnet-1"}, waitFlags...)
		},
		write: "RunTask", register: "RegisterTaskDefinition", poll: "DescribeTasks"},
	// stack deploy waits for CloudFormation on the wall clock.
	{name: "stack deploy (breaker, rollback)", bare: true, wall: true, images: []string{"v2", "crash", "pullfail"},
		prepare: func(t tb, e *env, image string) []string {
			// The first deploy creates the stack, service web in cluster c.
			// It is set-up, not under test: on a loaded machine its wait can
			// run out (the stack is then rolled back), so it is tried twice.
			first := append(stackArgs(t, "good"), "-t", "60")
			code, out := e.run(context.Background(), first...)
			if code != 0 {
				code, out = e.run(context.Background(), first...)
			}
			if code != 0 {
				t.Fatalf("creating the stack: exit %d\n%s", code, trimLines(out, 10))
			}
			return stackArgs(t, image)
		},
		write: "ExecuteChangeSet", register: "CreateChangeSet", poll: "DescribeStackEvents"},
}

// stackSpec is a stack with service web in cluster c, with the breaker.
const stackSpec = `name: web
cluster: c
cpu: 256
memory: 512
containers:
  - name: app
    image: "#{Image}"
    healthCheck:
      command: ["CMD-SHELL", "true"]
      interval: 5
      retries: 2
network:
  subnets: [subnet-0123abcd, subnet-4567abcd]
deployment:
  circuitBreaker: {enable: true, rollback: true}
desiredCount: 2
`

var stackSpecFile struct {
	once sync.Once
	path string
	err  error
}

func stackArgs(t tb, image string) []string {
	stackSpecFile.once.Do(func() {
		dir, err := os.MkdirTemp("", "reliability-stack")
		if err == nil {
			stackSpecFile.path = filepath.Join(dir, "stack.yaml")
			err = os.WriteFile(stackSpecFile.path, []byte(stackSpec), 0o600)
		}
		stackSpecFile.err = err
	})
	if stackSpecFile.err != nil {
		t.Fatal(stackSpecFile.err)
	}
	// A stack operation takes more calls than a deploy: a longer timeout.
	return []string{"stack", "deploy", "-f", stackSpecFile.path, "--var", "Image=app:" + image,
		"--stack-poll-interval", "100ms", "--poll-interval", "100ms", "-t", "20"}
}

// fault is one column of the matrix.
type fault struct {
	name  string
	proxy bool                          // applied by the proxy (a cell checks that it hit)
	apply func(t tb, e *env, c command) // nil: no fault
}

var faults = []fault{
	{name: "none"},
	{name: "throttled 1/3", apply: func(t tb, e *env, c command) {
		e.setFaults(t, []scenario.Fault{{Operation: "*", Kind: scenario.FaultThrottle, Rate: 0.34}})
	}},
	{name: "5xx 1/5", apply: func(t tb, e *env, c command) {
		e.setFaults(t, []scenario.Fault{{Operation: "*", Kind: scenario.FaultServer, Rate: 0.2}})
	}},
	{name: "write: reply lost", proxy: true, apply: func(t tb, e *env, c command) {
		e.proxy.SetRules(Rule{Operation: c.write, Calls: []int{1}, Action: LoseReply})
	}},
	{name: "write: reset", proxy: true, apply: func(t tb, e *env, c command) {
		e.proxy.SetRules(Rule{Operation: c.write, Calls: []int{1}, Action: Reset})
	}},
	{name: "register: reply lost", proxy: true, apply: func(t tb, e *env, c command) {
		op := c.register
		if op == "" { // nothing registered: lose the first read's reply instead
			op = "DescribeServices"
		}
		e.proxy.SetRules(Rule{Operation: op, Calls: []int{1}, Action: LoseReply})
	}},
	{name: "waiting: 2 resets", proxy: true, apply: func(t tb, e *env, c command) {
		// The first two polls after the write (however fast the rollout).
		e.proxy.SetRules(Rule{Operation: c.poll, When: after(c.write), Times: 2, Action: Reset})
	}},
}

// outcome is what a cell expects and what it got.
type outcome struct {
	Exit int
	endState
}

func (o outcome) String() string {
	return fmt.Sprintf("exit %d, %s x%d, %d ACTIVE", o.Exit, o.Image, o.Desired, o.Active)
}

// expected is README's contract for a command and an image, whatever the
// faults: 0 when the rollout reaches its goal, 1 when it fails (with the
// service back where it was if ECS's breaker rolled back or --rollback was
// asked), N for run when the task's essential container exits N. A
// revision registered for a failed deployment stays ACTIVE (README: only
// one whose UpdateService failed is deregistered again); run exits 125
// when its task never started.
func expected(c command, image string) outcome {
	old := endState{Image: "app:good", Desired: 2, Active: 2}
	switch c.name {
	case "stack deploy (breaker, rollback)":
		// CloudFormation deletes the task definition it replaced (or, on
		// a rollback, the one it had just made): one revision stays ACTIVE.
		if image == "v2" {
			return outcome{0, endState{"app:v2", 2, 1}}
		}
		return outcome{1, endState{"app:good", 2, 1}}
	case "scale 4":
		return outcome{0, endState{"app:good", 4, 1}}
	case "run":
		// The service is untouched; the task's revision stays (it ran).
		want := map[string]int{"exit0": 0, "exit3": 3, "crash": 1, "pullfail": 125}[image]
		return outcome{want, endState{"app:good", 2, 2}}
	case "rollback --to-revision":
		if image == "v2" {
			return outcome{0, endState{"app:v2", 2, 2}}
		}
		return outcome{1, endState{"app:good", 2, 2}} // the breaker rolls back; both revisions are the user's
	}
	desired := int32(2)
	if strings.Contains(c.name, "-D 3") {
		desired = 3
	}
	if image == "v2" {
		return outcome{0, endState{"app:v2", desired, 2}}
	}
	if image == "dies-later" && !strings.Contains(c.name, "--rollback") {
		// ECS completed the deployment before the tasks died: its breaker
		// does not roll back; deploy fails it and leaves it.
		return outcome{1, endState{"app:" + image, desired, 2}}
	}
	if c.breaker != nil || strings.Contains(c.name, "--rollback") {
		return outcome{1, old}
	}
	// No breaker, no --rollback: the failed revision stays in service.
	return outcome{1, endState{"app:" + image, desired, 2}}
}

// knownFailures are cells that fail because of a bug not fixed yet, by
// command and fault (every image), with what goes wrong. They are skipped
// with that reason, and printed as such in the matrix; one that passes
// again is reported so that it can be removed from here.
var knownFailures = map[[2]string]string{}

type cell struct {
	cmd   command
	image string
	fault fault
	want  outcome
	got   outcome
	took  time.Duration
	out   string
	err   string
}

func (c *cell) name() string { return c.cmd.name + "/" + c.image + "/" + c.fault.name }

// TestFaultMatrix runs every command with every image under every fault
// and checks the exit code and the end state. Cells run concurrently (each
// on its own local ECS and socket); `go test -v` prints the matrix.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	// RELIABILITY_CELLS=text runs only the cells whose name contains text
	// (cells run before their subtests, so -run cannot choose them).
	only := os.Getenv("RELIABILITY_CELLS")
	var cells []*cell
	for _, c := range commands {
		for _, im := range c.images {
			for _, f := range faults {
				cl := &cell{cmd: c, image: im, fault: f, want: expected(c, im)}
				if strings.Contains(cl.name(), only) {
					cells = append(cells, cl)
				}
			}
		}
	}
	if only == "" && len(cells) < 150 {
		t.Fatalf("the matrix has %d cells", len(cells))
	}
	start := time.Now()
	work := make(chan *cell)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				runCell(c)
			}
		}()
	}
	for _, c := range cells {
		work <- c
	}
	close(work)
	wg.Wait()
	total := time.Since(start)

	var table strings.Builder
	fmt.Fprintf(&table, "%-36s %-11s %-21s %-34s %-6s %s\n", "command", "image", "fault", "expected", "wall", "result")
	failed, known := 0, 0
	for _, c := range cells {
		c := c
		ok := c.err == "" && c.got == c.want
		verdict := "ok"
		if reason, isKnown := knownFailures[[2]string{c.cmd.name, c.fault.name}]; isKnown {
			known++
			verdict = "KNOWN FAILURE: got " + c.got.String()
			if ok {
				verdict = "known failure now passes: remove it from knownFailures"
			}
			fmt.Fprintf(&table, "%-36s %-11s %-21s %-34s %5.1fs %s\n", c.cmd.name, c.image, c.fault.name, c.want, c.took.Seconds(), verdict)
			t.Run(c.name(), func(t *testing.T) { t.Skip(reason) })
			continue
		}
		if !ok {
			failed++
			verdict = "FAIL: got " + c.got.String()
			if c.err != "" {
				verdict = "FAIL: " + c.err
			}
		}
		fmt.Fprintf(&table, "%-36s %-11s %-21s %-34s %5.1fs %s\n", c.cmd.name, c.image, c.fault.name, c.want, c.took.Seconds(), verdict)
		t.Run(c.name(), func(t *testing.T) {
			if !ok {
				t.Errorf("want %s, got %s %s\n%s", c.want, c.got, c.err, trimLines(c.out, 12))
			}
		})
	}
	t.Logf("fault matrix: %d cells, %d failed, %d known failures (skipped), %.0fs\n%s", len(cells), failed, known, total.Seconds(), table.String())
}

// isRecorderFatal reports whether a recovered panic is the recorder's own
// way of stopping a test (its Fatal), rather than a real panic.
func isRecorderFatal(p any) bool {
	err, ok := p.(error)
	return ok && errors.Is(err, errRecorderFatal)
}

func runCell(c *cell) {
	t := &recorder{}
	defer func() {
		if p := recover(); p != nil && !isRecorderFatal(p) {
			c.err = fmt.Sprint(p)
		}
		if c.err == "" && t.msg != "" {
			c.err = t.msg
		}
	}()
	defer t.done()
	kind := steppedTime
	if c.cmd.wall {
		kind = wallTime
	}
	var e *env
	if c.cmd.bare {
		e = newBareEnv(t, kind)
	} else {
		e = newEnv(t, c.cmd.breaker, kind)
	}
	args := c.cmd.prepare(t, e, c.image)
	if c.fault.apply != nil {
		c.fault.apply(t, e, c.cmd)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code, out := e.run(ctx, args...)
	c.took = time.Since(start)
	c.out = out
	hits := e.proxy.Hits()
	c.got = outcome{Exit: code, endState: e.endState(t)}
	if c.fault.proxy && hits == 0 {
		c.err = "the fault never hit: the cell tests nothing"
	}
	if c.cmd.write == "RunTask" {
		// A run starts one task, whatever happened to its calls' replies.
		if n := e.runTasks(t); n != 1 {
			c.err = fmt.Sprintf("%d tasks started, want 1", n)
		}
	}
}

// runTasks counts the one-off tasks of family web in cluster c, running or stopped.
func (e *env) runTasks(t tb) int {
	n := 0
	for _, status := range []types.DesiredStatus{types.DesiredStatusRunning, types.DesiredStatusStopped} {
		out, err := e.client.ListTasks(context.Background(), &ecs.ListTasksInput{Cluster: aws.String("c"), Family: aws.String("web"), DesiredStatus: status})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.TaskArns) == 0 {
			continue
		}
		desc, err := e.client.DescribeTasks(context.Background(), &ecs.DescribeTasksInput{Cluster: aws.String("c"), Tasks: out.TaskArns})
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range desc.Tasks {
			if strings.HasPrefix(aws.ToString(tk.Group), "family:") {
				n++
			}
		}
	}
	return n
}
