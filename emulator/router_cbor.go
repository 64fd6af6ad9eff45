package emulator

import (
	"net/http"
	"strconv"
	"strings"
)

// CBORHandler serves an AWS service over the Smithy RPC v2 CBOR protocol
// (POST /service/{ServiceName}/operation/{Operation}, CBOR bodies). The
// input is the decoded request (a map; empty without a body); the result
// is encoded with EncodeCBOR (nil means an empty map).
type CBORHandler interface {
	ServeCBOR(rc *RequestContext, operation string, input map[string]any) (any, error)
}

// RegisterCBORService routes RPC v2 CBOR requests for serviceName (the
// Smithy service shape's name, for example "GraniteServiceVersion20100801"
// for CloudWatch) to h.
func (e *Emulator) RegisterCBORService(serviceName string, h CBORHandler) {
	e.routes.mu.Lock()
	e.routes.cbor[serviceName] = h
	e.routes.mu.Unlock()
}

func (e *Emulator) serveCBOR(w http.ResponseWriter, r *http.Request, requestID, region string, body []byte) {
	// /service/{ServiceName}/operation/{Operation}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/service/"), "/")
	if len(parts) != 3 || parts[1] != "operation" || parts[2] == "" {
		WriteCBORError(w, requestID, Errorf("UnknownOperationException", "The path %q is not /service/NAME/operation/OPERATION.", r.URL.Path))
		return
	}
	service, op := parts[0], parts[2]
	e.routes.mu.RLock()
	h := e.routes.cbor[service]
	e.routes.mu.RUnlock()
	if h == nil {
		WriteCBORError(w, requestID, Errorf("UnknownOperationException", "The service %q is not served by this endpoint.", service))
		return
	}
	in, err := DecodeCBOR(body)
	if err != nil {
		WriteCBORError(w, requestID, serializationError("could not read the CBOR request body: %v", err))
		return
	}
	input, ok := in.(map[string]any)
	if !ok {
		WriteCBORError(w, requestID, serializationError("the request body must be a CBOR map"))
		return
	}
	out, ok := e.call(cborWire, w, r, requestID, region, op, func(rc *RequestContext) (any, error) {
		return h.ServeCBOR(rc, op, input)
	})
	if !ok {
		return
	}
	if out == nil {
		out = map[string]any{}
	}
	data, err := EncodeCBOR(out)
	if err != nil {
		WriteCBORError(w, requestID, ServerError("could not encode the response"))
		return
	}
	writeCBOR(w, requestID, http.StatusOK, data)
}

func writeCBOR(w http.ResponseWriter, requestID string, status int, data []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/cbor")
	h.Set("Smithy-Protocol", "rpc-v2-cbor")
	h.Set("X-Amzn-RequestId", requestID)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// WriteCBORError writes an RPC v2 CBOR error: {"__type": code, "message": …},
// with the x-amzn-query-error header that Query-compatible services send.
func WriteCBORError(w http.ResponseWriter, requestID string, err error) {
	ae := asAPIError(err)
	data, _ := EncodeCBOR(map[string]any{"__type": ae.Code, "message": ae.Message})
	w.Header().Set("X-Amzn-Query-Error", ae.Code+";"+ae.fault())
	writeCBOR(w, requestID, ae.Status(), data)
}
