// Package cfn renders the CloudFormation template of a stack spec from
// typed Go data (no text templates), so the output is deterministic: struct
// fields keep their order and map keys are sorted by the YAML encoder.
package cfn

// Template is a CloudFormation template.
type Template struct {
	AWSTemplateFormatVersion string               `yaml:"AWSTemplateFormatVersion"`
	Description              string               `yaml:"Description"`
	Parameters               map[string]Parameter `yaml:"Parameters,omitempty"`
	Resources                map[string]Resource  `yaml:"Resources"`
	Outputs                  map[string]Output    `yaml:"Outputs,omitempty"`
}

// Parameter is a template parameter.
type Parameter struct {
	Type        string `yaml:"Type"`
	Default     string `yaml:"Default"`
	Description string `yaml:"Description,omitempty"`
}

// Resource is one resource; Properties is one of the *Properties types.
type Resource struct {
	Type       string `yaml:"Type"`
	Properties any    `yaml:"Properties"`
}

// Output is a stack output.
type Output struct {
	Description string `yaml:"Description,omitempty"`
	Value       any    `yaml:"Value"`
}

// Ref is the Ref intrinsic function.
type Ref struct {
	Ref string `yaml:"Ref"`
}

// GetAtt is the Fn::GetAtt intrinsic function.
type GetAtt struct {
	GetAtt []string `yaml:"Fn::GetAtt"`
}

// Sub is the Fn::Sub intrinsic function.
type Sub struct {
	Sub string `yaml:"Fn::Sub"`
}

// ClusterProperties is AWS::ECS::Cluster.
type ClusterProperties struct {
	ClusterName string `yaml:"ClusterName"`
}

// LogGroupProperties is AWS::Logs::LogGroup.
type LogGroupProperties struct {
	LogGroupName    string `yaml:"LogGroupName"`
	RetentionInDays int    `yaml:"RetentionInDays"`
}

// RoleProperties is AWS::IAM::Role.
type RoleProperties struct {
	AssumeRolePolicyDocument PolicyDocument `yaml:"AssumeRolePolicyDocument"`
	ManagedPolicyArns        []any          `yaml:"ManagedPolicyArns,omitempty"`
	Policies                 []InlinePolicy `yaml:"Policies,omitempty"`
}

// PolicyDocument is an IAM policy document.
type PolicyDocument struct {
	Version   string      `yaml:"Version"`
	Statement []Statement `yaml:"Statement"`
}

// Statement is one IAM policy statement.
type Statement struct {
	Effect    string            `yaml:"Effect"`
	Principal map[string]string `yaml:"Principal,omitempty"`
	Action    []string          `yaml:"Action"`
	Resource  []any             `yaml:"Resource,omitempty"`
}

// InlinePolicy is an inline policy of a role.
type InlinePolicy struct {
	PolicyName     string         `yaml:"PolicyName"`
	PolicyDocument PolicyDocument `yaml:"PolicyDocument"`
}

// TaskDefinitionProperties is AWS::ECS::TaskDefinition.
type TaskDefinitionProperties struct {
	Family                  string                `yaml:"Family"`
	Cpu                     string                `yaml:"Cpu"`
	Memory                  string                `yaml:"Memory"`
	NetworkMode             string                `yaml:"NetworkMode"`
	RequiresCompatibilities []string              `yaml:"RequiresCompatibilities"`
	ExecutionRoleArn        any                   `yaml:"ExecutionRoleArn,omitempty"`
	TaskRoleArn             any                   `yaml:"TaskRoleArn,omitempty"`
	ContainerDefinitions    []ContainerDefinition `yaml:"ContainerDefinitions"`
	Volumes                 []Volume              `yaml:"Volumes,omitempty"`
}

// ContainerDefinition is one container of a task definition.
type ContainerDefinition struct {
	Name                  string                 `yaml:"Name"`
	Image                 any                    `yaml:"Image"`
	Essential             bool                   `yaml:"Essential"`
	Cpu                   int                    `yaml:"Cpu,omitempty"`
	Memory                int                    `yaml:"Memory,omitempty"`
	MemoryReservation     int                    `yaml:"MemoryReservation,omitempty"`
	StopTimeout           int                    `yaml:"StopTimeout,omitempty"`
	PortMappings          []PortMapping          `yaml:"PortMappings,omitempty"`
	HealthCheck           *HealthCheck           `yaml:"HealthCheck,omitempty"`
	EntryPoint            []string               `yaml:"EntryPoint,omitempty"`
	Command               []string               `yaml:"Command,omitempty"`
	WorkingDirectory      string                 `yaml:"WorkingDirectory,omitempty"`
	Environment           []KeyValue             `yaml:"Environment,omitempty"`
	Secrets               []Secret               `yaml:"Secrets,omitempty"`
	RepositoryCredentials *RepositoryCredentials `yaml:"RepositoryCredentials,omitempty"`
	MountPoints           []MountPoint           `yaml:"MountPoints,omitempty"`
	LogConfiguration      LogConfiguration       `yaml:"LogConfiguration"`
}

// PortMapping is a container port mapping.
type PortMapping struct {
	ContainerPort int    `yaml:"ContainerPort"`
	HostPort      int    `yaml:"HostPort,omitempty"`
	Protocol      string `yaml:"Protocol"`
	Name          string `yaml:"Name,omitempty"`
	AppProtocol   string `yaml:"AppProtocol,omitempty"`
}

// HealthCheck is a container health check.
type HealthCheck struct {
	Command     []string `yaml:"Command"`
	Interval    int      `yaml:"Interval,omitempty"`
	Timeout     int      `yaml:"Timeout,omitempty"`
	Retries     int      `yaml:"Retries,omitempty"`
	StartPeriod int      `yaml:"StartPeriod,omitempty"`
}

// KeyValue is an environment variable; Value may be a Ref.
type KeyValue struct {
	Name  string `yaml:"Name"`
	Value any    `yaml:"Value"`
}

// Secret is a secret environment variable or log option.
type Secret struct {
	Name      string `yaml:"Name"`
	ValueFrom string `yaml:"ValueFrom"`
}

// RepositoryCredentials points at private-registry credentials.
type RepositoryCredentials struct {
	CredentialsParameter string `yaml:"CredentialsParameter"`
}

// MountPoint mounts a volume into a container.
type MountPoint struct {
	SourceVolume  string `yaml:"SourceVolume"`
	ContainerPath string `yaml:"ContainerPath"`
	ReadOnly      bool   `yaml:"ReadOnly"`
}

// LogConfiguration is a container log configuration.
type LogConfiguration struct {
	LogDriver     string         `yaml:"LogDriver"`
	Options       map[string]any `yaml:"Options,omitempty"`
	SecretOptions []Secret       `yaml:"SecretOptions,omitempty"`
}

// Volume is a task volume; without EFS configuration it is a bind volume.
type Volume struct {
	Name                   string     `yaml:"Name"`
	EFSVolumeConfiguration *EFSVolume `yaml:"EFSVolumeConfiguration,omitempty"`
}

// EFSVolume is an EFS volume configuration.
type EFSVolume struct {
	FilesystemId          string            `yaml:"FilesystemId"`
	RootDirectory         string            `yaml:"RootDirectory,omitempty"`
	TransitEncryption     string            `yaml:"TransitEncryption,omitempty"`
	TransitEncryptionPort int               `yaml:"TransitEncryptionPort,omitempty"`
	AuthorizationConfig   *EFSAuthorization `yaml:"AuthorizationConfig,omitempty"`
}

// EFSAuthorization is the access point and IAM setting of an EFS volume.
type EFSAuthorization struct {
	AccessPointId string `yaml:"AccessPointId,omitempty"`
	IAM           string `yaml:"IAM,omitempty"`
}

// ServiceProperties is AWS::ECS::Service.
type ServiceProperties struct {
	ServiceName                   string                  `yaml:"ServiceName"`
	Cluster                       any                     `yaml:"Cluster"`
	TaskDefinition                any                     `yaml:"TaskDefinition"`
	LaunchType                    string                  `yaml:"LaunchType"`
	PlatformVersion               string                  `yaml:"PlatformVersion,omitempty"`
	DesiredCount                  any                     `yaml:"DesiredCount"`
	DeploymentConfiguration       DeploymentConfiguration `yaml:"DeploymentConfiguration"`
	NetworkConfiguration          NetworkConfiguration    `yaml:"NetworkConfiguration"`
	LoadBalancers                 []LoadBalancer          `yaml:"LoadBalancers,omitempty"`
	HealthCheckGracePeriodSeconds *int                    `yaml:"HealthCheckGracePeriodSeconds,omitempty"`
	EnableECSManagedTags          bool                    `yaml:"EnableECSManagedTags"`
	PropagateTags                 string                  `yaml:"PropagateTags,omitempty"`
}

// DeploymentConfiguration is a service's deployment configuration.
type DeploymentConfiguration struct {
	MinimumHealthyPercent    *int            `yaml:"MinimumHealthyPercent,omitempty"`
	MaximumPercent           *int            `yaml:"MaximumPercent,omitempty"`
	DeploymentCircuitBreaker *CircuitBreaker `yaml:"DeploymentCircuitBreaker,omitempty"`

	Strategy            string               `yaml:"Strategy,omitempty"`
	BakeTimeInMinutes   *int                 `yaml:"BakeTimeInMinutes,omitempty"`
	CanaryConfiguration *CanaryConfiguration `yaml:"CanaryConfiguration,omitempty"`
	LinearConfiguration *LinearConfiguration `yaml:"LinearConfiguration,omitempty"`
	LifecycleHooks      []LifecycleHook      `yaml:"LifecycleHooks,omitempty"`
}

// CanaryConfiguration is the CANARY strategy's settings.
type CanaryConfiguration struct {
	CanaryPercent           *float64 `yaml:"CanaryPercent,omitempty"`
	CanaryBakeTimeInMinutes *int     `yaml:"CanaryBakeTimeInMinutes,omitempty"`
}

// LinearConfiguration is the LINEAR strategy's settings.
type LinearConfiguration struct {
	StepPercent           *float64 `yaml:"StepPercent,omitempty"`
	StepBakeTimeInMinutes *int     `yaml:"StepBakeTimeInMinutes,omitempty"`
}

// LifecycleHook is a Lambda lifecycle hook.
type LifecycleHook struct {
	HookTargetArn   string   `yaml:"HookTargetArn"`
	RoleArn         string   `yaml:"RoleArn"`
	LifecycleStages []string `yaml:"LifecycleStages"`
}

// CircuitBreaker is the deployment circuit breaker.
type CircuitBreaker struct {
	Enable   bool `yaml:"Enable"`
	Rollback bool `yaml:"Rollback"`
}

// NetworkConfiguration is a service's network configuration.
type NetworkConfiguration struct {
	AwsvpcConfiguration AwsvpcConfiguration `yaml:"AwsvpcConfiguration"`
}

// AwsvpcConfiguration is the awsvpc configuration; lists may be Refs.
type AwsvpcConfiguration struct {
	Subnets        any    `yaml:"Subnets"`
	SecurityGroups any    `yaml:"SecurityGroups,omitempty"`
	AssignPublicIp string `yaml:"AssignPublicIp"`
}

// LoadBalancer registers a container port with a target group.
type LoadBalancer struct {
	TargetGroupArn        string                 `yaml:"TargetGroupArn"`
	ContainerName         string                 `yaml:"ContainerName"`
	ContainerPort         int                    `yaml:"ContainerPort"`
	AdvancedConfiguration *AdvancedConfiguration `yaml:"AdvancedConfiguration,omitempty"`
}

// AdvancedConfiguration is a load balancer's blue/green settings.
type AdvancedConfiguration struct {
	AlternateTargetGroupArn string `yaml:"AlternateTargetGroupArn"`
	ProductionListenerRule  string `yaml:"ProductionListenerRule,omitempty"`
	TestListenerRule        string `yaml:"TestListenerRule,omitempty"`
	RoleArn                 string `yaml:"RoleArn,omitempty"`
}
