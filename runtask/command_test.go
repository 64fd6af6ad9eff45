package runtask

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParseCommandFlag(t *testing.T) {
	tests := []struct {
		in        string
		container string
		want      []string
	}{
		{"app=rake db:migrate", "app", []string{"rake", "db:migrate"}},
		{`app=sh -c 'echo "a b"; exit 3'`, "app", []string{"sh", "-c", `echo "a b"; exit 3`}},
		{`app=echo "x\"y" a\ b`, "app", []string{"echo", `x"y`, "a b"}},
		{`app=echo "a\nb"`, "app", []string{"echo", `a\nb`}},
		{`app=["sh","-c","echo hi"]`, "app", []string{"sh", "-c", "echo hi"}},
		{`app= [ "x" ]`, "app", []string{"x"}},
		{`app=echo '' x`, "app", []string{"echo", "", "x"}},
		{"app=a=b c", "app", []string{"a=b", "c"}},
	}
	for _, tt := range tests {
		got, err := ParseCommandFlag(tt.in)
		if err != nil {
			t.Fatalf("ParseCommandFlag(%q): %v", tt.in, err)
		}
		if got.Container != tt.container || !reflect.DeepEqual(got.Command, tt.want) {
			t.Fatalf("ParseCommandFlag(%q) = %q %q; want %q %q", tt.in, got.Container, got.Command, tt.container, tt.want)
		}
	}
}

func TestParseCommandFlagErrors(t *testing.T) {
	for _, in := range []string{"rake", "=x", "app=", "app=   ", `app=echo 'open`, `app=echo "open`, `app=echo \`, `app=["x", 1]`} {
		_, err := ParseCommandFlag(in)
		if err == nil {
			t.Errorf("ParseCommandFlag(%q) succeeded; want an error", in)
			continue
		}
		// The caller names where the value was given; the error quotes it.
		if want := fmt.Sprintf("%q: ", in); !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseCommandFlag(%q) = %q; want it to start with %s", in, err, want)
		}
	}
}

func FuzzSplitWords(f *testing.F) {
	for _, s := range []string{"a b", `a 'b c' "d\" e"`, `x\ y`, "", `"`, `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := SplitWords(s)
		if err != nil {
			return
		}
		// Words contain no unquoted separators, so re-quoting each with single
		// quotes (escaping embedded ones) must split back to the same words.
		var line string
		for i, w := range words {
			if i > 0 {
				line += " "
			}
			line += "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
		again, err := SplitWords(line)
		if err != nil || !reflect.DeepEqual(again, words) {
			t.Fatalf("round trip of %q: %q -> %q (%v)", s, words, again, err)
		}
	})
}
