package logs

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// FuzzServeJSON feeds arbitrary request bodies to every operation: the
// service must answer with a value that encodes, or an *emulator.APIError,
// and never panic.
func FuzzServeJSON(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"logGroupName":"/ecs/app","logStreamName":"ecs/migrate/task1","startFromHead":true,"limit":2}`,
		`{"logGroupName":"/ecs/app","nextToken":"f/00000000000000000000000000000000000000000000000000000003"}`,
		`{"logGroupIdentifier":"arn:aws:logs:us-east-1:1:log-group:/ecs/app:*","logStreamName":"x"}`,
		`{"logGroupName":"/ecs/app","filterPattern":"?a -b \"c d\"","nextToken":"F/1"}`,
		`{"limit":-1}`, `[`, `{"orderBy":"LastEventTime","logStreamNamePrefix":"e"}`,
	} {
		for _, op := range []string{"GetLogEvents", "FilterLogEvents", "DescribeLogStreams", "DescribeLogGroups"} {
			f.Add(op, []byte(seed))
		}
	}
	s := New(sampleSource())
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		rc := &emulator.RequestContext{Region: "us-east-1", AccountID: "000000000000", Now: t0.Add(time.Minute)}
		out, err := s.ServeJSON(rc, op, body)
		if err != nil {
			var api *emulator.APIError
			if !errors.As(err, &api) || api.Code == "" {
				t.Fatalf("%s(%q): error %v is not an API error", op, body, err)
			}
			return
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("%s(%q): answer does not encode: %v", op, body, err)
		}
	})
}
