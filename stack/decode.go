package stack

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/ecsdeploy/ecsdeploy/internal/failure"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

// decode decodes data into s, refusing unknown fields, and reports every
// decoding problem with its line and field.
//
// PARTIAL: the shared loader spec.Decode (which also substitutes
// #{variables}) is still being written; until it lands this strict yaml.v3
// decoder is used and variables are not substituted. Switch decode to
// spec.Decode(data, r, s) then.
func decode(data []byte, r vars.Resolver, s *Spec, pos positions) error {
	_ = r
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(s)
	if err == nil {
		return nil
	}
	var problems failure.Problems
	var typeErr *yaml.TypeError
	if errors.As(err, &typeErr) {
		for _, msg := range typeErr.Errors {
			problems = append(problems, problemFromDecoder(msg, pos))
		}
		return problems.Err()
	}
	problems = append(problems, problemFromDecoder(err.Error(), pos))
	return problems.Err()
}

var (
	decoderLine    = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownField   = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	cannotUnmarsal = regexp.MustCompile(`^cannot unmarshal !!(\w+) ` + "`" + `(.*)` + "`" + ` into (\S+)$`)
)

func problemFromDecoder(msg string, pos positions) failure.Problem {
	m := decoderLine.FindStringSubmatch(msg)
	if m == nil {
		return failure.Problem{Message: msg}
	}
	line, _ := strconv.Atoi(m[1])
	rest := m[2]
	if u := unknownField.FindStringSubmatch(rest); u != nil {
		return failure.Problem{Field: pos.fieldAt(line, u[1]), Line: line,
			Message: "unknown field " + strconv.Quote(u[1]) + "; see docs/stack.md for the fields a stack spec takes"}
	}
	if c := cannotUnmarsal.FindStringSubmatch(rest); c != nil {
		return failure.Problem{Field: pos.valueAt(line), Line: line,
			Message: "cannot use " + strconv.Quote(c[2]) + " here: expected " + goTypeWord(c[3])}
	}
	return failure.Problem{Line: line, Message: rest}
}

// valueAt returns the deepest path written on line, or "".
func (p positions) valueAt(line int) string {
	best := ""
	for path, l := range p {
		if l == line && len(path) > len(best) {
			best = path
		}
	}
	return best
}

func goTypeWord(goType string) string {
	switch goType {
	case "int", "*int":
		return "a whole number"
	case "bool", "*bool":
		return "true or false"
	case "string":
		return "a string"
	case "[]string":
		return "a list of strings"
	}
	if len(goType) > 2 && goType[:2] == "[]" {
		return "a list"
	}
	if len(goType) > 3 && goType[:3] == "map" {
		return "a mapping"
	}
	return "a mapping"
}
