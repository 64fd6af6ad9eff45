package cli

import (
	"time"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/spec"
)

// stableForOf is how long deploy keeps watching after a success verdict:
// --stable-for, else the spec's stableFor, else 0. Unlike --timeout, 0 is a
// valid value (no watch after the verdict).
func stableForOf(d *spec.Deploy, f *durationFlag, expand func(flag, s string) (string, bool), ps *exitcode.Problems) time.Duration {
	if !f.Given() {
		if d != nil && d.StableFor != nil {
			return d.StableFor.Std()
		}
		return 0
	}
	text, ok := expand("stable-for", f.text)
	if !ok {
		return 0
	}
	v, err := spec.ParseDuration(text)
	if err != nil {
		ps.Add("--stable-for", 0, "%v", err)
		return 0
	}
	return v.Std()
}
