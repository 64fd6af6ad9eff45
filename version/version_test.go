package version

import (
	"runtime/debug"
	"testing"
)

func TestResolve(t *testing.T) {
	main := func(v string, settings ...debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: v}, Settings: settings}
	}
	rev := debug.BuildSetting{Key: "vcs.revision", Value: "0123456789abcdef0123"}
	dirty := debug.BuildSetting{Key: "vcs.modified", Value: "true"}
	clean := debug.BuildSetting{Key: "vcs.modified", Value: "false"}
	embedded := &debug.BuildInfo{
		Main: debug.Module{Path: "example.com/tool", Version: "v0.1.0"},
		Deps: []*debug.Module{{Path: "example.com/other", Version: "v9.9.9"}, {Path: modulePath, Version: "v1.4.0"}},
	}
	otherMain := &debug.BuildInfo{Main: debug.Module{Path: "example.com/tool", Version: "v0.1.0"}}

	tests := []struct {
		name  string
		stamp string
		info  *debug.BuildInfo
		want  string
	}{
		{"the linker stamp wins", "v2.0.0", main("v1.0.0"), "v2.0.0"},
		{"a stamp is trimmed", " v2.0.0\n", nil, "v2.0.0"},
		{"go install records the module version", "", main("v1.3.0"), "v1.3.0"},
		{"a pseudo-version from a checkout", "", main("v0.0.0-20261130052400-0123456789ab+dirty"), "v0.0.0-20261130052400-0123456789ab+dirty"},
		{"a checkout build names its commit", "", main("(devel)", rev, clean), "dev (0123456789ab)"},
		{"uncommitted changes are said", "", main("(devel)", rev, dirty), "dev (0123456789ab, modified)"},
		{"no version and no commit", "", main("(devel)"), "dev"},
		{"no build information at all", "", nil, "dev"},
		{"embedded in another program, our module's version", "", embedded, "v1.4.0"},
		{"another program without our module", "", otherMain, "dev"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := resolve(tc.stamp, tc.info); got != tc.want {
				t.Errorf("resolve(%q, ...) = %q, want %q", tc.stamp, got, tc.want)
			}
		})
	}
}

// TestStringUsesTheStamp checks the exported entry point honours the variable
// the linker sets.
func TestStringUsesTheStamp(t *testing.T) {
	old := stamped
	t.Cleanup(func() { stamped = old })
	stamped = "v9.8.7"
	if got := String(); got != "v9.8.7" {
		t.Fatalf("String() = %q with the stamp set, want v9.8.7", got)
	}
	stamped = ""
	if got := String(); got == "" {
		t.Fatal("String() without a stamp must never be empty")
	}
}
