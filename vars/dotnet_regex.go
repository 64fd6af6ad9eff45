package vars

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Octostache's Replace takes a .NET regular expression and a .NET
// replacement pattern. Go's regexp package (RE2) shares most of the
// syntax; dotnetRegexp rewrites the rest, and refuses, with the reason,
// what RE2 cannot do:
//
//   - groups: (?<name>…), (?'name'…) and (?:…) work; (?#comment) is
//     dropped; the options i, m, s work inline ((?i), (?i:…)), n and x are
//     refused.
//   - \d, \w, \s mean what they mean in .NET (Unicode digits, word and
//     space characters), as do \D, \W, \S outside a character class;
//     inside one, \W and \S stay ASCII. \e, \uFFFF and \cX are rewritten.
//   - refused: lookahead and lookbehind ((?=…) (?!…) (?<=…) (?<!…)),
//     backreferences (\1, \k<name>), atomic groups (?>…), conditionals,
//     balancing groups, \G, and character class subtraction ([a-z-[aei]]).
//   - $ and \Z match only at the very end of the text (in .NET, also
//     before a final newline); \b is an ASCII word boundary.
//
// The replacement follows .NET: $1 or ${1}, ${name}, $$ (a dollar), $& or
// $0 (the match), $` and $' (the text before and after it), $+ (the last
// group), $_ (the whole value). A $ that names no group is kept as text,
// as .NET keeps it ($9 with fewer groups, ${nope}).

// .NET's Unicode classes, spelt for RE2 (inside a character class).
const (
	netWord  = `\p{L}\p{Mn}\p{Nd}\p{Pc}`
	netSpace = `\s\v\x{85}\p{Z}`
)

// dotnetRegexp compiles a .NET regular expression.
func dotnetRegexp(pattern string) (*regexp.Regexp, error) {
	translated, err := translateDotNet(pattern)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(translated)
	if err != nil {
		msg := err.Error()
		if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "error parsing regexp") {
			msg = msg[i+2:]
		}
		return nil, fmt.Errorf("invalid regular expression %q: %s", pattern, msg)
	}
	return re, nil
}

func translateDotNet(p string) (string, error) {
	refuse := func(what string) (string, error) {
		return "", fmt.Errorf("regular expression %q uses %s, which the Replace filter cannot run (Go's RE2 engine has none; rewrite the expression without it)", p, what)
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\\':
			if i+1 >= len(p) {
				b.WriteString(`\\`) // RE2 reports the trailing backslash
				i++
				continue
			}
			e := p[i+1]
			i += 2
			switch e {
			case 'd':
				b.WriteString(`\p{Nd}`)
			case 'D':
				b.WriteString(`\P{Nd}`)
			case 'w':
				b.WriteString(classed(netWord, inClass))
			case 's':
				b.WriteString(classed(netSpace, inClass))
			case 'W', 'S':
				if inClass {
					b.WriteString(`\` + string(e))
				} else if e == 'W' {
					b.WriteString(`[^` + netWord + `]`)
				} else {
					b.WriteString(`[^` + netSpace + `]`)
				}
			case 'Z':
				b.WriteString(`\z`)
			case 'e':
				b.WriteString(`\x1B`)
			case 'G':
				return refuse(`\G (contiguous matches)`)
			case 'k':
				return refuse(`a named backreference (\k<name>)`)
			case 'u':
				if i+4 > len(p) {
					return "", fmt.Errorf("regular expression %q: \\u needs four hex digits", p)
				}
				if _, err := strconv.ParseUint(p[i:i+4], 16, 16); err != nil {
					return "", fmt.Errorf("regular expression %q: \\u needs four hex digits", p)
				}
				b.WriteString(`\x{` + p[i:i+4] + `}`)
				i += 4
			case 'c':
				if i >= len(p) || !(p[i] >= 'A' && p[i] <= 'Z' || p[i] >= 'a' && p[i] <= 'z') {
					return "", fmt.Errorf("regular expression %q: \\c needs a letter", p)
				}
				fmt.Fprintf(&b, `\x{%X}`, (p[i]|0x20)-'a'+1)
				i++
			case '1', '2', '3', '4', '5', '6', '7', '8', '9':
				if !inClass {
					return refuse(`a backreference (\` + string(e) + `)`)
				}
				b.WriteString(`\` + string(e))
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			continue
		case inClass:
			if c == ']' {
				inClass = false
			} else if c == '-' && i+1 < len(p) && p[i+1] == '[' {
				return refuse("character class subtraction (-[…])")
			}
			b.WriteByte(c)
			i++
			continue
		case c == '[':
			inClass = true
			b.WriteByte(c)
			i++
			// A ] first in the class (after an optional ^) is a literal.
			if i < len(p) && p[i] == '^' {
				b.WriteByte('^')
				i++
			}
			if i < len(p) && p[i] == ']' {
				b.WriteString(`\]`)
				i++
			}
			continue
		case c == '(' && strings.HasPrefix(p[i:], "(?"):
			rest := p[i+2:]
			switch {
			case strings.HasPrefix(rest, "<=") || strings.HasPrefix(rest, "<!"):
				return refuse("a lookbehind ((?<=…) or (?<!…))")
			case strings.HasPrefix(rest, "=") || strings.HasPrefix(rest, "!"):
				return refuse("a lookahead ((?=…) or (?!…))")
			case strings.HasPrefix(rest, ">"):
				return refuse("an atomic group ((?>…))")
			case strings.HasPrefix(rest, "("):
				return refuse("a conditional ((?(…)…))")
			case strings.HasPrefix(rest, "#"):
				end := strings.IndexByte(rest, ')')
				if end < 0 {
					return "", fmt.Errorf("regular expression %q: unterminated (?# comment", p)
				}
				i += 2 + end + 1
				continue
			case strings.HasPrefix(rest, "<") || strings.HasPrefix(rest, "'"):
				closer := byte('>')
				if rest[0] == '\'' {
					closer = '\''
				}
				end := strings.IndexByte(rest[1:], closer)
				if end < 0 {
					return "", fmt.Errorf("regular expression %q: unterminated group name", p)
				}
				name := rest[1 : 1+end]
				if strings.Contains(name, "-") {
					return refuse("a balancing group ((?<a-b>…))")
				}
				b.WriteString("(?P<" + name + ">")
				i += 2 + 1 + end + 1
				continue
			default:
				// Inline options: (?imnsx-imnsx) or (?imnsx-imnsx:…).
				j := 0
				for j < len(rest) && strings.IndexByte("imnsx-", rest[j]) >= 0 {
					j++
				}
				if opts := rest[:j]; strings.ContainsAny(opts, "nx") {
					return refuse("the inline option n or x")
				}
			}
		}
		r, size := utf8.DecodeRuneInString(p[i:])
		b.WriteRune(r)
		i += size
	}
	return b.String(), nil
}

// classed returns a class body, bracketed unless it is already inside a
// character class.
func classed(body string, inClass bool) string {
	if inClass {
		return body
	}
	return "[" + body + "]"
}

// dotnetReplace replaces every match of re in s as .NET's Regex.Replace
// does with the replacement pattern repl.
func dotnetReplace(re *regexp.Regexp, s, repl string) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:m[0]])
		expandDotNet(&b, re, s, repl, m)
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// expandDotNet writes repl for the match m of re in s.
func expandDotNet(b *strings.Builder, re *regexp.Regexp, s, repl string, m []int) {
	group := func(n int) string {
		if n < 0 || 2*n+1 >= len(m) || m[2*n] < 0 {
			return ""
		}
		return s[m[2*n]:m[2*n+1]]
	}
	for i := 0; i < len(repl); {
		c := repl[i]
		if c != '$' || i+1 >= len(repl) {
			b.WriteByte(c)
			i++
			continue
		}
		next := repl[i+1]
		switch {
		case next == '$':
			b.WriteByte('$')
			i += 2
		case next == '&':
			b.WriteString(group(0))
			i += 2
		case next == '`':
			b.WriteString(s[:m[0]])
			i += 2
		case next == '\'':
			b.WriteString(s[m[1]:])
			i += 2
		case next == '+':
			b.WriteString(group(re.NumSubexp()))
			i += 2
		case next == '_':
			b.WriteString(s)
			i += 2
		case next >= '0' && next <= '9':
			j := i + 1
			for j < len(repl) && repl[j] >= '0' && repl[j] <= '9' {
				j++
			}
			if n, err := strconv.Atoi(repl[i+1 : j]); err == nil && n <= re.NumSubexp() {
				b.WriteString(group(n))
			} else {
				b.WriteString(repl[i:j]) // no such group: kept as text
			}
			i = j
		case next == '{':
			end := strings.IndexByte(repl[i+2:], '}')
			if end < 0 {
				b.WriteByte('$')
				i++
				continue
			}
			name := repl[i+2 : i+2+end]
			n := re.SubexpIndex(name)
			if k, err := strconv.Atoi(name); err == nil && k >= 0 && k <= re.NumSubexp() {
				n = k
			}
			if n >= 0 {
				b.WriteString(group(n))
			} else {
				b.WriteString(repl[i : i+2+end+1])
			}
			i += 2 + end + 1
		default:
			b.WriteByte('$')
			i++
		}
	}
}
