package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// RequestContext is what a service handler knows about a request.
type RequestContext struct {
	Ctx       context.Context
	Region    string    // from the SigV4 credential scope, or the emulator's default
	AccountID string    // the emulator's account
	RequestID string    // echoed in x-amzn-RequestId
	Operation string    // the X-Amz-Target suffix or the Query Action
	Now       time.Time // the emulator's clock when the request arrived
}

// JSONHandler serves an AWS JSON 1.1 service. It returns the value to
// encode as the response body (nil means {}; json.RawMessage is sent as is)
// or an error, preferably an *APIError.
type JSONHandler interface {
	ServeJSON(rc *RequestContext, operation string, body []byte) (any, error)
}

// JSONHandlerFunc adapts a function to JSONHandler.
type JSONHandlerFunc func(rc *RequestContext, operation string, body []byte) (any, error)

// ServeJSON calls f.
func (f JSONHandlerFunc) ServeJSON(rc *RequestContext, op string, body []byte) (any, error) {
	return f(rc, op, body)
}

// QueryHandler serves an AWS Query-protocol service (form-encoded Action=...,
// XML replies). The result is encoded as the <ActionResult> element (its
// fields become children; RawXML is inserted as is; nil omits the element).
type QueryHandler interface {
	ServeQuery(rc *RequestContext, action string, params url.Values) (any, error)
}

// QueryHandlerFunc adapts a function to QueryHandler.
type QueryHandlerFunc func(rc *RequestContext, action string, params url.Values) (any, error)

// ServeQuery calls f.
func (f QueryHandlerFunc) ServeQuery(rc *RequestContext, action string, params url.Values) (any, error) {
	return f(rc, action, params)
}

// XMLNamespacer may be implemented by a QueryHandler to set the xmlns of
// its responses (for example "http://cloudformation.amazonaws.com/doc/2010-05-15/").
type XMLNamespacer interface {
	XMLNamespace() string
}

// RawXML is a Query result inserted verbatim inside <ActionResult>.
type RawXML []byte

type router struct {
	mu    sync.RWMutex
	json  map[string]JSONHandler
	query map[string]QueryHandler
	cbor  map[string]CBORHandler
}

func newRouter() *router {
	return &router{json: map[string]JSONHandler{}, query: map[string]QueryHandler{}, cbor: map[string]CBORHandler{}}
}

// RegisterJSONService routes requests whose X-Amz-Target starts with
// targetPrefix + "." to h (for example "CodeDeploy_20141006").
func (e *Emulator) RegisterJSONService(targetPrefix string, h JSONHandler) {
	e.routes.mu.Lock()
	e.routes.json[targetPrefix] = h
	e.routes.mu.Unlock()
}

// RegisterQueryService routes Query-protocol requests signed for
// signingName (the service in the SigV4 credential scope, for example
// "cloudformation" or "elasticloadbalancing") to h.
func (e *Emulator) RegisterQueryService(signingName string, h QueryHandler) {
	e.routes.mu.Lock()
	e.routes.query[signingName] = h
	e.routes.mu.Unlock()
}

// maxBodyBytes bounds request bodies; ECS's largest input (a task
// definition) is limited to 64 KiB, so 1 MiB leaves room for everything.
const maxBodyBytes = 1 << 20

// maxDrainBytes bounds how much of an oversized body is read (and thrown
// away) so that the client can finish sending before the refusal.
const maxDrainBytes = 64 << 20

// ServeHTTP answers an AWS request, or an admin request under /_local/.
//
// The request body is always read whole before anything is answered. A
// client still writing its body when the reply arrives abandons the
// connection (Go's transport then fails the call with "use of closed
// network connection", and SDKs retry it, sending a write twice).
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	tooLarge := len(body) > maxBodyBytes
	if tooLarge {
		if n, _ := io.Copy(io.Discard, io.LimitReader(r.Body, maxDrainBytes)); n == maxDrainBytes {
			w.Header().Set("Connection", "close") // the rest is not worth reading
		}
	}
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		if readErr != nil || tooLarge {
			adminError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body could not be read whole (at most %d bytes)", maxBodyBytes))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		e.serveAdmin(w, r)
		return
	}
	requestID := newRequestID()
	region, signingName := credentialScope(r.Header.Get("Authorization"))
	if region == "" {
		region = e.opts.Region
	}
	if readErr != nil {
		WriteJSONError(w, requestID, serializationError("could not read the request body"))
		return
	}
	if tooLarge {
		WriteJSONError(w, requestID, Errorf("RequestEntityTooLargeException", "the request body is larger than %d bytes", maxBodyBytes))
		return
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		e.serveJSON(w, r, requestID, region, target, body)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/service/") {
		e.serveCBOR(w, r, requestID, region, body)
		return
	}
	e.serveQuery(w, r, requestID, region, signingName, body)
}

func (e *Emulator) serveJSON(w http.ResponseWriter, r *http.Request, requestID, region, target string, body []byte) {
	prefix, op, _ := strings.Cut(target, ".")
	e.routes.mu.RLock()
	h := e.routes.json[prefix]
	e.routes.mu.RUnlock()
	if h == nil || op == "" {
		WriteJSONError(w, requestID, Errorf("UnknownOperationException", "The operation %q is not supported by this endpoint.", target))
		return
	}
	out, ok := e.call(jsonWire, w, r, requestID, region, op, func(rc *RequestContext) (any, error) {
		return h.ServeJSON(rc, op, body)
	})
	if !ok {
		return
	}
	data, err := marshalJSONBody(out)
	if err != nil {
		WriteJSONError(w, requestID, ServerError("could not encode the response"))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", requestID)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// wire is what differs between the protocols the router serves: how an
// error is written, what a panic in a handler becomes, and whether the
// scenario's request limits apply.
type wire struct {
	writeErr func(http.ResponseWriter, string, error)
	onPanic  func(op string) error
	limited  bool
}

var (
	jsonWire  = wire{writeErr: WriteJSONError, onPanic: serverPanic, limited: true}
	queryWire = wire{writeErr: WriteQueryError, onPanic: internalFailure, limited: true}
	cborWire  = wire{writeErr: WriteCBORError, onPanic: serverPanic}
)

func serverPanic(op string) error { return ServerError("internal error while serving " + op) }

func internalFailure(op string) error {
	return &APIError{Code: "InternalFailure", Message: "internal error while serving " + op, HTTPStatus: 500}
}

// call applies the scenario's faults (and limits) to op, then runs serve
// with the request's context. ok false means the answer, an error, has
// been written.
func (e *Emulator) call(wr wire, w http.ResponseWriter, r *http.Request, requestID, region, op string,
	serve func(*RequestContext) (any, error)) (out any, ok bool) {
	if !e.applyFaults(w, r, requestID, op, wr.writeErr) || wr.limited && !e.applyLimits(w, requestID, region, op, wr.writeErr) {
		return nil, false
	}
	rc := e.requestContext(r.Context(), requestID, region, op)
	out, err := protect(wr.onPanic, op, func() (any, error) { return serve(rc) })
	if err != nil {
		wr.writeErr(w, requestID, err)
		return nil, false
	}
	return out, true
}

// requestContext catches the emulator's clock up and returns the context
// of a request for op.
func (e *Emulator) requestContext(ctx context.Context, requestID, region, op string) *RequestContext {
	e.catchUp()
	return &RequestContext{Ctx: ctx, Region: region, AccountID: e.opts.AccountID,
		RequestID: requestID, Operation: op, Now: e.Now()}
}

// protect runs serve, turning a panic into the error onPanic makes for op,
// so that bad input can never take the emulator down.
func protect(onPanic func(op string) error, op string, serve func() (any, error)) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, onPanic(op)
		}
	}()
	return serve()
}

func marshalJSONBody(out any) ([]byte, error) {
	switch v := out.(type) {
	case nil:
		return []byte("{}"), nil
	case json.RawMessage:
		return v, nil
	case []byte:
		return v, nil
	}
	return json.Marshal(out)
}

func (e *Emulator) serveQuery(w http.ResponseWriter, r *http.Request, requestID, region, signingName string, body []byte) {
	params, err := url.ParseQuery(string(body))
	if err != nil {
		WriteQueryError(w, requestID, Errorf("MalformedQueryString", "the request body is not form-encoded"))
		return
	}
	for k, v := range r.URL.Query() {
		if _, ok := params[k]; !ok {
			params[k] = v
		}
	}
	action := params.Get("Action")
	e.routes.mu.RLock()
	h := e.routes.query[signingName]
	e.routes.mu.RUnlock()
	if h == nil {
		if signingName == "" && action == "" {
			WriteJSONError(w, requestID, Errorf("UnknownOperationException", "The request has no X-Amz-Target header and no Action; nothing to dispatch."))
			return
		}
		WriteQueryError(w, requestID, Errorf("InvalidAction", "The service %q is not served by this endpoint.", signingName))
		return
	}
	if action == "" {
		WriteQueryError(w, requestID, Errorf("MissingAction", "The request must contain the parameter Action."))
		return
	}
	out, ok := e.call(queryWire, w, r, requestID, region, action, func(rc *RequestContext) (any, error) {
		return h.ServeQuery(rc, action, params)
	})
	if !ok {
		return
	}
	ns := ""
	if n, ok := h.(XMLNamespacer); ok {
		ns = n.XMLNamespace()
	}
	data, err := encodeQueryResponse(action, ns, requestID, out)
	if err != nil {
		WriteQueryError(w, requestID, ServerError("could not encode the response"))
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-RequestId", requestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// encodeQueryResponse builds <ActionResponse xmlns><ActionResult>…</ActionResult>
// <ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse>.
func encodeQueryResponse(action, ns, requestID string, result any) ([]byte, error) {
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString("<" + action + "Response")
	if ns != "" {
		b.WriteString(` xmlns="`)
		_ = xml.EscapeText(&b, []byte(ns))
		b.WriteString(`"`)
	}
	b.WriteString(">")
	switch v := result.(type) {
	case nil:
	case RawXML:
		b.WriteString("<" + action + "Result>")
		b.Write(v)
		b.WriteString("</" + action + "Result>")
	default:
		enc := xml.NewEncoder(&b)
		if err := enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return nil, err
		}
		if err := enc.Flush(); err != nil {
			return nil, err
		}
	}
	b.WriteString("<ResponseMetadata><RequestId>" + requestID + "</RequestId></ResponseMetadata>")
	b.WriteString("</" + action + "Response>")
	return []byte(b.String()), nil
}

// credentialScope extracts the region and signing service from a SigV4
// Authorization header: "... Credential=AKID/DATE/REGION/SERVICE/aws4_request, ...".
// The signature itself is not checked: the emulator accepts any credentials.
func credentialScope(auth string) (region, service string) {
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return "", ""
	}
	cred := auth[i+len("Credential="):]
	if j := strings.IndexAny(cred, ", "); j >= 0 {
		cred = cred[:j]
	}
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return "", ""
	}
	return parts[2], parts[3]
}

func newRequestID() string { return uuid.NewString() }
