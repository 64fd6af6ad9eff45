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
	// Operations is a glob of operation names ("Describe*"); the operations
	// it matches share the bucket, as ECS's groups of actions share theirs.
	Operations string
	Burst      int
	PerSecond  float64
}

// DefaultBuckets keep a fleet's calls under ECS's per-account, per-region
// buckets with room to spare for other clients of the same account: reads
// (Describe*, List*) and writes in separate groups. ECS's published figures
// are higher for most groups (its own example: 50 tokens for cluster reads);
// these are deliberately below them, since every ecsdeploy process and
// every other tool of the account draws from the same AWS bucket.
var DefaultBuckets = []Bucket{
	{Operations: "Describe*", Burst: 20, PerSecond: 10},
	{Operations: "List*", Burst: 20, PerSecond: 10},
	{Operations: "*", Burst: 10, PerSecond: 5},
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
		if ok, _ := path.Match(b.Operations, op); ok {
			return l.limits[i].Wait(ctx)
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
