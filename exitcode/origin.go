package exitcode

import (
	"fmt"
	"strconv"
	"strings"
)

// Origin is where a value was given, so that a problem with it names what
// the user wrote: a command-line flag, or a field of a file and its line.
// Values are checked once, after flags and file are merged, and each
// problem is reported against the origin of the value it concerns.
//
// The zero Origin names nothing; Origins.Of falls back to the request's
// field name for it.
type Origin struct {
	// Flag is the flag as typed, with its dashes, and optionally the part of
	// its value that tells repeated flags apart (never a secret's value):
	// "--image web=app:1", "--env web:LOG_LEVEL". Empty for a file's field.
	Flag string `json:"flag,omitempty"`
	// File is the file the value was written in ("" when unknown).
	File string `json:"file,omitempty"`
	// Field is the field's path in the file ("images[1]") or, for a value
	// given neither by a flag nor by a file, the request's field name.
	Field string `json:"field,omitempty"`
	// Line is the line of the file the value was written on (0: unknown).
	Line int `json:"line,omitempty"`
}

// FlagOrigin is the origin of a value given by flag (with its dashes), arg
// telling repeated flags apart; give no arg for a flag given once.
func FlagOrigin(flag string, arg ...string) Origin {
	if !strings.HasPrefix(flag, "-") {
		flag = "--" + flag
	}
	if len(arg) > 0 && arg[0] != "" {
		flag += " " + arg[0]
	}
	return Origin{Flag: flag}
}

// FileOrigin is the origin of the field at path of file, written on line
// (0 when unknown).
func FileOrigin(file, path string, line int) Origin {
	return Origin{File: file, Field: path, Line: line}
}

// FieldOrigin is the origin of a request field given by a program, not by
// a flag or a file: problems are named after the field.
func FieldOrigin(field string) Origin { return Origin{Field: field} }

// IsZero reports whether o names nothing.
func (o Origin) IsZero() bool { return o == Origin{} }

// IsFlag reports whether the value came from a command-line flag.
func (o Origin) IsFlag() bool { return o.Flag != "" }

// Name is what a problem's Field shows: the flag, or the field's path.
func (o Origin) Name() string {
	if o.Flag != "" {
		return o.Flag
	}
	return o.Field
}

// String names the origin for a message about another value ("first given
// at ..."): the flag, "FILE:LINE", "line LINE" or the field.
func (o Origin) String() string {
	switch {
	case o.Flag != "":
		return o.Flag
	case o.File != "" && o.Line > 0:
		return o.File + ":" + strconv.Itoa(o.Line)
	case o.Line > 0:
		return "line " + strconv.Itoa(o.Line)
	case o.File != "":
		return o.File + " " + o.Field
	}
	return o.Field
}

// Problem is a problem with the value given at o.
func (o Origin) Problem(format string, args ...any) Problem {
	return Problem{Field: o.Name(), File: o.File, Line: o.Line, Message: fmt.Sprintf(format, args...)}
}

// At records a problem with the value given at o.
func (ps *Problems) At(o Origin, format string, args ...any) {
	*ps = append(*ps, o.Problem(format, args...))
}

// Origins maps a request's fields to where their values were given. A
// field it does not hold is named as the request names it, so a library
// caller that fills no origins gets messages in the request's terms, and a
// command line that records its flags gets messages in the user's.
type Origins map[string]Origin

// Of is the origin of field: the one recorded, or the field itself.
func (os Origins) Of(field string) Origin {
	if o, ok := os[field]; ok && !o.IsZero() {
		return o
	}
	return FieldOrigin(field)
}

// Set records the origin of field and returns os (allocated when nil).
func (os Origins) Set(field string, o Origin) Origins {
	if os == nil {
		os = Origins{}
	}
	os[field] = o
	return os
}
