package fleet

import (
	"context"
	"path"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// Bucket is a client-side token bucket for a group of API operations.
type Bucket struct {
	// Operations are operation names or globs ("Describe*"); the operations
	// they match share the bucket, as ECS's groups of actions share theirs.
	Operations []string
	Burst      int
	PerSecond  float64
}

// DefaultBuckets group the calls of a deploy as ECS groups its actions
// (service reads, task reads, task-definition reads, other reads,
// task-definition writes, service writes, and the rest), each in a bucket
// of 50 tokens refilled at 20 a second. ECS's own example on its
// throttling page gives cluster reads a bucket of 50; the other groups'
// figures vary by action and account, so these are one safe size for all,
// not ECS's table.
var DefaultBuckets = []Bucket{
	{Operations: []string{"DescribeServices", "ListServices*"}, Burst: 50, PerSecond: 20},
	{Operations: []string{"DescribeTasks", "ListTasks"}, Burst: 50, PerSecond: 20},
	{Operations: []string{"DescribeTaskDefinition", "ListTaskDefinition*"}, Burst: 50, PerSecond: 20},
	{Operations: []string{"Describe*", "List*"}, Burst: 50, PerSecond: 20},
	{Operations: []string{"RegisterTaskDefinition", "DeregisterTaskDefinition"}, Burst: 50, PerSecond: 20},
	{Operations: []string{"CreateService", "UpdateService", "DeleteService"}, Burst: 50, PerSecond: 20},
	{Operations: []string{"*"}, Burst: 50, PerSecond: 20},
}

// Limiter holds one token bucket per group, for one account and region.
// Every API call of every target of a fleet waits for a token of its group
// before it is sent (each retry too), so a fleet of many services spends
// its calls evenly instead of meeting AWS's throttling in bursts.
type Limiter struct {
	buckets []Bucket
	limits  []*rate.Limiter
}

// NewLimiter returns a limiter with the given buckets (DefaultBuckets when
// none); the first bucket whose glob matches an operation is its group.
func NewLimiter(buckets ...Bucket) *Limiter {
	if len(buckets) == 0 {
		buckets = DefaultBuckets
	}
	l := &Limiter{buckets: buckets}
	for _, b := range buckets {
		l.limits = append(l.limits, rate.NewLimiter(rate.Limit(b.PerSecond), b.Burst))
	}
	return l
}

// Wait blocks until op may be called, or ctx ends.
func (l *Limiter) Wait(ctx context.Context, op string) error {
	for i, b := range l.buckets {
		for _, glob := range b.Operations {
			if ok, _ := path.Match(glob, op); ok {
				return l.limits[i].Wait(ctx)
			}
		}
	}
	return nil
}

// Middleware adds the limiter to an SDK client's stack (aws.Config's
// APIOptions). It sits after the retry middleware, so that each attempt,
// retries included, takes a token.
func (l *Limiter) Middleware(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("ecsdeployRateLimit",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if err := l.Wait(ctx, awsmiddleware.GetOperationName(ctx)); err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}
