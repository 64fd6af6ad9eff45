// Package version tells which ecsdeploy this binary is.
//
// A release build stamps the version with the linker:
//
//	go build -ldflags "-X github.com/ecsdeploy/ecsdeploy/version.stamped=v1.2.3" ./cmd/ecsdeploy
//
// A binary built without the stamp (`go install ...@v1.2.3`, or `go build` in
// a checkout) reports what the Go toolchain recorded in it instead: the module
// version, or the commit it was built from.
package version

import (
	"runtime/debug"
	"strings"
)

// modulePath is the main module whose version a `go install`ed binary carries.
const modulePath = "github.com/ecsdeploy/ecsdeploy"

// stamped is set at link time by release builds (see the package comment and
// .goreleaser.yaml). It stays empty otherwise.
var stamped string

// String returns the version of this binary: the stamped one when there is
// one, else the one read from the build information the Go toolchain embeds,
// else "dev".
func String() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	return resolve(stamped, info)
}

// resolve picks the version from a linker stamp and the embedded build
// information (nil when the binary has none).
func resolve(stamp string, info *debug.BuildInfo) string {
	if s := strings.TrimSpace(stamp); s != "" {
		return s
	}
	if info == nil {
		return "dev"
	}
	// `go install module@version` records the module version; a build in a
	// checkout records "(devel)", or since Go 1.24 a version derived from the
	// checkout's tag and commit. The module is either the main module (this
	// binary) or, when ecsdeploy is embedded in another program, a dependency.
	mod := info.Main
	if mod.Path != modulePath {
		for _, dep := range info.Deps {
			if dep.Path == modulePath {
				mod = *dep
				break
			}
		}
	}
	if mod.Path == modulePath && mod.Version != "" && mod.Version != "(devel)" {
		return mod.Version
	}
	return develVersion(info.Settings)
}

// develVersion describes a build from a checkout by the commit it was made
// from, when the toolchain recorded one: "dev (1a2b3c4d5e6f)", with
// ", modified" when the working tree had uncommitted changes.
func develVersion(settings []debug.BuildSetting) string {
	var revision, modified string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision == "" {
		return "dev"
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if modified == "true" {
		return "dev (" + revision + ", modified)"
	}
	return "dev (" + revision + ")"
}
