package watch

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// transient reports whether a failed read is worth repeating after a pause:
// throttling and server faults are; anything else (access denied, a missing
// cluster) will not get better by polling.
func transient(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
			"RequestLimitExceeded", "RequestThrottled", "ServerException", "ServiceUnavailable", "InternalFailure":
			return true
		}
	}
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && resp.HTTPStatusCode() >= 500 {
		return true
	}
	return false
}

// throttled reports whether AWS asked us to slow down.
func throttled(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled":
			return true
		}
	}
	return false
}

// pollAttempts bounds the SDK's own retries of one poll: the watcher has its
// own backoff and deadline, and a poll that waits 20 s inside the SDK would
// blow both.
const pollAttempts = 2

func limitRetries(o *ecs.Options) {
	o.Retryer = retry.AddWithMaxAttempts(o.Retryer, pollAttempts)
}
