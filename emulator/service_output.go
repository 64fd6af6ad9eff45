package emulator

import "encoding/json"

// placementOut is how ECS reports where the tasks of a service, a
// deployment, a task set or a service revision run; the four shapes carry
// these members alike.
type placementOut struct {
	LaunchType               string          `json:"launchType,omitempty"`
	CapacityProviderStrategy json.RawMessage `json:"capacityProviderStrategy,omitempty"`
	PlatformVersion          string          `json:"platformVersion,omitempty"`
	PlatformFamily           string          `json:"platformFamily,omitempty"`
	NetworkConfiguration     json.RawMessage `json:"networkConfiguration,omitempty"`
}

// placementOutput renders a placement. runsOn is the launch type the tasks
// really use (FARGATE through a capacity provider too): ECS names the
// platform family of Fargate tasks only.
func placementOutput(launchType string, providers json.RawMessage, platformVersion string, network *networkConfiguration, runsOn string) placementOut {
	out := placementOut{LaunchType: launchType, CapacityProviderStrategy: providers, PlatformVersion: platformVersion, NetworkConfiguration: rawOf(network)}
	if runsOn == "FARGATE" {
		out.PlatformFamily = "Linux"
	}
	return out
}

type serviceOut struct {
	ServiceArn        string          `json:"serviceArn"`
	ServiceName       string          `json:"serviceName"`
	ClusterArn        string          `json:"clusterArn"`
	LoadBalancers     json.RawMessage `json:"loadBalancers"`
	ServiceRegistries json.RawMessage `json:"serviceRegistries"`
	Status            string          `json:"status"`
	DesiredCount      int             `json:"desiredCount"`
	RunningCount      int             `json:"runningCount"`
	PendingCount      int             `json:"pendingCount"`
	placementOut
	TaskDefinition                string          `json:"taskDefinition"`
	DeploymentConfiguration       deployConfigOut `json:"deploymentConfiguration"`
	TaskSets                      []taskSetOut    `json:"taskSets,omitempty"`
	Deployments                   []deploymentOut `json:"deployments"`
	RoleArn                       string          `json:"roleArn,omitempty"`
	Events                        []eventOut      `json:"events"`
	CreatedAt                     epoch           `json:"createdAt"`
	PlacementConstraints          json.RawMessage `json:"placementConstraints"`
	PlacementStrategy             json.RawMessage `json:"placementStrategy"`
	HealthCheckGracePeriodSeconds *int            `json:"healthCheckGracePeriodSeconds,omitempty"`
	SchedulingStrategy            string          `json:"schedulingStrategy"`
	DeploymentController          json.RawMessage `json:"deploymentController"`
	Tags                          []Tag           `json:"tags,omitempty"`
	CreatedBy                     string          `json:"createdBy,omitempty"`
	EnableECSManagedTags          bool            `json:"enableECSManagedTags"`
	PropagateTags                 string          `json:"propagateTags"`
	EnableExecuteCommand          bool            `json:"enableExecuteCommand"`
	AvailabilityZoneRebalancing   string          `json:"availabilityZoneRebalancing,omitempty"`
}

type deployConfigOut struct {
	DeploymentCircuitBreaker struct {
		Enable   bool `json:"enable"`
		Rollback bool `json:"rollback"`
		breakerPassThroughOut
	} `json:"deploymentCircuitBreaker"`
	MaximumPercent        int             `json:"maximumPercent"`
	MinimumHealthyPercent int             `json:"minimumHealthyPercent"`
	Alarms                json.RawMessage `json:"alarms,omitempty"`
	EarlySuccessCriteria  json.RawMessage `json:"earlySuccessCriteria,omitempty"`
	nativeStrategyOut
}

type deploymentOut struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	TaskDefinition string `json:"taskDefinition"`
	DesiredCount   int    `json:"desiredCount"`
	PendingCount   int    `json:"pendingCount"`
	RunningCount   int    `json:"runningCount"`
	FailedTasks    int    `json:"failedTasks"`
	CreatedAt      epoch  `json:"createdAt"`
	UpdatedAt      epoch  `json:"updatedAt"`
	placementOut
	RolloutState             string          `json:"rolloutState"`
	RolloutStateReason       string          `json:"rolloutStateReason"`
	ServiceConnect           json.RawMessage `json:"serviceConnectConfiguration,omitempty"`
	VolumeConfigurations     json.RawMessage `json:"volumeConfigurations,omitempty"`
	VpcLatticeConfigurations json.RawMessage `json:"vpcLatticeConfigurations,omitempty"`
}

type eventOut struct {
	ID        string `json:"id"`
	CreatedAt epoch  `json:"createdAt"`
	Message   string `json:"message"`
}

func orEmptyList(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("[]")
	}
	return raw
}

// serviceOutput renders s as ECS's Service shape.
func (e *Emulator) serviceOutput(s *service, withTags bool) serviceOut {
	out := serviceOut{
		ServiceArn: s.ARN, ServiceName: s.Name, ClusterArn: s.ClusterARN,
		LoadBalancers: orEmptyList(s.LoadBalancers), ServiceRegistries: orEmptyList(s.ServiceRegistries),
		Status: s.Status, DesiredCount: s.DesiredCount,
		placementOut:   placementOutput(s.LaunchType, s.CapacityProviders, s.PlatformVersion, s.Network, s.runLaunchType()),
		TaskDefinition: s.TaskDefinition, RoleArn: s.RoleARN, CreatedAt: epoch(s.CreatedAt),
		PlacementConstraints: orEmptyList(s.PlacementConstraints), PlacementStrategy: orEmptyList(s.PlacementStrategy),
		HealthCheckGracePeriodSeconds: s.GracePeriod,
		SchedulingStrategy:            s.SchedulingStrategy, DeploymentController: s.DeploymentController,
		CreatedBy: s.CreatedBy, EnableECSManagedTags: s.EnableManagedTags, PropagateTags: s.PropagateTags,
		EnableExecuteCommand: s.EnableExecuteCommand,
	}
	if out.PropagateTags == "" {
		out.PropagateTags = "NONE"
	}
	if out.DeploymentController == nil {
		out.DeploymentController = json.RawMessage(`{"type":"ECS"}`)
	}
	out.DeploymentConfiguration.DeploymentCircuitBreaker.Enable = s.Config.CircuitBreaker
	out.DeploymentConfiguration.DeploymentCircuitBreaker.Rollback = s.Config.Rollback
	out.DeploymentConfiguration.MaximumPercent = s.Config.MaximumPercent
	out.DeploymentConfiguration.MinimumHealthyPercent = s.Config.MinimumHealthyPercent
	out.DeploymentConfiguration.Alarms = s.Config.Alarms
	s.Config.configPassThrough.output(&out.DeploymentConfiguration)
	out.DeploymentConfiguration.nativeStrategyOut = s.Config.nativeStrategy.output()
	out.AvailabilityZoneRebalancing = s.AZRebalancing
	out.Deployments = make([]deploymentOut, 0, len(s.Deployments))
	for _, d := range s.Deployments {
		out.RunningCount += d.RunningCount
		out.PendingCount += d.PendingCount
		do := deploymentOut{
			ID: d.ID, Status: d.Status, TaskDefinition: d.TaskDefinition, DesiredCount: d.DesiredCount,
			PendingCount: d.PendingCount, RunningCount: d.RunningCount, FailedTasks: d.FailedTasks,
			CreatedAt: epoch(d.CreatedAt), UpdatedAt: epoch(d.UpdatedAt),
			placementOut: placementOutput(d.LaunchType, d.CapacityProviders, d.PlatformVersion, d.Network, d.runLaunchType()),
			RolloutState: d.RolloutState, RolloutStateReason: d.RolloutStateReason,
		}
		if d.Status == "PRIMARY" {
			do.ServiceConnect, do.VolumeConfigurations, do.VpcLatticeConfigurations = s.ServiceConnect, s.Volumes, s.VpcLattice
		}
		out.Deployments = append(out.Deployments, do)
	}
	if out.TaskSets = e.taskSetsOutput(s); out.TaskSets != nil {
		for _, ts := range out.TaskSets {
			out.RunningCount += ts.RunningCount
			out.PendingCount += ts.PendingCount
		}
	}
	out.Events = make([]eventOut, len(s.Events))
	for i, ev := range s.Events {
		out.Events[i] = eventOut{ID: ev.ID, CreatedAt: epoch(ev.CreatedAt), Message: ev.Message}
	}
	if withTags {
		out.Tags = tagsOut(s.Tags)
	}
	return out
}
