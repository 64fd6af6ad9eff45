// Package exitcode gives errors the exit code ecsdeploy reports for them
// (0 succeeded, 1 failed, 2 invalid input, 3 timed out, 4 AWS refused a
// call) and collects input problems, each naming the field it concerns, so
// that they are reported together. Library packages return these errors;
// programs embedding them read the code with Of and the problems with
// errors.As.
package exitcode

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/ecsdeploy/ecsdeploy/transient"
)

// Exit codes are part of ecsdeploy's interface; they are documented in README.md.
const (
	OK       = 0 // the operation succeeded
	Failed   = 1 // the deployment or task failed
	Invalid  = 2 // the input was invalid; nothing was changed
	TimedOut = 3 // the wait ran out of time
	AWS      = 4 // AWS (or the local ECS) refused a call
)

// Error carries an exit code with the error that explains it.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Invalidf reports invalid input (exit code 2).
func Invalidf(format string, args ...any) error {
	return &Error{Code: Invalid, Err: fmt.Errorf(format, args...)}
}

// Failedf reports a deployment or task that failed (exit code 1).
func Failedf(format string, args ...any) error {
	return &Error{Code: Failed, Err: fmt.Errorf(format, args...)}
}

// TimedOutf reports a wait that ran out of time (exit code 3).
func TimedOutf(format string, args ...any) error {
	return &Error{Code: TimedOut, Err: fmt.Errorf(format, args...)}
}

// With wraps err with an explicit exit code; nil stays nil.
func With(code int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Of returns the exit code for err: an explicit *Error wins, then
// Problems (invalid input), then an AWS API error, then a deadline.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var p Problems
	if errors.As(err, &p) {
		return Invalid
	}
	var api smithy.APIError
	if errors.As(err, &api) || transient.Connection(err) {
		// AWS refused the call, or could not be reached: its connection
		// kept failing after the retries.
		return AWS
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return TimedOut
	}
	return Failed
}

// Problem is one thing wrong with the input: the field it concerns (a flag,
// a spec path such as "containers[1].image"), the spec line when known, and
// what is wrong, ideally with the fix.
//
// A problem with a value written in a file names the file too (see Origin):
// it reads "FILE:LINE: field: message", as a compiler's would.
type Problem struct {
	Field   string `json:"field"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	switch {
	case p.File != "" && p.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", p.File, p.Line)
	case p.File != "":
		fmt.Fprintf(&b, "%s: ", p.File)
	case p.Line > 0:
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in one input. It is an error (exit code 2)
// when non-empty; collect into it and return Err() at the end.
type Problems []Problem

// Add records a problem.
func (ps *Problems) Add(field string, line int, format string, args ...any) {
	*ps = append(*ps, Problem{Field: field, Line: line, Message: fmt.Sprintf(format, args...)})
}

// Extend appends the problems of err when it holds Problems, or err itself as
// a problem without a field otherwise.
func (ps *Problems) Extend(err error) {
	if err == nil {
		return
	}
	var other Problems
	if errors.As(err, &other) {
		*ps = append(*ps, other...)
		return
	}
	*ps = append(*ps, Problem{Message: err.Error()})
}

// Err returns nil when there is no problem, otherwise the problems sorted by
// file, line then field (flags, which have neither, first), as an error.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	sorted := append(Problems(nil), ps...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].File != sorted[j].File {
			return sorted[i].File < sorted[j].File
		}
		if sorted[i].Line != sorted[j].Line {
			return sorted[i].Line < sorted[j].Line
		}
		return sorted[i].Field < sorted[j].Field
	})
	return sorted
}

func (ps Problems) Error() string {
	if len(ps) == 1 {
		return "invalid input: " + ps[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid input (%d problems):", len(ps))
	for _, p := range ps {
		b.WriteString("\n  - ")
		b.WriteString(p.String())
	}
	return b.String()
}
