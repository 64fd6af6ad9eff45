// Package stack describes a Fargate service declaratively: the spec that
// `ecsdeploy stack` reads, its validation, and the names derived from it.
// Template generation lives in stack/cfn and the CloudFormation stack
// lifecycle in stack/lifecycle.
package stack

import "github.com/ecsdeploy/ecsdeploy/spec"

// Spec is one Fargate service with its task definition, as written in a
// stack spec file. Field names follow the ECS API (camelCase).
type Spec struct {
	// Name is the ECS service name; the stack, task family and log group
	// names are derived from it (see names.go).
	Name string `yaml:"name"`
	// Cluster is an existing ECS cluster. When empty, the stack creates a
	// cluster of its own named after the service.
	Cluster string `yaml:"cluster,omitempty"`
	// LaunchType must be FARGATE (the default); EC2 is refused.
	LaunchType      string `yaml:"launchType,omitempty"`
	PlatformVersion string `yaml:"platformVersion,omitempty"`

	// CPU and Memory are the task size in CPU units and MiB; the pair must
	// be one Fargate offers.
	CPU    int `yaml:"cpu"`
	Memory int `yaml:"memory"`

	// ExecutionRoleArn is the task execution role. When empty, the stack
	// creates one with the AmazonECSTaskExecutionRolePolicy managed policy.
	ExecutionRoleArn string `yaml:"executionRoleArn,omitempty"`
	TaskRoleArn      string `yaml:"taskRoleArn,omitempty"`

	Containers []Container `yaml:"containers"`
	Volumes    []Volume    `yaml:"volumes,omitempty"`

	Network       Network        `yaml:"network"`
	LoadBalancers []LoadBalancer `yaml:"loadBalancers,omitempty"`
	// HealthCheckGracePeriodSeconds only applies with load balancers.
	HealthCheckGracePeriodSeconds *int `yaml:"healthCheckGracePeriodSeconds,omitempty"`

	Deployment   Deployment `yaml:"deployment,omitempty"`
	DesiredCount *int       `yaml:"desiredCount,omitempty"`

	EnableECSManagedTags bool   `yaml:"enableECSManagedTags,omitempty"`
	PropagateTags        string `yaml:"propagateTags,omitempty"`
	// Tags are added to the stack, and CloudFormation propagates them to
	// the resources it creates, next to the tags ecsdeploy adds itself.
	Tags map[string]string `yaml:"tags,omitempty"`

	// LogRetentionDays is the retention of the log group the stack creates
	// for containers without their own logConfiguration (default 30).
	LogRetentionDays int `yaml:"logRetentionDays,omitempty"`

	// Parameters marks spec values that become template parameters (their
	// defaults are the spec's values), in addition to every container image.
	// See ParameterPaths for what can be marked.
	Parameters []string `yaml:"parameters,omitempty"`

	// lines records where each field was written, for validation messages;
	// the spec decoder fills it (SetLines).
	lines spec.Lines
}

// SetLines records where each field path was written; spec.Decode calls it.
func (s *Spec) SetLines(l spec.Lines) { s.lines = l }

// Container is one container of the task.
type Container struct {
	Name      string `yaml:"name"`
	Image     string `yaml:"image"`
	Essential *bool  `yaml:"essential,omitempty"`
	// CPU, Memory and MemoryReservation are container limits; they may not
	// exceed the task's.
	CPU               int `yaml:"cpu,omitempty"`
	Memory            int `yaml:"memory,omitempty"`
	MemoryReservation int `yaml:"memoryReservation,omitempty"`
	StopTimeout       int `yaml:"stopTimeout,omitempty"`

	PortMappings     []PortMapping `yaml:"portMappings,omitempty"`
	HealthCheck      *HealthCheck  `yaml:"healthCheck,omitempty"`
	EntryPoint       []string      `yaml:"entryPoint,omitempty"`
	Command          []string      `yaml:"command,omitempty"`
	WorkingDirectory string        `yaml:"workingDirectory,omitempty"`

	// Environment maps variable names to values.
	Environment map[string]string `yaml:"environment,omitempty"`
	// Secrets maps variable names to the ARN (or SSM parameter name) that
	// holds the value; the value itself never appears in the template.
	Secrets map[string]string `yaml:"secrets,omitempty"`
	// RepositoryCredentials names the Secrets Manager secret holding
	// private-registry credentials.
	RepositoryCredentials *RepositoryCredentials `yaml:"repositoryCredentials,omitempty"`
	MountPoints           []MountPoint           `yaml:"mountPoints,omitempty"`
	// LogConfiguration is used as given. When absent, the container logs to
	// the CloudWatch Logs group the stack creates.
	LogConfiguration *LogConfiguration `yaml:"logConfiguration,omitempty"`
}

// PortMapping is a container port; on Fargate (awsvpc) the host port, if
// given, equals the container port.
type PortMapping struct {
	ContainerPort int    `yaml:"containerPort"`
	HostPort      int    `yaml:"hostPort,omitempty"`
	Protocol      string `yaml:"protocol,omitempty"`
	Name          string `yaml:"name,omitempty"`
	AppProtocol   string `yaml:"appProtocol,omitempty"`
}

// HealthCheck is a container health check; times are in seconds.
type HealthCheck struct {
	Command     []string `yaml:"command"`
	Interval    int      `yaml:"interval,omitempty"`
	Timeout     int      `yaml:"timeout,omitempty"`
	Retries     int      `yaml:"retries,omitempty"`
	StartPeriod int      `yaml:"startPeriod,omitempty"`
}

// RepositoryCredentials points at a private-registry credentials secret.
type RepositoryCredentials struct {
	CredentialsParameter string `yaml:"credentialsParameter"`
}

// MountPoint mounts a task volume into a container.
type MountPoint struct {
	SourceVolume  string `yaml:"sourceVolume"`
	ContainerPath string `yaml:"containerPath"`
	ReadOnly      bool   `yaml:"readOnly,omitempty"`
}

// LogConfiguration is an ECS log configuration, passed through unchanged.
type LogConfiguration struct {
	LogDriver     string            `yaml:"logDriver"`
	Options       map[string]string `yaml:"options,omitempty"`
	SecretOptions map[string]string `yaml:"secretOptions,omitempty"`
}

// Volume is a task volume: a bind volume on the task's own storage when EFS
// is absent, an EFS file system otherwise.
type Volume struct {
	Name string     `yaml:"name"`
	EFS  *EFSVolume `yaml:"efs,omitempty"`
}

// EFSVolume is an EFS volume configuration.
type EFSVolume struct {
	FileSystemID          string `yaml:"fileSystemId"`
	RootDirectory         string `yaml:"rootDirectory,omitempty"`
	TransitEncryption     string `yaml:"transitEncryption,omitempty"`
	TransitEncryptionPort int    `yaml:"transitEncryptionPort,omitempty"`
	AccessPointID         string `yaml:"accessPointId,omitempty"`
	IAM                   string `yaml:"iam,omitempty"`
}

// Network is the service's awsvpc configuration.
type Network struct {
	Subnets        []string `yaml:"subnets"`
	SecurityGroups []string `yaml:"securityGroups,omitempty"`
	AssignPublicIP bool     `yaml:"assignPublicIp,omitempty"`
}

// LoadBalancer registers a container port with a target group.
type LoadBalancer struct {
	TargetGroupArn string `yaml:"targetGroupArn"`
	ContainerName  string `yaml:"containerName"`
	ContainerPort  int    `yaml:"containerPort"`
	// AdvancedConfiguration is the second target group and the listener
	// rules of ECS's blue/green, linear and canary strategies.
	AdvancedConfiguration *AdvancedConfiguration `yaml:"advancedConfiguration,omitempty"`
}

// AdvancedConfiguration is a load balancer's blue/green settings.
type AdvancedConfiguration struct {
	AlternateTargetGroupArn string `yaml:"alternateTargetGroupArn"`
	ProductionListenerRule  string `yaml:"productionListenerRule,omitempty"`
	TestListenerRule        string `yaml:"testListenerRule,omitempty"`
	RoleArn                 string `yaml:"roleArn,omitempty"`
}

// Deployment is the service's deployment configuration: the rolling
// update's percentages and circuit breaker, or one of ECS's own
// strategies with its settings.
type Deployment struct {
	MinimumHealthyPercent *int            `yaml:"minimumHealthyPercent,omitempty"`
	MaximumPercent        *int            `yaml:"maximumPercent,omitempty"`
	CircuitBreaker        *CircuitBreaker `yaml:"circuitBreaker,omitempty"`

	// Strategy is ROLLING (the default), BLUE_GREEN, LINEAR or CANARY (or
	// deploy's spelling: rolling, blue-green, linear, canary).
	Strategy            string               `yaml:"strategy,omitempty"`
	BakeTimeInMinutes   *int                 `yaml:"bakeTimeInMinutes,omitempty"`
	CanaryConfiguration *CanaryConfiguration `yaml:"canaryConfiguration,omitempty"`
	LinearConfiguration *LinearConfiguration `yaml:"linearConfiguration,omitempty"`
	// LifecycleHooks are Lambda functions run at lifecycle stages. PAUSE
	// hooks are left out: CloudFormation's AWS::ECS::Service has no
	// TargetType for them.
	LifecycleHooks []LifecycleHook `yaml:"lifecycleHooks,omitempty"`
}

// CanaryConfiguration is the CANARY strategy's first shift and its wait.
type CanaryConfiguration struct {
	CanaryPercent           *float64 `yaml:"canaryPercent,omitempty"`
	CanaryBakeTimeInMinutes *int     `yaml:"canaryBakeTimeInMinutes,omitempty"`
}

// LinearConfiguration is the LINEAR strategy's step and the wait between steps.
type LinearConfiguration struct {
	StepPercent           *float64 `yaml:"stepPercent,omitempty"`
	StepBakeTimeInMinutes *int     `yaml:"stepBakeTimeInMinutes,omitempty"`
}

// LifecycleHook is a Lambda function ECS invokes at the given stages.
type LifecycleHook struct {
	HookTargetArn   string   `yaml:"hookTargetArn"`
	RoleArn         string   `yaml:"roleArn"`
	LifecycleStages []string `yaml:"lifecycleStages"`
}

// CircuitBreaker is the deployment circuit breaker.
type CircuitBreaker struct {
	Enable   bool `yaml:"enable"`
	Rollback bool `yaml:"rollback"`
}

// Defaults applied when the spec leaves a value out.
const (
	DefaultDesiredCount     = 1
	DefaultLogRetentionDays = 30
	DefaultLaunchType       = "FARGATE"
)

// EffectiveDesiredCount returns the desired count, defaulted.
func (s *Spec) EffectiveDesiredCount() int {
	if s.DesiredCount == nil {
		return DefaultDesiredCount
	}
	return *s.DesiredCount
}

// EffectiveLogRetentionDays returns the log retention, defaulted.
func (s *Spec) EffectiveLogRetentionDays() int {
	if s.LogRetentionDays == 0 {
		return DefaultLogRetentionDays
	}
	return s.LogRetentionDays
}

// UsesOwnCluster reports whether the stack creates the cluster itself.
func (s *Spec) UsesOwnCluster() bool { return s.Cluster == "" }

// NeedsLogGroup reports whether any container logs to the log group the
// stack creates.
func (s *Spec) NeedsLogGroup() bool {
	for _, c := range s.Containers {
		if c.LogConfiguration == nil {
			return true
		}
	}
	return false
}
