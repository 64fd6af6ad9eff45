// Package iampolicy knows which AWS API actions each ecsdeploy command
// calls, and writes the least IAM policy that lets a user run a set of
// commands.
//
// The table is checked by the end-to-end tests: every API call a command
// makes there must be allowed by its entry (internal/cli records them).
package iampolicy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Commands lists, per command, the actions it may call. Actions read
// "service:Operation", as IAM spells them.
var Commands = map[string][]string{
	"deploy": {
		"ecs:DescribeServices", "ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition", "ecs:UpdateService",
		"ecs:ListTasks", "ecs:DescribeTasks", "ecs:TagResource",
		// --keep-revisions and a revision registered for an update that failed
		"ecs:ListTaskDefinitions", "ecs:ListServices", "ecs:DeregisterTaskDefinition",
		// --rollback: what ran before
		"ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions",
		// a fleet wave's migration task (deploy --fleet)
		"ecs:RunTask", "ecs:DescribeClusters", "logs:GetLogEvents",
		"iam:PassRole",
		// a CODE_DEPLOY service: find its deployment group, deploy and follow
		"codedeploy:ListApplications", "codedeploy:ListDeploymentGroups", "codedeploy:BatchGetDeploymentGroups",
		"codedeploy:CreateDeployment", "codedeploy:GetDeployment", "codedeploy:ListDeploymentTargets",
		"codedeploy:GetDeploymentTarget", "codedeploy:GetDeploymentConfig", "codedeploy:GetApplicationRevision",
		"codedeploy:RegisterApplicationRevision",
		// --rollback after a blue/green deployment timed out: stop it with a
		// rollback and report where traffic is
		"ecs:StopServiceDeployment", "codedeploy:ListDeployments", "codedeploy:StopDeployment",
		"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetHealth",
	},
	"diff":    {"ecs:DescribeServices", "ecs:DescribeTaskDefinition"},
	"appspec": {"ecs:DescribeServices", "ecs:DescribeTaskDefinition"},
	"rollback": {
		"ecs:DescribeServices", "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions", "ecs:UpdateService",
		"ecs:ListTasks", "ecs:DescribeTasks",
		"ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions",
		// a blue/green service: stop the deployment in progress with a
		// rollback, or deploy the previous revision through CodeDeploy
		"ecs:StopServiceDeployment",
		"codedeploy:ListApplications", "codedeploy:ListDeploymentGroups", "codedeploy:BatchGetDeploymentGroups",
		"codedeploy:ListDeployments", "codedeploy:GetDeployment", "codedeploy:ListDeploymentTargets",
		"codedeploy:GetDeploymentTarget", "codedeploy:GetDeploymentConfig", "codedeploy:StopDeployment", "codedeploy:CreateDeployment",
		"codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision",
		"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetHealth",
	},
	// promote and abort act on a blue/green deployment in progress and
	// report where traffic is.
	"promote": {
		"ecs:DescribeServices", "ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments", "ecs:ContinueServiceDeployment",
		// the replacement's tasks that stopped for a failure
		"ecs:ListTasks", "ecs:DescribeTasks",
		"codedeploy:ListApplications", "codedeploy:ListDeploymentGroups", "codedeploy:BatchGetDeploymentGroups",
		"codedeploy:ListDeployments", "codedeploy:GetDeployment", "codedeploy:ListDeploymentTargets",
		"codedeploy:GetDeploymentTarget", "codedeploy:GetDeploymentConfig", "codedeploy:ContinueDeployment",
		"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetHealth",
	},
	"abort": {
		"ecs:DescribeServices", "ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments", "ecs:StopServiceDeployment",
		"codedeploy:ListApplications", "codedeploy:ListDeploymentGroups", "codedeploy:BatchGetDeploymentGroups",
		"codedeploy:ListDeployments", "codedeploy:GetDeployment", "codedeploy:ListDeploymentTargets",
		"codedeploy:GetDeploymentTarget", "codedeploy:GetDeploymentConfig", "codedeploy:StopDeployment",
		"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetHealth",
	},
	"scale": {"ecs:DescribeServices", "ecs:UpdateService", "ecs:ListTasks", "ecs:DescribeTasks"},
	"status": {"ecs:DescribeServices", "ecs:ListTasks", "ecs:DescribeTasks", "ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments",
		// a blue/green service: its CodeDeploy deployment, traffic split and target health
		"codedeploy:ListApplications", "codedeploy:ListDeploymentGroups", "codedeploy:BatchGetDeploymentGroups",
		"codedeploy:ListDeployments", "codedeploy:GetDeployment", "codedeploy:ListDeploymentTargets", "codedeploy:GetDeploymentTarget",
		"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetHealth"},
	"run": {
		"ecs:DescribeServices", "ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition", "ecs:RunTask",
		"ecs:DescribeTasks", "ecs:DescribeClusters", "ecs:TagResource", "logs:GetLogEvents", "iam:PassRole",
	},
	"register":  {"ecs:DescribeServices", "ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition", "ecs:TagResource", "iam:PassRole"},
	"revisions": {"ecs:ListTaskDefinitions", "ecs:DescribeTaskDefinition", "ecs:ListServices", "ecs:DescribeServices"},
	"revisions prune": {"ecs:ListTaskDefinitions", "ecs:DescribeTaskDefinition", "ecs:ListServices", "ecs:DescribeServices", "ecs:DeregisterTaskDefinition",
		// the revision that ran before a service's current one is kept
		"ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions"},
	"stack deploy": {
		"cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents", "cloudformation:CreateStack",
		"cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet", "cloudformation:ExecuteChangeSet",
		"cloudformation:DeleteChangeSet", "cloudformation:DeleteStack", "cloudformation:ContinueUpdateRollback",
		"cloudformation:CancelUpdateStack",
		"ecs:DescribeClusters", "ecs:DescribeServices", "ecs:ListTasks", "ecs:DescribeTasks",
		// CloudFormation creates the stack's resources with the caller's permissions.
		"ecs:CreateCluster", "ecs:DeleteCluster", "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition",
		"ecs:DescribeTaskDefinition", "ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService", "ecs:TagResource",
		"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DescribeLogGroups", "logs:TagResource",
		"iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
		"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:TagRole", "iam:PassRole",
	},
	"stack delete": {
		"cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents", "cloudformation:DeleteStack",
		"ecs:DeleteService", "ecs:UpdateService", "ecs:DescribeServices", "ecs:DeleteCluster", "ecs:DeregisterTaskDefinition",
		"logs:DeleteLogGroup", "iam:DeleteRole", "iam:DetachRolePolicy", "iam:DeleteRolePolicy",
	},
	"stack status":   {"cloudformation:DescribeStacks", "cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet", "cloudformation:DeleteChangeSet", "ecs:DescribeServices"},
	"stack template": {},
}

// Implied lists, per command, the actions in its entry that no API call of
// its own shows, and why: IAM authorises them as part of another call
// (passing a role, tagging on create, what CodeDeploy reads and writes for
// CreateDeployment) or another service performs them with the caller's
// permissions (CloudFormation creating a stack's resources). The test that
// holds the table to the recorded calls accepts these without a call.
var Implied = map[string]map[string]string{
	"deploy":   merge(passRole, codeDeployCreate),
	"rollback": codeDeployCreate, // a finished CodeDeploy deployment is rolled back by a new one
	"register": merge(passRole, tagOnCreate),
	"run":      merge(passRole, tagOnCreate),
	"stack deploy": merge(passRole, byCloudFormation(
		"ecs:CreateCluster", "ecs:DeleteCluster", "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition",
		"ecs:DescribeTaskDefinition", "ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService", "ecs:TagResource",
		"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DescribeLogGroups", "logs:TagResource",
		"iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
		"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:TagRole")),
	"stack delete": byCloudFormation("ecs:DeleteService", "ecs:UpdateService", "ecs:DescribeServices", "ecs:DeleteCluster",
		"ecs:DeregisterTaskDefinition", "logs:DeleteLogGroup", "iam:DeleteRole", "iam:DetachRolePolicy", "iam:DeleteRolePolicy"),
}

var (
	passRole    = map[string]string{"iam:PassRole": "registering a task definition or running a task with a task or execution role passes the role"}
	tagOnCreate = map[string]string{"ecs:TagResource": "ECS authorises tags given at creation (RegisterTaskDefinition, RunTask with tags) as ecs:TagResource"}
	// CodeDeploy authorises CreateDeployment of an AppSpec revision
	// against the deployment configuration and the application revision.
	codeDeployCreate = map[string]string{
		"codedeploy:GetDeploymentConfig":         "CreateDeployment reads the deployment configuration with the caller's permissions",
		"codedeploy:GetApplicationRevision":      "CreateDeployment reads the AppSpec revision with the caller's permissions",
		"codedeploy:RegisterApplicationRevision": "CreateDeployment registers the AppSpec revision with the caller's permissions",
	}
)

func byCloudFormation(actions ...string) map[string]string {
	m := map[string]string{}
	for _, a := range actions {
		m[a] = "CloudFormation creates, changes and deletes the stack's resources with the caller's permissions"
	}
	return m
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// Aliases are commands that do what others do.
var Aliases = map[string][]string{
	// The ecs-deploy script's command line runs deploy, register or run.
	"ecs-deploy": {"deploy", "register", "run"},
}

// assumeRole is what --assume-role needs of the caller.
const assumeRole = "sts:AssumeRole"

// Actions returns the sorted actions of the named commands (all commands
// when none is named). An unknown command is an error naming the known ones.
func Actions(commands ...string) ([]string, error) {
	if len(commands) == 0 {
		for c := range Commands {
			commands = append(commands, c)
		}
	}
	set := map[string]bool{}
	for _, c := range commands {
		c = strings.TrimSpace(c)
		names := []string{c}
		if a, ok := Aliases[c]; ok {
			names = a
		}
		for _, n := range names {
			actions, ok := Commands[n]
			if !ok {
				return nil, fmt.Errorf("unknown command %q (commands: %s)", c, strings.Join(Names(), ", "))
			}
			for _, a := range actions {
				set[a] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Strings(out)
	return out, nil
}

// Names lists the commands the table knows, sorted.
func Names() []string {
	var out []string
	for c := range Commands {
		out = append(out, c)
	}
	for c := range Aliases {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Policy is an IAM policy document.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a policy.
type Statement struct {
	Sid       string         `json:"Sid"`
	Effect    string         `json:"Effect"`
	Action    []string       `json:"Action"`
	Resource  string         `json:"Resource"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// Document builds the policy for the actions. iam:PassRole is given only
// for roles passed to ECS: to its tasks (the task and execution roles), or
// to ECS itself (the load balancer and lifecycle hook roles of a
// blue/green, linear or canary strategy);
// withAssumeRole adds sts:AssumeRole for --assume-role. Resources are "*":
// narrow them to your clusters, services and families where you can.
func Document(actions []string, withAssumeRole bool) Policy {
	var main, pass []string
	for _, a := range actions {
		if a == "iam:PassRole" {
			pass = append(pass, a)
			continue
		}
		main = append(main, a)
	}
	p := Policy{Version: "2012-10-17"}
	if len(main) > 0 {
		p.Statement = append(p.Statement, Statement{Sid: "EcsdeployCalls", Effect: "Allow", Action: main, Resource: "*"})
	}
	if len(pass) > 0 {
		p.Statement = append(p.Statement, Statement{Sid: "PassTaskRoles", Effect: "Allow", Action: pass, Resource: "*",
			Condition: map[string]any{"StringEquals": map[string]any{"iam:PassedToService": []string{"ecs-tasks.amazonaws.com", "ecs.amazonaws.com"}}}})
	}
	if withAssumeRole {
		p.Statement = append(p.Statement, Statement{Sid: "AssumeDeployRole", Effect: "Allow", Action: []string{assumeRole}, Resource: "*"})
	}
	return p
}

// JSON renders the policy, indented.
func (p Policy) JSON() string {
	b, _ := json.MarshalIndent(p, "", "  ")
	return string(b)
}

// serviceIDs maps the SDK's service ids to IAM's action prefixes.
var serviceIDs = map[string]string{
	"ECS": "ecs", "CloudFormation": "cloudformation", "CloudWatch Logs": "logs", "STS": "sts", "IAM": "iam",
	"EC2": "ec2", "Elastic Load Balancing v2": "elasticloadbalancing", "CloudWatch": "cloudwatch",
	"Application Auto Scaling": "application-autoscaling", "CodeDeploy": "codedeploy",
}

// ActionOf turns an SDK call name ("ECS.UpdateService", as awsconfig's call
// counter keys them) into an IAM action ("ecs:UpdateService").
func ActionOf(call string) (string, error) {
	i := strings.LastIndexByte(call, '.')
	if i < 0 {
		return "", fmt.Errorf("%q is not Service.Operation", call)
	}
	prefix, ok := serviceIDs[call[:i]]
	if !ok {
		return "", fmt.Errorf("no IAM prefix known for service %q", call[:i])
	}
	return prefix + ":" + call[i+1:], nil
}

// Markdown lists the actions per command as a Markdown table, for the docs.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| command | actions |\n|---|---|\n")
	for _, c := range Names() {
		actions, _ := Actions(c)
		text := "none"
		if len(actions) > 0 {
			text = "`" + strings.Join(actions, "`, `") + "`"
		}
		if a, ok := Aliases[c]; ok {
			text = "those of " + strings.Join(a, ", ")
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", c, text)
	}
	return b.String()
}
