package emulator

import (
	"encoding/json"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// state is everything the emulator knows, per region. It is plain data so
// that it can be saved as JSON; only the Emulator's lock guards it.
type state struct {
	Regions map[string]*regionState `json:"regions"`
}

func newState() *state { return &state{Regions: map[string]*regionState{}} }

// regionState is one region of the account.
type regionState struct {
	Name     string              `json:"name"`
	Clusters map[string]*cluster `json:"clusters,omitempty"` // always written, by encodeSaved
	Families map[string]*family  `json:"families,omitempty"` // always written, by encodeSaved
	SubnetAZ map[string]string   `json:"subnetAZ"`           // awsvpc subnets get zones round robin
	Sequence int64               `json:"sequence"`           // orders resources by creation
	// Initialized is set once the region has served a request (the default
	// cluster is created then, and not again after a user deletes it).
	Initialized bool `json:"initialized"`
}

func (s *state) region(name string) *regionState {
	r := s.Regions[name]
	if r == nil {
		r = &regionState{Name: name, Clusters: map[string]*cluster{}, Families: map[string]*family{}, SubnetAZ: map[string]string{}}
		s.Regions[name] = r
	}
	return r
}

func (r *regionState) next() int64 { r.Sequence++; return r.Sequence }

// Tag is an ECS resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// cluster is an ECS cluster with its services, tasks and instances.
type cluster struct {
	Name              string               `json:"name"`
	ARN               string               `json:"arn"`
	Status            string               `json:"status"` // ACTIVE or INACTIVE
	Seq               int64                `json:"seq"`
	Tags              []Tag                `json:"tags,omitempty"`
	Settings          json.RawMessage      `json:"settings,omitempty"`
	Configuration     json.RawMessage      `json:"configuration,omitempty"`
	CapacityProviders []string             `json:"capacityProviders,omitempty"`
	DefaultStrategy   json.RawMessage      `json:"defaultStrategy,omitempty"`
	Services          map[string]*service  `json:"services,omitempty"` // always written, by encodeSaved
	Tasks             map[string]*task     `json:"tasks,omitempty"`    // always written, by encodeSaved
	Instances         []*containerInstance `json:"instances"`
	// RunTokens are the clientTokens of RunTask calls: a call repeated with
	// the same token (an SDK retry after a lost reply) gets the same tasks.
	RunTokens map[string]runToken `json:"runTokens,omitempty"`

	// Indexes rebuilt after a load (see wake.go).
	indexed   bool
	wakeQ     wakeQueue
	byService map[string][]*task
}

// runToken is what a RunTask clientToken stands for: the request and the
// tasks it started.
type runToken struct {
	Request string   `json:"request"` // SHA-256 of the request body
	Tasks   []string `json:"tasks"`   // task ids
}

// containerInstance is an EC2 instance registered in a cluster; capacity comes from the scenario.
type containerInstance struct {
	ID           string    `json:"id"`
	ARN          string    `json:"arn"`
	EC2ID        string    `json:"ec2Id"`
	AZ           string    `json:"az"`
	InstanceType string    `json:"instanceType"`
	CPU          int       `json:"cpu"`
	Memory       int       `json:"memory"`
	Status       string    `json:"status"` // ACTIVE, DRAINING
	RegisteredAt time.Time `json:"registeredAt"`
	Seq          int64     `json:"seq"`
}

// family is a task-definition family: every revision ever registered.
type family struct {
	Name      string     `json:"name"`
	Revisions []*taskDef `json:"revisions"` // index = revision-1
}

// taskDef is one registered revision. Members holds the registered input
// (defaults applied) so that Describe echoes everything the caller sent.
type taskDef struct {
	Family            string                     `json:"family"`
	Revision          int                        `json:"revision"`
	ARN               string                     `json:"arn"`
	Status            string                     `json:"status"`
	Members           map[string]json.RawMessage `json:"members"`
	Containers        []containerDef             `json:"containers"`
	NetworkMode       string                     `json:"networkMode"`
	Requires          []string                   `json:"requires,omitempty"`
	Compatibilities   []string                   `json:"compatibilities"`
	CPU               int                        `json:"cpu,omitempty"`    // task-level units, 0 if unset
	Memory            int                        `json:"memory,omitempty"` // task-level MiB, 0 if unset
	RegisteredAt      time.Time                  `json:"registeredAt"`
	RegisteredBy      string                     `json:"registeredBy"`
	DeregisteredAt    time.Time                  `json:"deregisteredAt,omitzero"`
	DeleteRequestedAt time.Time                  `json:"deleteRequestedAt,omitzero"`
	Tags              []Tag                      `json:"tags,omitempty"`
}

// service is an ECS service and its rolling-deployment state.
type service struct {
	Name                 string                  `json:"name"`
	ARN                  string                  `json:"arn"`
	ClusterARN           string                  `json:"clusterArn"`
	Status               string                  `json:"status"` // ACTIVE, DRAINING, INACTIVE
	Seq                  int64                   `json:"seq"`
	DesiredCount         int                     `json:"desiredCount"`
	LaunchType           string                  `json:"launchType,omitempty"`
	CapacityProviders    json.RawMessage         `json:"capacityProviders,omitempty"`
	PlatformVersion      string                  `json:"platformVersion,omitempty"`
	TaskDefinition       string                  `json:"taskDefinition"`
	Config               deploymentConfiguration `json:"config"`
	Deployments          []*deployment           `json:"deployments"`
	TaskSets             []*taskSet              `json:"taskSets,omitempty"` // EXTERNAL and CODE_DEPLOY controllers
	LoadBalancers        json.RawMessage         `json:"loadBalancers,omitempty"`
	ServiceRegistries    json.RawMessage         `json:"serviceRegistries,omitempty"`
	Network              *networkConfiguration   `json:"network,omitempty"`
	GracePeriod          *int                    `json:"gracePeriod,omitempty"`
	SchedulingStrategy   string                  `json:"schedulingStrategy"`
	DeploymentController json.RawMessage         `json:"deploymentController,omitempty"`
	PlacementConstraints json.RawMessage         `json:"placementConstraints,omitempty"`
	PlacementStrategy    json.RawMessage         `json:"placementStrategy,omitempty"`
	Tags                 []Tag                   `json:"tags,omitempty"`
	EnableManagedTags    bool                    `json:"enableManagedTags,omitempty"`
	PropagateTags        string                  `json:"propagateTags,omitempty"`
	EnableExecuteCommand bool                    `json:"enableExecuteCommand,omitempty"`
	RoleARN              string                  `json:"roleArn,omitempty"`
	CreatedAt            time.Time               `json:"createdAt"`
	CreatedBy            string                  `json:"createdBy,omitempty"`
	Events               []serviceEvent          `json:"events"` // newest first, at most maxEvents
	LastCompleted        *deployment             `json:"lastCompleted,omitempty"`
	SteadyEventAt        time.Time               `json:"steadyEventAt,omitzero"`
	Steady               bool                    `json:"steady"`
	StuckEventAt         time.Time               `json:"stuckEventAt,omitzero"`
	PlaceEventAt         time.Time               `json:"placeEventAt,omitzero"`
	InactiveAt           time.Time               `json:"inactiveAt,omitzero"`
	StartFailures        int                     `json:"startFailures,omitempty"`      // consecutive, for the launch backoff
	UnhealthyToReplace   int                     `json:"unhealthyToReplace,omitempty"` // for "Amazon ECS replaced N tasks due to an unhealthy status."
	Revisions            []*serviceRevision      `json:"revisions,omitempty"`
	History              []*serviceDeployment    `json:"history,omitempty"`
	BackoffUntil         time.Time               `json:"backoffUntil,omitzero"`
	BlueGreen            *blueGreen              `json:"blueGreen,omitempty"` // ECS-native blue/green (service_bluegreen.go)
	passThrough                                  // members stored and echoed, not simulated (service_passthrough.go)
	// touched is set by API calls that change the service, so the next
	// scheduler step looks at it even when it was idle.
	touched bool
}

// deploymentConfiguration is the service's min/max percent and circuit breaker.
type deploymentConfiguration struct {
	MaximumPercent        int             `json:"maximumPercent"`
	MinimumHealthyPercent int             `json:"minimumHealthyPercent"`
	CircuitBreaker        bool            `json:"circuitBreaker"`
	Rollback              bool            `json:"rollback"`
	Alarms                json.RawMessage `json:"alarms,omitempty"`
	nativeStrategy                        // BLUE_GREEN, LINEAR, CANARY (service_strategy.go)
	configPassThrough                     // stored and returned, not simulated (service_passthrough.go)
}

// networkConfiguration keeps the caller's awsvpc settings (Raw is echoed).
type networkConfiguration struct {
	Subnets        []string        `json:"subnets"`
	SecurityGroups []string        `json:"securityGroups,omitempty"`
	AssignPublicIP string          `json:"assignPublicIp,omitempty"`
	Raw            json.RawMessage `json:"raw"`
}

// deployment is one entry of a service's deployments array.
type deployment struct {
	ID                string          `json:"id"`
	Status            string          `json:"status"` // PRIMARY or ACTIVE
	TaskDefinition    string          `json:"taskDefinition"`
	DesiredCount      int             `json:"desiredCount"`
	PendingCount      int             `json:"pendingCount"`
	RunningCount      int             `json:"runningCount"`
	FailedTasks       int             `json:"failedTasks"`
	CreatedAt         time.Time       `json:"createdAt"`
	UpdatedAt         time.Time       `json:"updatedAt"`
	LaunchType        string          `json:"launchType,omitempty"`
	CapacityProviders json.RawMessage `json:"capacityProviders,omitempty"`
	// RunLaunchType is the launch type the deployment's tasks run on: its
	// launch type, or the one its capacity providers stand for.
	RunLaunchType      string                `json:"runLaunchType,omitempty"`
	PlatformVersion    string                `json:"platformVersion,omitempty"`
	Network            *networkConfiguration `json:"network,omitempty"`
	RolloutState       string                `json:"rolloutState"`
	RolloutStateReason string                `json:"rolloutStateReason"`
	// HadHealthyTask ends the circuit breaker's first stage: once a task of
	// the deployment has run healthily, launch failures stop counting.
	HadHealthyTask bool `json:"hadHealthyTask,omitempty"`
}

// serviceEvent is one entry of a service's events list.
type serviceEvent struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"createdAt"`
	Message   string    `json:"message"`
}

// task is one ECS task, from PROVISIONING to STOPPED.
type task struct {
	ID                   string                `json:"id"`
	ARN                  string                `json:"arn"`
	ClusterARN           string                `json:"clusterArn"`
	TaskDefinition       string                `json:"taskDefinition"`
	Family               string                `json:"family"`
	Group                string                `json:"group"`
	StartedBy            string                `json:"startedBy,omitempty"`
	Service              string                `json:"service,omitempty"`
	DeploymentID         string                `json:"deploymentId,omitempty"`
	LaunchType           string                `json:"launchType"`
	CapacityProvider     string                `json:"capacityProvider,omitempty"`
	PlatformVersion      string                `json:"platformVersion,omitempty"`
	AZ                   string                `json:"az"`
	Subnet               string                `json:"subnet,omitempty"`
	PrivateIP            string                `json:"privateIp,omitempty"`
	ENI                  string                `json:"eni,omitempty"`
	InstanceARN          string                `json:"instanceArn,omitempty"`
	CPU                  int                   `json:"cpu"`
	Memory               int                   `json:"memory"`
	HostPorts            []int                 `json:"hostPorts,omitempty"`
	LastStatus           string                `json:"lastStatus"`
	DesiredStatus        string                `json:"desiredStatus"`
	HealthStatus         string                `json:"healthStatus"`
	Containers           []*container          `json:"containers"`
	Overrides            json.RawMessage       `json:"overrides,omitempty"`
	Tags                 []Tag                 `json:"tags,omitempty"`
	EnableExecuteCommand bool                  `json:"enableExecuteCommand,omitempty"`
	Version              int                   `json:"version"`
	Seq                  int64                 `json:"seq"`
	CreatedAt            time.Time             `json:"createdAt"`
	PullStartedAt        time.Time             `json:"pullStartedAt,omitzero"`
	PullStoppedAt        time.Time             `json:"pullStoppedAt,omitzero"`
	StartedAt            time.Time             `json:"startedAt,omitzero"`
	StoppingAt           time.Time             `json:"stoppingAt,omitzero"`
	ExecutionStoppedAt   time.Time             `json:"executionStoppedAt,omitzero"`
	StoppedAt            time.Time             `json:"stoppedAt,omitzero"`
	StopCode             string                `json:"stopCode,omitempty"`
	StoppedReason        string                `json:"stoppedReason,omitempty"`
	NextAt               time.Time             `json:"nextAt"`            // when the lifecycle moves next
	KillAt               time.Time             `json:"killAt,omitzero"`   // SIGKILL after stopTimeout
	Counted              bool                  `json:"counted,omitempty"` // already counted as failed by the breaker
	WasHealthy           bool                  `json:"wasHealthy,omitempty"`
	HealthFailed         bool                  `json:"healthFailed,omitempty"`
	Network              *networkConfiguration `json:"network,omitempty"`
	taskTargets                                // load balancer targets (service_targets.go)

	cl          *cluster // the cluster whose wake queue holds the task
	wakeAt      int64
	wakePending bool
}

// container is one container of a task and the behaviour the scenario gave it.
type container struct {
	Name           string            `json:"name"`
	Image          string            `json:"image"`
	ARN            string            `json:"arn"`
	RuntimeID      string            `json:"runtimeId"`
	Essential      bool              `json:"essential"`
	CPU            int               `json:"cpu"`
	Memory         int               `json:"memory,omitempty"`
	MemoryRes      int               `json:"memoryReservation,omitempty"`
	Ports          []portMap         `json:"ports,omitempty"`
	LastStatus     string            `json:"lastStatus"`
	ExitCode       *int              `json:"exitCode,omitempty"`
	Reason         string            `json:"reason,omitempty"`
	HealthStatus   string            `json:"healthStatus"`
	Health         *healthCheck      `json:"health,omitempty"`
	Behaviour      scenario.Image    `json:"behaviour"`
	StopTimeout    int               `json:"stopTimeout"`
	StartedAt      time.Time         `json:"startedAt,omitzero"`
	ExitedAt       time.Time         `json:"exitedAt,omitzero"`
	NextCheckAt    time.Time         `json:"nextCheckAt,omitzero"`
	SignalExitAt   time.Time         `json:"signalExitAt,omitzero"` // when the container exits after SIGTERM or SIGKILL
	SignalExitCode int               `json:"signalExitCode,omitempty"`
	CheckFailures  int               `json:"checkFailures,omitempty"`
	LogDriver      string            `json:"logDriver,omitempty"`
	LogOptions     map[string]string `json:"logOptions,omitempty"`
}

// portMap is a port mapping as placed: hostPort is resolved for bridge mode.
type portMap struct {
	ContainerPort int    `json:"containerPort"`
	HostPort      int    `json:"hostPort"`
	Protocol      string `json:"protocol"`
}

// healthCheck is a container health check with ECS's defaults applied.
type healthCheck struct {
	Interval    int `json:"interval"`
	Timeout     int `json:"timeout"`
	Retries     int `json:"retries"`
	StartPeriod int `json:"startPeriod"`
}
