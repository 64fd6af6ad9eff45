package emulator

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

func TestStateSurvivesSaveAndLoad(t *testing.T) {
	em, client := newTestEmulator(t)
	createFargateService(t, em, client, "web:1", 2, false)
	file := filepath.Join(t.TempDir(), "state.json")
	if err := em.SaveState(file); err != nil {
		t.Fatal(err)
	}
	before := describeService(t, client, "default", "web")

	em2, client2 := newTestEmulator(t)
	if err := em2.LoadState(file); err != nil {
		t.Fatal(err)
	}
	after := describeService(t, client2, "default", "web")
	if aws.ToString(after.Deployments[0].Id) != aws.ToString(before.Deployments[0].Id) || after.RunningCount != 2 || len(after.Events) != len(before.Events) {
		t.Fatalf("after load: %+v", after.Deployments)
	}
	if !em2.Now().Equal(em.Now()) {
		t.Fatalf("emulated time %v after load, want %v", em2.Now(), em.Now())
	}
	// The loaded emulator keeps working: a new deployment rolls out.
	td := registerWebHC(t, client2, "web:2", false)
	if _, err := client2.UpdateService(context.Background(), &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(td)}); err != nil {
		t.Fatal(err)
	}
	em2.Advance(3 * time.Minute)
	if got := describeService(t, client2, "default", "web"); len(got.Deployments) != 1 || aws.ToString(got.TaskDefinition) != td {
		t.Fatalf("rollout after load: %+v", got.Deployments)
	}
}

func TestDamagedStateIsReportedAndKept(t *testing.T) {
	em, _ := newTestEmulator(t)
	file := filepath.Join(t.TempDir(), "state.json")
	for _, content := range []string{"{not json", `{"format":99,"state":{"regions":{}}}`, `{"format":1,"state":{"regions":{"us-east-1":{"clusters":null}}}}`} {
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		err := em.LoadState(file)
		if !errors.Is(err, ErrDamagedState) {
			t.Fatalf("load %q: %v, want ErrDamagedState", content, err)
		}
		// The message names the file and a way out that works for any file.
		if msg := err.Error(); !strings.Contains(msg, file) || !strings.Contains(msg, "move or delete that file") {
			t.Fatalf("load %q: message %q should name the file and how to start afresh", content, msg)
		}
		if data, _ := os.ReadFile(file); string(data) != content {
			t.Fatalf("the damaged file was changed")
		}
	}
	if err := em.LoadState(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestSaveLeavesNoTemporaryFiles(t *testing.T) {
	em, _ := newTestEmulator(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "nested", "state.json")
	for i := 0; i < 3; i++ {
		if err := em.SaveState(file); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(file))
	if len(entries) != 1 || entries[0].Name() != "state.json" {
		t.Fatalf("directory holds %v", entries)
	}
}

func TestLoadCatchesUpOnWallTimeInRealTimeMode(t *testing.T) {
	ctx := context.Background()
	em1 := New(Options{Speed: 200, DefaultCluster: true})
	t.Cleanup(func() { _ = em1.Close() }) // closed below; a second Close is a no-op
	for _, call := range [][2]string{
		{"RegisterTaskDefinition", `{"family":"f","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512","containerDefinitions":[{"name":"c","image":"i"}]}`},
		{"CreateService", `{"serviceName":"s","taskDefinition":"f","desiredCount":1,"launchType":"FARGATE","networkConfiguration":{"awsvpcConfiguration":{"subnets":["a"]}}}`},
	} {
		if _, err := em1.InvokeECS(ctx, "", call[0], []byte(call[1])); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "state.json")
	if err := em1.SaveState(file); err != nil {
		t.Fatal(err)
	}
	savedAt := em1.Now()
	if err := em1.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond) // 80 emulated seconds at 200x: the task reaches RUNNING meanwhile

	em2 := New(Options{Speed: 200, DefaultCluster: true})
	t.Cleanup(func() {
		if err := em2.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := em2.LoadState(file); err != nil {
		t.Fatal(err)
	}
	if gap := em2.Now().Sub(savedAt); gap < 60*time.Second {
		t.Fatalf("emulated time moved %v between the save and the load, want the wall time x speed", gap)
	}
	out, err := em2.InvokeECS(ctx, "", "DescribeServices", []byte(`{"services":["s"]}`))
	if err != nil || !strings.Contains(string(out), `"runningCount":1`) {
		t.Fatalf("the scheduler did not catch up: %v %s", err, out)
	}
}
