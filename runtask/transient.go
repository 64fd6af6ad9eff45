package runtask

import (
	"errors"
	"time"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// maxBackoff caps the pause between polls while AWS throttles or fails.
const maxBackoff = 20 * time.Second

// transient reports whether a failed poll is worth repeating after a pause:
// throttling and server faults (which the SDK's own retries did not ride
// out) are; anything else (access denied, a missing cluster) is not.
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
	return errors.As(err, &resp) && resp.HTTPStatusCode() >= 500
}
