package vars

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Filters follow Octopus's variable filters ("#{Name | ToLower}"): a
// variable may be followed by any number of "| Filter arg…" parts, applied
// left to right. Filter names are matched without regard to case. Arguments
// are separated by spaces; an argument holding spaces is written in double
// quotes. A filter's argument cannot hold '}' (it ends the reference) nor
// another #{variable}.
//
// Error messages name the variable and the filter but never show the
// variable's value, which may be a secret.

// filterCall is one "| Name args…" part of a reference.
type filterCall struct {
	name string // canonical spelling
	args []string
}

type filterFunc func(value string, args []string) (string, error)

type filterDef struct {
	name    string
	minArgs int
	maxArgs int
	usage   string
	apply   filterFunc
	// now, when set, makes the filter a source: it takes no variable and
	// gives a value from the resolver's clock (#{ | NowDate}).
	now func(now time.Time, args []string) (string, error)
}

var filterDefs = []filterDef{
	{"ToLower", 0, 0, "ToLower", func(v string, _ []string) (string, error) { return strings.ToLower(v), nil }, nil},
	{"ToUpper", 0, 0, "ToUpper", func(v string, _ []string) (string, error) { return strings.ToUpper(v), nil }, nil},
	{"Trim", 0, 0, "Trim", func(v string, _ []string) (string, error) { return strings.TrimSpace(v), nil }, nil},
	{"Replace", 1, 2, `Replace "regex" ["replacement"] (.NET syntax, see dotnet_regex.go)`, replaceFilter, nil},
	{"Substring", 1, 2, "Substring LENGTH, or Substring START LENGTH", substringFilter, nil},
	{"Truncate", 1, 1, "Truncate LENGTH", truncateFilter, nil},
	{"Format", 1, 2, `Format "FORMAT" (a .NET number or date format, e.g. N2, C, yyyy-MM-dd)`, formatFilter, nil},
	{"UriEscape", 0, 0, "UriEscape", func(v string, _ []string) (string, error) { return uriEscape(v, uriKeep), nil }, nil},
	{"UriDataEscape", 0, 0, "UriDataEscape", func(v string, _ []string) (string, error) { return uriEscape(v, ""), nil }, nil},
	{"ToBase64", 0, 0, "ToBase64", toBase64, nil},
	{"Base64Encode", 0, 0, "Base64Encode", toBase64, nil},
	{"FromBase64", 0, 0, "FromBase64", fromBase64, nil},
	{"Base64Decode", 0, 0, "Base64Decode", fromBase64, nil},
	{"JsonEscape", 0, 0, "JsonEscape", jsonEscape, nil},
	{"HtmlEscape", 0, 0, "HtmlEscape", func(v string, _ []string) (string, error) { return htmlReplacer.Replace(v), nil }, nil},
	{"XmlEscape", 0, 0, "XmlEscape", func(v string, _ []string) (string, error) { return xmlReplacer.Replace(v), nil }, nil},
	{"YamlSingleQuoteEscape", 0, 0, "YamlSingleQuoteEscape", func(v string, _ []string) (string, error) {
		return strings.ReplaceAll(v, "'", "''"), nil
	}, nil},
	{"YamlDoubleQuoteEscape", 0, 0, "YamlDoubleQuoteEscape", func(v string, _ []string) (string, error) {
		return yamlDoubleReplacer.Replace(v), nil
	}, nil},
	{"NowDate", 0, 1, `#{ | NowDate ["FORMAT"]} (no variable; a .NET date format, default o)`, nil, nowDate},
	{"NowDateUtc", 0, 1, `#{ | NowDateUtc ["FORMAT"]} (no variable; a .NET date format, default o)`, nil, nowDateUtc},
}

var filtersByName = func() map[string]*filterDef {
	m := make(map[string]*filterDef, len(filterDefs))
	for i := range filterDefs {
		m[strings.ToLower(filterDefs[i].name)] = &filterDefs[i]
	}
	return m
}()

// FilterNames lists the filters Expand knows, sorted.
func FilterNames() []string {
	out := make([]string, len(filterDefs))
	for i, d := range filterDefs {
		out[i] = d.name
	}
	sort.Strings(out)
	return out
}

// parseReference splits the inside of "#{…}" into the variable name and its
// filters, checking each filter's name and number of arguments.
func parseReference(inner string) (string, []filterCall, error) {
	parts := strings.Split(inner, "|")
	name := strings.TrimSpace(parts[0])
	// A malformed reference is not repeated: the text may be a secret's value.
	if name == "" && !startsWithSource(parts) {
		return "", nil, fmt.Errorf("empty variable name in #{}: write #{Name}, or ##{ for a literal #{")
	}
	if name != "" && CheckName(name) != nil {
		return "", nil, fmt.Errorf("a character is not allowed in a variable name inside #{…}: use letters, digits, '_', '.' and '-', or write ##{ for a literal #{ (the value is not shown)")
	}
	label := name // how errors show the reference
	if name == "" {
		label = " | " + strings.TrimSpace(strings.Join(parts[1:], "|"))
	}
	var calls []filterCall
	for _, p := range parts[1:] {
		words, err := splitArgs(p)
		if err != nil {
			return "", nil, fmt.Errorf("#{%s}: %w", label, err)
		}
		if len(words) == 0 {
			return "", nil, fmt.Errorf("#{%s}: empty filter after '|' (known filters: %s)", label, strings.Join(FilterNames(), ", "))
		}
		def, ok := filtersByName[strings.ToLower(words[0])]
		if !ok {
			return "", nil, fmt.Errorf("#{%s}: unknown filter %q (known filters: %s)", label, words[0], strings.Join(FilterNames(), ", "))
		}
		args := words[1:]
		if def.now != nil && (name != "" || len(calls) > 0) {
			return "", nil, fmt.Errorf("#{%s}: %s takes no variable and must come first: write #{ | %s}", label, def.name, def.usage[len("#{ | "):strings.IndexByte(def.usage, '}')])
		}
		if len(args) < def.minArgs || len(args) > def.maxArgs {
			return "", nil, fmt.Errorf("#{%s}: filter %s takes %s, got %d; write it as %s", label, def.name, argCount(def), len(args), def.usage)
		}
		calls = append(calls, filterCall{name: def.name, args: args})
	}
	return name, calls, nil
}

func argCount(d *filterDef) string {
	switch {
	case d.maxArgs == 0:
		return "no argument"
	case d.minArgs == 1 && d.maxArgs == 1:
		return "1 argument"
	case d.minArgs == d.maxArgs:
		return fmt.Sprintf("%d arguments", d.minArgs)
	default:
		return fmt.Sprintf("%d to %d arguments", d.minArgs, d.maxArgs)
	}
}

// splitArgs splits a filter's text into words; double quotes group words and
// are removed ("" is an empty argument).
func splitArgs(s string) ([]string, error) {
	var out []string
	i := 0
	for i < len(s) {
		switch s[i] {
		case ' ', '\t':
			i++
		case '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("unterminated quote in filter %q", strings.TrimSpace(s))
			}
			out = append(out, s[i+1:i+1+end])
			i += end + 2
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' {
				j++
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out, nil
}

// startsWithSource reports whether the first filter of a reference's parts
// is a source (NowDate), which takes no variable.
func startsWithSource(parts []string) bool {
	if len(parts) < 2 {
		return false
	}
	words, err := splitArgs(parts[1])
	if err != nil || len(words) == 0 {
		return false
	}
	def, ok := filtersByName[strings.ToLower(words[0])]
	return ok && def.now != nil
}

// applyFilters runs the filters over value (a source filter gives the
// value, from now). Errors name the variable and the filter, never the
// value.
func applyFilters(name, value string, calls []filterCall, now func() time.Time) (string, error) {
	for _, c := range calls {
		def := filtersByName[strings.ToLower(c.name)]
		var out string
		var err error
		if def.now != nil {
			out, err = def.now(now(), c.args)
		} else {
			out, err = def.apply(value, c.args)
		}
		if err != nil {
			return "", fmt.Errorf("#{%s | %s}: %w", name, c.name, err)
		}
		value = out
	}
	return value, nil
}

// replaceFilter replaces every match of a .NET regular expression with a
// .NET replacement pattern (dotnet_regex.go); without one, it deletes the
// matches.
func replaceFilter(v string, args []string) (string, error) {
	re, err := dotnetRegexp(args[0])
	if err != nil {
		return "", err
	}
	repl := ""
	if len(args) > 1 {
		repl = args[1]
	}
	return dotnetReplace(re, v, repl), nil
}

func intArg(what, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s %q is not a whole number of at least 0", what, s)
	}
	return n, nil
}

// substringFilter takes LENGTH (from the start) or START LENGTH, counted in
// characters; a range beyond the value's end is cut at the end.
func substringFilter(v string, args []string) (string, error) {
	r := []rune(v)
	start, length := 0, 0
	var err error
	if len(args) == 1 {
		if length, err = intArg("length", args[0]); err != nil {
			return "", err
		}
	} else {
		if start, err = intArg("start", args[0]); err != nil {
			return "", err
		}
		if length, err = intArg("length", args[1]); err != nil {
			return "", err
		}
	}
	if start > len(r) {
		start = len(r)
	}
	end := start + length
	if end > len(r) {
		end = len(r)
	}
	return string(r[start:end]), nil
}

// truncateFilter keeps the first LENGTH characters and marks the cut with
// "...".
func truncateFilter(v string, args []string) (string, error) {
	n, err := intArg("length", args[0])
	if err != nil {
		return "", err
	}
	if utf8.RuneCountInString(v) <= n {
		return v, nil
	}
	return string([]rune(v)[:n]) + "...", nil
}

func toBase64(v string, _ []string) (string, error) {
	return base64.StdEncoding.EncodeToString([]byte(v)), nil
}

func fromBase64(v string, _ []string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil {
		return "", fmt.Errorf("the value is not valid Base64")
	}
	return string(b), nil
}

func jsonEscape(v string, _ []string) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	s := strings.TrimSuffix(buf.String(), "\n")
	return s[1 : len(s)-1], nil
}

var (
	htmlReplacer       = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")
	xmlReplacer        = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")
	yamlDoubleReplacer = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)
)

// uriKeep are the reserved characters UriEscape leaves as they are (it
// escapes a whole URI); UriDataEscape escapes them too (it escapes one part).
const uriKeep = ";/?:@&=+$,#[]!'()*"

func uriEscape(v, keep string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
