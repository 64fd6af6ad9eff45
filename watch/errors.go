package watch

import (
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// pollAttempts bounds the SDK's own retries of one poll: the watcher has its
// own backoff and deadline, and a poll that waits 20 s inside the SDK would
// blow both.
const pollAttempts = 2

func limitRetries(o *ecs.Options) {
	o.Retryer = retry.AddWithMaxAttempts(o.Retryer, pollAttempts)
}
