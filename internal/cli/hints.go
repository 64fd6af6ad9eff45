package cli

import "github.com/ecsdeploy/ecsdeploy/exitcode"

// settingFlags maps the request fields that an engine's message may name
// when no flag or file gave them to the flag that gives them: a hint to
// give one ("add --use-latest-task-def to start from it"), or a setting
// only a flag gives (--no-wait). Engines name a request field at
// req.Origins.Of(field); this is the one place the command line says which
// flag that is for a field given nowhere.
var settingFlags = map[string]string{
	"useLatestTaskDef":     "--use-latest-task-def",
	"strategy":             "--strategy",
	"noWait":               "--no-wait",
	"recreateFailedStack":  "--recreate-failed-stack",
	"application":          "--codedeploy-application",
	"deploymentGroup":      "--codedeploy-deployment-group",
	"deploymentConfig":     "--deployment-config",
	"hooks":                "--hook",
	"maxParallel":          "--max-parallel",
	"skipDeploymentsCheck": "--skip-deployments-check",
	"exitCodeFrom":         "--exit-code-from",
	"commands":             "--command",
	"subnets":              "--subnets",
	"taskDefinition":       "--task-definition",
}

// settingOrigins records in os, for each of fields that neither a flag nor
// a line of a file gave, its flag (settingFlags) as where to give it; a
// field a flag or a file's line gave keeps that origin. It returns os
// (allocated when nil).
func settingOrigins(os exitcode.Origins, fields ...string) exitcode.Origins {
	for _, f := range fields {
		if o := os.Of(f); o.IsFlag() || o.Line > 0 {
			continue
		}
		os = os.Set(f, settingOrigin(f))
	}
	return os
}

// settingOrigin is the flag that gives field; a field settingFlags does not
// hold is named as the request names it.
func settingOrigin(field string) exitcode.Origin {
	if flag, ok := settingFlags[field]; ok {
		return exitcode.FlagOrigin(flag)
	}
	return exitcode.FieldOrigin(field)
}
