package emulator

import (
	"bytes"
	"encoding/json"
	"slices"
)

// deploymentConfigurationIn is the deploymentConfiguration member of
// CreateService and UpdateService.
type deploymentConfigurationIn struct {
	MaximumPercent           *int `json:"maximumPercent"`
	MinimumHealthyPercent    *int `json:"minimumHealthyPercent"`
	DeploymentCircuitBreaker *struct {
		Enable                 *bool           `json:"enable"`
		Rollback               *bool           `json:"rollback"`
		ResetOnHealthyTask     *bool           `json:"resetOnHealthyTask"`
		ThresholdConfiguration json.RawMessage `json:"thresholdConfiguration"`
	} `json:"deploymentCircuitBreaker"`
	Alarms               json.RawMessage `json:"alarms"`
	EarlySuccessCriteria json.RawMessage `json:"earlySuccessCriteria"`
	nativeStrategyIn                     // strategy, bake time, hooks (service_strategy.go)
}

// networkConfigurationIn is an awsvpc networkConfiguration as sent.
type networkConfigurationIn struct {
	AwsvpcConfiguration *struct {
		Subnets        []string `json:"subnets"`
		SecurityGroups []string `json:"securityGroups"`
		AssignPublicIP string   `json:"assignPublicIp"`
	} `json:"awsvpcConfiguration"`
}

// serviceInput holds the members of the service operations (CreateService,
// UpdateService, DescribeServices, DeleteService); each reads its own.
type serviceInput struct {
	Cluster                       string                     `json:"cluster"`
	ServiceName                   string                     `json:"serviceName"`
	Service                       string                     `json:"service"`
	TaskDefinition                string                     `json:"taskDefinition"`
	DesiredCount                  *int                       `json:"desiredCount"`
	LaunchType                    string                     `json:"launchType"`
	CapacityProviderStrategy      json.RawMessage            `json:"capacityProviderStrategy"`
	PlatformVersion               *string                    `json:"platformVersion"`
	DeploymentConfiguration       *deploymentConfigurationIn `json:"deploymentConfiguration"`
	NetworkConfiguration          json.RawMessage            `json:"networkConfiguration"`
	LoadBalancers                 json.RawMessage            `json:"loadBalancers"`
	ServiceRegistries             json.RawMessage            `json:"serviceRegistries"`
	HealthCheckGracePeriodSeconds *int                       `json:"healthCheckGracePeriodSeconds"`
	SchedulingStrategy            string                     `json:"schedulingStrategy"`
	DeploymentController          json.RawMessage            `json:"deploymentController"`
	PlacementConstraints          json.RawMessage            `json:"placementConstraints"`
	PlacementStrategy             json.RawMessage            `json:"placementStrategy"`
	Tags                          []Tag                      `json:"tags"`
	EnableECSManagedTags          *bool                      `json:"enableECSManagedTags"`
	PropagateTags                 *string                    `json:"propagateTags"`
	EnableExecuteCommand          *bool                      `json:"enableExecuteCommand"`
	Role                          string                     `json:"role"`
	ForceNewDeployment            bool                       `json:"forceNewDeployment"`
	ClientToken                   string                     `json:"clientToken"`
	Include                       []string                   `json:"include"`
	Services                      []string                   `json:"services"`
	Force                         bool                       `json:"force"`
	passThroughIn                                            // stored, not simulated (service_passthrough.go)
}

// serviceRawMembers are the service members kept as raw JSON.
var serviceRawMembers = memberKinds{
	"capacityProviderStrategy": '[', "networkConfiguration": '{', "loadBalancers": '[',
	"serviceRegistries": '[', "deploymentController": '{', "placementConstraints": '[',
	"placementStrategy": '[', "deploymentConfiguration": '{',
	"serviceConnectConfiguration": '{', "volumeConfigurations": '[', "vpcLatticeConfigurations": '[',
	"gatewayConnectors": '[', "monitoring": '{',
}

// parseNetwork validates an awsvpc networkConfiguration (nil when absent).
func parseNetwork(raw json.RawMessage) (*networkConfiguration, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var in networkConfigurationIn
	if err := decodeInput(raw, &in); err != nil {
		return nil, err
	}
	if in.AwsvpcConfiguration == nil {
		return nil, invalidParameter("Network Configuration must contain awsvpcConfiguration.")
	}
	a := in.AwsvpcConfiguration
	if len(a.Subnets) == 0 {
		return nil, invalidParameter("subnets can not be empty.")
	}
	if len(a.Subnets) > 16 || len(a.SecurityGroups) > 5 {
		return nil, invalidParameter("At most 16 subnets and 5 security groups can be given.")
	}
	if a.AssignPublicIP != "" && a.AssignPublicIP != "ENABLED" && a.AssignPublicIP != "DISABLED" {
		return nil, invalidParameter("assignPublicIp must be ENABLED or DISABLED.")
	}
	return &networkConfiguration{Subnets: a.Subnets, SecurityGroups: a.SecurityGroups, AssignPublicIP: a.AssignPublicIP, Raw: raw}, nil
}

// checkLaunch checks that td can run with the launch type and network.
func checkLaunch(td *taskDef, launchType string, network *networkConfiguration) error {
	if launchType != "" && launchType != "EC2" && launchType != "FARGATE" && launchType != "EXTERNAL" {
		return invalidParameter("launchType must be EC2, FARGATE or EXTERNAL.")
	}
	if launchType == "FARGATE" && !slices.Contains(td.Compatibilities, "FARGATE") {
		return invalidParameter("Task definition does not support launch_type FARGATE.")
	}
	if td.NetworkMode == "awsvpc" && network == nil {
		return invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
	}
	if td.NetworkMode != "awsvpc" && network != nil {
		return invalidParameter("Network Configuration is not valid for the given networkMode of this task definition.")
	}
	return nil
}

func applyDeploymentConfig(cfg *deploymentConfiguration, in *deploymentConfigurationIn) error {
	if in == nil {
		return nil
	}
	if in.MaximumPercent != nil {
		cfg.MaximumPercent = *in.MaximumPercent
	}
	if in.MinimumHealthyPercent != nil {
		cfg.MinimumHealthyPercent = *in.MinimumHealthyPercent
	}
	if cb := in.DeploymentCircuitBreaker; cb != nil {
		if cb.Enable == nil || cb.Rollback == nil {
			return invalidParameter("deploymentCircuitBreaker requires both enable and rollback.")
		}
		cfg.CircuitBreaker, cfg.Rollback = *cb.Enable, *cb.Rollback
	}
	if in.Alarms != nil {
		cfg.Alarms = in.Alarms
	}
	if err := cfg.configPassThrough.apply(in); err != nil {
		return err
	}
	if err := applyNativeStrategy(cfg, &in.nativeStrategyIn); err != nil {
		return err
	}
	if cfg.MinimumHealthyPercent < 0 || cfg.MinimumHealthyPercent > 100 {
		return invalidParameter("minimumHealthyPercent must be between 0 and 100.")
	}
	if cfg.MaximumPercent < 100 && cfg.MinimumHealthyPercent == 100 || cfg.MaximumPercent < 0 {
		return invalidParameter("maximumPercent must be at least 100 when minimumHealthyPercent is 100.")
	}
	if cfg.MaximumPercent <= 0 {
		return invalidParameter("maximumPercent must be greater than 0.")
	}
	return nil
}

// addsSubnetsOnly reports whether next is old with subnets added and
// nothing else changed (the same security groups and assignPublicIp).
//
// ECS's UpdateService says a networkConfiguration change starts a new
// deployment; adding subnets to the ones a service already uses is the
// one change it applies without one. Removing a subnet, or changing the
// security groups or assignPublicIp, starts a deployment as before.
func addsSubnetsOnly(old, next *networkConfiguration) bool {
	if old == nil || next == nil || len(next.Subnets) <= len(old.Subnets) {
		return false
	}
	for _, sn := range old.Subnets {
		if !slices.Contains(next.Subnets, sn) {
			return false
		}
	}
	publicIP := func(v string) string { return cmpOr(v, "DISABLED") }
	if publicIP(old.AssignPublicIP) != publicIP(next.AssignPublicIP) || len(old.SecurityGroups) != len(next.SecurityGroups) {
		return false
	}
	for _, sg := range old.SecurityGroups {
		if !slices.Contains(next.SecurityGroups, sg) {
			return false
		}
	}
	return true
}

func rawOf(n *networkConfiguration) json.RawMessage {
	if n == nil {
		return nil
	}
	return n.Raw
}

// sameJSON compares two JSON documents by value.
func sameJSON(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(bytes.TrimSpace(a)) == len(bytes.TrimSpace(b))
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return bytes.Equal(a, b)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return bytes.Equal(ja, jb)
}
