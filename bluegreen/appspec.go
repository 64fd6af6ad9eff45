// Package bluegreen deploys services whose traffic moves between two sets of
// tasks: through CodeDeploy (an AppSpec, lifecycle hooks, traffic shifting,
// a termination wait) and through ECS's own blue/green, linear and canary
// strategies. This file builds the AppSpec CodeDeploy needs for an ECS
// deployment from the new revision and the service as it is.
package bluegreen

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"go.yaml.in/yaml/v3"
)

// HookEvents are the lifecycle events of an ECS deployment that may run a
// Lambda hook, in the order CodeDeploy runs them.
var HookEvents = []string{"BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"}

// Hook runs a Lambda function at a lifecycle event.
type Hook struct {
	Event    string // one of HookEvents
	Function string // function name or ARN
}

// AppSpec is CodeDeploy's application specification for an ECS deployment.
// Field names and nesting are CodeDeploy's; the same value renders as YAML
// or as JSON.
type AppSpec struct {
	Version   string              `yaml:"version" json:"version"`
	Resources []map[string]Target `yaml:"Resources" json:"Resources"`
	Hooks     []map[string]string `yaml:"Hooks,omitempty" json:"Hooks,omitempty"`
}

// Target is the one resource of an ECS AppSpec: the service to deploy.
type Target struct {
	Type       string     `yaml:"Type" json:"Type"`
	Properties Properties `yaml:"Properties" json:"Properties"`
}

// Properties say what the replacement task set runs and how it is reached.
type Properties struct {
	TaskDefinition           string                 `yaml:"TaskDefinition" json:"TaskDefinition"`
	LoadBalancerInfo         LoadBalancerInfo       `yaml:"LoadBalancerInfo" json:"LoadBalancerInfo"`
	PlatformVersion          string                 `yaml:"PlatformVersion,omitempty" json:"PlatformVersion,omitempty"`
	NetworkConfiguration     *NetworkConfiguration  `yaml:"NetworkConfiguration,omitempty" json:"NetworkConfiguration,omitempty"`
	CapacityProviderStrategy []CapacityProviderItem `yaml:"CapacityProviderStrategy,omitempty" json:"CapacityProviderStrategy,omitempty"`
}

// LoadBalancerInfo names the container and port that receive traffic.
type LoadBalancerInfo struct {
	ContainerName string `yaml:"ContainerName" json:"ContainerName"`
	ContainerPort int32  `yaml:"ContainerPort" json:"ContainerPort"`
}

// NetworkConfiguration is the awsvpc configuration of the replacement tasks.
type NetworkConfiguration struct {
	AwsvpcConfiguration AwsvpcConfiguration `yaml:"AwsvpcConfiguration" json:"AwsvpcConfiguration"`
}

// AwsvpcConfiguration lists subnets and security groups; AssignPublicIp is
// ENABLED or DISABLED.
type AwsvpcConfiguration struct {
	Subnets        []string `yaml:"Subnets" json:"Subnets"`
	SecurityGroups []string `yaml:"SecurityGroups,omitempty" json:"SecurityGroups,omitempty"`
	AssignPublicIP string   `yaml:"AssignPublicIp,omitempty" json:"AssignPublicIp,omitempty"`
}

// CapacityProviderItem is one capacity provider of the strategy.
type CapacityProviderItem struct {
	CapacityProvider string `yaml:"CapacityProvider" json:"CapacityProvider"`
	Base             int32  `yaml:"Base,omitempty" json:"Base,omitempty"`
	Weight           int32  `yaml:"Weight,omitempty" json:"Weight,omitempty"`
}

// NewAppSpec builds the AppSpec for deploying taskDefinition (an ARN) to
// svc: the container and port from the service's load balancer, and its
// network configuration, platform version and capacity provider strategy,
// so that the replacement task set runs as the original does. The hooks
// are checked and ordered as CodeDeploy runs them.
func NewAppSpec(taskDefinition string, svc types.Service, hooks []Hook) (*AppSpec, error) {
	if len(svc.LoadBalancers) == 0 {
		return nil, fmt.Errorf("service %s has no load balancer: a CodeDeploy blue/green deployment moves traffic between two target groups, so the service needs one", aws.ToString(svc.ServiceName))
	}
	lb := svc.LoadBalancers[0]
	if aws.ToString(lb.ContainerName) == "" || lb.ContainerPort == nil {
		return nil, fmt.Errorf("service %s: its load balancer names no container and port", aws.ToString(svc.ServiceName))
	}
	props := Properties{
		TaskDefinition:   taskDefinition,
		LoadBalancerInfo: LoadBalancerInfo{ContainerName: aws.ToString(lb.ContainerName), ContainerPort: aws.ToInt32(lb.ContainerPort)},
		PlatformVersion:  aws.ToString(svc.PlatformVersion),
	}
	if nc := svc.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
		vpc := nc.AwsvpcConfiguration
		props.NetworkConfiguration = &NetworkConfiguration{AwsvpcConfiguration: AwsvpcConfiguration{
			Subnets: vpc.Subnets, SecurityGroups: vpc.SecurityGroups, AssignPublicIP: string(vpc.AssignPublicIp),
		}}
	}
	for _, cp := range svc.CapacityProviderStrategy {
		props.CapacityProviderStrategy = append(props.CapacityProviderStrategy, CapacityProviderItem{
			CapacityProvider: aws.ToString(cp.CapacityProvider), Base: cp.Base, Weight: cp.Weight,
		})
	}
	spec := &AppSpec{Version: "0.0", Resources: []map[string]Target{{"TargetService": {Type: "AWS::ECS::Service", Properties: props}}}}
	ordered, err := orderHooks(hooks)
	if err != nil {
		return nil, err
	}
	for _, h := range ordered {
		spec.Hooks = append(spec.Hooks, map[string]string{h.Event: h.Function})
	}
	return spec, nil
}

// orderHooks checks each hook's event and puts them in CodeDeploy's order.
// An event may have one hook only, as in an AppSpec.
func orderHooks(hooks []Hook) ([]Hook, error) {
	seen := map[string]bool{}
	for _, h := range hooks {
		if !slices.Contains(HookEvents, h.Event) {
			return nil, fmt.Errorf("hook event %q does not exist for ECS deployments: use one of %s", h.Event, strings.Join(HookEvents, ", "))
		}
		if seen[h.Event] {
			return nil, fmt.Errorf("hook event %s is given twice: an AppSpec runs one function per event", h.Event)
		}
		if strings.TrimSpace(h.Function) == "" {
			return nil, fmt.Errorf("hook %s names no Lambda function", h.Event)
		}
		seen[h.Event] = true
	}
	out := slices.Clone(hooks)
	slices.SortStableFunc(out, func(a, b Hook) int {
		return slices.Index(HookEvents, a.Event) - slices.Index(HookEvents, b.Event)
	})
	return out, nil
}

// ParseHook reads "Event=FunctionNameOrArn" (the --hook flag).
func ParseHook(s string) (Hook, error) {
	event, fn, ok := strings.Cut(s, "=")
	if !ok || event == "" || fn == "" {
		return Hook{}, fmt.Errorf("write a hook as Event=FunctionNameOrArn, for example AfterAllowTestTraffic=smoke-tests")
	}
	return Hook{Event: strings.TrimSpace(event), Function: strings.TrimSpace(fn)}, nil
}

// YAML renders the AppSpec as YAML.
func (a *AppSpec) YAML() (string, error) {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(a); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// JSON renders the AppSpec as indented JSON.
func (a *AppSpec) JSON() (string, error) {
	b, err := json.MarshalIndent(a, "", "  ")
	return string(b) + "\n", err
}
