package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// Render prints a command's result: with --output json, v as one indented
// JSON object on stdout; otherwise what text writes on stdout.
func (d *Deps) Render(v any, text func(out io.Writer)) error {
	if d.Global.JSON() {
		return writeJSON(d.IO.Out, v)
	}
	text(d.IO.Out)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// errorReport is what every command prints with --output json when it stops
// on an error before printing its own report: invalid input (with every
// problem) or an error. It has deploy's outcome words, so that a script
// reading stdout always gets one JSON object.
type errorReport struct {
	Cluster  string            `json:"cluster,omitempty"`
	Service  string            `json:"service,omitempty"`
	Outcome  string            `json:"outcome"` // invalid or error
	Reason   string            `json:"reason"`
	Problems exitcode.Problems `json:"problems,omitempty"`
	APICalls map[string]int    `json:"apiCalls,omitempty"`
}

// renderError reports err: on stderr as "error: ..." unless the command has
// reported it already (Silent), and with --output json as an errorReport on
// stdout. It returns the exit code.
func (d *Deps) renderError(err error) int {
	var silent *silentError
	if errors.As(err, &silent) {
		return exitcode.Of(err)
	}
	fmt.Fprintln(d.IO.ErrOut, "error: "+err.Error())
	var printed *reportedError
	if d.Global.JSON() && !errors.As(err, &printed) {
		rep := errorReport{Outcome: "error", Reason: err.Error()}
		if exitcode.Of(err) == exitcode.Invalid {
			rep.Outcome = "invalid"
		}
		errors.As(err, &rep.Problems)
		var s *subjectError
		if errors.As(err, &s) {
			rep.Cluster, rep.Service = s.cluster, s.service
		}
		if d.Clients.Calls().Total() > 0 {
			rep.APICalls = d.Clients.Calls().Counts()
		}
		_ = writeJSON(d.IO.Out, rep)
	}
	return exitcode.Of(err)
}

// silentError carries an exit code for a failure the command has already reported.
type silentError struct{ error }

// Silent wraps err so that it is not reported again; its exit code is kept.
func Silent(err error) error {
	if err == nil {
		return nil
	}
	return &silentError{err}
}

func (s *silentError) Unwrap() error { return s.error }

// reportedError is the error of a command that has printed its report: the
// error is still said on stderr, but no error report follows it on stdout.
type reportedError struct{ error }

// reported wraps err of a command that has printed its report; nil stays nil.
func reported(err error) error {
	if err == nil {
		return nil
	}
	return &reportedError{err}
}

func (r *reportedError) Unwrap() error { return r.error }

// subjectError names the service an error concerns, for the error report.
type subjectError struct {
	error
	cluster, service string
}

func (s *subjectError) Unwrap() error { return s.error }

// aboutService adds the service to err's report; nil stays nil.
func aboutService(err error, cluster, service string) error {
	if err == nil {
		return nil
	}
	return &subjectError{error: err, cluster: cluster, service: service}
}
