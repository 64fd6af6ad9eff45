package rollout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

func container(name, image string, env ...types.KeyValuePair) types.ContainerDefinition {
	return types.ContainerDefinition{Name: aws.String(name), Image: aws.String(image), Essential: aws.Bool(true), Environment: env}
}

// setup makes a cluster with service "web" on web:1 (app + log sidecar).
func setup(t *testing.T) (*fakeECS, string) {
	t.Helper()
	f := newFake()
	td := f.addTaskDef("web", container("app", "registry.example.com/web:1.0", types.KeyValuePair{Name: aws.String("MODE"), Value: aws.String("blue")}),
		container("log", "fluent/fluent-bit:2"))
	f.addService("web", td, 2)
	return f, td
}

var fastWatch = watch.Options{Interval: time.Millisecond, TaskInterval: time.Millisecond}

func imageChange(container, image string) taskdef.Changes {
	return taskdef.Changes{Images: []taskdef.ImageChange{{Container: container, Image: image}}}
}

func TestPlanShowsImageChangeSettingsAndStepsWithoutWriting(t *testing.T) {
	f, _ := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web",
		Changes:  imageChange("app", "registry.example.com/web:2.0"),
		Settings: ServiceSettings{DesiredCount: aws.Int32(4)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.writes) != 0 {
		t.Fatalf("planning wrote: %v", f.writes)
	}
	var b strings.Builder
	plan.Render(&b, taskdef.DiffOptions{})
	text := b.String()
	for _, want := range []string{"web:2.0", "desiredCount: 2 → 4", "rollout steps:", "start 4 new task(s)", "MODE"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "blue") {
		t.Errorf("plan shows a plain environment value without --show-values:\n%s", text)
	}
}

// Unsetting a variable the container does not have is not an error, but the
// plan (diff, --dry-run) must say so: it is usually a typo.
func TestPlanWarnsAboutAnUnsetThatFindsNothing(t *testing.T) {
	f, _ := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web",
		Changes: taskdef.Changes{Env: []taskdef.KeyValueChange{{Container: "app", Key: "MODEE", Unset: true}}}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	plan.Render(&b, taskdef.DiffOptions{})
	if text := b.String(); !strings.Contains(text, "warning: ") || !strings.Contains(text, "MODEE") {
		t.Fatalf("plan does not warn about unsetting MODEE, which app lacks:\n%s", text)
	}
}

func TestPlanRejectsUnknownContainerBeforeAnyWrite(t *testing.T) {
	f, _ := setup(t)
	_, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("nope", "x:1")})
	if exitcode.Of(err) != exitcode.Invalid {
		t.Fatalf("err = %v (code %d), want invalid input", err, exitcode.Of(err))
	}
	if !strings.Contains(err.Error(), "nope") {
		t.Fatalf("error %q does not name the container", err)
	}
	if len(f.writes) != 0 {
		t.Fatalf("wrote before failing: %v", f.writes)
	}
}

func TestPlanWithoutChangesRedeploysTheSameRevision(t *testing.T) {
	f, td := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web"})
	if err != nil {
		t.Fatal(err)
	}
	if plan.New != nil || !plan.Update.ForceNewDeployment {
		t.Fatalf("a deploy without changes should force a new deployment of %s, not register (new=%v)", td, plan.New != nil)
	}
}

func TestDeploySucceedsAndPrunesOnlyUnusedRevisions(t *testing.T) {
	f, td1 := setup(t)
	f.addTaskDef("web", container("app", "registry.example.com/web:0.9")) // web:2, unused
	td3 := f.addTaskDef("web", container("app", "registry.example.com/web:0.8"))
	f.addService("other", td3, 1) // web:3 is used by another service
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("app", "registry.example.com/web:2.0")})
	if err != nil {
		t.Fatal(err)
	}
	f.onPoll = completeRollout(2)
	var events []progress.Event
	res, err := Deploy(context.Background(), f, plan, Options{Watch: fastWatch, Timeout: 5 * time.Second, KeepRevisions: 1,
		Reporter: progress.ReporterFunc(func(e progress.Event) { events = append(events, e) })})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != progress.Succeeded || res.Revision != 4 || res.PreviousTaskDefinition != td1 || !res.Registered {
		t.Fatalf("result %+v", res)
	}
	// web:4 is kept (newest), web:3 is used by "other", web:1 is the rollback target; only web:2 goes.
	if !slices.Equal(res.Pruned, []string{arnPrefix + "web:2"}) {
		t.Fatalf("pruned %v, want only web:2", res.Pruned)
	}
	if _, ok := events[len(events)-1].(progress.Step); !ok {
		t.Fatalf("expected the prune step last, got %#v", events[len(events)-1])
	}
}

func TestUpdateFailureDeregistersTheOrphanRevision(t *testing.T) {
	f, _ := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("app", "registry.example.com/web:2.0")})
	if err != nil {
		t.Fatal(err)
	}
	f.failWrite["Update"] = apiError("InvalidParameterException")
	res, err := Deploy(context.Background(), f, plan, Options{Watch: fastWatch})
	if exitcode.Of(err) != exitcode.AWS {
		t.Fatalf("err = %v (code %d), want an AWS error", err, exitcode.Of(err))
	}
	if res.OrphanDeregistered != arnPrefix+"web:2" || !slices.Contains(f.writes, "Deregister web:2") {
		t.Fatalf("orphan not deregistered: result %q, writes %v", res.OrphanDeregistered, f.writes)
	}
}

func TestLostUpdateReplyIsFollowedNotUndone(t *testing.T) {
	f, _ := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("app", "registry.example.com/web:2.0")})
	if err != nil {
		t.Fatal(err)
	}
	f.lostReplies = 1
	f.onPoll = completeRollout(2)
	res, err := Deploy(context.Background(), f, plan, Options{Watch: fastWatch, Timeout: 5 * time.Second})
	if err != nil || res.Outcome != progress.Succeeded {
		t.Fatalf("err %v, outcome %q (%s): an applied update whose reply was lost must be followed", err, res.Outcome, res.Reason)
	}
	if slices.Contains(f.writes, "Deregister web:2") || res.OrphanDeregistered != "" {
		t.Fatalf("deregistered the revision the service runs: writes %v", f.writes)
	}
	if n := strings.Count(strings.Join(f.writes, ","), "Update web"); n != 1 {
		t.Fatalf("UpdateService sent %d times; an applied update must not be repeated: %v", n, f.writes)
	}
	if aws.ToString(f.services["web"].TaskDefinition) != arnPrefix+"web:2" || !strings.Contains(strings.Join(res.Warnings, "\n"), "reply was lost") {
		t.Fatalf("service runs %s, warnings %q", aws.ToString(f.services["web"].TaskDefinition), res.Warnings)
	}
}

func TestDroppedUpdateNotAppliedIsSentAgain(t *testing.T) {
	f, _ := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("app", "registry.example.com/web:2.0")})
	if err != nil {
		t.Fatal(err)
	}
	defer func(p time.Duration) { updateRetryPause = p }(updateRetryPause)
	updateRetryPause = time.Millisecond
	f.dropUpdates = 2
	f.onPoll = completeRollout(3)
	res, err := Deploy(context.Background(), f, plan, Options{Watch: fastWatch, Timeout: 5 * time.Second})
	if err != nil || res.Outcome != progress.Succeeded {
		t.Fatalf("err %v, outcome %q (%s): dropped connections must not fail the deploy", err, res.Outcome, res.Reason)
	}
	if n := strings.Count(strings.Join(f.writes, ","), "Update web"); n != 3 {
		t.Fatalf("UpdateService sent %d times, want 3 (two dropped before applying): %v", n, f.writes)
	}
}

func TestUpdateFailureKeepsARevisionTheServiceUses(t *testing.T) {
	f, _ := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("app", "registry.example.com/web:2.0")})
	if err != nil {
		t.Fatal(err)
	}
	// Whatever made UpdateService fail, the service is read before the
	// undo, and a revision one of its deployments uses is kept (here a
	// deployment of the service already names it).
	f.failWrite["Update"] = apiError("InvalidParameterException")
	f.services["web"].Deployments = append(f.services["web"].Deployments, types.Deployment{Id: aws.String("ecs-svc/other"), Status: aws.String("ACTIVE"), TaskDefinition: aws.String(arnPrefix + "web:2")})
	res, err := Deploy(context.Background(), f, plan, Options{Watch: fastWatch, Timeout: 5 * time.Second})
	if exitcode.Of(err) != exitcode.AWS {
		t.Fatalf("err = %v (code %d), want an AWS error", err, exitcode.Of(err))
	}
	if slices.Contains(f.writes, "Deregister web:2") || res.OrphanDeregistered != "" {
		t.Fatalf("deregistered a revision a deployment of the service uses: writes %v", f.writes)
	}
	if !strings.Contains(strings.Join(res.Warnings, "\n"), "used by the service") {
		t.Fatalf("warnings %q do not say why the revision was kept", res.Warnings)
	}
}

func TestCircuitBreakerRollbackIsAFailureAndRollbackFollowsECS(t *testing.T) {
	f, td1 := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("app", "registry.example.com/web:broken")})
	if err != nil {
		t.Fatal(err)
	}
	f.onPoll = breakerRollback(td1)
	res, err := Deploy(context.Background(), f, plan, Options{Watch: fastWatch, Timeout: 5 * time.Second, Rollback: true})
	if exitcode.Of(err) != exitcode.Failed {
		t.Fatalf("err = %v (code %d), want failed", err, exitcode.Of(err))
	}
	if res.Outcome != progress.Failed || !strings.Contains(res.Reason, "rolling back") {
		t.Fatalf("outcome %q reason %q", res.Outcome, res.Reason)
	}
	rb := res.Rollback
	if rb == nil || !rb.ByECS || rb.Outcome != progress.Succeeded || rb.DeploymentID != "ecs-svc/rollback" {
		t.Fatalf("rollback %+v, want ECS's rollback followed to success", rb)
	}
	if n := strings.Count(strings.Join(f.writes, ","), "Update web"); n != 1 {
		t.Fatalf("issued a second update although ECS was already rolling back: %v", f.writes)
	}
}

func TestCircuitBreakerRollbackWithRollbackFlagRestoresTheDesiredCount(t *testing.T) {
	f, td1 := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("app", "registry.example.com/web:broken"),
		Settings: ServiceSettings{DesiredCount: aws.Int32(6)}})
	if err != nil {
		t.Fatal(err)
	}
	f.onPoll = breakerRollback(td1)
	res, err := Deploy(context.Background(), f, plan, Options{Watch: fastWatch, Timeout: 5 * time.Second, Rollback: true})
	if exitcode.Of(err) != exitcode.Failed {
		t.Fatalf("err = %v (code %d), want failed", err, exitcode.Of(err))
	}
	svc := f.services["web"]
	if aws.ToString(svc.TaskDefinition) != td1 || svc.DesiredCount != 2 {
		t.Fatalf("after the rollback the service runs %s with %d desired, want %s with 2", aws.ToString(svc.TaskDefinition), svc.DesiredCount, td1)
	}
	rb := res.Rollback
	if rb == nil || !rb.ByECS || rb.Outcome != progress.Succeeded || aws.ToInt32(rb.DesiredCount) != 2 || !strings.Contains(rb.Reason, "desired count restored to 2") {
		t.Fatalf("rollback %+v, want ECS's rollback followed and the desired count 2 restored and reported", rb)
	}
}

func TestTimeoutRollsBackTaskDefinitionAndDesiredCount(t *testing.T) {
	f, td1 := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("app", "registry.example.com/web:slow"),
		Settings: ServiceSettings{DesiredCount: aws.Int32(5)}})
	if err != nil {
		t.Fatal(err)
	}
	// Our deployment never completes; the rollback deployment (the third) does.
	f.onPoll = func(svc *types.Service, poll int) {
		if aws.ToString(svc.Deployments[0].TaskDefinition) == td1 {
			completeRollout(0)(svc, poll)
		}
	}
	res, err := Deploy(context.Background(), f, plan, Options{Watch: fastWatch, Timeout: 50 * time.Millisecond, Rollback: true})
	if exitcode.Of(err) != exitcode.TimedOut {
		t.Fatalf("err = %v (code %d), want timed out", err, exitcode.Of(err))
	}
	rb := res.Rollback
	if rb == nil || rb.ByECS || rb.Outcome != progress.Succeeded || rb.TaskDefinition != td1 || aws.ToInt32(rb.DesiredCount) != 2 {
		t.Fatalf("rollback %+v, want web:1 with desired count 2, succeeded", rb)
	}
	if f.services["web"].DesiredCount != 2 {
		t.Fatalf("desired count is %d after rollback, want 2", f.services["web"].DesiredCount)
	}
}

func TestRollbackTargetFallsBackToPreviousActiveRevisionWithANote(t *testing.T) {
	f, _ := setup(t)
	td2 := f.addTaskDef("web", container("app", "registry.example.com/web:2"))
	f.addTaskDef("webworker", container("app", "w:1")) // same prefix, other family
	td3 := f.addTaskDef("web", container("app", "registry.example.com/web:3"))
	f.services["web"].TaskDefinition = aws.String(td3)
	f.services["web"].Deployments[0].TaskDefinition = aws.String(td3)
	got, _, note, err := RollbackTarget(context.Background(), f, "c", "web", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got != td2 || !strings.Contains(note, "could not tell") {
		t.Fatalf("target %q note %q, want %s with a note that it is a guess", got, note, td2)
	}
	got, _, _, err = RollbackTarget(context.Background(), f, "c", "web", 1)
	if err != nil || got != arnPrefix+"web:1" {
		t.Fatalf("--to-revision 1: %q, %v", got, err)
	}
	// A revision that does not exist is the user's mistake, said plainly.
	_, _, _, err = RollbackTarget(context.Background(), f, "c", "web", 99)
	if exitcode.Of(err) != exitcode.Invalid || !strings.Contains(fmt.Sprint(err), "web:99 does not exist") {
		t.Fatalf("--to-revision 99: exit %d, %v", exitcode.Of(err), err)
	}
}

// Only "no such revision" is invalid input; AWS refusing the read is an AWS
// error (exit 4), not something the user can fix in the command line.
func TestRollbackTargetToRevisionAWSErrorIsNotInvalidInput(t *testing.T) {
	f, _ := setup(t)
	f.failDescribeTaskDefinition = apiError("AccessDeniedException")
	_, _, _, err := RollbackTarget(context.Background(), f, "c", "web", 1)
	if code := exitcode.Of(err); code != exitcode.AWS {
		t.Fatalf("exit %d (%v), want %d", code, err, exitcode.AWS)
	}
}

func TestRollbackTargetPrefersTheDeploymentStillRunning(t *testing.T) {
	f, td1 := setup(t)
	td2 := f.addTaskDef("web", container("app", "registry.example.com/web:2"))
	svc := f.services["web"]
	svc.TaskDefinition = aws.String(td2)
	old := svc.Deployments[0]
	old.Status = aws.String("ACTIVE")
	svc.Deployments = []types.Deployment{{Id: aws.String("ecs-svc/9"), Status: aws.String("PRIMARY"), TaskDefinition: aws.String(td2)}, old}
	got, _, _, err := RollbackTarget(context.Background(), f, "c", "web", 0)
	if err != nil || got != td1 {
		t.Fatalf("target %q, %v; want %s", got, err, td1)
	}
}

func TestSteps(t *testing.T) {
	cases := []struct {
		old, desired, min, max int32
		want                   []string
	}{
		{4, 4, 100, 200, []string{"start 4", "stop 4"}},
		{4, 4, 50, 100, []string{"stop 2", "start 2", "stop 2", "start 2"}},
		{4, 4, 0, 100, []string{"stop 4", "start 4"}},
		{4, 4, 100, 100, []string{"stuck"}},
		{2, 3, 100, 200, []string{"start 3", "stop 2"}},
	}
	for _, c := range cases {
		got := Steps(c.old, c.desired, c.min, c.max)
		if len(got) != len(c.want) {
			t.Errorf("Steps(%d,%d,%d,%d) = %q, want %q", c.old, c.desired, c.min, c.max, got, c.want)
			continue
		}
		for i := range got {
			if !strings.HasPrefix(got[i], c.want[i]) {
				t.Errorf("Steps(%d,%d,%d,%d)[%d] = %q, want prefix %q", c.old, c.desired, c.min, c.max, i, got[i], c.want[i])
			}
		}
	}
}

func TestWriteOutputs(t *testing.T) {
	dir := t.TempDir()
	gh := filepath.Join(dir, "github_output")
	if err := os.WriteFile(gh, []byte("EARLIER=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "outputs")
	res := &Result{Cluster: "c", Service: "web", Region: "eu-west-1", Family: "web", Revision: 7, DeploymentID: "ecs-svc/123", Strategy: StrategyRolling}
	env := func(k string) string {
		if k == "GITHUB_OUTPUT" {
			return gh
		}
		return ""
	}
	if err := WriteOutputs(res, file, env); err != nil {
		t.Fatal(err)
	}
	want := "TaskDefinitionRevision=7\nTaskDefinitionFamily=web\nClusterName=c\nServiceName=web\nRegion=eu-west-1\nDeploymentId=ecs-svc/123\nStrategy=rolling\n"
	if b, _ := os.ReadFile(file); string(b) != want {
		t.Fatalf("outputs file:\n%s\nwant:\n%s", b, want)
	}
	if b, _ := os.ReadFile(gh); string(b) != "EARLIER=1\n"+want {
		t.Fatalf("$GITHUB_OUTPUT must be appended to:\n%s", b)
	}
}

func TestRegisterFailureIsAnAWSErrorAndUpdatesNothing(t *testing.T) {
	f, _ := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("app", "registry.example.com/web:2.0")})
	if err != nil {
		t.Fatal(err)
	}
	f.failWrite["Register"] = apiError("ClientException")
	_, err = Deploy(context.Background(), f, plan, Options{Watch: fastWatch})
	if exitcode.Of(err) != exitcode.AWS || slices.Contains(f.writes, "Update web") {
		t.Fatalf("err %v (code %d), writes %v", err, exitcode.Of(err), f.writes)
	}
	var api interface{ ErrorCode() string }
	if !errors.As(err, &api) {
		t.Fatalf("the AWS error is not kept: %v", err)
	}
}

func TestRollbackLeavesADeploymentThatReplacedOursAlone(t *testing.T) {
	f, _ := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("app", "registry.example.com/web:2.0")})
	if err != nil {
		t.Fatal(err)
	}
	f.onPoll = func(svc *types.Service, poll int) {
		if poll == 2 {
			ours := svc.Deployments[0]
			ours.Status = aws.String("ACTIVE")
			other := types.Deployment{Id: aws.String("ecs-svc/someone-else"), Status: aws.String("PRIMARY"), TaskDefinition: ours.TaskDefinition,
				RolloutState: types.DeploymentRolloutStateInProgress, CreatedAt: aws.Time(time.Now())}
			svc.Deployments = []types.Deployment{other, ours}
		}
	}
	res, err := Deploy(context.Background(), f, plan, Options{Watch: fastWatch, Timeout: 5 * time.Second, Rollback: true})
	if exitcode.Of(err) != exitcode.Failed || !strings.Contains(res.Reason, "replaced by deployment ecs-svc/someone-else") {
		t.Fatalf("err %v, reason %q", err, res.Reason)
	}
	if res.Rollback != nil || strings.Count(strings.Join(f.writes, ","), "Update web") != 1 || len(res.Warnings) == 0 {
		t.Fatalf("rolled back over someone else's deployment: rollback %+v, writes %v, warnings %v", res.Rollback, f.writes, res.Warnings)
	}
}

// The deploy's timeout covers registering and updating too; when the wait
// runs out, the message states the limit the user gave, not what was left
// of it for the wait.
func TestTimeoutMessageStatesTheWholeTimeout(t *testing.T) {
	f, _ := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("app", "registry.example.com/web:slow")})
	if err != nil {
		t.Fatal(err)
	}
	f.onPoll = func(*types.Service, int) {}
	slowRegister := &slowWrites{fakeECS: f, delay: 150 * time.Millisecond}
	res, err := Deploy(context.Background(), slowRegister, plan, Options{Watch: fastWatch, Timeout: 300 * time.Millisecond})
	if exitcode.Of(err) != exitcode.TimedOut {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if !strings.HasPrefix(res.Reason, "timed out after 300ms (counted from the start of the command") {
		t.Fatalf("reason %q does not state the 300ms timeout", res.Reason)
	}
}

// slowWrites makes RegisterTaskDefinition take a while.
type slowWrites struct {
	*fakeECS
	delay time.Duration
}

func (s *slowWrites) RegisterTaskDefinition(ctx context.Context, in *ecs.RegisterTaskDefinitionInput, o ...func(*ecs.Options)) (*ecs.RegisterTaskDefinitionOutput, error) {
	time.Sleep(s.delay)
	return s.fakeECS.RegisterTaskDefinition(ctx, in, o...)
}

// A deploy stopped between registering and updating the service leaves an
// ACTIVE revision that no service runs. The next deploy of the same change
// deploys that revision instead of registering a copy.
func TestDeployReusesAnIdenticalRevisionLeftByAnInterruptedDeploy(t *testing.T) {
	f, _ := setup(t)
	left := f.addTaskDef("web", container("app", "registry.example.com/web:2.0", types.KeyValuePair{Name: aws.String("MODE"), Value: aws.String("blue")}),
		container("log", "fluent/fluent-bit:2"))
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("app", "registry.example.com/web:2.0")})
	if err != nil {
		t.Fatal(err)
	}
	f.onPoll = completeRollout(2)
	res, err := Deploy(context.Background(), f, plan, Options{Watch: fastWatch, Timeout: 5 * time.Second})
	if err != nil || res.Outcome != progress.Succeeded {
		t.Fatalf("err %v, outcome %q (%s)", err, res.Outcome, res.Reason)
	}
	if slices.Contains(f.writes, "Register web") || res.Registered || res.TaskDefinition != left {
		t.Fatalf("deployed %s (registered %v, writes %v); want the identical %s reused", res.TaskDefinition, res.Registered, f.writes, left)
	}
}

// A different unused revision is neither reused nor passed over in silence.
func TestDeployMentionsADifferentUnusedNewerRevision(t *testing.T) {
	f, _ := setup(t)
	f.addTaskDef("web", container("app", "registry.example.com/web:half-done"), container("log", "fluent/fluent-bit:2"))
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("app", "registry.example.com/web:2.0")})
	if err != nil {
		t.Fatal(err)
	}
	f.onPoll = completeRollout(2)
	res, err := Deploy(context.Background(), f, plan, Options{Watch: fastWatch, Timeout: 5 * time.Second})
	if err != nil || res.Outcome != progress.Succeeded {
		t.Fatalf("err %v, outcome %q (%s)", err, res.Outcome, res.Reason)
	}
	if res.TaskDefinition != arnPrefix+"web:3" || !res.Registered {
		t.Fatalf("deployed %s; want a new web:3", res.TaskDefinition)
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "web:2") || !strings.Contains(w, "not used by this service") {
		t.Fatalf("warnings %q do not mention the unused web:2", res.Warnings)
	}
}

// A registration whose reply was lost is not registered twice: the deploy
// finds the identical revision it registered and deploys it.
func TestLostRegisterReplyIsNotRegisteredTwice(t *testing.T) {
	f, _ := setup(t)
	plan, err := MakePlan(context.Background(), f, Request{Cluster: "c", Service: "web", Changes: imageChange("app", "registry.example.com/web:2.0")})
	if err != nil {
		t.Fatal(err)
	}
	f.lostRegisters = 1
	f.onPoll = completeRollout(2)
	res, err := Deploy(context.Background(), f, plan, Options{Watch: fastWatch, Timeout: 5 * time.Second})
	if err != nil || res.Outcome != progress.Succeeded {
		t.Fatalf("err %v, outcome %q (%s)", err, res.Outcome, res.Reason)
	}
	if n := strings.Count(strings.Join(f.writes, ","), "Register web"); n != 1 || res.TaskDefinition != arnPrefix+"web:2" {
		t.Fatalf("registered %d times, deployed %s; want web:2 registered once", n, res.TaskDefinition)
	}
}
