package codedeploy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// TargetPrefix is CodeDeploy's X-Amz-Target prefix.
const TargetPrefix = "CodeDeploy_20141006"

// ECS is what the local CodeDeploy needs from the local ECS: operations
// called as the CODE_DEPLOY deployment controller, and the scenario (for
// the hooks). *emulator.Emulator satisfies it.
type ECS interface {
	InvokeECSAsController(ctx context.Context, region, controller, operation string, input []byte) ([]byte, error)
	Scenario() *scenario.Scenario
	// AlarmState is a CloudWatch alarm's state now (ok false: not known, OK).
	AlarmState(name string) (st scenario.AlarmStatus, since time.Time, ok bool)
}

// Service answers CodeDeploy requests and runs deployments.
type Service struct {
	ecs       ECS
	traffic   Traffic
	accountID string

	mu sync.Mutex
	st *state
	// newID makes deployment ids; tests may replace it.
	newID func() string
	// TableState saves, loads and resets st.
	emulator.TableState[state]
}

// New returns a Service that deploys through ecs and moves traffic through traffic.
func New(ecs ECS, traffic Traffic, accountID string) *Service {
	s := &Service{ecs: ecs, traffic: traffic, accountID: accountID, st: newState(), newID: randomDeploymentID}
	s.TableState = emulator.NewTableState("CodeDeploy", &s.mu, &s.st, newState, func(st *state) bool {
		return st.Apps != nil && st.Configs != nil && st.Deployments != nil
	}, nil)
	return s
}

// Register serves CodeDeploy on em, runs deployments on its clock, saves
// their state with the emulator's under "codedeploy", and returns the
// service. traffic is the load balancers' side (see NewELBTraffic).
func Register(em *emulator.Emulator, traffic Traffic) *Service {
	s := New(em, traffic, em.AccountID())
	em.RegisterJSONService(TargetPrefix, s)
	em.RegisterStatePart("codedeploy", s)
	em.OnStep(s.Step)
	em.OnServiceSnapshot(s.annotateSnapshot) // what the console shows of a deployment
	return s
}

// randomDeploymentID is "d-" and nine characters of [0-9A-Z], like CodeDeploy's.
func randomDeploymentID() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	u := uuid.New()
	b := make([]byte, 9)
	for i := range b {
		b[i] = alphabet[int(u[i])%len(alphabet)]
	}
	return "d-" + string(b)
}

type op func(s *Service, rc *emulator.RequestContext, body []byte) (any, error)

// ops are the operations the local CodeDeploy serves.
var ops = map[string]op{}

func register(name string, fn op) { ops[name] = fn }

// ServeJSON implements emulator.JSONHandler.
func (s *Service) ServeJSON(rc *emulator.RequestContext, operation string, body []byte) (any, error) {
	fn := ops[operation]
	if fn == nil {
		names := make([]string, 0, len(ops))
		for n := range ops {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, &emulator.APIError{Code: "UnknownOperationException", HTTPStatus: http.StatusBadRequest,
			Message: fmt.Sprintf("The local CodeDeploy does not support %s; it serves %s.", operation, strings.Join(names, ", "))}
	}
	return fn(s, rc, body)
}

// decode reads a JSON request into in; mistyped members are a 400.
// checkBatch checks how many names or ids a Batch operation was given.
func checkBatch(n, most int) error {
	if n > most {
		return errf("BatchLimitExceededException", "The maximum number of names or IDs allowed for this request (%d) was exceeded.", most)
	}
	return nil
}

func decode(body []byte, in any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return emulator.Errorf("SerializationException", "Unexpected value for member %q: expected %s, got JSON %s.", te.Field, te.Type, te.Value)
		}
		return emulator.Errorf("SerializationException", "Could not parse the request: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

func errf(code, format string, args ...any) error { return emulator.Errorf(code, format, args...) }

// epoch is a timestamp on the wire: seconds since 1970 with milliseconds,
// which the AWS SDKs and the AWS CLI read for JSON 1.1 services.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(fmt.Sprintf("%d.%03d", ms/1000, ms%1000)), nil
}

func epochOf(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

func (s *Service) nextSeq() int64 { s.st.Seq++; return s.st.Seq }

func key(region, name string) string { return region + "/" + name }

// callECS runs an ECS operation as the CODE_DEPLOY controller.
func (s *Service) callECS(region, op string, in any, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	resp, err := s.ecs.InvokeECSAsController(context.Background(), region, "CODE_DEPLOY", op, body)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(resp, out)
}
