// Package transient is the one rule for which failed AWS calls are worth
// repeating after a pause: throttling, server faults (5xx), and failures on
// the wire — a connection reset or dropped, a reply cut short (EOF), a
// timeout while reading. Anything else (access denied, a missing cluster, a
// malformed request) will not get better by trying again. The SDK's retryer,
// the watcher's polls, a one-off task's polls and the deploy's own retries
// of UpdateService all use it, so the same fault is treated the same way
// wherever it strikes.
package transient

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// throttleCodes are the error codes AWS services use to ask for fewer calls.
var throttleCodes = map[string]bool{
	"ThrottlingException": true, "Throttling": true, "ThrottledException": true, "TooManyRequestsException": true,
	"RequestLimitExceeded": true, "RequestThrottled": true, "RequestThrottledException": true,
	"ProvisionedThroughputExceededException": true, "SlowDown": true,
}

// serverCodes are the error codes of server faults.
var serverCodes = map[string]bool{
	"ServerException": true, "ServiceUnavailable": true, "ServiceUnavailableException": true,
	"InternalFailure": true, "InternalError": true, "InternalServerError": true,
}

// Is reports whether err is transient: throttling, a server fault or a
// failure on the wire. Our own context ending is never transient.
func Is(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return Throttled(err) || ServerFault(err) || Connection(err)
}

// Throttled reports whether AWS asked us to slow down.
func Throttled(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) && throttleCodes[api.ErrorCode()] {
		return true
	}
	var resp *smithyhttp.ResponseError
	return errors.As(err, &resp) && resp.HTTPStatusCode() == 429
}

// ServerFault reports a 5xx answer or a server-fault error code.
func ServerFault(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) && serverCodes[api.ErrorCode()] {
		return true
	}
	var resp *smithyhttp.ResponseError
	return errors.As(err, &resp) && resp.HTTPStatusCode() >= 500
}

// Connection reports a failure on the wire: the connection could not be
// made, was reset or closed, or the reply was cut short or timed out while
// being read. The request may or may not have reached the server: a write
// that failed this way must be checked before it is repeated or undone.
func Connection(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		return false // the server answered
	}
	var retryable interface{ RetryableError() bool }
	if errors.As(err, &retryable) && !retryable.RetryableError() {
		return false // the request was never sent, and never will be (say, an unusable CA bundle)
	}
	var send *smithyhttp.RequestSendError
	if errors.As(err, &send) {
		return true
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"connection reset", "use of closed network connection", "broken pipe", "unexpected EOF", ": EOF", "server closed idle connection"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
