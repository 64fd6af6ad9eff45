package vars

import (
	"strings"
	"testing"
)

func TestFilters(t *testing.T) {
	r := Resolver{LookupEnv: env(nil), Vars: map[string]string{
		"Name":   "Automated Deployment",
		"Padded": "  Bar  ",
		"List":   "1;2;3",
		"Oct":    "Octopus Deploy",
		"Amount": "4.3",
		"Big":    "-1234567.891",
		"Int":    "42",
		"When":   "2030-05-22T09:05:00Z",
		"Slash":  "2030/05/22 21:05:07",
		"Html":   `You & I <"x">'`,
		"Json":   "He said \"Hello!\"\n\\ <b>",
		"Uri":    "A b:c+d/e?x=1&y=é",
		"B64":    "QmFy",
		"Yaml":   "The bee's knees",
		"Tag":    "  Release-1.4  ",
	}}
	tests := []struct{ in, want string }{
		{"#{Name | ToLower}", "automated deployment"},
		{"#{Name|ToUpper}", "AUTOMATED DEPLOYMENT"},
		{"#{Name | tolower}", "automated deployment"}, // names ignore case
		{"[#{Padded | Trim}]", "[Bar]"},
		{`#{List | Replace ";" ", "}`, "1, 2, 3"},
		{`#{List | Replace "[0-9]" "n"}`, "n;n;n"},
		{`#{List | Replace ";"}`, "123"},
		{`#{Oct | Replace "(\w+) (\w+)" "$2 $1"}`, "Deploy Octopus"},
		{"#{Oct | Substring 7}", "Octopus"},
		{"#{Oct | Substring 8 6}", "Deploy"},
		{"#{Oct | Substring 8 100}", "Deploy"},
		{"#{Oct | Substring 100 2}", ""},
		{"#{Oct | Truncate 7}", "Octopus..."},
		{"#{Oct | Truncate 14}", "Octopus Deploy"},
		{"#{Amount | Format C}", "$4.30"},
		{"#{Amount | Format F3}", "4.300"},
		{"#{Amount | Format 0.00}", "4.30"},
		{"#{Big | Format N2}", "-1,234,567.89"},
		{"#{Big | Format C0}", "-$1,234,568"},
		{`#{Big | Format "#,##0.0#"}`, "-1,234,567.89"},
		{"#{Int | Format D5}", "00042"},
		{"#{Int | Format X}", "2A"},
		{"#{Amount | Format P0}", "430%"},
		{"#{Int | Format E2}", "4.20E+001"},
		{"#{When | Format yyyy}", "2030"},
		{`#{When | Format "MM/dd/yyyy"}`, "05/22/2030"},
		{`#{When | Format "dddd, MMMM d"}`, "Wednesday, May 22"},
		{`#{Slash | Format "hh:mm:ss tt"}`, "09:05:07 PM"},
		{`#{Slash | Format "yyyyMMdd'T'HHmm"}`, "20300522T2105"},
		{"#{When | Format Date MMM}", "May"},
		{"#{When | Format s}", "2030-05-22T09:05:00"},
		{"#{Html | HtmlEscape}", "You &amp; I &lt;&quot;x&quot;&gt;&#39;"},
		{"#{Html | XmlEscape}", "You &amp; I &lt;&quot;x&quot;&gt;&apos;"},
		{"#{Json | JsonEscape}", `He said \"Hello!\"\n\\ <b>`},
		{"#{Uri | UriEscape}", "A%20b:c+d/e?x=1&y=%C3%A9"},
		{"#{Uri | UriDataEscape}", "A%20b%3Ac%2Bd%2Fe%3Fx%3D1%26y%3D%C3%A9"},
		{"#{Oct | ToBase64}", "T2N0b3B1cyBEZXBsb3k="},
		{"#{Oct | Base64Encode | Base64Decode}", "Octopus Deploy"},
		{"#{B64 | FromBase64}", "Bar"},
		{"#{Yaml | YamlSingleQuoteEscape}", "The bee''s knees"},
		{"#{Tag | Trim | ToLower | Replace \"\\.\" \"-\"}", "release-1-4"}, // chained, left to right
		{"app:#{Tag|Trim}-#{Name | Truncate 3 | ToUpper}", "app:Release-1.4-AUT..."},
	}
	for _, tt := range tests {
		got, err := r.Expand(tt.in)
		if err != nil {
			t.Errorf("Expand(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFilterErrors(t *testing.T) {
	const secret = "s3cr3t-value"
	r := Resolver{LookupEnv: env(nil), Vars: map[string]string{"Secret": secret, "Num": "12"}}
	tests := []struct{ in, want string }{
		{"#{Secret | Lower}", `#{Secret}: unknown filter "Lower" (known filters: Base64Decode, Base64Encode, Format, FromBase64, HtmlEscape, JsonEscape, NowDate, NowDateUtc, Replace, Substring, ToBase64, ToLower, ToUpper, Trim, Truncate, UriDataEscape, UriEscape, XmlEscape, YamlDoubleQuoteEscape, YamlSingleQuoteEscape)`},
		{"#{Secret | }", "empty filter after '|'"},
		{"#{Secret | Truncate}", "filter Truncate takes 1 argument, got 0; write it as Truncate LENGTH"},
		{"#{Secret | ToLower x}", "filter ToLower takes no argument, got 1"},
		{"#{Secret | Truncate x}", `#{Secret | Truncate}: length "x" is not a whole number`},
		{"#{Secret | Substring -1}", "is not a whole number of at least 0"},
		{`#{Secret | Replace "("}`, "invalid regular expression"},
		{`#{Secret | Replace "x}`, "unterminated quote"},
		{"#{Secret | FromBase64}", "#{Secret | FromBase64}: the value is not valid Base64"},
		{"#{Secret | Format N2}", "#{Secret | Format}: the value is neither a number nor a date"},
		{"#{Secret | Format Date yyyy}", "the value is not a date"},
		{"#{Num | Format Date yyyy}", "the value is not a date"},
		{"#{Secret | Format Number N2}", "the value is not a number"},
		{"#{Num | Format Money N2}", `unknown type "Money"`},
		{"#{Num | Format Q}", `numeric format "Q"`},
		{"#{Num | Replace 2 2.5 | Format D}", "needs a whole number"},
		{"#{bad name | ToLower}", "is not allowed in a variable name"},
	}
	for _, tt := range tests {
		_, err := r.Expand(tt.in)
		if err == nil {
			t.Errorf("Expand(%q) succeeded, want an error containing %q", tt.in, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Expand(%q) error = %q, want it to contain %q", tt.in, err, tt.want)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("Expand(%q) error shows the value: %q", tt.in, err)
		}
	}
	// An unresolved variable with filters is reported as unresolved.
	if _, err := r.Expand("#{Missing | ToLower}"); err == nil || !strings.Contains(err.Error(), "#{Missing}") {
		t.Errorf("unresolved with filter: %v", err)
	}
}

func TestReferencesWithFilters(t *testing.T) {
	got := References("#{A | ToLower} #{B|Truncate 3} #{A}")
	if strings.Join(got, ",") != "A,B" {
		t.Fatalf("References = %v", got)
	}
}
