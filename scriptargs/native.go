package scriptargs

import (
	"fmt"
	"strings"
)

// NativeArgs is the ecsdeploy command line that does what the script's
// command line asks: deploy for a service, register for -d, run for -d
// --run-task. Values are escaped so that ecsdeploy's #{variables} are not
// expanded in them (the script has none).
func (inv *Invocation) NativeArgs() []string {
	var a []string
	add := func(flag string, values ...string) {
		a = append(a, flag)
		for _, v := range values {
			a = append(a, escapeVars(v))
		}
	}
	seconds := fmt.Sprintf("%ds", int(inv.Options.Timeout.Seconds()))
	switch inv.Kind {
	case DeployService, ForceNewDeployment:
		a = append(a, "deploy")
		add("--cluster", inv.Deploy.Cluster)
		add("--service", inv.Deploy.Service)
		if inv.Kind == ForceNewDeployment {
			add("--force-new-deployment")
		} else {
			inv.addRevisionArgs(add)
			s := inv.Deploy.Settings
			if s.DesiredCount != nil {
				add("--desired-count", fmt.Sprint(*s.DesiredCount))
			}
			if s.MinHealthyPercent != nil {
				add("--min-healthy-percent", fmt.Sprint(*s.MinHealthyPercent))
			}
			if s.MaxPercent != nil {
				add("--max-percent", fmt.Sprint(*s.MaxPercent))
			}
			if inv.Options.KeepRevisions > 0 {
				add("--keep-revisions", fmt.Sprint(inv.Options.KeepRevisions))
			}
		}
		add("--timeout", seconds)
		if inv.Options.Rollback {
			add("--rollback")
		}
		if inv.Options.SkipDeploymentsCheck {
			add("--skip-deployments-check")
		}
	case RegisterRevision:
		a = append(a, "register")
		inv.addRevisionArgs(add)
	case RunTask:
		a = append(a, "run")
		add("--cluster", inv.Run.Cluster)
		inv.addRevisionArgs(add)
		r := inv.Run
		if r.LaunchType != "" {
			add("--launch-type", string(r.LaunchType))
		}
		if r.PlatformVersion != "" {
			add("--platform-version", r.PlatformVersion)
		}
		if r.Network != nil && r.Network.AwsvpcConfiguration != nil {
			vpc := r.Network.AwsvpcConfiguration
			add("--subnets", strings.Join(vpc.Subnets, ","))
			if len(vpc.SecurityGroups) > 0 {
				add("--security-groups", strings.Join(vpc.SecurityGroups, ","))
			}
			if vpc.AssignPublicIp != "" {
				add("--assign-public-ip", string(vpc.AssignPublicIp))
			}
		}
		if r.WaitForSuccess {
			add("--timeout", seconds)
		} else {
			add("--no-wait") // the script starts the task and does not wait
		}
	}
	if v := inv.AWS.Region; v != "" {
		add("--region", v)
	}
	if v := inv.AWS.Profile; v != "" {
		add("--profile", v)
	}
	if v := inv.AWS.AssumeRole; v != "" {
		add("--assume-role", v)
	}
	if v := inv.AWS.AccessKey; v != "" {
		add("--access-key", v)
	}
	if v := inv.AWS.SecretKey; v != "" {
		add("--secret-key", v)
	}
	if inv.Verbose {
		add("-v")
	}
	return a
}

// addRevisionArgs adds where the new revision comes from and the image
// change.
func (inv *Invocation) addRevisionArgs(add func(string, ...string)) {
	switch {
	case inv.TaskDefinitionFile != "":
		add("--task-definition-file", inv.TaskDefinitionFile)
	case inv.Kind == RegisterRevision || inv.Kind == RunTask:
		if strings.Contains(inv.TaskDefinition, ":") {
			add("--task-definition", inv.TaskDefinition)
		} else {
			add("--family", inv.TaskDefinition) // its latest ACTIVE revision, as describe-task-definition FAMILY
		}
	}
	if inv.Deploy.Source.UseLatest && inv.Kind == DeployService && inv.TaskDefinitionFile == "" {
		add("--use-latest-task-def")
	}
	c := inv.Deploy.Changes
	if c.TagOnly != nil {
		add("--tag-only", *c.TagOnly)
	}
	for _, ic := range c.Images {
		add("--image", ic.Image)
	}
	if inv.Deploy.CopyTaskDefinitionTags {
		add("--copy-task-definition-tags")
	}
}

func escapeVars(s string) string { return strings.ReplaceAll(s, "#{", "##{") }
