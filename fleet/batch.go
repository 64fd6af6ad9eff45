package fleet

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// maxDescribeServices is the most services one DescribeServices call may name.
const maxDescribeServices = 10

// DefaultBatchWindow is how long a DescribeServices call waits for others
// of the same cluster to share its request.
const DefaultBatchWindow = 50 * time.Millisecond

// Batcher is an ECS client for many watchers at once: concurrent
// DescribeServices calls for the same cluster are merged into one call of
// up to ten services, and each caller gets back the part of the answer that
// names its services. DescribeTaskDefinition calls are shared too (see
// tdReads). Every other operation passes through unchanged, so each
// target's deploy and verdict stay exactly those of a single-service
// deploy; only the reads are shared.
type Batcher struct {
	rollout.ECSAPI
	window time.Duration

	mu      sync.Mutex
	pending map[batchKey]*batch

	tds tdReads
}

// NewBatcher wraps api; window 0 means DefaultBatchWindow.
func NewBatcher(api rollout.ECSAPI, window time.Duration) *Batcher {
	if window <= 0 {
		window = DefaultBatchWindow
	}
	return &Batcher{ECSAPI: api, window: window, pending: map[batchKey]*batch{}}
}

type batchKey struct {
	cluster string
	include string // calls asking for different extra fields are not merged
}

type batch struct {
	key      batchKey
	include  []types.ServiceField
	services []string
	seen     map[string]bool
	waiters  []chan batchReply
	optFns   []func(*ecs.Options)
	timer    *time.Timer
}

type batchReply struct {
	out *ecs.DescribeServicesOutput
	err error
}

// DescribeServices joins the pending call for the same cluster, or starts
// one; a call that names more services than fit in what is pending is sent
// on its own.
func (b *Batcher) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	if len(in.Services) == 0 || len(in.Services) > maxDescribeServices {
		return b.ECSAPI.DescribeServices(ctx, in, optFns...)
	}
	reply := make(chan batchReply, 1)
	b.join(in, reply, optFns)
	select {
	case r := <-reply:
		if r.err != nil {
			return nil, r.err
		}
		return pick(r.out, in.Services), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (b *Batcher) join(in *ecs.DescribeServicesInput, reply chan batchReply, optFns []func(*ecs.Options)) {
	key := batchKey{cluster: aws.ToString(in.Cluster)}
	for _, f := range in.Include {
		key.include += string(f) + ","
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bt := b.pending[key]
	if bt != nil && len(bt.services)+newNames(bt, in.Services) > maxDescribeServices {
		// Full: send what is pending now and start afresh.
		b.flushLocked(bt)
		bt = nil
	}
	if bt == nil {
		bt = &batch{key: key, include: in.Include, seen: map[string]bool{}, optFns: optFns}
		b.pending[key] = bt
		bt.timer = time.AfterFunc(b.window, func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.pending[key] == bt {
				b.flushLocked(bt)
			}
		})
	}
	for _, s := range in.Services {
		if !bt.seen[s] {
			bt.seen[s] = true
			bt.services = append(bt.services, s)
		}
	}
	bt.waiters = append(bt.waiters, reply)
	if len(bt.services) == maxDescribeServices {
		b.flushLocked(bt)
	}
}

func newNames(bt *batch, names []string) int {
	n := 0
	for _, s := range names {
		if !bt.seen[s] {
			n++
		}
	}
	return n
}

// flushLocked takes bt out of the pending set and sends it. The call runs
// without the lock and on its own context: it answers several callers, so
// no one caller's cancellation may cut it short (a cancelled caller simply
// stops waiting for it).
func (b *Batcher) flushLocked(bt *batch) {
	delete(b.pending, bt.key)
	bt.timer.Stop()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		in := &ecs.DescribeServicesInput{Services: bt.services, Include: bt.include}
		if bt.key.cluster != "" {
			in.Cluster = aws.String(bt.key.cluster)
		}
		out, err := b.ECSAPI.DescribeServices(ctx, in, bt.optFns...)
		for _, w := range bt.waiters {
			w <- batchReply{out: out, err: err}
		}
	}()
}

// pick returns the part of a merged answer that names the given services,
// in the shape the caller would have had on its own: services and failures
// matched by name or ARN.
func pick(out *ecs.DescribeServicesOutput, names []string) *ecs.DescribeServicesOutput {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	res := &ecs.DescribeServicesOutput{ResultMetadata: out.ResultMetadata}
	for _, s := range out.Services {
		if want[aws.ToString(s.ServiceName)] || want[aws.ToString(s.ServiceArn)] {
			res.Services = append(res.Services, s)
		}
	}
	for _, f := range out.Failures {
		arn := aws.ToString(f.Arn)
		if want[arn] || want[lastSegment(arn)] {
			res.Failures = append(res.Failures, f)
		}
	}
	return res
}

func lastSegment(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}
