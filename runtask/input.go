package runtask

import (
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/google/uuid"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

// Task says how to start a run's tasks, beyond their task definition. A
// field left unset takes the copied service's value (Service), else ECS's
// default.
type Task struct {
	Cluster   string
	Count     int32
	StartedBy string
	Tags      []types.Tag
	// Service, when the run copies a service, gives the launch type,
	// capacity provider strategy, platform version and network
	// configuration that the fields below do not set.
	Service *types.Service
	// LaunchType and CapacityProviders exclude each other; either replaces
	// the service's choice.
	LaunchType        types.LaunchType
	CapacityProviders []types.CapacityProviderStrategyItem
	PlatformVersion   *string
	// Network, when set, changes the awsvpc configuration: each field it
	// sets replaces the service's, and the rest is kept (a public IP is
	// DISABLED unless a service or Network says otherwise).
	Network *Network
	// Commands replace containers' commands.
	Commands []CommandOverride
	// Env are environment variables sent as container overrides; give
	// them only when no revision is registered for the run (one that is
	// carries them already).
	Env []taskdef.KeyValueChange
	// ExitCodeFrom is the container whose exit code is the run's.
	ExitCodeFrom string
	// Origins say where fields were given ("exitCodeFrom", "commands",
	// "subnets"); a problem is reported at the origin of its field.
	Origins exitcode.Origins
}

// Network is the part of an awsvpc configuration a run sets.
type Network struct {
	Subnets        []string // nil: the service's
	SecurityGroups []string // nil: the service's
	AssignPublicIP types.AssignPublicIp
}

// Input builds the RunTask input for td (the revision run, or the one
// registered for the run; without its task definition, which Execute
// sets) and says which container overrides it sends ("web: command",
// "web: environment KEY"). Every container the task names must be in td,
// and a task definition of the awsvpc network mode needs subnets: both
// are invalid input, reported together.
func Input(td *ecs.RegisterTaskDefinitionInput, t Task) (*ecs.RunTaskInput, []string, error) {
	containers := map[string]bool{}
	for _, c := range td.ContainerDefinitions {
		containers[aws.ToString(c.Name)] = true
	}
	var ps exitcode.Problems
	if t.ExitCodeFrom != "" && !containers[t.ExitCodeFrom] {
		ps.At(t.Origins.Of("exitCodeFrom"), "container %s is not in the task definition (it has %s)", t.ExitCodeFrom, containerList(containers))
	}
	for _, c := range t.Commands {
		if !containers[c.Container] {
			ps.At(t.Origins.Of("commands"), "container %s is not in the task definition (it has %s)", c.Container, containerList(containers))
		}
	}

	// The clientToken makes the call safe to retry: the SDK's retry after
	// a lost reply gets the tasks the first attempt started, no second set.
	in := &ecs.RunTaskInput{
		ClientToken: aws.String(uuid.NewString()),
		Cluster:     aws.String(t.Cluster),
		Count:       aws.Int32(t.Count),
		StartedBy:   aws.String(t.StartedBy),
		Tags:        t.Tags,
	}
	if svc := t.Service; svc != nil {
		in.LaunchType = svc.LaunchType
		in.CapacityProviderStrategy = svc.CapacityProviderStrategy
		in.PlatformVersion = svc.PlatformVersion
		in.NetworkConfiguration = svc.NetworkConfiguration
		if len(in.CapacityProviderStrategy) > 0 {
			in.LaunchType = ""
		}
	}
	if t.LaunchType != "" {
		in.LaunchType, in.CapacityProviderStrategy = t.LaunchType, nil
	}
	if len(t.CapacityProviders) > 0 {
		in.LaunchType, in.CapacityProviderStrategy = "", t.CapacityProviders
	}
	if t.PlatformVersion != nil {
		in.PlatformVersion = t.PlatformVersion
	}
	if n := t.Network; n != nil {
		vpc := &types.AwsVpcConfiguration{AssignPublicIp: types.AssignPublicIpDisabled}
		if in.NetworkConfiguration != nil && in.NetworkConfiguration.AwsvpcConfiguration != nil {
			copied := *in.NetworkConfiguration.AwsvpcConfiguration
			vpc = &copied
		}
		if n.Subnets != nil {
			vpc.Subnets = n.Subnets
		}
		if n.SecurityGroups != nil {
			vpc.SecurityGroups = n.SecurityGroups
		}
		if n.AssignPublicIP != "" {
			vpc.AssignPublicIp = n.AssignPublicIP
		}
		in.NetworkConfiguration = &types.NetworkConfiguration{AwsvpcConfiguration: vpc}
	}
	if td.NetworkMode == types.NetworkModeAwsvpc && (in.NetworkConfiguration == nil ||
		in.NetworkConfiguration.AwsvpcConfiguration == nil || len(in.NetworkConfiguration.AwsvpcConfiguration.Subnets) == 0) {
		ps.At(t.Origins.Of("subnets"), "the task definition uses the awsvpc network mode: give the task's subnets (and security groups), or a service to copy its network from")
	}
	if err := ps.Err(); err != nil {
		return nil, nil, err
	}
	overrides, described := containerOverrides(t.Commands, t.Env)
	in.Overrides = overrides
	return in, described, nil
}

// containerOverrides are the commands and environment variables as
// container overrides, one per container in the order first named, and
// what each says.
func containerOverrides(commands []CommandOverride, env []taskdef.KeyValueChange) (*types.TaskOverride, []string) {
	byName := map[string]*types.ContainerOverride{}
	var order, described []string
	override := func(name string) *types.ContainerOverride {
		if byName[name] == nil {
			byName[name] = &types.ContainerOverride{Name: aws.String(name)}
			order = append(order, name)
		}
		return byName[name]
	}
	for _, c := range commands {
		override(c.Container).Command = c.Command
		described = append(described, c.Container+": command")
	}
	for _, e := range env {
		ov := override(e.Container)
		ov.Environment = append(ov.Environment, types.KeyValuePair{Name: aws.String(e.Key), Value: aws.String(e.Value)})
		described = append(described, e.Container+": environment "+e.Key)
	}
	if len(order) == 0 {
		return nil, nil
	}
	out := &types.TaskOverride{}
	for _, name := range order {
		out.ContainerOverrides = append(out.ContainerOverrides, *byName[name])
	}
	return out, described
}

// NeedsRevision reports whether a run needs a revision registered: it
// starts from no registered revision (a file), from a template family, or
// with a change that container overrides cannot express. Environment
// variables set in merge mode, and tags (which go on the task), can.
func NeedsRevision(from *types.TaskDefinition, templateFamily string, c taskdef.Changes) bool {
	if from == nil || templateFamily != "" {
		return true
	}
	if len(c.Images) > 0 || c.TagOnly != nil || len(c.Secrets) > 0 || len(c.EnvFiles) > 0 {
		return true
	}
	if c.EnvMode != "" && c.EnvMode != taskdef.ModeMerge && len(c.Env) > 0 {
		return true
	}
	for _, e := range c.Env {
		if e.Unset {
			return true
		}
	}
	return false
}

func containerList(containers map[string]bool) string {
	names := make([]string, 0, len(containers))
	for n := range containers {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
