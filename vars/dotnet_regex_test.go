package vars

import (
	"strings"
	"testing"
	"time"
)

// A ${name} substitution is written inline: a } inside a quoted filter
// argument does not end the reference.
func TestReplaceNamedGroupInline(t *testing.T) {
	r := Resolver{LookupEnv: env(nil), Vars: map[string]string{"Version": "1.4.2"}}
	got, err := r.Expand(`v#{Version | Replace "^(?<major>\d+)\.(?<minor>\d+).*" "${major}-${minor}"}-#{Version}`)
	if err != nil || got != "v1-4-1.4.2" {
		t.Errorf("got %q, %v", got, err)
	}
	if refs := References(`#{Version | Replace "(?<a>x)" "${a}"} #{Other}`); len(refs) != 2 || refs[1] != "Other" {
		t.Errorf("References = %v", refs)
	}
}

// Replace takes .NET's syntax: each row is what .NET's Regex.Replace gives
// for the value, pattern and replacement.
func TestReplaceDotNet(t *testing.T) {
	tests := []struct{ value, pattern, repl, want string }{
		{"Octopus Deploy", `(\w+) (\w+)`, "$2 $1", "Deploy Octopus"},
		{"Octopus Deploy", `(\w+) (\w+)`, "$2x$1", "DeployxOctopus"}, // $2x is group 2 then x (Go reads ${2x})
		{"Octopus Deploy", `(?<first>\w+) (?<second>\w+)`, "${second}-${first}", "Deploy-Octopus"},
		{"Octopus Deploy", `(?'first'\w+) (?'second'\w+)`, "${second}_${first}", "Deploy_Octopus"},
		{"v1.4.2", `(\d+)\.(\d+)\.(\d+)`, "$1-$2-$3", "v1-4-2"},
		{"a1b2", `\d`, "[$&]", "a[1]b[2]"},
		{"a1b2", `\d`, "[$0]", "a[1]b[2]"},
		{"a-b", `-`, "($`|$')", "a(a|b)b"},
		{"abc", `b`, "$_", "aabcc"},
		{"ab", `(a)(b)?`, "<$+>", "<b>"},
		{"price", `price`, "$$5", "$5"},
		{"ab", `(a)`, "$9", "$9b"},           // no group 9: kept as text
		{"ab", `(a)`, "${nope}", "${nope}b"}, // no such name: kept as text
		{"ab", `(a)`, "$12", "$12b"},         // 12 is no group: the digits stay text
		{"ab", `(a)(x)?`, "[$2]", "[]b"},     // a group that did not take part is empty
		{"ab", `(a)`, "${1}0", "a0b"},        // ${1} ends where the braces do
		{"x", `x`, "$", "$"},                 // a lone $ is text
		{"x", `x`, "$y", "$y"},               // so is $ before anything else
		{"١٢٣ 123", `\d+`, "n", "n n"},       // \d is any Unicode digit, as in .NET
		{"café au", `\w+`, "w", "w w"},       // \w is Unicode
		{"a\u00a0b", `\s`, "_", "a_b"},       // \s includes Unicode spaces
		{"a\u00a0b c", `\S+`, "x", "x\u00a0x x"},
		{"é-1", `[\w]`, ".", ".-."},          // inside a class too
		{"Release", `(?i)release`, "r", "r"}, // inline options
		{"ab", `a(?#the a)b`, "x", "x"},      // comments are dropped
		{"a]b", `[]]`, "-", "a-b"},           // ] first in a class is a literal
		{"a\x1bb", `\e`, "-", "a-b"},
		{"aéb", `\u00E9`, "e", "aeb"},
		{"a\tb", `\cI`, " ", "a b"},
		{"1;2;3", ";", ", ", "1, 2, 3"},
		{"1;2;3", ";", "", "123"},
	}
	for _, tt := range tests {
		re, err := dotnetRegexp(tt.pattern)
		if err != nil {
			t.Errorf("%q: %v", tt.pattern, err)
			continue
		}
		if got := dotnetReplace(re, tt.value, tt.repl); got != tt.want {
			t.Errorf("Replace(%q, %q, %q) = %q, want %q", tt.value, tt.pattern, tt.repl, got, tt.want)
		}
	}
}

// What RE2 cannot run is refused with the reason, never run differently.
func TestReplaceDotNetRefused(t *testing.T) {
	for _, tt := range []struct{ pattern, want string }{
		{`a(?=b)`, "lookahead"},
		{`a(?!b)`, "lookahead"},
		{`(?<=a)b`, "lookbehind"},
		{`(?<!a)b`, "lookbehind"},
		{`(a)\1`, `backreference (\1)`},
		{`(?<x>a)\k<x>`, "named backreference"},
		{`(?>a+)b`, "atomic group"},
		{`(?(a)b|c)`, "conditional"},
		{`(?<o-c>a)`, "balancing group"},
		{`\Ga`, `\G`},
		{`[a-z-[aei]]`, "subtraction"},
		{`(?x) a b`, "inline option n or x"},
		{`(`, "invalid regular expression"},
		{`\u12`, "four hex digits"},
	} {
		_, err := dotnetRegexp(tt.pattern)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.pattern, err, tt.want)
		}
	}
}

// NowDate and NowDateUtc read the resolver's clock; they take no variable.
func TestNowDate(t *testing.T) {
	local := time.FixedZone("AEST", 10*3600)
	now := time.Date(2030, 5, 22, 21, 5, 7, 123456700, local)
	r := Resolver{LookupEnv: env(nil), Vars: map[string]string{"Env": "prod"}, Now: func() time.Time { return now }}
	for _, tt := range []struct{ in, want string }{
		{"#{ | NowDate}", "2030-05-22T21:05:07.1234567"}, // a local date and time: no offset, as in Octopus
		{"#{|NowDateUtc}", "2030-05-22T11:05:07.1234567Z"},
		{`#{ | NowDate "HH dd-MMM-yyyy"}`, "21 22-May-2030"},
		{"#{ | NowDate yyyyMMdd}", "20300522"},
		{"#{ | NowDate zzz}", "+10:00"},
		{"#{ | NowDateUtc zz}", "+00"},
		{"#{ | NowDateUtc u}", "2030-05-22 11:05:07Z"},
		{"#{ | NowDate ddd | ToUpper}", "WED"}, // chained
		{"#{Env}-#{ | NowDateUtc yyyyMMddHHmm}", "prod-203005221105"},
		{`#{ | NowDate "'{'yyyy'}'"}`, "{2030}"}, // a } inside quotes does not end the reference
	} {
		got, err := r.Expand(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"#{Env | NowDate}", "NowDate takes no variable and must come first: write #{ | NowDate"},
		{"#{ | ToLower | NowDate}", "empty variable name"},
		{"#{ | NowDate a b}", "filter NowDate takes 0 to 1 arguments, got 2"},
		{`#{ | NowDate "'x"}`, "unterminated quoted text"},
	} {
		_, err := r.Expand(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Expand(%q): error %v, want %q", tt.in, err, tt.want)
		}
	}
	// Without a clock, the wall clock's year.
	got, err := Resolver{LookupEnv: env(nil)}.Expand("#{ | NowDateUtc yyyy}")
	if err != nil || got != time.Now().UTC().Format("2006") {
		t.Errorf("wall clock: %q %v", got, err)
	}
}

// FuzzReplaceDotNet: translating and running any pattern and replacement
// never panics, and a refused pattern is an error, not a wrong result.
func FuzzReplaceDotNet(f *testing.F) {
	for _, s := range []string{`(\w+) (\w+)`, `(?<a>x)`, `(?'a'x)`, `[\d-]`, `\u00e9`, `\c`, `(?#c`, `a(?=b)`, `[]`, `\`} {
		f.Add(s, "$1${a}$$$&$`$'$+$_$9${x}$")
	}
	f.Fuzz(func(t *testing.T, pattern, repl string) {
		re, err := dotnetRegexp(pattern)
		if err != nil {
			return
		}
		_ = dotnetReplace(re, "Octopus Deploy 1.4.2 é", repl)
	})
}
