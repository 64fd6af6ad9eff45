package logs

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// TargetPrefix is CloudWatch Logs' X-Amz-Target prefix.
const TargetPrefix = "Logs_20140328"

// Source is where the containers' lines come from; *emulator.Emulator is one.
type Source interface {
	ContainerLogs(region string) []emulator.ContainerLog
}

// Service answers CloudWatch Logs requests from a Source.
type Service struct {
	src Source
}

// New returns a Service reading from src.
func New(src Source) *Service { return &Service{src: src} }

// Register makes em answer CloudWatch Logs requests with its containers'
// lines, and returns the service.
func Register(em *emulator.Emulator) *Service {
	s := New(em)
	em.RegisterJSONService(TargetPrefix, s)
	return s
}

// ServeJSON implements emulator.JSONHandler.
func (s *Service) ServeJSON(rc *emulator.RequestContext, op string, body []byte) (any, error) {
	switch op {
	case "DescribeLogGroups":
		return call(s.describeLogGroups, rc, body)
	case "DescribeLogStreams":
		return call(s.describeLogStreams, rc, body)
	case "GetLogEvents":
		return call(s.getLogEvents, rc, body)
	case "FilterLogEvents":
		return call(s.filterLogEvents, rc, body)
	}
	return nil, &emulator.APIError{Code: "UnknownOperationException", HTTPStatus: http.StatusBadRequest,
		Message: fmt.Sprintf("The local CloudWatch Logs does not support %s; it serves DescribeLogGroups, DescribeLogStreams, GetLogEvents and FilterLogEvents.", op)}
}

// call decodes body as op's input and runs op.
func call[In any](op func(*emulator.RequestContext, In) (any, error), rc *emulator.RequestContext, body []byte) (any, error) {
	var in In
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	return op(rc, in)
}

func decode(body []byte, into any) error {
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, into); err != nil {
		return emulator.Errorf("SerializationException", "could not read the request: %v", err)
	}
	return nil
}

func invalidParameter(format string, args ...any) error {
	return emulator.Errorf("InvalidParameterException", format, args...)
}

func groupNotFound() error {
	return emulator.Errorf("ResourceNotFoundException", "The specified log group does not exist.")
}

func streamNotFound() error {
	return emulator.Errorf("ResourceNotFoundException", "The specified log stream does not exist.")
}
