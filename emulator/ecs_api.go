package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// ecsTargetPrefix is ECS's X-Amz-Target prefix.
const ecsTargetPrefix = "AmazonEC2ContainerServiceV20141113"

// ecsAPI serves the ECS JSON 1.1 API on the emulator's state.
type ecsAPI struct {
	em         *Emulator
	controller string // see ecsCall.controller
}

// ecsOp is one ECS operation: it decodes its own input and runs under the state lock.
type ecsOp func(x *ecsCall, body []byte) (any, error)

// ecsCall is what an operation works with: the region's state, the time and ids.
type ecsCall struct {
	em  *Emulator
	rc  *RequestContext
	reg *regionState
	// controller is the deployment controller making the call in-process
	// (CODE_DEPLOY for the local CodeDeploy); empty for API callers.
	controller string
}

var ecsOps = map[string]ecsOp{}

func registerECSOp(name string, op ecsOp) { ecsOps[name] = op }

// ServeJSON dispatches an ECS operation.
func (a *ecsAPI) ServeJSON(rc *RequestContext, operation string, body []byte) (any, error) {
	op := ecsOps[operation]
	if op == nil {
		return nil, Errorf("UnknownOperationException", "The operation %s is not supported by the local ECS.", operation)
	}
	if err := checkJSONObject(body); err != nil {
		return nil, err
	}
	a.em.mu.Lock()
	defer a.em.mu.Unlock()
	x := &ecsCall{em: a.em, rc: rc, reg: a.em.state.region(rc.Region), controller: a.controller}
	if a.em.opts.DefaultCluster && !x.reg.Initialized {
		x.ensureCluster("default")
	}
	x.reg.Initialized = true
	out, err := op(x, body)
	if err == nil && !readOnlyOp(operation) {
		a.em.feed.publish(Change{Region: rc.Region})
	}
	return out, err
}

// readOnlyOp reports whether an ECS operation only reads state.
func readOnlyOp(operation string) bool {
	return strings.HasPrefix(operation, "Describe") || strings.HasPrefix(operation, "List")
}

// checkJSONObject accepts an empty body or one JSON object, as ECS does.
func checkJSONObject(body []byte) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil
	}
	if trimmed[0] != '{' || !json.Valid(trimmed) {
		return serializationError("Start of structure or map found where not expected.")
	}
	return nil
}

// decodeInput decodes body into in; a type mismatch is a SerializationException
// naming the member, like ECS's deserializer.
func decodeInput(body []byte, in any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return serializationError("Unexpected value for member %q: expected %s, got JSON %s.", te.Field, te.Type, te.Value)
		}
		return serializationError("Could not parse the request: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return serializationError("Unexpected data after the request object.")
	}
	return nil
}

// memberKinds says which JSON kind ('[' list, '{' structure) members kept
// as raw JSON must have; the typed members are checked by decoding.
type memberKinds map[string]byte

// checkRawMembers gives a SerializationException for a raw member of the
// wrong kind, as ECS's deserializer does for any mistyped member.
func checkRawMembers(body []byte, kinds memberKinds) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return serializationError("Could not parse the request.")
	}
	for name, kind := range kinds {
		v := bytes.TrimSpace(top[name])
		if len(v) == 0 || string(v) == "null" {
			continue
		}
		if v[0] != kind {
			want := map[byte]string{'[': "a list", '{': "a structure"}[kind]
			return serializationError("Unexpected value for member %q: expected %s.", name, want)
		}
	}
	return nil
}

// ecsDecode decodes a typed input for an operation body.
func ecsDecode[T any](body []byte) (*T, error) {
	in := new(T)
	if err := decodeInput(body, in); err != nil {
		return nil, err
	}
	return in, nil
}

func required(name, value string) error {
	if strings.TrimSpace(value) == "" {
		return invalidParameter("%s can not be blank.", name)
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
