package emulator

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
)

// APIError is an error an AWS service returns: a code (the exception name),
// a message and the HTTP status. Handlers return it; the router writes it in
// the protocol of the service.
type APIError struct {
	Code    string
	Message string
	// HTTPStatus is the reply's status; 0 means 400. Statuses of 500 and
	// above are faults: <Type>Receiver</Type> in Query-protocol errors.
	HTTPStatus int
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// Status returns the HTTP status, defaulting to 400.
func (e *APIError) Status() int {
	if e.HTTPStatus == 0 {
		return http.StatusBadRequest
	}
	return e.HTTPStatus
}

// Errorf builds a client error (HTTP 400) with code and a formatted message.
func Errorf(code, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...), HTTPStatus: http.StatusBadRequest}
}

// Common ECS error constructors.
func invalidParameter(format string, args ...any) *APIError {
	return Errorf("InvalidParameterException", format, args...)
}
func clientError(format string, args ...any) *APIError {
	return Errorf("ClientException", format, args...)
}
func serializationError(format string, args ...any) *APIError {
	return Errorf("SerializationException", format, args...)
}

// ServerError is the ECS fault: HTTP 500 ServerException.
func ServerError(message string) *APIError {
	return &APIError{Code: "ServerException", Message: message, HTTPStatus: http.StatusInternalServerError}
}

// ThrottlingError is what AWS returns when a caller exceeds its rate.
func ThrottlingError() *APIError {
	return &APIError{Code: "ThrottlingException", Message: "Rate exceeded", HTTPStatus: http.StatusBadRequest}
}

// asAPIError turns any error into an APIError; unknown errors are faults.
func asAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return ServerError("internal error: " + err.Error())
}

// WriteJSONError writes err as an AWS JSON 1.1 error: {"__type","message"},
// with X-Amzn-ErrorType equal to __type (the Go SDK prefers the header).
func WriteJSONError(w http.ResponseWriter, requestID string, err error) {
	ae := asAPIError(err)
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("X-Amzn-ErrorType", ae.Code)
	h.Set("X-Amzn-RequestId", requestID)
	w.WriteHeader(ae.Status())
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{ae.Code, ae.Message})
	_, _ = w.Write(body)
}

// fault is who is at fault for the error, as Query-protocol errors say it:
// Receiver for a server error (5xx), Sender otherwise.
func (ae *APIError) fault() string {
	if ae.Status() >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// WriteQueryError writes err as an AWS Query-protocol XML error:
// <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>.
func WriteQueryError(w http.ResponseWriter, requestID string, err error) {
	ae := asAPIError(err)
	typ := ae.fault()
	type errorXML struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	doc := struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Error     errorXML `xml:"Error"`
		RequestID string   `xml:"RequestId"`
	}{Error: errorXML{typ, ae.Code, ae.Message}, RequestID: requestID}
	body, _ := xml.Marshal(doc)
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("X-Amzn-RequestId", requestID)
	w.WriteHeader(ae.Status())
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}
