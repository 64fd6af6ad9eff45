package codedeploy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// appSpec is the part of an ECS AppSpec a deployment acts on.
type appSpec struct {
	TaskDefinition  string            `json:"taskDefinition"`
	ContainerName   string            `json:"containerName"`
	ContainerPort   int               `json:"containerPort"`
	PlatformVersion string            `json:"platformVersion,omitempty"`
	Network         map[string]any    `json:"network,omitempty"` // awsvpcConfiguration, ECS spelling
	CapacityStrat   []map[string]any  `json:"capacityProviderStrategy,omitempty"`
	Hooks           map[string]string `json:"hooks,omitempty"` // event -> function
}

// revisionInput is a deployment's revision member.
type revisionInput struct {
	RevisionType   string `json:"revisionType"`
	AppSpecContent *struct {
		Content string `json:"content"`
		Sha256  string `json:"sha256"`
	} `json:"appSpecContent"`
	String *struct {
		Content string `json:"content"`
		Sha256  string `json:"sha256"`
	} `json:"string"`
	S3Location     any `json:"s3Location"`
	GitHubLocation any `json:"gitHubLocation"`
}

func invalidRevision(format string, args ...any) error {
	return errf("InvalidRevisionException", format, args...)
}

// parseRevision checks a revision and returns its AppSpec.
func parseRevision(rev *revisionInput) (*appSpec, error) {
	if rev == nil {
		return nil, errf("RevisionRequiredException", "Revision is missing")
	}
	var content, sum string
	switch rev.RevisionType {
	case "AppSpecContent":
		if rev.AppSpecContent == nil {
			return nil, invalidRevision("The revision's appSpecContent is missing.")
		}
		content, sum = rev.AppSpecContent.Content, rev.AppSpecContent.Sha256
	case "String":
		if rev.String == nil {
			return nil, invalidRevision("The revision's string is missing.")
		}
		content, sum = rev.String.Content, rev.String.Sha256
	case "S3", "GitHub":
		return nil, invalidRevision("The local CodeDeploy takes the AppSpec inline for ECS deployments: use revisionType AppSpecContent (or String), not %s.", rev.RevisionType)
	default:
		return nil, invalidRevision("The revisionType %q is not valid; use AppSpecContent for an ECS deployment.", rev.RevisionType)
	}
	if strings.TrimSpace(content) == "" {
		return nil, invalidRevision("The AppSpec content is empty.")
	}
	if sum != "" {
		got := sha256.Sum256([]byte(content))
		if !strings.EqualFold(sum, hex.EncodeToString(got[:])) {
			return nil, invalidRevision("The sha256 of the AppSpec content does not match the sha256 given with it.")
		}
	}
	return parseAppSpec(content)
}

// parseAppSpec reads an ECS AppSpec (YAML, or JSON which is YAML too) and
// checks it as CodeDeploy does before a deployment starts.
func parseAppSpec(content string) (*appSpec, error) {
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(content), &doc); err != nil || doc == nil {
		return nil, invalidRevision("The AppSpec file cannot be parsed: it is not well-formed YAML or JSON.")
	}
	if v := fmt.Sprint(doc["version"]); v != "0" && v != "0.0" {
		return nil, invalidRevision("The AppSpec file's version must be 0.0 (got %v).", doc["version"])
	}
	resources, _ := doc["Resources"].([]any)
	if len(resources) != 1 {
		return nil, invalidRevision("The AppSpec file must list exactly one resource under Resources: the ECS service (TargetService, Type AWS::ECS::Service).")
	}
	var props map[string]any
	for _, r := range resources {
		rm, _ := r.(map[string]any)
		if len(rm) != 1 {
			return nil, invalidRevision("Each AppSpec resource is one named entry, such as TargetService.")
		}
		for _, v := range rm {
			res, _ := v.(map[string]any)
			if res["Type"] != "AWS::ECS::Service" {
				return nil, invalidRevision("The AppSpec resource's Type must be AWS::ECS::Service (got %v).", res["Type"])
			}
			props, _ = res["Properties"].(map[string]any)
		}
	}
	if props == nil {
		return nil, invalidRevision("The AppSpec resource has no Properties.")
	}
	spec := &appSpec{}
	spec.TaskDefinition, _ = props["TaskDefinition"].(string)
	if strings.TrimSpace(spec.TaskDefinition) == "" {
		return nil, invalidRevision("The AppSpec file's TaskDefinition property is missing; set it to the ARN of the task definition to deploy.")
	}
	lbi, _ := props["LoadBalancerInfo"].(map[string]any)
	if lbi == nil {
		return nil, invalidRevision("The AppSpec file's LoadBalancerInfo property is missing; it names the ContainerName and ContainerPort that receive traffic.")
	}
	spec.ContainerName, _ = lbi["ContainerName"].(string)
	if spec.ContainerName == "" {
		return nil, invalidRevision("The AppSpec file's LoadBalancerInfo.ContainerName is missing.")
	}
	port, ok := lbi["ContainerPort"].(int)
	if !ok || port < 1 || port > 65535 {
		return nil, invalidRevision("The AppSpec file's LoadBalancerInfo.ContainerPort must be a port number (got %v).", lbi["ContainerPort"])
	}
	spec.ContainerPort = port
	if pv, ok := props["PlatformVersion"]; ok {
		s, _ := pv.(string)
		if s == "" {
			return nil, invalidRevision("The AppSpec file's PlatformVersion must be a string such as LATEST or 1.4.0.")
		}
		spec.PlatformVersion = s
	}
	if nc, ok := props["NetworkConfiguration"]; ok {
		net, err := appSpecNetwork(nc)
		if err != nil {
			return nil, err
		}
		spec.Network = net
	}
	if cps, ok := props["CapacityProviderStrategy"]; ok {
		list, _ := cps.([]any)
		if len(list) == 0 {
			return nil, invalidRevision("The AppSpec file's CapacityProviderStrategy must be a non-empty list.")
		}
		for _, it := range list {
			m, _ := it.(map[string]any)
			name, _ := m["CapacityProvider"].(string)
			if name == "" {
				return nil, invalidRevision("Each CapacityProviderStrategy item needs a CapacityProvider.")
			}
			item := map[string]any{"capacityProvider": name}
			for from, to := range map[string]string{"Base": "base", "Weight": "weight"} {
				if v, ok := m[from]; ok {
					n, ok := v.(int)
					if !ok || n < 0 {
						return nil, invalidRevision("CapacityProviderStrategy %s must be a number of 0 or more.", from)
					}
					item[to] = n
				}
			}
			spec.CapacityStrat = append(spec.CapacityStrat, item)
		}
	}
	hooks, err := appSpecHooks(doc["Hooks"])
	if err != nil {
		return nil, err
	}
	spec.Hooks = hooks
	return spec, nil
}

func appSpecNetwork(v any) (map[string]any, error) {
	nc, _ := v.(map[string]any)
	av, _ := nc["AwsvpcConfiguration"].(map[string]any)
	if av == nil {
		return nil, invalidRevision("The AppSpec file's NetworkConfiguration must contain AwsvpcConfiguration.")
	}
	subnets := stringList(av["Subnets"])
	if len(subnets) == 0 {
		return nil, invalidRevision("The AppSpec file's AwsvpcConfiguration.Subnets must list at least one subnet.")
	}
	out := map[string]any{"subnets": subnets}
	if sg, ok := av["SecurityGroups"]; ok {
		out["securityGroups"] = stringList(sg)
	}
	if ip, ok := av["AssignPublicIp"]; ok {
		if ip != "ENABLED" && ip != "DISABLED" {
			return nil, invalidRevision("The AppSpec file's AssignPublicIp must be ENABLED or DISABLED (got %v).", ip)
		}
		out["assignPublicIp"] = ip
	}
	return map[string]any{"awsvpcConfiguration": out}, nil
}

func stringList(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, it := range list {
		if s, ok := it.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// lambdaRef is a Lambda function name, or a partial or full function ARN,
// with an optional version or alias.
var lambdaRef = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^((arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?function:)?[a-zA-Z0-9-_]{1,64}(:(\$LATEST|[a-zA-Z0-9-_]{1,128}))?$`)
})

// appSpecHooks reads the Hooks list: one entry per event, each naming a
// Lambda function for one of the ECS hook events.
func appSpecHooks(v any) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, invalidRevision("The AppSpec file's Hooks must be a list of entries such as - AfterAllowTestTraffic: \"my-function\".")
	}
	hooks := map[string]string{}
	for _, it := range list {
		m, _ := it.(map[string]any)
		for event, fn := range m {
			if !hookEvents[event] {
				return nil, invalidRevision("The AppSpec hook %q is not an ECS lifecycle event; use BeforeInstall, AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic or AfterAllowTraffic.", event)
			}
			name, _ := fn.(string)
			if !lambdaRef().MatchString(name) {
				return nil, invalidRevision("The AppSpec hook %s names %q, which is not a Lambda function name or ARN.", event, fmt.Sprint(fn))
			}
			if _, dup := hooks[event]; dup {
				return nil, invalidRevision("The AppSpec hook %s is given more than once.", event)
			}
			hooks[event] = name
		}
	}
	return hooks, nil
}

func sha256Hex(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}
