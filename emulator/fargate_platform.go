package emulator

import (
	"encoding/json"
	"slices"
	"strings"
)

// Fargate platform versions, as the Fargate platform-version pages list
// them: Linux has 1.4.0 (LATEST) and 1.3.0; Windows is numbered apart and
// has 1.0.0 (LATEST). Older Linux versions are retired.
var (
	linuxPlatformVersions   = []string{"LATEST", "1.4.0", "1.3.0"}
	windowsPlatformVersions = []string{"LATEST", "1.0.0"}
)

// windowsTaskDef reports whether td runs on Windows (its runtimePlatform's
// operatingSystemFamily is one of the WINDOWS_SERVER_* families).
func windowsTaskDef(td *taskDef) bool {
	if td == nil || len(td.Members["runtimePlatform"]) == 0 {
		return false
	}
	var rp struct {
		OperatingSystemFamily string `json:"operatingSystemFamily"`
	}
	return json.Unmarshal(td.Members["runtimePlatform"], &rp) == nil && strings.HasPrefix(rp.OperatingSystemFamily, "WINDOWS")
}

// checkPlatformVersion checks a platformVersion member for tasks of td
// running on runOn: only Fargate takes one, and it must exist for the
// task definition's operating system.
func checkPlatformVersion(version, runOn string, td *taskDef) error {
	if version == "" {
		return nil
	}
	if runOn == "EC2" || runOn == "EXTERNAL" {
		// ECS's message for EC2 (seen in the wild); the EXTERNAL variant
		// follows it.
		return invalidParameter("The platform version must be null when specifying an %s launch type.", runOn)
	}
	known := linuxPlatformVersions
	if windowsTaskDef(td) {
		known = windowsPlatformVersions
	}
	if !slices.Contains(known, version) {
		// The exception is ECS's (UpdateService, CreateService, RunTask and
		// CreateTaskSet list it); the message is its model's description of
		// it, the live wording is not confirmed.
		return Errorf("PlatformUnknownException", "The specified platform version doesn't exist.")
	}
	return nil
}

// platformRevision is the platform version a Fargate task runs on for the
// version asked for: LATEST is 1.4.0 on Linux and 1.0.0 on Windows.
func platformRevision(version string, td *taskDef) string {
	switch {
	case version != "" && version != "LATEST":
		return version
	case windowsTaskDef(td):
		return "1.0.0"
	}
	return "1.4.0"
}
