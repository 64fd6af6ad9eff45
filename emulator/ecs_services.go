package emulator

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
)

func init() {
	registerECSOp("CreateService", (*ecsCall).createService)
	registerECSOp("UpdateService", (*ecsCall).updateService)
	registerECSOp("DescribeServices", (*ecsCall).describeServices)
	registerECSOp("ListServices", (*ecsCall).listServices)
	registerECSOp("DeleteService", (*ecsCall).deleteService)
}

type deploymentConfigurationIn struct {
	MaximumPercent           *int `json:"maximumPercent"`
	MinimumHealthyPercent    *int `json:"minimumHealthyPercent"`
	DeploymentCircuitBreaker *struct {
		Enable   *bool `json:"enable"`
		Rollback *bool `json:"rollback"`
	} `json:"deploymentCircuitBreaker"`
	Alarms json.RawMessage `json:"alarms"`
}

type networkConfigurationIn struct {
	AwsvpcConfiguration *struct {
		Subnets        []string `json:"subnets"`
		SecurityGroups []string `json:"securityGroups"`
		AssignPublicIP string   `json:"assignPublicIp"`
	} `json:"awsvpcConfiguration"`
}

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
}

// maxServiceTasks is ECS's default quota of tasks per service.
const maxServiceTasks = 5000

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

func (x *ecsCall) createService(body []byte) (any, error) {
	in, err := ecsDecode[serviceInput](body)
	if err != nil {
		return nil, err
	}
	if err := required("serviceName", in.ServiceName); err != nil {
		return nil, err
	}
	if !namePattern.MatchString(in.ServiceName) {
		return nil, invalidParameter("Service name must be up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.")
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if err := required("taskDefinition", in.TaskDefinition); err != nil {
		return nil, err
	}
	td, err := x.usableTaskDef(in.TaskDefinition)
	if err != nil {
		return nil, err
	}
	network, err := parseNetwork(in.NetworkConfiguration)
	if err != nil {
		return nil, err
	}
	launchType := in.LaunchType
	if launchType == "" && len(in.CapacityProviderStrategy) == 0 {
		launchType = "EC2"
	}
	if err := checkLaunch(td, launchType, network); err != nil {
		return nil, err
	}
	strategy := in.SchedulingStrategy
	if strategy == "" {
		strategy = "REPLICA"
	}
	if strategy != "REPLICA" {
		return nil, Errorf("UnsupportedFeatureException", "The local ECS supports only the REPLICA scheduling strategy.")
	}
	desired := 0
	if in.DesiredCount != nil {
		desired = *in.DesiredCount
	}
	if desired < 0 || desired > maxServiceTasks {
		return nil, invalidParameter("desiredCount must be between 0 and %d.", maxServiceTasks)
	}
	if in.HealthCheckGracePeriodSeconds != nil && *in.HealthCheckGracePeriodSeconds < 0 {
		return nil, invalidParameter("healthCheckGracePeriodSeconds must be at least 0.")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	cfg := deploymentConfiguration{MaximumPercent: 200, MinimumHealthyPercent: 100}
	if err := applyDeploymentConfig(&cfg, in.DeploymentConfiguration); err != nil {
		return nil, err
	}
	if old := c.Services[in.ServiceName]; old != nil && old.Status != "INACTIVE" {
		return nil, invalidParameter("Creation of service was not idempotent.")
	}
	s := &service{
		Name: in.ServiceName, ARN: x.serviceARN(c.Name, in.ServiceName), ClusterARN: c.ARN, Status: "ACTIVE",
		Seq: x.reg.next(), DesiredCount: desired, LaunchType: launchType, CapacityProviders: in.CapacityProviderStrategy,
		TaskDefinition: td.ARN, Config: cfg, LoadBalancers: in.LoadBalancers, ServiceRegistries: in.ServiceRegistries,
		Network: network, GracePeriod: in.HealthCheckGracePeriodSeconds, SchedulingStrategy: strategy,
		DeploymentController: in.DeploymentController, PlacementConstraints: in.PlacementConstraints,
		PlacementStrategy: in.PlacementStrategy, Tags: in.Tags, RoleARN: in.Role, CreatedAt: x.rc.Now,
		CreatedBy: "arn:aws:iam::" + x.rc.AccountID + ":root",
	}
	if in.PlatformVersion != nil {
		s.PlatformVersion = *in.PlatformVersion
	} else if launchType == "FARGATE" {
		s.PlatformVersion = "LATEST"
	}
	if in.EnableECSManagedTags != nil {
		s.EnableManagedTags = *in.EnableECSManagedTags
	}
	if in.PropagateTags != nil {
		s.PropagateTags = *in.PropagateTags
	}
	if in.EnableExecuteCommand != nil {
		s.EnableExecuteCommand = *in.EnableExecuteCommand
	}
	c.Services[s.Name] = s
	x.em.startDeployment(s, x.rc.Now)
	return map[string]any{"service": x.em.serviceOutput(s, true)}, nil
}

// findService resolves a service name or ARN in c.
func findService(c *cluster, ref string) *service {
	return c.Services[lastSegment(ref)]
}

func (x *ecsCall) updateService(body []byte) (any, error) {
	in, err := ecsDecode[serviceInput](body)
	if err != nil {
		return nil, err
	}
	if err := required("service", in.Service); err != nil {
		return nil, err
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	s := findService(c, in.Service)
	if s == nil {
		return nil, Errorf("ServiceNotFoundException", "Service not found.")
	}
	if s.Status != "ACTIVE" {
		return nil, Errorf("ServiceNotActiveException", "Service was not ACTIVE.")
	}
	// Validate everything before changing anything.
	td := x.findTaskDef(s.TaskDefinition)
	if in.TaskDefinition != "" {
		if td, err = x.usableTaskDef(in.TaskDefinition); err != nil {
			return nil, err
		}
	}
	network := s.Network
	if in.NetworkConfiguration != nil {
		if network, err = parseNetwork(in.NetworkConfiguration); err != nil {
			return nil, err
		}
	}
	if td == nil {
		return nil, clientError("TaskDefinition not found.")
	}
	if err := checkLaunch(td, s.LaunchType, network); err != nil {
		return nil, err
	}
	if in.DesiredCount != nil && (*in.DesiredCount < 0 || *in.DesiredCount > maxServiceTasks) {
		return nil, invalidParameter("desiredCount must be between 0 and %d.", maxServiceTasks)
	}
	if in.HealthCheckGracePeriodSeconds != nil && *in.HealthCheckGracePeriodSeconds < 0 {
		return nil, invalidParameter("healthCheckGracePeriodSeconds must be at least 0.")
	}
	cfg := s.Config
	if err := applyDeploymentConfig(&cfg, in.DeploymentConfiguration); err != nil {
		return nil, err
	}

	// Members that start a new deployment when they change (or with forceNewDeployment).
	redeploy := in.ForceNewDeployment
	if td.ARN != s.TaskDefinition {
		s.TaskDefinition, redeploy = td.ARN, true
	}
	if in.NetworkConfiguration != nil && !sameJSON(in.NetworkConfiguration, rawOf(s.Network)) {
		s.Network, redeploy = network, true
	}
	if in.PlatformVersion != nil && *in.PlatformVersion != s.PlatformVersion {
		s.PlatformVersion, redeploy = *in.PlatformVersion, true
	}
	if in.LoadBalancers != nil && !sameJSON(in.LoadBalancers, s.LoadBalancers) {
		s.LoadBalancers, redeploy = in.LoadBalancers, true
	}
	if in.ServiceRegistries != nil && !sameJSON(in.ServiceRegistries, s.ServiceRegistries) {
		s.ServiceRegistries, redeploy = in.ServiceRegistries, true
	}
	// Members that apply in place.
	s.Config = cfg
	if in.DesiredCount != nil {
		s.DesiredCount = *in.DesiredCount
		s.Deployments[0].DesiredCount = s.DesiredCount
	}
	if in.CapacityProviderStrategy != nil {
		s.CapacityProviders = in.CapacityProviderStrategy
	}
	if in.HealthCheckGracePeriodSeconds != nil {
		s.GracePeriod = in.HealthCheckGracePeriodSeconds
	}
	if in.PlacementConstraints != nil {
		s.PlacementConstraints = in.PlacementConstraints
	}
	if in.PlacementStrategy != nil {
		s.PlacementStrategy = in.PlacementStrategy
	}
	if in.EnableExecuteCommand != nil {
		s.EnableExecuteCommand = *in.EnableExecuteCommand
	}
	if in.EnableECSManagedTags != nil {
		s.EnableManagedTags = *in.EnableECSManagedTags
	}
	if in.PropagateTags != nil {
		s.PropagateTags = *in.PropagateTags
	}
	if redeploy {
		x.em.startDeployment(s, x.rc.Now)
	}
	s.touched = true
	return map[string]any{"service": x.em.serviceOutput(s, false)}, nil
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

func (x *ecsCall) describeServices(body []byte) (any, error) {
	in, err := ecsDecode[serviceInput](body)
	if err != nil {
		return nil, err
	}
	if len(in.Services) == 0 {
		return nil, invalidParameter("Services cannot be empty.")
	}
	if len(in.Services) > 10 {
		return nil, invalidParameter("Too many services specified. A maximum of 10 services can be described at once.")
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	withTags := slices.Contains(in.Include, "TAGS")
	out := make([]serviceOut, 0, len(in.Services))
	fails := []failure{}
	for _, ref := range in.Services {
		s := findService(c, ref)
		if s == nil {
			arn := ref
			if !isARN(ref) {
				arn = x.serviceARN(c.Name, ref)
			}
			fails = append(fails, failure{Arn: arn, Reason: "MISSING"})
			continue
		}
		out = append(out, x.em.serviceOutput(s, withTags))
	}
	return struct {
		Services []serviceOut `json:"services"`
		Failures []failure    `json:"failures"`
	}{out, fails}, nil
}

type listServicesInput struct {
	Cluster            string `json:"cluster"`
	LaunchType         string `json:"launchType"`
	SchedulingStrategy string `json:"schedulingStrategy"`
	NextToken          string `json:"nextToken"`
	MaxResults         *int   `json:"maxResults"`
}

func (x *ecsCall) listServices(body []byte) (any, error) {
	in, err := ecsDecode[listServicesInput](body)
	if err != nil {
		return nil, err
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	var ss []*service
	for _, s := range c.Services {
		if s.Status == "INACTIVE" {
			continue
		}
		if in.LaunchType != "" && s.LaunchType != in.LaunchType {
			continue
		}
		if in.SchedulingStrategy != "" && s.SchedulingStrategy != in.SchedulingStrategy {
			continue
		}
		ss = append(ss, s)
	}
	sort.Slice(ss, func(i, j int) bool { return ss[i].Seq < ss[j].Seq })
	arns := make([]string, len(ss))
	for i, s := range ss {
		arns[i] = s.ARN
	}
	page, next, err := paginate(arns, in.NextToken, in.MaxResults, 10)
	if err != nil {
		return nil, err
	}
	return listOutput("serviceArns", page, next), nil
}

func (x *ecsCall) deleteService(body []byte) (any, error) {
	in, err := ecsDecode[serviceInput](body)
	if err != nil {
		return nil, err
	}
	if err := required("service", in.Service); err != nil {
		return nil, err
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	s := findService(c, in.Service)
	if s == nil || s.Status == "INACTIVE" {
		return nil, Errorf("ServiceNotFoundException", "Service not found.")
	}
	if s.DesiredCount > 0 && !in.Force {
		return nil, invalidParameter("The service cannot be stopped while it is scaled above 0.")
	}
	s.Status = "DRAINING"
	s.DesiredCount = 0
	s.stopHistory("The service was deleted.", x.rc.Now)
	s.touched = true
	for _, d := range s.Deployments {
		d.DesiredCount = 0
	}
	return map[string]any{"service": x.em.serviceOutput(s, false)}, nil
}
