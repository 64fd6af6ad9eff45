package fleet

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

func TestBatcherMergesConcurrentDescribes(t *testing.T) {
	l := newLocalECS(t, nil)
	names := l.services(t, 25)
	b := NewBatcher(l.client, 200*time.Millisecond)
	before := l.calls.Counts()["ECS.DescribeServices"]

	asked := append(append([]string{}, names...), "missing-1")
	got := make([]*ecs.DescribeServicesOutput, len(asked))
	errs := make([]error, len(asked))
	var wg sync.WaitGroup
	for i, name := range asked {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = b.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{name}})
		}()
	}
	wg.Wait()

	for i, name := range asked {
		if errs[i] != nil {
			t.Fatalf("%s: %v", name, errs[i])
		}
		out := got[i]
		if name == "missing-1" {
			if len(out.Services) != 0 || len(out.Failures) != 1 || aws.ToString(out.Failures[0].Reason) != "MISSING" {
				t.Fatalf("a missing service gets its own MISSING failure only: %+v", out)
			}
			continue
		}
		if len(out.Services) != 1 || aws.ToString(out.Services[0].ServiceName) != name || len(out.Failures) != 0 {
			t.Fatalf("%s got services %v and %d failures, want its own service only", name, serviceNames(out), len(out.Failures))
		}
	}
	calls := l.calls.Counts()["ECS.DescribeServices"] - before
	// 26 names fit in 3 calls of at most 10; a window that closes between
	// arrivals may add one more, never one call per caller.
	if calls < 3 || calls > 5 {
		t.Fatalf("%d DescribeServices calls for 26 concurrent callers, want 3 to 5", calls)
	}
}

func TestBatcherKeepsClustersApart(t *testing.T) {
	l := newLocalECS(t, nil)
	l.services(t, 1)
	b := NewBatcher(l.client, 100*time.Millisecond)
	var wg sync.WaitGroup
	var inC, inOther *ecs.DescribeServicesOutput
	var errC, errOther error
	wg.Add(2)
	go func() {
		defer wg.Done()
		inC, errC = b.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{"svc-1"}})
	}()
	go func() {
		defer wg.Done()
		inOther, errOther = b.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String("nope"), Services: []string{"svc-1"}})
	}()
	wg.Wait()
	if errC != nil || len(inC.Services) != 1 {
		t.Fatalf("cluster c: %v %+v", errC, inC)
	}
	if errOther == nil {
		t.Fatalf("a missing cluster's error reaches its caller only, got %+v", inOther)
	}
}

func TestBatcherCallerCancellation(t *testing.T) {
	l := newLocalECS(t, nil)
	l.services(t, 1)
	b := NewBatcher(l.client, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := b.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{"svc-1"}})
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled caller stops waiting: %v", err)
	}
}

func serviceNames(out *ecs.DescribeServicesOutput) []string {
	var names []string
	for _, s := range out.Services {
		names = append(names, aws.ToString(s.ServiceName))
	}
	return names
}
