package fleet

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// tdReads shares DescribeTaskDefinition calls between the targets of a
// fleet. Identical calls in flight at the same time are sent once and
// answered alike, whatever they name. The answer for a given revision
// (family:revision or its ARN), whose content ECS never changes, is also
// kept for the rest of the run, until a DeregisterTaskDefinition through the
// same client; a family's newest revision is not kept, since a target's
// deploy may register a newer one. Errors are never kept.
type tdReads struct {
	mu       sync.Mutex
	inFlight map[string]*tdCall
	kept     map[string]*ecs.DescribeTaskDefinitionOutput
}

type tdCall struct {
	joined int // callers waiting for this call's answer
	done   chan struct{}
	out    *ecs.DescribeTaskDefinitionOutput
	err    error
}

func tdKey(in *ecs.DescribeTaskDefinitionInput) string {
	k := aws.ToString(in.TaskDefinition)
	for _, f := range in.Include {
		k += "\x00" + string(f)
	}
	return k
}

// namesRevision reports whether ref names one revision rather than a
// family's newest one.
func namesRevision(ref string) bool {
	name := ref[strings.LastIndex(ref, "/")+1:]
	return strings.Contains(name, ":")
}

func (r *tdReads) describe(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, send func() (*ecs.DescribeTaskDefinitionOutput, error)) (*ecs.DescribeTaskDefinitionOutput, error) {
	key := tdKey(in)
	keep := namesRevision(aws.ToString(in.TaskDefinition))
	r.mu.Lock()
	if out, ok := r.kept[key]; ok {
		r.mu.Unlock()
		return out, nil
	}
	if c, ok := r.inFlight[key]; ok {
		c.joined++
		r.mu.Unlock()
		select {
		case <-c.done:
			if c.err != nil && ctx.Err() == nil && (errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) {
				// The call ended with its sender's context, not this one's.
				return r.describe(ctx, in, send)
			}
			return c.out, c.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c := &tdCall{done: make(chan struct{})}
	if r.inFlight == nil {
		r.inFlight, r.kept = map[string]*tdCall{}, map[string]*ecs.DescribeTaskDefinitionOutput{}
	}
	r.inFlight[key] = c
	r.mu.Unlock()

	c.out, c.err = send()
	r.mu.Lock()
	delete(r.inFlight, key)
	if c.err == nil && keep {
		r.kept[key] = c.out
	}
	r.mu.Unlock()
	close(c.done)
	return c.out, c.err
}

// forget drops every kept answer (a revision was deregistered: its status
// changed).
func (r *tdReads) forget() {
	r.mu.Lock()
	r.kept = map[string]*ecs.DescribeTaskDefinitionOutput{}
	r.mu.Unlock()
}

// DescribeTaskDefinition shares the read with the fleet's other targets
// (see tdReads).
func (b *Batcher) DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error) {
	return b.tds.describe(ctx, in, func() (*ecs.DescribeTaskDefinitionOutput, error) {
		return b.ECSAPI.DescribeTaskDefinition(ctx, in, optFns...)
	})
}

// DeregisterTaskDefinition passes through, and forgets the revisions read.
func (b *Batcher) DeregisterTaskDefinition(ctx context.Context, in *ecs.DeregisterTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DeregisterTaskDefinitionOutput, error) {
	out, err := b.ECSAPI.DeregisterTaskDefinition(ctx, in, optFns...)
	b.tds.forget()
	return out, err
}
