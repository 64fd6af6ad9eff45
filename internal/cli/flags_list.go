package cli

import (
	"bytes"
	"encoding/csv"
	"strings"

	"github.com/spf13/pflag"
)

// listFlag is the type of every repeatable string flag (-i, --env, --var,
// --subnets …). It takes values exactly as pflag's StringArray (each use
// adds one value) or, with split, as its StringSlice (each use adds the
// comma-separated values, CSV quoting allowed); the first use replaces the
// default. It exists because pflag formats an empty list's default through
// a CSV writer with a 4 KB buffer at registration: with the repeatable flags
// of every command, that was most of what building the command tree
// allocated, and every run paid it before its first API call.
type listFlag struct {
	values *[]string
	split  bool
	set    bool
}

// stringArrayVar adds a flag taken as pflag's StringArray, with no default.
func stringArrayVar(fs *pflag.FlagSet, p *[]string, name, usage string) {
	stringArrayVarP(fs, p, name, "", usage)
}

// stringArrayVarP is stringArrayVar with a one-letter shorthand.
func stringArrayVarP(fs *pflag.FlagSet, p *[]string, name, shorthand, usage string) {
	*p = nil
	fs.VarP(&listFlag{values: p}, name, shorthand, usage)
}

// stringSliceVar adds a flag taken as pflag's StringSlice, with no default.
func stringSliceVar(fs *pflag.FlagSet, p *[]string, name, usage string) {
	*p = nil
	fs.Var(&listFlag{values: p, split: true}, name, usage)
}

func (f *listFlag) Set(value string) error {
	values := []string{value}
	if f.split {
		var err error
		if values, err = readCSV(value); err != nil {
			return err
		}
	}
	if !f.set {
		*f.values = make([]string, 0, len(values)) // given, even if empty
		f.set = true
	}
	*f.values = append(*f.values, values...)
	return nil
}

// Type names the flag's kind as pflag's own types do (help shows a
// stringSlice as "strings").
func (f *listFlag) Type() string {
	if f.split {
		return "stringSlice"
	}
	return "stringArray"
}

// String renders the list as pflag does, "[a,b]". The empty list, which is
// what registration asks for, is "" and costs nothing: pflag shows no
// default for "" (its own list types get the same from "[]").
func (f *listFlag) String() string {
	if len(*f.values) == 0 {
		return ""
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(*f.values) // writing to a bytes.Buffer cannot fail
	w.Flush()
	return "[" + strings.TrimSuffix(b.String(), "\n") + "]"
}

// Append, Replace and GetSlice make it a pflag.SliceValue, as pflag's own
// list flags are (shell completion and help read lists through it).
func (f *listFlag) Append(value string) error {
	*f.values = append(*f.values, value)
	return nil
}

func (f *listFlag) Replace(values []string) error {
	*f.values = append([]string(nil), values...)
	return nil
}

func (f *listFlag) GetSlice() []string { return append([]string(nil), *f.values...) }

// readCSV splits one use of a comma-separated flag as pflag's StringSlice
// does: an empty value adds nothing, and quotes may hold commas.
func readCSV(value string) ([]string, error) {
	if value == "" {
		return nil, nil
	}
	return csv.NewReader(strings.NewReader(value)).Read()
}
