package cli

import (
	"io"
	"reflect"
	"testing"

	"github.com/spf13/pflag"
)

// TestListFlagTakesValuesAsPflagDoes parses the same command lines with
// pflag's own StringArray/StringSlice and with listFlag, and wants the same
// values, the same "given" answer and the same rendering.
func TestListFlagTakesValuesAsPflagDoes(t *testing.T) {
	cases := [][]string{
		nil,
		{"--x", "a"},
		{"--x", "a", "--x", "b,c"},
		{"--x", `"a,b",c`},
		{"--x", ""},
		{"--x", "", "--x", "a"},
		{"--x", "a b", "--x", "a b"},
		{"--x", `a"b`},
	}
	for _, split := range []bool{false, true} {
		for _, args := range cases {
			theirs := pflag.NewFlagSet("theirs", pflag.ContinueOnError)
			ours := pflag.NewFlagSet("ours", pflag.ContinueOnError)
			var want, got []string
			if split {
				theirs.StringSliceVar(&want, "x", nil, "")
				stringSliceVar(ours, &got, "x", "")
			} else {
				theirs.StringArrayVar(&want, "x", nil, "")
				stringArrayVar(ours, &got, "x", "")
			}
			wantErr := theirs.Parse(args)
			gotErr := ours.Parse(args)
			if (wantErr == nil) != (gotErr == nil) {
				t.Errorf("split=%v %q: error %v, pflag's %v", split, args, gotErr, wantErr)
				continue
			}
			if len(want) != len(got) || (len(want) > 0 && !reflect.DeepEqual(want, got)) {
				t.Errorf("split=%v %q: values %q, pflag's %q", split, args, got, want)
			}
			if theirs.Changed("x") != ours.Changed("x") {
				t.Errorf("split=%v %q: given %v, pflag's %v", split, args, ours.Changed("x"), theirs.Changed("x"))
			}
			if len(want) > 0 && theirs.Lookup("x").Value.String() != ours.Lookup("x").Value.String() {
				t.Errorf("split=%v %q: renders %s, pflag's %s", split, args, ours.Lookup("x").Value.String(), theirs.Lookup("x").Value.String())
			}
			if theirs.Lookup("x").Value.Type() != ours.Lookup("x").Value.Type() {
				t.Errorf("split=%v: type %s, pflag's %s", split, ours.Lookup("x").Value.Type(), theirs.Lookup("x").Value.Type())
			}
		}
	}
}

// BenchmarkNewRootCmd measures what building the command tree costs, which
// every run pays before its first API call.
func BenchmarkNewRootCmd(b *testing.B) {
	d := runOpts{}.deps(io.Discard, io.Discard)
	b.ReportAllocs()
	for b.Loop() {
		NewRootCmd(d)
	}
}
