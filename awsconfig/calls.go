package awsconfig

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// CallCounter counts API calls by service and operation. Retries of one call
// count once as a call and once per retry in Attempts.
type CallCounter struct {
	mu       sync.Mutex
	calls    map[string]int
	attempts int
}

// Counts returns a copy of the per-operation counts, keyed "Service.Operation".
func (c *CallCounter) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

// Total returns the number of calls made.
func (c *CallCounter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.calls {
		n += v
	}
	return n
}

// Attempts returns the number of HTTP attempts, retries included.
func (c *CallCounter) Attempts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attempts
}

// Operations returns the operation names, sorted.
func (c *CallCounter) Operations() []string {
	counts := c.Counts()
	names := make([]string, 0, len(counts))
	for k := range counts {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func (c *CallCounter) middleware(stack *middleware.Stack) error {
	if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("ecsdeployCountCalls",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			key := awsmiddleware.GetServiceID(ctx) + "." + awsmiddleware.GetOperationName(ctx)
			c.mu.Lock()
			if c.calls == nil {
				c.calls = map[string]int{}
			}
			c.calls[key]++
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After); err != nil {
		return err
	}
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("ecsdeployCountAttempts",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			c.mu.Lock()
			c.attempts++
			c.mu.Unlock()
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

// callLogger logs each HTTP attempt: service, operation, status and duration.
// It never logs headers or bodies, so credentials and secret values cannot leak.
func callLogger(w io.Writer) func(*middleware.Stack) error {
	var mu sync.Mutex
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("ecsdeployLogCalls",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				start := time.Now()
				out, md, err := next.HandleDeserialize(ctx, in)
				status := 0
				if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp != nil {
					status = resp.StatusCode
				}
				mu.Lock()
				defer mu.Unlock()
				line := fmt.Sprintf("aws: %s.%s status=%d in %s", awsmiddleware.GetServiceID(ctx),
					awsmiddleware.GetOperationName(ctx), status, time.Since(start).Round(10*time.Microsecond))
				if err != nil {
					line += " error=" + redact(err.Error())
				}
				fmt.Fprintln(w, line)
				return out, md, err
			}), middleware.After)
	}
}
