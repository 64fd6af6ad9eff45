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
		var in describeGroupsInput
		if err := decode(body, &in); err != nil {
			return nil, err
		}
		return s.describeLogGroups(rc, in)
	case "DescribeLogStreams":
		var in describeStreamsInput
		if err := decode(body, &in); err != nil {
			return nil, err
		}
		return s.describeLogStreams(rc, in)
	case "GetLogEvents":
		var in getEventsInput
		if err := decode(body, &in); err != nil {
			return nil, err
		}
		return s.getLogEvents(rc, in)
	case "FilterLogEvents":
		var in filterEventsInput
		if err := decode(body, &in); err != nil {
			return nil, err
		}
		return s.filterLogEvents(rc, in)
	}
	return nil, &emulator.APIError{Code: "UnknownOperationException", HTTPStatus: http.StatusBadRequest,
		Message: fmt.Sprintf("The local CloudWatch Logs does not support %s; it serves DescribeLogGroups, DescribeLogStreams, GetLogEvents and FilterLogEvents.", op)}
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
