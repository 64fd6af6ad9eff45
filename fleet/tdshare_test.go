package fleet

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// tdCounter answers DescribeTaskDefinition with revision `revision` of the
// family named, counting the calls; gate, when set, holds each call until
// it is closed.
type tdCounter struct {
	rollout.ECSAPI
	mu       sync.Mutex
	calls    map[string]int
	revision int32
	gate     chan struct{}
	fail     error
}

func (c *tdCounter) DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, _ ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error) {
	c.mu.Lock()
	c.calls[aws.ToString(in.TaskDefinition)]++
	rev, gate, fail := c.revision, c.gate, c.fail
	c.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if fail != nil {
		return nil, fail
	}
	return &ecs.DescribeTaskDefinitionOutput{TaskDefinition: &types.TaskDefinition{Family: in.TaskDefinition, Revision: rev}}, nil
}

func (c *tdCounter) DeregisterTaskDefinition(context.Context, *ecs.DeregisterTaskDefinitionInput, ...func(*ecs.Options)) (*ecs.DeregisterTaskDefinitionOutput, error) {
	return &ecs.DeregisterTaskDefinitionOutput{}, nil
}

func (c *tdCounter) count(ref string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[ref]
}

func describeTD(b *Batcher, ctx context.Context, ref string) (*ecs.DescribeTaskDefinitionOutput, error) {
	return b.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref), Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags}})
}

func TestBatcherSharesTaskDefinitionReads(t *testing.T) {
	ctx := context.Background()
	api := &tdCounter{calls: map[string]int{}, revision: 3, gate: make(chan struct{})}
	b := NewBatcher(api, 0)

	// Concurrent reads of a family: one call.
	const n = 8
	var wg sync.WaitGroup
	revs := make([]int32, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out, err := describeTD(b, ctx, "web")
			if err != nil {
				t.Error(err)
				return
			}
			revs[i] = out.TaskDefinition.Revision
		}(i)
	}
	waitSent(api, "web")
	waitJoined(b, "web", n-1)
	close(api.gate)
	wg.Wait()
	if got := api.count("web"); got != 1 {
		t.Errorf("%d concurrent reads of a family sent %d calls, want 1", n, got)
	}
	for i, r := range revs {
		if r != 3 {
			t.Errorf("reader %d got revision %d", i, r)
		}
	}

	// A family's newest revision is not kept: a deploy may register one.
	api.mu.Lock()
	api.revision = 4
	api.mu.Unlock()
	if out, err := describeTD(b, ctx, "web"); err != nil || out.TaskDefinition.Revision != 4 || api.count("web") != 2 {
		t.Errorf("a later family read: %v, %v, %d calls", out, err, api.count("web"))
	}

	// A revision is kept until a deregistration.
	for i := 0; i < 3; i++ {
		if _, err := describeTD(b, ctx, "web:2"); err != nil {
			t.Fatal(err)
		}
	}
	if got := api.count("web:2"); got != 1 {
		t.Errorf("three reads of web:2 sent %d calls, want 1", got)
	}
	if _, err := b.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("web:1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := describeTD(b, ctx, "web:2"); err != nil || api.count("web:2") != 2 {
		t.Errorf("a read after a deregistration: %v, %d calls, want 2", err, api.count("web:2"))
	}

	// Errors are not kept.
	api.mu.Lock()
	api.fail = errors.New("boom")
	api.mu.Unlock()
	if _, err := describeTD(b, ctx, "api:1"); err == nil {
		t.Fatal("want the error")
	}
	api.mu.Lock()
	api.fail = nil
	api.mu.Unlock()
	if _, err := describeTD(b, ctx, "api:1"); err != nil || api.count("api:1") != 2 {
		t.Errorf("a read after an error: %v, %d calls, want 2", err, api.count("api:1"))
	}
}

// A reader that joined a call whose sender gave up asks again with its own
// context rather than taking the sender's cancellation.
func TestBatcherSharedReadOutlivesItsSender(t *testing.T) {
	api := &tdCounter{calls: map[string]int{}, revision: 1, gate: make(chan struct{})}
	b := NewBatcher(api, 0)
	senderCtx, cancel := context.WithCancel(context.Background())
	senderErr := make(chan error, 1)
	go func() { _, err := describeTD(b, senderCtx, "web"); senderErr <- err }()
	waitSent(api, "web")
	joined := make(chan error, 1)
	go func() { _, err := describeTD(b, context.Background(), "web"); joined <- err }()
	waitJoined(b, "web", 1)
	cancel()
	if err := <-senderErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("sender: %v", err)
	}
	close(api.gate)
	if err := <-joined; err != nil {
		t.Errorf("the joined reader got %v", err)
	}
	if got := api.count("web"); got != 2 {
		t.Errorf("calls = %d, want 2 (the joined reader's own)", got)
	}
}

func waitSent(api *tdCounter, ref string) {
	for api.count(ref) == 0 {
		runtime.Gosched()
	}
}

// waitJoined waits until n callers wait for the call in flight for ref.
func waitJoined(b *Batcher, ref string, n int) {
	key := tdKey(&ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref), Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags}})
	for {
		b.tds.mu.Lock()
		c := b.tds.inFlight[key]
		joined := c != nil && c.joined >= n
		b.tds.mu.Unlock()
		if joined {
			return
		}
		runtime.Gosched()
	}
}
