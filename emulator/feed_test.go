package emulator

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

func TestChangeFeedReportsServiceChangesCoalesced(t *testing.T) {
	em, client := newTestEmulator(t)
	sub := em.SubscribeChanges(0)
	defer sub.Close()
	createFargateService(t, em, client, "web:good", 2, false) // three emulated minutes of steps
	select {
	case <-sub.C():
	default:
		t.Fatal("no wake-up after a service was created and deployed")
	}
	changes := sub.Take()
	want := Change{Region: "us-east-1", Cluster: "default", Service: "web"}
	seen := 0
	for _, c := range changes {
		if c == want {
			seen++
		}
	}
	if seen != 1 {
		t.Fatalf("service change seen %d times in %+v, want once (repeats coalesce)", seen, changes)
	}
	if !containsChange(changes, Change{Region: "us-east-1"}) {
		t.Errorf("API calls that change state (CreateService) not reported: %+v", changes)
	}
	if got := sub.Take(); len(got) != 0 {
		t.Fatalf("Take after Take returned %+v, want nothing", got)
	}
	// A steady service is not stepped, so an idle emulator reports nothing.
	em.Advance(time.Minute)
	if got := sub.Take(); len(got) != 0 {
		t.Fatalf("an idle minute reported %+v", got)
	}
	if err := em.SetScenario(&scenario.Scenario{}); err != nil {
		t.Fatal(err)
	}
	if got := sub.Take(); !containsChange(got, Change{Scenario: true}) {
		t.Fatalf("a scenario change reported %+v", got)
	}
}

func TestChangeFeedNeverWaitsForASlowSubscriber(t *testing.T) {
	em, client := newTestEmulator(t)
	slow := em.SubscribeChanges(4) // never read while the emulator works
	defer slow.Close()
	if _, err := client.CreateCluster(context.Background(), &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	td := registerWebHC(t, client, "web:1", false)
	for i := range 10 {
		if _, err := client.CreateService(context.Background(), &ecs.CreateServiceInput{
			ServiceName: aws.String(fmt.Sprintf("svc-%d", i)), TaskDefinition: aws.String(td), DesiredCount: aws.Int32(1),
			LaunchType: "FARGATE", NetworkConfiguration: awsvpc("subnet-1")}); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() { em.Advance(2 * time.Minute); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the emulator stalled on a subscriber that does not read")
	}
	got := slow.Take()
	if len(got) != 1 || !got[0].All {
		t.Fatalf("a subscriber behind by more than its limit got %+v, want one All change", got)
	}
	if got := slow.Take(); len(got) != 0 {
		t.Fatalf("the overflow was reported twice: %+v", got)
	}
	snap, ok := em.ServiceSnapshot("us-east-1", "default", "svc-9")
	if !ok || len(snap.Tasks) != 1 || snap.Tasks[0].LastStatus != "RUNNING" {
		t.Fatalf("the emulator did not move on: %+v", snap.Tasks)
	}
}

func TestClosedSubscriptionReceivesNothing(t *testing.T) {
	em, client := newTestEmulator(t)
	sub := em.SubscribeChanges(0)
	sub.Close()
	createFargateService(t, em, client, "web:good", 1, false)
	if got := sub.Take(); len(got) != 0 {
		t.Fatalf("closed subscription got %+v", got)
	}
	if em.feed.active() {
		t.Fatal("the feed still counts a closed subscription")
	}
}

func TestTimelineRecordsRollbackAgainstBounds(t *testing.T) {
	em, client := newTestEmulator(t)
	if err := em.SetScenario(&scenario.Scenario{Images: []scenario.Image{{Match: "*:bad", ExitCode: intp(1), ExitAfter: secs(3)}}}); err != nil {
		t.Fatal(err)
	}
	createFargateService(t, em, client, "web:good", 4, false)
	bad := registerWebHC(t, client, "web:bad", false)
	if _, err := client.UpdateService(context.Background(), &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(bad)}); err != nil {
		t.Fatal(err)
	}
	em.Advance(10 * time.Minute)
	snap, ok := em.ServiceSnapshot("us-east-1", "default", "web")
	if !ok || len(snap.Timelines) != 2 {
		t.Fatalf("want the first deployment's and the failed deployment's timelines, got %d", len(snap.Timelines))
	}
	first, tl := snap.Timelines[0], snap.Timelines[1]
	if first.Status != "SUCCESSFUL" || first.EndedAt.IsZero() {
		t.Errorf("first deployment timeline: status %s ended %v", first.Status, first.EndedAt)
	}
	if tl.Status != "ROLLBACK_SUCCESSFUL" || tl.EndedAt.IsZero() {
		t.Fatalf("failed deployment timeline: status %s ended %v", tl.Status, tl.EndedAt)
	}
	var labels []string
	for _, m := range tl.Marks {
		labels = append(labels, m.Label)
	}
	all := strings.Join(labels, "|")
	if !strings.Contains(all, "failed") || !strings.Contains(all, "rollback started") || !strings.Contains(all, "rollback successful") {
		t.Errorf("marks %q lack the failure, the rollback or the end", all)
	}
	last := tl.Points[len(tl.Points)-1]
	// Default bounds for 4 tasks: 100 % / 200 % → at least 4 healthy, at most 8.
	if last.Desired != 4 || last.Min != 4 || last.Max != 8 {
		t.Errorf("bounds %+v, want desired 4, min 4, max 8", last)
	}
	if last.Started < 3 || last.Stopped < 3 {
		t.Errorf("crashing tasks should have started and stopped: %+v", last)
	}
	maxTotal := 0
	for i, p := range tl.Points {
		if i > 0 && !p.At.After(tl.Points[i-1].At) {
			t.Fatalf("points out of order at %d", i)
		}
		maxTotal = max(maxTotal, p.Running+p.Pending)
	}
	if maxTotal > 8 {
		t.Errorf("timeline shows %d tasks, above maximumPercent's 8", maxTotal)
	}
}

func TestTimelinesAreBounded(t *testing.T) {
	var ts timelineStore
	for i := range maxTimelines + 50 {
		ts.add(&Timeline{svcKey: fmt.Sprintf("svc-%d", i%300), key: fmt.Sprint(i)})
	}
	if len(ts.all) != maxTimelines {
		t.Fatalf("%d timelines kept, want %d", len(ts.all), maxTimelines)
	}
	n := 0
	for _, l := range ts.byService {
		n += len(l)
		if len(l) > maxTimelinesPerSvc {
			t.Fatalf("a service keeps %d timelines", len(l))
		}
	}
	if n != len(ts.all) {
		t.Fatalf("index holds %d timelines, list %d", n, len(ts.all))
	}
	pts := make([]TimelinePoint, maxTimelinePoints)
	for i := range pts {
		pts[i].At = testStart.Add(time.Duration(i) * time.Second)
	}
	h := halvePoints(pts)
	if len(h) != maxTimelinePoints/2 || !h[0].At.Equal(testStart) {
		t.Fatalf("halving kept %d points starting %v", len(h), h[0].At)
	}
}

func containsChange(cs []Change, want Change) bool {
	for _, c := range cs {
		if c == want {
			return true
		}
	}
	return false
}
