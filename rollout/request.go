package rollout

import (
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/ecsdeploy/ecsdeploy/exitcode"

	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

// Request is what to deploy: where the new task definition comes from, what
// to change in it, and what to change on the service.
type Request struct {
	Cluster string
	Service string
	// Family, when set, is the family the new revision is registered into
	// instead of the base revision's (Octopus's "task definition name").
	Family  string
	Source  Source
	Changes taskdef.Changes
	// CopyTaskDefinitionTags carries the base revision's tags to the new one.
	CopyTaskDefinitionTags bool
	Settings               ServiceSettings
	// CodeDeploy lets MakePlan plan a revision for a CODE_DEPLOY service,
	// which the caller then registers (RegisterRevision) and hands to
	// CodeDeploy; Deploy itself still updates ECS-controlled services only.
	CodeDeploy bool
	// Adjust, when set, is called with the service as MakePlan read it,
	// before anything is planned, to add settings that depend on the
	// service (an ECS deployment strategy and its load balancer's advanced
	// configuration); its error (exitcode.Problems for invalid input) stops
	// the plan.
	Adjust func(svc types.Service, s *ServiceSettings) error
	// Origins says where the request's fields were given (a flag, a spec
	// file's line), by request field name: "taskDefinition",
	// "templateFamily", "taskDefinitionFile", "useLatestTaskDef", "family",
	// "launchType". Problems with a field are reported there; a field it
	// does not hold is named as the request names it.
	Origins exitcode.Origins
}

// Source says where the new task definition comes from. The zero value is
// the service's current task definition.
type Source struct {
	// UseLatest bases the new revision on the latest ACTIVE revision of the
	// service's family instead of the one the service runs.
	UseLatest bool
	// TemplateFamily bases it on the latest revision of a separate template
	// family; the result is registered into the service's family.
	TemplateFamily string
	// File is a task definition read from a file (taskdef.ParseFile); its
	// family, if empty, is the service's.
	File *ecs.RegisterTaskDefinitionInput
	// Existing deploys a registered revision (family:revision or ARN) as it
	// is; no changes may be asked for.
	Existing string
}

// ServiceSettings are the service settings a deploy may change; nil or
// empty means "leave as it is".
type ServiceSettings struct {
	DesiredCount           *int32
	MinHealthyPercent      *int32
	MaxPercent             *int32
	ForceNewDeployment     bool
	HealthCheckGracePeriod *int32 // seconds
	Subnets                []string
	SecurityGroups         []string
	AssignPublicIP         *bool
	PlatformVersion        *string
	CircuitBreaker         *types.DeploymentCircuitBreaker
	// Alarms sets the deployment alarms (and whether they roll back).
	Alarms *types.DeploymentAlarms
	// LaunchType is the launch type the service must run on. UpdateService
	// cannot change it; a service on a capacity provider strategy is moved
	// back to it.
	LaunchType types.LaunchType
	// Extra sets any other UpdateService member, in the API's shape (the
	// spec's service: section and the flags for capacity providers,
	// placement, tags, execute command and zone rebalancing). The settings
	// above win over the same members here; cluster, service and
	// taskDefinition may not be given.
	Extra *ecs.UpdateServiceInput
}
