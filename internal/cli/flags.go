package cli

import (
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/spec"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// durationFlag is the type of every --timeout-like flag: a bare number is
// seconds ("90"), otherwise a duration ("90s", "10m", "1h30m"), as in spec
// files. The text is kept as given and read when the command runs, after
// #{variables} are substituted where the command takes them, so that a bad
// value is reported with the command's other problems.
type durationFlag struct {
	text string
	def  time.Duration
	set  bool
}

// durationVarP adds a duration flag with a default (0: none shown).
func durationVarP(fs *pflag.FlagSet, p *durationFlag, name, shorthand string, def time.Duration, usage string) {
	p.def = def
	fs.VarP(p, name, shorthand, usage)
}

func (f *durationFlag) String() string {
	if f.set {
		return f.text
	}
	if f.def == 0 {
		return ""
	}
	return f.def.String()
}

func (f *durationFlag) Set(s string) error {
	f.text, f.set = s, true
	return nil
}

func (f *durationFlag) Type() string { return "duration" }

// Given reports whether the flag was on the command line.
func (f *durationFlag) Given() bool { return f.set }

// value returns the duration given, or the default when the flag was not.
// expand substitutes #{variables} first (nil for commands without them;
// false when a variable did not resolve, already reported). A value that is
// not a duration of more than zero is a problem named after the flag.
func (f *durationFlag) value(name string, expand func(flag, s string) (string, bool), ps *exitcode.Problems) time.Duration {
	if !f.set {
		return f.def
	}
	text := f.text
	if expand != nil {
		var ok bool
		if text, ok = expand(name, text); !ok {
			return f.def
		}
	}
	d, err := spec.ParseDuration(text)
	switch {
	case err != nil:
		ps.Add("--"+name, 0, "%v", err)
		return f.def
	case d.Std() <= 0:
		ps.Add("--"+name, 0, "must be more than zero")
		return f.def
	}
	return d.Std()
}

// waitFlags tune the poller. They are hidden: the defaults suit AWS; tests
// against the local ECS at a speed factor shorten them.
type waitFlags struct {
	pollInterval   durationFlag
	placementGrace durationFlag
}

func (w *waitFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	durationVarP(fs, &w.pollInterval, "poll-interval", "", 0, "pause between polls while the deployment changes (default 1s)")
	durationVarP(fs, &w.placementGrace, "placement-grace", "", 0, "how long task placement may fail without progress before the deployment fails (default 30s)")
	_ = fs.MarkHidden("poll-interval")
	_ = fs.MarkHidden("placement-grace")
}

// options returns the watcher's options on clock, recording a problem for a
// bad value.
func (w *waitFlags) options(clock watch.Clock, ps *exitcode.Problems) watch.Options {
	return watch.Options{
		Interval:       w.pollInterval.value("poll-interval", nil, ps),
		PlacementGrace: w.placementGrace.value("placement-grace", nil, ps),
		Clock:          clock,
	}
}

// within is options with --timeout (timeout) as the watcher's timeout.
func (w *waitFlags) within(timeout *durationFlag, clock watch.Clock, ps *exitcode.Problems) watch.Options {
	o := w.options(clock, ps)
	o.Timeout = timeout.value("timeout", nil, ps)
	return o
}

// repeatable is a string flag that may be given more than once: all holds
// every value, last the last one (what a command that takes one reads).
type repeatable struct {
	all  *[]string
	last *string
}

func (r repeatable) String() string {
	if r.last == nil {
		return ""
	}
	return *r.last
}

func (r repeatable) Set(s string) error {
	*r.all = append(*r.all, s)
	*r.last = s
	return nil
}

func (r repeatable) Type() string { return "string" }
