package emulator

import "encoding/json"

// containerDef is the part of a container definition the emulator acts on;
// the full definition is kept as registered in taskDef.Members.
type containerDef struct {
	Name              string            `json:"name"`
	Image             string            `json:"image"`
	CPU               int               `json:"cpu"`
	Memory            *int              `json:"memory"`
	MemoryReservation *int              `json:"memoryReservation"`
	Essential         *bool             `json:"essential"`
	PortMappings      []portMappingIn   `json:"portMappings"`
	HealthCheck       *healthCheckIn    `json:"healthCheck"`
	StopTimeout       *int              `json:"stopTimeout"`
	StartTimeout      *int              `json:"startTimeout"`
	Links             []string          `json:"links"`
	LogConfiguration  *logConfiguration `json:"logConfiguration"`
	// Members with a type the emulator must check but does not act on.
	Environment      []keyValue            `json:"environment"`
	Secrets          []secretIn            `json:"secrets"`
	Command          []string              `json:"command"`
	EntryPoint       []string              `json:"entryPoint"`
	DependsOn        []containerDependency `json:"dependsOn"`
	MountPoints      []json.RawMessage     `json:"mountPoints"`
	WorkingDirectory string                `json:"workingDirectory"`
	User             string                `json:"user"`
}

// containerDependency is one dependsOn entry. The emulator checks it at
// registration as ECS does but starts all containers together: start-up
// ordering (and a task failing because a SUCCESS dependency exited non-zero)
// is not emulated.
type containerDependency struct {
	ContainerName string `json:"containerName"`
	Condition     string `json:"condition"`
}

type portMappingIn struct {
	ContainerPort *int   `json:"containerPort"`
	HostPort      *int   `json:"hostPort"`
	Protocol      string `json:"protocol"`
	Name          string `json:"name"`
	AppProtocol   string `json:"appProtocol"`
}

type healthCheckIn struct {
	Command     []string `json:"command"`
	Interval    *int     `json:"interval"`
	Timeout     *int     `json:"timeout"`
	Retries     *int     `json:"retries"`
	StartPeriod *int     `json:"startPeriod"`
}

type logConfiguration struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options"`
}

type secretIn struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}

func (d containerDef) essential() bool { return d.Essential == nil || *d.Essential }
