package transient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func TestClassification(t *testing.T) {
	resp := func(code int) error {
		return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: errors.New("x")}
	}
	for _, tt := range []struct {
		name                        string
		err                         error
		is, throttled, server, conn bool
	}{
		{"throttling", &smithy.GenericAPIError{Code: "ThrottlingException"}, true, true, false, false},
		{"server exception", &smithy.GenericAPIError{Code: "ServerException"}, true, false, true, false},
		{"503", resp(503), true, false, true, false},
		{"429", resp(429), true, true, false, false},
		{"access denied", &smithy.GenericAPIError{Code: "AccessDeniedException"}, false, false, false, false},
		{"client exception", &smithy.GenericAPIError{Code: "ClientException", Message: "connection reset in a message"}, false, false, false, false},
		{"400", resp(400), false, false, false, false},
		{"send error", &smithyhttp.RequestSendError{Err: errors.New("dial tcp: refused")}, true, false, false, true},
		{"reset", &url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}}, true, false, false, true},
		{"EOF while reading the reply", &smithy.DeserializationError{Err: fmt.Errorf("read body: %w", io.ErrUnexpectedEOF)}, true, false, false, true},
		{"closed connection", fmt.Errorf("deserialization failed: %w", net.ErrClosed), true, false, false, true},
		{"read timeout", &url.Error{Op: "Post", URL: "http://x", Err: timeoutErr{}}, true, false, false, true},
		{"our deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), false, false, false, false},
		{"cancelled", context.Canceled, false, false, false, false},
		{"other", errors.New("invalid region"), false, false, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Is(tt.err); got != tt.is {
				t.Errorf("Is = %v, want %v", got, tt.is)
			}
			if got := Throttled(tt.err); got != tt.throttled {
				t.Errorf("Throttled = %v, want %v", got, tt.throttled)
			}
			if got := ServerFault(tt.err); got != tt.server {
				t.Errorf("ServerFault = %v, want %v", got, tt.server)
			}
			if got := Connection(tt.err); got != tt.conn {
				t.Errorf("Connection = %v, want %v", got, tt.conn)
			}
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }
