// Package vars fills Octopus-style variables, written #{Name}, from values
// given on the command line (--var), in files (--var-file) and in the
// environment (ECSDEPLOY_VAR_<Name>).
//
// Syntax: "#{Name}" is replaced by the value of Name; spaces inside the
// braces are ignored. "##{" is an escape and yields a literal "#{". Names are
// made of letters, digits, '_', '.' and '-'. Values are inserted as they are:
// a value that itself contains "#{…}" is not expanded again, so variables can
// never loop. Octopus filters follow the name ("#{Name | ToLower | Truncate 8}");
// filters.go lists them. An unknown filter is an error naming it.
package vars

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// EnvPrefix is the prefix of environment variables that provide values.
const EnvPrefix = "ECSDEPLOY_VAR_"

// Resolver looks variables up. Precedence, highest first: Vars (from --var),
// FileVars (from --var-file, later files overriding earlier ones), then the
// environment. The zero value resolves from the environment only.
type Resolver struct {
	Vars      map[string]string           // from --var; wins over everything else
	FileVars  map[string]string           // filled by LoadFile
	LookupEnv func(string) (string, bool) // ECSDEPLOY_VAR_<Name>; nil means os.LookupEnv
	Now       func() time.Time            // the clock of #{ | NowDate}; nil means time.Now
}

func (r Resolver) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

// Lookup returns the value of the named variable.
func (r Resolver) Lookup(name string) (string, bool) {
	if v, ok := r.Vars[name]; ok {
		return v, true
	}
	if v, ok := r.FileVars[name]; ok {
		return v, true
	}
	lookup := r.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	if v, ok := lookup(EnvPrefix + name); ok {
		return v, true
	}
	// Names may hold '.' or '-', which shells cannot put in a variable name;
	// accept the spelling with those replaced by '_' as well.
	if alt := envSpelling(name); alt != name {
		if v, ok := lookup(EnvPrefix + alt); ok {
			return v, true
		}
	}
	return "", false
}

func envSpelling(name string) string {
	return strings.Map(func(c rune) rune {
		if c == '.' || c == '-' {
			return '_'
		}
		return c
	}, name)
}

// ParseAssignments turns "Name=value" flags into a map. The value may be
// empty and may contain '='; a later flag for the same name wins.
func ParseAssignments(flags []string) (map[string]string, error) {
	out := make(map[string]string, len(flags))
	var bad []string
	for _, f := range flags {
		name, value, ok := strings.Cut(f, "=")
		name = strings.TrimSpace(name)
		switch {
		case !ok:
			// No '=': the whole text may be a value, perhaps a secret.
			bad = append(bad, "one without '=' (not shown)")
			continue
		case CheckName(name) != nil:
			// Only the name is shown: the value may be a secret.
			bad = append(bad, fmt.Sprintf("%q", withoutValue(f)))
			continue
		}
		out[name] = value
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("--var expects Name=value with a name of letters, digits, '_', '.' or '-'; got %s", strings.Join(bad, ", "))
	}
	return out, nil
}

func withoutValue(s string) string {
	if i := strings.IndexByte(s, '='); i >= 0 {
		return s[:i] + "=…"
	}
	return s
}

// CheckName reports whether name is a valid variable name.
func CheckName(name string) error {
	if name == "" {
		return fmt.Errorf("empty variable name")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return fmt.Errorf("variable name %q: character %q is not allowed (letters, digits, '_', '.', '-')", name, c)
		}
	}
	return nil
}

// UnresolvedError names every variable that had no value.
type UnresolvedError struct {
	Names []string // sorted, without duplicates
}

func (e *UnresolvedError) Error() string {
	quoted := make([]string, len(e.Names))
	for i, n := range e.Names {
		quoted[i] = "#{" + n + "}"
	}
	word := "variable"
	if len(e.Names) > 1 {
		word = "variables"
	}
	return fmt.Sprintf("unresolved %s %s: give a value with --var %s=…, a --var-file, or %s%s",
		word, strings.Join(quoted, ", "), e.Names[0], EnvPrefix, envSpelling(e.Names[0]))
}

// Expand replaces every #{Name} in s. The error names every variable without
// a value (as *UnresolvedError) or describes malformed syntax.
func (r Resolver) Expand(s string) (string, error) {
	if !strings.Contains(s, "#{") {
		return s, nil
	}
	toks, err := scan(s)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	missing := map[string]bool{}
	for _, t := range toks {
		if !t.isVar {
			b.WriteString(t.text)
			continue
		}
		v, ok := "", t.text == "" // a source filter (NowDate) gives the value
		if !ok {
			v, ok = r.Lookup(t.text)
		}
		if !ok {
			missing[t.text] = true
			continue
		}
		if len(t.filters) > 0 {
			out, err := applyFilters(t.text, v, t.filters, r.now)
			if err != nil {
				return "", err
			}
			v = out
		}
		b.WriteString(v)
	}
	if len(missing) > 0 {
		names := make([]string, 0, len(missing))
		for n := range missing {
			names = append(names, n)
		}
		sort.Strings(names)
		return "", &UnresolvedError{Names: names}
	}
	return b.String(), nil
}

// References returns the names of the variables s refers to, in order of
// first appearance, without duplicates. Malformed references are skipped.
func References(s string) []string {
	var out []string
	seen := map[string]bool{}
	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], "#{")
		if j < 0 {
			break
		}
		j += i
		if j > 0 && s[j-1] == '#' {
			i = j + 2
			continue
		}
		end := referenceEnd(s[j+2:])
		if end < 0 {
			break
		}
		name, _, _ := strings.Cut(s[j+2:j+2+end], "|")
		name = strings.TrimSpace(name)
		if CheckName(name) == nil && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
		i = j + 2 + end + 1
	}
	return out
}

type token struct {
	text    string
	isVar   bool
	filters []filterCall
}

// scan splits s into literal text and variable names.
func scan(s string) ([]token, error) {
	var toks []token
	var lit strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "##{") {
			lit.WriteString("#{")
			i += 3
			continue
		}
		if !strings.HasPrefix(s[i:], "#{") {
			lit.WriteByte(s[i])
			i++
			continue
		}
		end := referenceEnd(s[i+2:])
		if end < 0 {
			// The text is never repeated: it may be a secret's value.
			return nil, fmt.Errorf("unterminated variable reference: add the closing '}' after #{Name, or write ##{ for a literal #{ (the value is not shown)")
		}
		name, filters, err := parseReference(s[i+2 : i+2+end])
		if err != nil {
			return nil, err
		}
		if lit.Len() > 0 {
			toks = append(toks, token{text: lit.String()})
			lit.Reset()
		}
		toks = append(toks, token{text: name, isVar: true, filters: filters})
		i += 2 + end + 1
	}
	if lit.Len() > 0 {
		toks = append(toks, token{text: lit.String()})
	}
	return toks, nil
}

// referenceEnd returns the index in s (the text after "#{") of the '}'
// that ends the reference, or -1. After the first '|', a '}' inside a
// double-quoted filter argument does not end it (Replace "(?<v>\d+)"
// "${v}"); when the quotes do not pair up, the first '}' does.
func referenceEnd(s string) int {
	first := strings.IndexByte(s, '}')
	bar := strings.IndexByte(s, '|')
	if first < 0 || bar < 0 || bar > first {
		return first
	}
	quoted := false
	for i := bar; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case '}':
			if !quoted {
				return i
			}
		}
	}
	return first
}
