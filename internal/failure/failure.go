// Package failure forwards to package exitcode, where the exit-code and
// problem types now live, so that programs importing the library can name
// them. It remains only until every library package imports exitcode
// directly; new code uses exitcode.
package failure

import "github.com/ecsdeploy/ecsdeploy/exitcode"

// Exit codes; see exitcode.
const (
	CodeOK       = exitcode.OK
	CodeFailed   = exitcode.Failed
	CodeInvalid  = exitcode.Invalid
	CodeTimedOut = exitcode.TimedOut
	CodeAWS      = exitcode.AWS
)

type (
	// Error is exitcode.Error.
	Error = exitcode.Error
	// Problem is exitcode.Problem.
	Problem = exitcode.Problem
	// Problems is exitcode.Problems.
	Problems = exitcode.Problems
)

// Invalidf is exitcode.Invalidf.
func Invalidf(format string, args ...any) error { return exitcode.Invalidf(format, args...) }

// Failedf is exitcode.Failedf.
func Failedf(format string, args ...any) error { return exitcode.Failedf(format, args...) }

// TimedOutf is exitcode.TimedOutf.
func TimedOutf(format string, args ...any) error { return exitcode.TimedOutf(format, args...) }

// WithCode is exitcode.With.
func WithCode(code int, err error) error { return exitcode.With(code, err) }

// CodeOf is exitcode.Of.
func CodeOf(err error) int { return exitcode.Of(err) }
