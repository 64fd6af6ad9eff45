package scenario

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// HookResult is what a Lambda lifecycle hook reports.
type HookResult string

// Hook results, spelled as CodeDeploy's PutLifecycleEventHookExecutionStatus takes them.
const (
	HookSucceeded HookResult = "Succeeded"
	HookFailed    HookResult = "Failed"
)

// DefaultHookDelay is how long a hook with no scenario entry takes to succeed.
const DefaultHookDelay = 5 * time.Second

// Hook is how the Lambda functions matching Match behave when a deployment
// invokes them as a lifecycle hook (CodeDeploy's AppSpec hooks, ECS
// lifecycle hooks): they report Result After the invocation.
type Hook struct {
	// Match is a function name or ARN, exact or a glob in path.Match syntax
	// in which "*" also spans ":" and "/" ("smoke-*",
	// "arn:aws:lambda:*:function:check-*").
	Match string `yaml:"match" json:"match"`
	// Result is Succeeded (the default) or Failed.
	Result HookResult `yaml:"result,omitempty" json:"result,omitempty"`
	// After is how long the function runs before it reports (default 5s).
	After Duration `yaml:"after,omitempty" json:"after,omitempty"`
}

// HookFor returns the behaviour of the Lambda function named by function (a
// name, a partial or full ARN, with or without a version or alias): the
// first entry whose pattern matches the string as given or the bare
// function name in it, with defaults filled in. Without a match the hook
// succeeds after DefaultHookDelay.
func (s *Scenario) HookFor(function string) Hook {
	name := LambdaFunctionName(function)
	if s != nil {
		for _, h := range s.Hooks {
			if globMatch(h.Match, function) || globMatch(h.Match, name) {
				if h.Result == "" {
					h.Result = HookSucceeded
				}
				if h.After == 0 {
					h.After = Duration(DefaultHookDelay)
				}
				return h
			}
		}
	}
	return Hook{Match: function, Result: HookSucceeded, After: Duration(DefaultHookDelay)}
}

// LambdaFunctionName extracts the function name from a name, a partial ARN
// ("123456789012:function:name") or a full ARN, dropping a version or alias.
func LambdaFunctionName(ref string) string {
	parts := strings.Split(ref, ":")
	for i, p := range parts {
		if p == "function" && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	if len(parts) == 2 { // name:qualifier
		return parts[0]
	}
	return ref
}

// globMatch is path.Match in which "*" also spans "/" and ":".
func globMatch(pattern, s string) bool {
	if pattern == s {
		return true
	}
	const sep = "\x1f"
	r := strings.NewReplacer("/", sep)
	ok, _ := path.Match(r.Replace(pattern), r.Replace(s))
	return ok
}

func (s *Scenario) validateHooks() []string {
	var problems []string
	for i, h := range s.Hooks {
		switch {
		case strings.TrimSpace(h.Match) == "":
			problems = append(problems, fmt.Sprintf("hooks[%d].match is required (a Lambda function name or ARN, globs allowed)", i))
		default:
			if _, err := path.Match(h.Match, ""); err != nil {
				problems = append(problems, fmt.Sprintf("hooks[%d].match %q is not a valid pattern: %v", i, h.Match, err))
			}
		}
		switch h.Result {
		case "", HookSucceeded, HookFailed:
		default:
			problems = append(problems, fmt.Sprintf("hooks[%d].result %q: use Succeeded or Failed", i, h.Result))
		}
	}
	return problems
}
