package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// savedSample returns a saved state with a little of everything: an EC2
// cluster with instances, a Fargate service in the middle of a deployment
// (two deployments, tasks in several states, events, history), a one-off
// task, task definitions with and without health checks, and a scenario.
func savedSample(t *testing.T) []byte {
	t.Helper()
	em := sampleEmulator(t)
	file := filepath.Join(t.TempDir(), "state.json")
	if err := em.SaveState(file); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// sampleEmulator is the emulator savedSample saves.
func sampleEmulator(t *testing.T) *Emulator {
	t.Helper()
	em, client := newTestEmulator(t)
	ctx := context.Background()
	if err := em.SetScenario(&scenario.Scenario{
		Capacity: &scenario.Capacity{Zones: []scenario.Zone{{Name: "a", Instances: 1}, {Name: "b", Instances: 1}}},
		Images:   []scenario.Image{{Match: "*:slow", StartupDelay: secs(600)}, {Match: "*:crash", ExitCode: intp(3), ExitAfter: secs(5)}},
		Faults:   []scenario.Fault{{Operation: "ListClusters", Kind: scenario.FaultThrottle, Rate: 0.5}},
	}); err != nil {
		t.Fatal(err)
	}
	createFargateService(t, em, client, "web:1", 2, true)
	td := registerWebHC(t, client, "web:slow", false)
	if _, err := client.UpdateService(ctx, withPassThrough(&ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(td)})); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("ec2")}); err != nil {
		t.Fatal(err)
	}
	ec2td := registerEC2(t, client, "batch", "batch:crash")
	if _, err := client.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("ec2"), TaskDefinition: aws.String(ec2td),
		Count: aws.Int32(2), LaunchType: types.LaunchTypeEc2}); err != nil {
		t.Fatal(err)
	}
	em.Advance(40 * time.Second)
	return em
}

// jsonPaths lists every value in v (objects and arrays, recursively) as
// paths of keys and indexes.
func jsonPaths(v any, prefix []any, out *[][]any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := append(append([]any{}, prefix...), k)
			*out = append(*out, p)
			jsonPaths(x[k], p, out)
		}
	case []any:
		for i, e := range x {
			p := append(append([]any{}, prefix...), i)
			*out = append(*out, p)
			jsonPaths(e, p, out)
		}
	}
}

// withNull returns a copy of the document doc with the value at path set to null.
func withNull(t *testing.T, doc []byte, path []any) []byte {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	cur := v
	for i, step := range path {
		last := i == len(path)-1
		switch s := step.(type) {
		case string:
			m := cur.(map[string]any)
			if last {
				m[s] = nil
			} else {
				cur = m[s]
			}
		case int:
			a := cur.([]any)
			if last {
				a[s] = nil
			} else {
				cur = a[s]
			}
		}
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// exerciseLoaded uses a loaded emulator the way the commands do (the
// scheduler, reads of everything, a deployment, a one-off task, a save)
// and returns the first panic or internal error.
func exerciseLoaded(em *Emulator, file string) (problem error) {
	defer func() {
		if p := recover(); p != nil {
			problem = fmt.Errorf("panic: %v", p)
		}
	}()
	ctx := context.Background()
	call := func(op, body string) map[string]any {
		out, err := em.InvokeECS(ctx, "us-east-1", op, []byte(body))
		var ae *APIError
		if errors.As(err, &ae) && ae.HTTPStatus >= 500 {
			if problem == nil {
				problem = fmt.Errorf("%s: %w", op, err)
			}
			return nil
		}
		var m map[string]any
		_ = json.Unmarshal(out, &m)
		return m
	}
	em.Advance(5 * time.Second)
	for _, c := range []string{"default", "ec2"} {
		call("DescribeClusters", `{"clusters":["`+c+`"],"include":["STATISTICS","SETTINGS","CONFIGURATIONS","TAGS"]}`)
		call("ListServices", `{"cluster":"`+c+`"}`)
		call("DescribeServices", `{"cluster":"`+c+`","services":["web"],"include":["TAGS"]}`)
		call("ListServiceDeployments", `{"cluster":"`+c+`","service":"web"}`)
		call("ListContainerInstances", `{"cluster":"`+c+`"}`)
		if out := call("ListContainerInstances", `{"cluster":"`+c+`"}`); out != nil {
			arns, _ := json.Marshal(out["containerInstanceArns"])
			call("DescribeContainerInstances", `{"cluster":"`+c+`","containerInstances":`+string(arns)+`}`)
		}
		for _, status := range []string{"RUNNING", "STOPPED"} {
			if out := call("ListTasks", `{"cluster":"`+c+`","desiredStatus":"`+status+`"}`); out != nil {
				if arns, ok := out["taskArns"].([]any); ok && len(arns) > 0 {
					data, _ := json.Marshal(arns)
					call("DescribeTasks", `{"cluster":"`+c+`","tasks":`+string(data)+`,"include":["TAGS"]}`)
				}
			}
		}
	}
	call("ListTaskDefinitions", `{}`)
	call("ListTaskDefinitionFamilies", `{}`)
	call("DescribeTaskDefinition", `{"taskDefinition":"web","include":["TAGS"]}`)
	call("DescribeTaskDefinition", `{"taskDefinition":"batch:1"}`)
	call("UpdateService", `{"service":"web","desiredCount":3,"forceNewDeployment":true}`)
	call("RunTask", `{"cluster":"ec2","taskDefinition":"batch","launchType":"EC2"}`)
	em.Advance(90 * time.Second)
	call("DescribeServices", `{"services":["web"]}`)
	call("DeleteService", `{"service":"web","force":true}`)
	em.Advance(20 * time.Second)
	if err := em.SaveState(file); err != nil && problem == nil {
		problem = fmt.Errorf("save after load: %w", err)
	}
	return problem
}

func TestNulledFieldsInStateNeverBreakTheEmulator(t *testing.T) {
	doc := savedSample(t)
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	var paths [][]any
	jsonPaths(v, nil, &paths)
	if len(paths) < 200 {
		t.Fatalf("the sample state has only %d values; it should cover every kind of object", len(paths))
	}
	// Entries of the same kind (every task, every event) mostly repeat
	// each other: try each field of a kind in its first three entries.
	seen := map[string]int{}
	var cases [][]any
	for _, path := range paths {
		shape := pathShape(path)
		if seen[shape]++; seen[shape] <= 3 {
			cases = append(cases, path)
		}
	}
	// Every case loads its own emulator from its own file: the cases are
	// shared out between workers, four for each processor, as each case
	// spends most of its time waiting for its save to reach the disk.
	var rejected, accepted atomic.Int64
	type damaged struct {
		path []any
		doc  []byte // the saved state with the value at path set to null
	}
	next := make(chan damaged)
	var wg sync.WaitGroup
	for w := 0; w < 4*runtime.GOMAXPROCS(0); w++ {
		file := filepath.Join(t.TempDir(), "state.json")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				if !nullFieldCase(t, c.doc, c.path, file) {
					rejected.Add(1)
				} else {
					accepted.Add(1)
				}
			}
		}()
	}
	for _, path := range cases {
		next <- damaged{path, withNull(t, doc, path)} // withNull may end the test: not in a worker
	}
	close(next)
	wg.Wait()
	t.Logf("%d values (%d kinds) set to null in turn: %d rejected on load, %d loaded and served",
		rejected.Load()+accepted.Load(), len(seen), rejected.Load(), accepted.Load())
}

// nullFieldCase loads doc, a saved state whose value at path is null, from
// file and, when the load accepts it, serves requests from it; it reports
// whether the state was loaded. A load error must be ErrDamagedState and
// name the file.
func nullFieldCase(t *testing.T, doc []byte, path []any, file string) (loaded bool) {
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Error(err)
		return false
	}
	em := New(Options{Clock: NewManualClock(testStart), Seed: 1})
	if err := em.LoadState(file); err != nil {
		if !errors.Is(err, ErrDamagedState) || !strings.Contains(err.Error(), file) {
			t.Errorf("%v set to null: load error %q should be ErrDamagedState and name the file", path, err)
		}
	} else {
		done := make(chan error, 1)
		go func() { done <- exerciseLoaded(em, file) }()
		select {
		case problem := <-done:
			if problem != nil {
				t.Errorf("%v set to null: loaded, then %v", path, problem)
			}
		case <-time.After(20 * time.Second):
			// The emulator is stuck (and keeps its lock): nothing more can run on it.
			t.Errorf("%v set to null: loaded, then the emulator hung", path)
			return true
		}
		loaded = true
	}
	if err := em.Close(); err != nil {
		t.Error(err)
	}
	return loaded
}

// pathShape is path with map keys under the maps of named things (tasks,
// services, clusters, families, regions) and list indexes replaced by "*".
func pathShape(path []any) string {
	var b strings.Builder
	for i, step := range path {
		switch s := step.(type) {
		case int:
			b.WriteString("/*")
		case string:
			if i > 0 {
				if prev, ok := path[i-1].(string); ok && (prev == "tasks" || prev == "services" || prev == "clusters" || prev == "families" || prev == "regions") {
					b.WriteString("/*")
					continue
				}
			}
			b.WriteString("/" + s)
		}
	}
	return b.String()
}

func TestTruncatedStateIsRejectedNamingTheFile(t *testing.T) {
	doc := savedSample(t)
	file := filepath.Join(t.TempDir(), "state.json")
	for _, n := range []int{0, 1, 2, 10, len(doc) / 7, len(doc) / 3, len(doc) / 2, len(doc) * 2 / 3, len(doc) - 10, len(doc) - 2, len(doc) - 1} {
		if err := os.WriteFile(file, doc[:n], 0o600); err != nil {
			t.Fatal(err)
		}
		em := New(Options{Clock: NewManualClock(testStart), Seed: 1})
		err := em.LoadState(file)
		if err := em.Close(); err != nil {
			t.Error(err)
		}
		if !errors.Is(err, ErrDamagedState) || !strings.Contains(err.Error(), file) {
			t.Errorf("truncated to %d of %d bytes: %v, want ErrDamagedState naming the file", n, len(doc), err)
		}
	}
}

func TestInvalidScenarioInStateIsRejectedOnLoad(t *testing.T) {
	doc := savedSample(t)
	var v map[string]any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	// A hand edit the admin endpoint would refuse: a health outcome that does not exist.
	v["scenario"].(map[string]any)["images"].([]any)[0].(map[string]any)["health"] = "sometimes"
	edited, _ := json.Marshal(v)
	file := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(file, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	em, _ := newTestEmulator(t)
	err := em.LoadState(file)
	if !errors.Is(err, ErrDamagedState) || !strings.Contains(err.Error(), file) ||
		!strings.Contains(err.Error(), `images[0].health "sometimes"`) {
		t.Fatalf("load: %v, want ErrDamagedState naming the file and the scenario's problem", err)
	}
	if len(em.Scenario().Images) != 0 {
		t.Fatal("the refused scenario was put in force")
	}
}

// startedAndExited returns the id of a process that has run and exited.
func startedAndExited(t *testing.T) int {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestInterruptedSaveLeavesNoTemporaryFileBehind(t *testing.T) {
	em, _ := newTestEmulator(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "state.json")
	// What a save killed before its rename leaves: a process that no longer
	// exists, a file from an older version without a process id, and one of
	// a live process (another save in progress, which must be kept).
	dead := startedAndExited(t)
	stale := []string{fmt.Sprintf("state.json.tmp-%d-123", dead), "state.json.tmp-987654"}
	live := fmt.Sprintf("state.json.tmp-%d-456", os.Getppid())
	other := "other.json.tmp-1-1" // another file's: not ours to touch
	for _, name := range append(append([]string{}, stale...), live, other) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(`{"format":1,`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		name string
		run  func() error
	}{{"save", func() error { return em.SaveState(file) }}, {"load", func() error { return em.LoadState(file) }}} {
		for _, name := range stale { // planted again before each step
			if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := step.run(); err != nil {
			t.Fatal(err)
		}
		for _, name := range stale {
			if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("after %s: %s is still there", step.name, name)
			}
		}
		for _, name := range []string{live, other} {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				t.Errorf("after %s: %s was removed: %v", step.name, name, err)
			}
		}
	}
}
