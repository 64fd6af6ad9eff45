package console

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/elbv2"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// ArtifactsEnv names a directory where browser tests also keep their
// screenshots (they always write them under the test's temporary directory).
const ArtifactsEnv = "ECSDEPLOY_TEST_ARTIFACTS"

// chromium finds a headless-capable Chromium: Debian's package installs
// "chromium". Outside CI a missing browser skips the test; in CI it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; CI needs it for the console's browser tests (apt-get install -y chromium)")
	}
	t.Skip("chromium is not installed; the console's browser tests need it")
	return ""
}

// browser is one headless Chromium, with a fresh profile, shared by the
// tests of this package (each gets its own tab): starting it is the slow part.
var browser struct {
	once    sync.Once
	ctx     context.Context
	cancel  func()
	profile string
	err     error
}

func TestMain(m *testing.M) {
	testenv.NoCABundle()
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	if browser.profile != "" {
		_ = os.RemoveAll(browser.profile)
	}
	os.Exit(code)
}

// newBrowser opens a tab in the shared headless Chromium. Script errors on
// the page fail the test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	exe := chromium(t)
	browser.once.Do(func() {
		if browser.profile, browser.err = os.MkdirTemp("", "console-chromium-"); browser.err != nil {
			return
		}
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(exe),
			chromedp.Flag("headless", true),
			chromedp.NoSandbox,
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("hide-scrollbars", true),
			chromedp.UserDataDir(browser.profile),
			chromedp.WindowSize(1280, 900),
		)
		bctx, cancelBrowser := chromedp.NewContext(actx)
		browser.ctx, browser.cancel = bctx, func() { cancelBrowser(); cancelAlloc() }
		browser.err = chromedp.Do(bctx) // starts the browser
	})
	if browser.err != nil {
		t.Fatalf("start chromium: %v", browser.err)
	}
	ctx, cancel := chromedp.NewContext(browser.ctx, chromedp.WithListener(func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			t.Errorf("script error on the page at %s:%d: %s", d.URL, d.LineNumber+1, msg)
		}
	}))
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	return ctx
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitPage waits until the JavaScript predicate holds on the page.
func waitPage(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(5*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		t.Fatalf("page never showed %s: %v\npage text:\n%s", what, err, text)
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv(ArtifactsEnv); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err == nil {
			_ = os.WriteFile(filepath.Join(dir, name), png, 0o644)
		}
	}
	t.Logf("screenshot %s: %d bytes", file, len(png))
	return file
}

func registerImage(t *testing.T, client *ecs.Client, image string) string {
	t.Helper()
	td, err := client.RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"), NetworkMode: types.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("web"), Image: aws.String(image), Essential: aws.Bool(true),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(8080)}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(td.TaskDefinition.TaskDefinitionArn)
}

// TestBrowserShowsCircuitBreakerRollback opens the console in headless
// Chromium, sets a scenario through the page (a bad one first), deploys a
// crashing image to a service with the circuit breaker and rollback, and
// checks that the page shows the failed deployment, the rollback and the
// stopped tasks with their reason, live. It also measures how long a change
// takes to reach the page.
func TestBrowserShowsCircuitBreakerRollback(t *testing.T) {
	em, srv, client := newServer(t)
	ctx := newBrowser(t) // closed before the server
	bg := context.Background()

	good := registerImage(t, client, "registry.example.com/web:1.4.2")
	if _, err := client.CreateService(bg, &ecs.CreateServiceInput{ServiceName: aws.String("web"),
		TaskDefinition: aws.String(good), DesiredCount: aws.Int32(6), LaunchType: types.LaunchTypeFargate,
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-a", "subnet-b", "subnet-c"}}},
		DeploymentConfiguration: &types.DeploymentConfiguration{MinimumHealthyPercent: aws.Int32(50), MaximumPercent: aws.Int32(150),
			DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}},
	}); err != nil {
		t.Fatal(err)
	}
	em.Advance(2 * time.Minute)

	// A browser's GET / lands on the console.
	do(t, ctx, "open the console", chromedp.Navigate(srv.URL+"/"))
	if u := eval[string](t, ctx, `location.pathname`); u != Path {
		t.Fatalf("GET / in the browser ended at %s, want %s", u, Path)
	}
	waitPage(t, ctx, "the live connection", `document.getElementById("conn").textContent === "Live"`)
	waitPage(t, ctx, "the service in the cluster list", `!!document.querySelector('#clusters a[data-service="us-east-1/default/web"]')`)
	// Keyboard: focus the service's link and press Enter.
	do(t, ctx, "open the service with the keyboard",
		chromedp.Focus(chromedp.CSS(`#clusters a[data-service="us-east-1/default/web"]`)), chromedp.KeyEvent("\r"))
	waitPage(t, ctx, "the service", `document.getElementById("service-h").textContent === "Service web"`)
	waitPage(t, ctx, "six healthy tasks over three zones",
		`document.querySelectorAll("#zones .cell.s-healthy").length === 6 && document.querySelectorAll("#zones .zone").length === 3`)
	if !eval[bool](t, ctx, `!document.getElementById("time-section").hidden`) {
		t.Error("the advance-time control is hidden on a manual clock")
	}

	// A scenario that does not validate shows the validator's message and changes nothing.
	before, _ := em.Scenario().Marshal()
	setScenario := func(yaml string) {
		do(t, ctx, "edit the scenario", chromedp.SetValue(chromedp.ID("scenario-text"), yaml),
			chromedp.Evaluate[chromedp.Void](`document.getElementById("scenario-text").dispatchEvent(new Event("input"))`),
			chromedp.Click(chromedp.CSS(`#scenario-form button[type="submit"]`)))
	}
	setScenario("images:\n  - match: \"*:bad\"\n    exitCode: 1\n    exitAfterr: 5s\n")
	waitPage(t, ctx, "the validator's message", `document.getElementById("scenario-err").textContent.includes("exitAfterr")`)
	if after, _ := em.Scenario().Marshal(); string(after) != string(before) {
		t.Fatalf("an invalid scenario changed the scenario:\n%s", after)
	}
	if eval[string](t, ctx, `document.getElementById("scenario-text").getAttribute("aria-invalid")`) != "true" {
		t.Error("the scenario field is not marked invalid")
	}
	setScenario("images:\n  - match: \"*:bad\"\n    exitCode: 1\n    exitAfter: 5s\n    logs: [\"panic: config missing\"]\n")
	waitPage(t, ctx, "the scenario applied", `document.getElementById("scenario-ok").textContent === "Scenario applied."`)
	if sc := em.Scenario(); len(sc.Images) != 1 || sc.Images[0].Match != "*:bad" {
		t.Fatalf("the scenario set from the page: %+v", sc)
	}

	// Deploy the crashing image.
	bad := registerImage(t, client, "registry.example.com/web:bad")
	up, err := client.UpdateService(bg, &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(bad)})
	if err != nil {
		t.Fatal(err)
	}
	badID := aws.ToString(up.Service.Deployments[0].Id)
	waitPage(t, ctx, "the new deployment", fmt.Sprintf(`!!document.querySelector('#deployments tr[data-deployment=%q]')`, badID))
	// Advance through the rollout, a few emulated seconds at a time, as a
	// person would watch it, and keep one picture of it in progress.
	shot := false
	for i := 0; i < 240; i++ {
		em.Advance(time.Second)
		svc, _ := em.ServiceSnapshot("us-east-1", "default", "web")
		running := 0
		for _, task := range svc.Tasks {
			if task.DeploymentID == badID && task.LastStatus == "RUNNING" {
				running++
			}
		}
		if !shot && svc.Deployments[0].ID == badID && running > 0 {
			waitPage(t, ctx, "the new tasks running", fmt.Sprintf(
				`[...document.querySelectorAll('#zones .cell.new-dep')].filter(c => c.dataset.state.startsWith("running")).length === %d`, running))
			screenshot(t, ctx, "console-rollout.png")
			shot = true
		}
		if len(svc.Deployments) == 2 && svc.Deployments[1].RolloutState == "FAILED" {
			waitPage(t, ctx, "the breaker's verdict", fmt.Sprintf(
				`(document.querySelector('#deployments tr[data-deployment=%q] .state') || {}).textContent === "FAILED"`, badID))
			screenshot(t, ctx, "console-breaker.png")
			break
		}
	}
	if !shot {
		t.Error("the new deployment's tasks never ran before the breaker tripped")
	}
	waitPage(t, ctx, "the failed deployment", fmt.Sprintf(
		`(document.querySelector('#deployments tr[data-deployment=%q] .state') || {}).textContent === "FAILED"`, badID))
	waitPage(t, ctx, "the rollback deployment", `[...document.querySelectorAll("#deployments tr[data-reason-of]")].some(r => r.textContent.includes("circuit breaker: rolling back to deploymentId"))`)
	em.Advance(30 * time.Second) // the crashed containers' tasks finish stopping
	waitPage(t, ctx, "stopped tasks with their reason", `[...document.querySelectorAll("#stopped tr[data-task]")].some(r => r.textContent.includes("Essential container in task exited") && r.textContent.includes("exit code 1"))`)
	waitPage(t, ctx, "the failure event", `document.getElementById("events").textContent.includes("deployment failed: tasks failed to start.")`)
	waitPage(t, ctx, "crashed tasks drawn as stopped cells", `document.querySelectorAll('#zones .cell.s-stopped').length >= 3`)

	em.Advance(5 * time.Minute)
	waitPage(t, ctx, "the finished rollback's timeline", `document.getElementById("timeline-cap").textContent.includes("rollback successful")`)
	if n := eval[int](t, ctx, `document.querySelectorAll("#timeline path").length`); n < 5 {
		t.Errorf("the timeline has %d paths; want the band, the bounds and the counts", n)
	}
	if eval[bool](t, ctx, `document.getElementById("timeline-cap").textContent.includes("never went below")`) == false {
		t.Errorf("timeline caption: %s", eval[string](t, ctx, `document.getElementById("timeline-cap").textContent`))
	}
	screenshot(t, ctx, "console-rollback.png")
	checkContrast(t, ctx, "light")
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}); err != nil {
		t.Fatal(err)
	}
	if bg := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(13, 17, 23)" {
		t.Errorf("dark scheme: body background %s", bg)
	}
	checkContrast(t, ctx, "dark")
	screenshot(t, ctx, "console-dark.png")

	// How long a change takes to show: a new deployment, from the API call
	// to the page having drawn it (both clocks are this machine's).
	var lat []time.Duration
	for range 20 {
		// Apart by more than the console's ServiceInterval: each change
		// comes after a quiet spell, as a person's action does (changes
		// arriving faster are sent at most every ServiceInterval).
		time.Sleep(150 * time.Millisecond)
		t0 := time.Now()
		up, err := client.UpdateService(bg, &ecs.UpdateServiceInput{Service: aws.String("web"), ForceNewDeployment: true})
		if err != nil {
			t.Fatal(err)
		}
		id := aws.ToString(up.Service.Deployments[0].Id)
		js := fmt.Sprintf(`window.consoleSeen[%q] || 0`, id)
		waitPage(t, ctx, "a forced deployment", "!!("+js+")")
		seen := eval[float64](t, ctx, js)
		lat = append(lat, time.UnixMilli(int64(seen)).Sub(t0))
	}
	slices.Sort(lat)
	t.Logf("change to page: median %v, p90 %v, max %v over %d deployments (API call, change feed, event stream, render)", lat[len(lat)/2], lat[len(lat)*9/10], lat[len(lat)-1], len(lat))
	data, _ := json.Marshal(map[string]any{"medianMs": lat[len(lat)/2].Milliseconds(), "maxMs": lat[len(lat)-1].Milliseconds()})
	if dir := os.Getenv(ArtifactsEnv); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "console-latency.json"), data, 0o644)
	}
}

// contrastJS computes WCAG contrast ratios of the page's kinds of text
// against the background they are drawn on, and returns those below 4.5:1.
const contrastJS = `(() => {
  const lum = (c) => {
    const m = c.match(/[0-9.]+/g).map(Number);
    const ch = m.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const bgOf = (e) => {
    for (; e; e = e.parentElement) {
      const b = getComputedStyle(e).backgroundColor;
      if (b && !b.startsWith("rgba(0, 0, 0, 0)") && b !== "transparent") return b;
    }
    return getComputedStyle(document.documentElement).backgroundColor || "rgb(255, 255, 255)";
  };
  const bad = [];
  const sels = ["h1", "h2", "main p", ".muted", ".facts dt", ".facts dd", "th", "td", ".state-FAILED", ".state-COMPLETED",
    ".state-IN_PROGRESS", "#clusters a", "#clusters a[aria-current] .n", "button", "label", ".events time", "#conn", "textarea", ".ok"];
  for (const s of sels) {
    for (const e of [...document.querySelectorAll(s)].slice(0, 5)) {
      const a = lum(getComputedStyle(e).color), b = lum(bgOf(e));
      const r = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (r < 4.5) bad.push(s + " " + r.toFixed(2));
    }
  }
  return bad;
})()`

func checkContrast(t *testing.T, ctx context.Context, scheme string) {
	t.Helper()
	if bad := eval[[]string](t, ctx, contrastJS); len(bad) > 0 {
		t.Errorf("%s scheme: text below 4.5:1 contrast: %v", scheme, bad)
	}
}

// TestBrowserShowsTrafficSplitAndTaskSets checks the blue/green part of the
// page. The traffic split and the lifecycle stage come through the
// console's Traffic and Stage hooks for a real load-balanced service; the
// task-set table and grouping are drawn from a snapshot handed to the
// page's renderer (TestBrowserShowsCodeDeployCanary has real task sets).
func TestBrowserShowsTrafficSplitAndTaskSets(t *testing.T) {
	blue := "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-blue/0123456789abcdef"
	green := "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-green/fedcba9876543210"
	var asked []string
	em, srv, client := newServerWith(t, func(c *Console) {
		c.Traffic = func(region string, groups []string) []emulator.TrafficShare {
			asked = append([]string{region}, groups...)
			return []emulator.TrafficShare{{TargetGroup: blue, Percent: 90}, {TargetGroup: green, Percent: 10}}
		}
		c.Stage = func(region, cluster, service string) string { return "AfterAllowTestTraffic" }
	})
	ctx := newBrowser(t)
	td := registerImage(t, client, "web:1")
	if _, err := client.CreateService(context.Background(), &ecs.CreateServiceInput{ServiceName: aws.String("web"),
		TaskDefinition: aws.String(td), DesiredCount: aws.Int32(2), LaunchType: types.LaunchTypeFargate,
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-a", "subnet-b"}}},
		LoadBalancers:        []types.LoadBalancer{{TargetGroupArn: aws.String(blue), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}},
	}); err != nil {
		t.Fatal(err)
	}
	em.Advance(time.Minute)
	do(t, ctx, "open the service", chromedp.Navigate(srv.URL+Path+"#/us-east-1/default/web"))
	waitPage(t, ctx, "the traffic split", `document.getElementById("traffic-cap").textContent === "Traffic: web-blue 90 %, web-green 10 %"`)
	waitPage(t, ctx, "the lifecycle stage", `document.getElementById("bg-stage").textContent === "Lifecycle stage: AfterAllowTestTraffic"`)
	if n := eval[int](t, ctx, `document.querySelectorAll("#traffic rect").length`); n != 2 {
		t.Errorf("traffic bar has %d segments, want 2", n)
	}
	if len(asked) != 2 || asked[0] != "us-east-1" || asked[1] != blue {
		t.Errorf("the traffic hook was asked about %v, want the service's target group in us-east-1", asked)
	}

	snap, _ := em.ServiceSnapshot("us-east-1", "default", "web")
	snap.TaskSets = []emulator.TaskSetSnapshot{
		{ID: "ecs-svc/1111111111111111111", Status: "PRIMARY", TaskDefinition: td, Scale: 100, ComputedDesired: 2, Running: 2, Stability: "STEADY_STATE", TargetGroups: []string{blue}},
		{ID: "ecs-svc/2222222222222222222", Status: "ACTIVE", TaskDefinition: td, Scale: 100, ComputedDesired: 2, Pending: 2, Stability: "STABILIZING", TargetGroups: []string{green}},
	}
	snap.Traffic = []emulator.TrafficShare{{TargetGroup: blue, Percent: 90}, {TargetGroup: green, Percent: 10}}
	snap.Stage = "AfterAllowTestTraffic"
	for i := range snap.Tasks {
		snap.Tasks[i].TaskSet = snap.TaskSets[i%2].ID
		snap.Tasks[i].TargetHealth = "healthy"
	}
	data, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "draw task sets", chromedp.Evaluate[chromedp.Void]("renderService("+string(data)+")"))
	if n := eval[int](t, ctx, `document.querySelectorAll("#tasksets tr[data-taskset]").length`); n != 2 {
		t.Errorf("task set table has %d rows, want 2", n)
	}
	if !eval[bool](t, ctx, `[...document.querySelectorAll("#zones .group-label")].some(l => l.textContent === "task set 11111111 (primary)")`) {
		t.Errorf("tasks are not grouped by task set: %s", eval[string](t, ctx, `document.getElementById("zones").innerText`))
	}
	if !eval[bool](t, ctx, `[...document.querySelectorAll("#zones .cell")].every(c => c.getAttribute("aria-label").includes("target healthy"))`) {
		t.Error("task cells do not say their target health")
	}
	screenshot(t, ctx, "console-bluegreen.png")
}

// TestBrowserTimelineJudgesTheMinimum draws timelines from given points and
// checks the sentence that answers "did it go below minimumHealthyPercent?".
func TestBrowserTimelineJudgesTheMinimum(t *testing.T) {
	_, srv, _ := newServer(t)
	ctx := newBrowser(t)
	do(t, ctx, "open the console", chromedp.Navigate(srv.URL+Path))
	at := func(s int) string { return start.Add(time.Duration(s) * time.Second).Format(time.RFC3339) }
	point := func(s, healthy, running int) string {
		return fmt.Sprintf(`{"at":%q,"desired":4,"min":2,"max":8,"running":%d,"healthy":%d,"pending":0,"started":0,"stopped":0}`, at(s), running, healthy)
	}
	caption := func(points ...string) string {
		js := fmt.Sprintf(`drawTimeline({"deployment":"ecs-svc/1234567890","status":"SUCCESSFUL","startedAt":%q,"endedAt":%q,"points":[%s]}),
			document.getElementById("timeline-cap").textContent`, at(0), at(100), strings.Join(points, ","))
		return eval[string](t, ctx, js)
	}
	cases := []struct {
		name   string
		points []string
		want   string
	}{
		{"first deployment ramping up", []string{point(1, 0, 0), point(30, 2, 2), point(60, 4, 4)},
			"It reached the minimum healthy count (2) at 12:00:30; after that, healthy tasks never went below the minimum healthy count."},
		{"replacement dipping below", []string{point(1, 4, 4), point(30, 1, 3), point(60, 4, 4)},
			"Healthy tasks went below the minimum (2), lowest 1 at 12:00:30."},
		{"replacement within bounds", []string{point(1, 4, 4), point(30, 2, 6), point(60, 4, 4)},
			"Healthy tasks never went below the minimum healthy count."},
		{"never healthy", []string{point(1, 0, 0), point(30, 0, 2)},
			"It never reached the minimum healthy count (2)."},
	}
	for _, c := range cases {
		if got := caption(c.points...); !strings.Contains(got, c.want) {
			t.Errorf("%s: caption %q lacks %q", c.name, got, c.want)
		}
	}
}

// elbQuery calls the local ELBv2 (Query protocol) and returns the reply.
func elbQuery(t *testing.T, srvURL, action string, kv ...string) string {
	t.Helper()
	form := url.Values{"Action": {action}, "Version": {"2015-12-01"}}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	req, _ := http.NewRequest(http.MethodPost, srvURL+"/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/elasticloadbalancing/aws4_request")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d %s", action, res.StatusCode, body)
	}
	return string(body)
}

// ecsInvoker calls ECS operations on em directly, failing t on an error.
func ecsInvoker(t *testing.T, em *emulator.Emulator) func(op, body string) {
	return func(op, body string) {
		t.Helper()
		if _, err := em.InvokeECS(context.Background(), "us-east-1", op, []byte(body)); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
	}
}

// blueGreenELB creates, through the console server's local ELBv2, a load
// balancer and the blue and green target groups of a blue/green service.
func blueGreenELB(t *testing.T, srvURL string) (lb, blue, green string) {
	t.Helper()
	lb = xmlValue(elbQuery(t, srvURL, "CreateLoadBalancer", "Name", "web", "Subnets.member.1", "subnet-1", "Subnets.member.2", "subnet-2"), "LoadBalancerArn")
	group := func(name string) string {
		return xmlValue(elbQuery(t, srvURL, "CreateTargetGroup", "Name", name, "Protocol", "HTTP", "Port", "80", "VpcId", "vpc-1",
			"TargetType", "ip", "HealthCheckIntervalSeconds", "10", "HealthyThresholdCount", "2"), "TargetGroupArn")
	}
	return lb, group("blue"), group("green")
}

func xmlValue(body, tag string) string {
	m := regexp.MustCompile("<" + tag + ">([^<]*)</" + tag + ">").FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestBrowserShowsCanaryTrafficSplit runs an ECS-native canary deployment
// behind the local ELBv2 and checks that the page shows the lifecycle stage
// and the production traffic split between the blue and green target
// groups while the canary bakes, and the tasks' target health.
func TestBrowserShowsCanaryTrafficSplit(t *testing.T) {
	em, srv, _ := newServerWith(t, func(c *Console) { elbv2.Register(c.em) })
	ctx := newBrowser(t)
	invoke := ecsInvoker(t, em)
	lb, blue, green := blueGreenELB(t, srv.URL)
	rule := func(port string) string {
		listener := xmlValue(elbQuery(t, srv.URL, "CreateListener", "LoadBalancerArn", lb, "Protocol", "HTTP", "Port", port,
			"DefaultActions.member.1.Type", "fixed-response", "DefaultActions.member.1.FixedResponseConfig.StatusCode", "404"), "ListenerArn")
		return xmlValue(elbQuery(t, srv.URL, "CreateRule", "ListenerArn", listener, "Priority", "1",
			"Conditions.member.1.Field", "path-pattern", "Conditions.member.1.Values.member.1", "/*",
			"Actions.member.1.Type", "forward", "Actions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn", blue,
			"Actions.member.1.ForwardConfig.TargetGroups.member.1.Weight", "100",
			"Actions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn", green,
			"Actions.member.1.ForwardConfig.TargetGroups.member.2.Weight", "0"), "RuleArn")
	}
	prod, test := rule("80"), rule("8080")
	for _, image := range []string{"web:1", "web:2"} {
		invoke("RegisterTaskDefinition", fmt.Sprintf(`{"family":"web","networkMode":"awsvpc","cpu":"256","memory":"512","requiresCompatibilities":["FARGATE"],
		  "containerDefinitions":[{"name":"web","image":%q,"essential":true,"portMappings":[{"containerPort":80}]}]}`, image))
	}
	invoke("CreateService", fmt.Sprintf(`{"serviceName":"web","taskDefinition":"web:1","desiredCount":3,"launchType":"FARGATE",
	  "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1","subnet-2"]}},
	  "deploymentConfiguration":{"strategy":"CANARY","bakeTimeInMinutes":1,"canaryConfiguration":{"canaryPercent":10,"canaryBakeTimeInMinutes":2}},
	  "loadBalancers":[{"targetGroupArn":%q,"containerName":"web","containerPort":80,
	    "advancedConfiguration":{"alternateTargetGroupArn":%q,"productionListenerRule":%q,"testListenerRule":%q,"roleArn":"arn:aws:iam::000000000000:role/ecs-lb"}}]}`,
		blue, green, prod, test))
	em.Advance(2 * time.Minute)

	do(t, ctx, "open the service", chromedp.Navigate(srv.URL+Path+"#/us-east-1/default/web"))
	waitPage(t, ctx, "the service", `document.getElementById("service-h").textContent === "Service web"`)
	invoke("UpdateService", `{"service":"web","taskDefinition":"web:2"}`)
	split := false
	for i := 0; i < 600 && !split; i++ {
		em.Advance(time.Second)
		snap, _ := em.ServiceSnapshot("us-east-1", "default", "web")
		for _, share := range snap.Traffic {
			split = split || (share.TargetGroup == green && share.Percent == 10)
		}
	}
	if !split {
		t.Fatal("the canary never took 10 % of the production traffic")
	}
	waitPage(t, ctx, "the canary split", `document.getElementById("traffic-cap").textContent === "Traffic: blue 90 %, green 10 %"`)
	waitPage(t, ctx, "the lifecycle stage", `document.getElementById("bg-stage").textContent.startsWith("Lifecycle stage: ")`)
	waitPage(t, ctx, "green tasks in their target group", `[...document.querySelectorAll("#zones .group-label")].some(l => l.textContent.endsWith("→ green"))`)
	waitPage(t, ctx, "healthy targets", `[...document.querySelectorAll("#zones .cell")].some(c => c.getAttribute("aria-label").includes("target healthy"))`)
	screenshot(t, ctx, "console-canary.png")
}
