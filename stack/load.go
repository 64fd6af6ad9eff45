package stack

import (
	"errors"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

// Parse decodes a stack spec strictly (unknown fields are errors),
// substituting #{variables} from r, and validates it. Every problem is
// reported at once as exitcode.Problems, each with its field path and line.
func Parse(data []byte, r vars.Resolver) (*Spec, error) {
	var s Spec
	decodeErr := decode(data, r, &s)
	var problems exitcode.Problems
	if decodeErr != nil {
		var decodeProblems exitcode.Problems
		// The decoder records lines only for a document it could read.
		if !errors.As(decodeErr, &decodeProblems) || len(s.lines) == 0 {
			// Not YAML at all, or not a spec problem: nothing more to check.
			return nil, decodeErr
		}
		problems = append(problems, decodeProblems...)
	}
	// Validate what could be decoded too, so one run reports everything; a
	// field that failed to decode is not reported a second time.
	reported := map[string]bool{}
	for _, p := range problems {
		reported[p.Field] = true
	}
	var validation exitcode.Problems
	validation.Extend(Validate(&s))
	for _, p := range validation {
		if !reported[p.Field] {
			problems = append(problems, p)
		}
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	return &s, nil
}
