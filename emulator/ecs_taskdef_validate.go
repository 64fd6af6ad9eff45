package emulator

import (
	"slices"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
)

// fargateStopTimeoutMax is the longest stopTimeout Fargate allows.
const fargateStopTimeoutMax = 120

// validateTaskDef applies ECS's RegisterTaskDefinition checks and returns
// the task-level cpu and memory it parsed.
func validateTaskDef(in *registerTaskDefinitionInput) (cpu, memory int, err error) {
	if err := required("family", in.Family); err != nil {
		return 0, 0, err
	}
	if !namePattern().MatchString(in.Family) {
		return 0, 0, clientError("Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.")
	}
	if len(in.ContainerDefinitions) == 0 {
		return 0, 0, clientError("Container list cannot be empty.")
	}
	for _, c := range in.RequiresCompatibilities {
		if !slices.Contains([]string{"EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"}, c) {
			return 0, 0, invalidParameter("requiresCompatibilities: %q is not one of EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES.", c)
		}
	}
	switch in.NetworkMode {
	case "", "bridge", "host", "awsvpc", "none":
	default:
		return 0, 0, invalidParameter("networkMode: %q is not one of bridge, host, awsvpc, none.", in.NetworkMode)
	}
	var ok bool
	if cpu, ok = parseTaskCPU(in.CPU); !ok || (cpu != 0 && (cpu < 128 || cpu > 196608)) {
		return 0, 0, clientError("Invalid 'cpu' setting for task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.")
	}
	if memory, ok = parseTaskMemory(in.Memory); !ok {
		return 0, 0, clientError("Invalid 'memory' setting for task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.")
	}
	if err := validateContainers(in, memory); err != nil {
		return 0, 0, err
	}
	if slices.Contains(in.RequiresCompatibilities, "FARGATE") {
		if err := validateFargate(in, cpu, memory); err != nil {
			return 0, 0, err
		}
	}
	return cpu, memory, nil
}

func validateContainers(in *registerTaskDefinitionInput, taskMemory int) error {
	names := map[string]bool{}
	essential := false
	total := 0
	for i, c := range in.ContainerDefinitions {
		if c.Name == "" {
			return clientError("Container.name should not be null or empty.")
		}
		if !namePattern().MatchString(c.Name) {
			return clientError("Container name %q contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.", c.Name)
		}
		if names[c.Name] {
			return clientError("Duplicate container name %q. Container names must be unique within a task definition.", c.Name)
		}
		names[c.Name] = true
		if c.Image == "" {
			return clientError("Container.image should not be null or empty.")
		}
		if c.essential() {
			essential = true
		}
		if c.CPU < 0 {
			return clientError("Invalid 'cpu' setting for container '%s'.", c.Name)
		}
		mem, res := deref(c.Memory), deref(c.MemoryReservation)
		if taskMemory == 0 && mem == 0 && res == 0 {
			return clientError("Invalid setting for container '%s'. At least one of 'memory' or 'memoryReservation' must be specified.", c.Name)
		}
		if mem < 0 || res < 0 || (c.Memory != nil && mem < 6) {
			return clientError("Invalid 'memory' setting for container '%s'. The minimum is 6 MiB.", c.Name)
		}
		if mem > 0 && res > 0 && mem <= res {
			return clientError("Invalid 'memory' setting for container '%s'. 'memory' must be greater than 'memoryReservation'.", c.Name)
		}
		total += max(mem, res)
		if err := validatePorts(in.NetworkMode, c); err != nil {
			return err
		}
		if err := validateHealthCheck(c); err != nil {
			return err
		}
		if c.StopTimeout != nil && *c.StopTimeout < 0 {
			return invalidParameter("containerDefinitions[%d].stopTimeout must not be negative.", i)
		}
	}
	if !essential {
		return clientError("Task definition does not have any essential container.")
	}
	if err := validateDependencies(in.ContainerDefinitions); err != nil {
		return err
	}
	if taskMemory > 0 && total > taskMemory {
		return clientError("Invalid 'memory' setting for container. The total memory of the containers (%d MiB) exceeds the task memory (%d MiB).", total, taskMemory)
	}
	return nil
}

// validateDependencies applies the ContainerDependency rules: both members
// set, a container of this task definition other than itself, one of the
// four conditions, COMPLETE and SUCCESS only on a non-essential container
// (one that exits), HEALTHY only on a container with a health check.
func validateDependencies(defs []containerDef) error {
	byName := map[string]containerDef{}
	for _, c := range defs {
		byName[c.Name] = c
	}
	for _, c := range defs {
		for _, d := range c.DependsOn {
			dep, found := byName[d.ContainerName]
			switch {
			case d.ContainerName == "" || d.Condition == "":
				return clientError("Container '%s': every dependsOn entry needs both containerName and condition.", c.Name)
			case !found:
				return clientError("Container '%s' depends on container '%s', which is not in this task definition.", c.Name, d.ContainerName)
			case d.ContainerName == c.Name:
				return clientError("Container '%s' cannot depend on itself.", c.Name)
			case !slices.Contains([]string{"START", "COMPLETE", "SUCCESS", "HEALTHY"}, d.Condition):
				return clientError("Container '%s': dependsOn condition %q for '%s' must be START, COMPLETE, SUCCESS or HEALTHY.", c.Name, d.Condition, d.ContainerName)
			case (d.Condition == "COMPLETE" || d.Condition == "SUCCESS") && dep.essential():
				return clientError("Container '%s': the %s condition cannot be set on the essential container '%s'; mark it \"essential\": false.", c.Name, d.Condition, d.ContainerName)
			case d.Condition == "HEALTHY" && dep.HealthCheck == nil:
				return clientError("Container '%s': the HEALTHY condition needs a health check on container '%s'.", c.Name, d.ContainerName)
			}
		}
	}
	return nil
}

func validatePorts(networkMode string, c containerDef) error {
	if networkMode == "none" && len(c.PortMappings) > 0 {
		return clientError("Port mappings are not allowed when networkMode is 'none' (container '%s').", c.Name)
	}
	for _, p := range c.PortMappings {
		cp := deref(p.ContainerPort)
		if p.ContainerPort == nil || cp < 1 || cp > 65535 {
			return clientError("Invalid 'containerPort' setting for container '%s'.", c.Name)
		}
		if p.HostPort != nil && (*p.HostPort < 0 || *p.HostPort > 65535) {
			return clientError("Invalid 'hostPort' setting for container '%s'.", c.Name)
		}
		if (networkMode == "awsvpc" || networkMode == "host") && p.HostPort != nil && *p.HostPort != 0 && *p.HostPort != cp {
			return clientError("When networkMode=%s, the host ports and container ports in port mappings must match.", networkMode)
		}
		if p.Protocol != "" && p.Protocol != "tcp" && p.Protocol != "udp" {
			return invalidParameter("portMappings.protocol %q must be tcp or udp.", p.Protocol)
		}
	}
	return nil
}

func validateHealthCheck(c containerDef) error {
	hc := c.HealthCheck
	if hc == nil {
		return nil
	}
	if len(hc.Command) == 0 {
		return clientError("The health check command for container '%s' can not be empty.", c.Name)
	}
	check := func(name string, v *int, lo, hi int) error {
		if v != nil && (*v < lo || *v > hi) {
			return clientError("Health check %s for container '%s' must be between %d and %d.", name, c.Name, lo, hi)
		}
		return nil
	}
	return firstErr(
		check("interval", hc.Interval, 5, 300),
		check("timeout", hc.Timeout, 2, 60),
		check("retries", hc.Retries, 1, 10),
		check("startPeriod", hc.StartPeriod, 0, 300),
	)
}

func validateFargate(in *registerTaskDefinitionInput, cpu, memory int) error {
	if in.NetworkMode != "awsvpc" {
		return clientError("Fargate only supports network mode 'awsvpc'.")
	}
	if in.CPU == "" {
		return clientError("Fargate requires that 'cpu' be defined at the task level.")
	}
	if in.Memory == "" {
		return clientError("Fargate requires that 'memory' be defined at the task level.")
	}
	if !ecsref.FargateSizeOK(cpu, memory) {
		return clientError("No Fargate configuration exists for given values: %d CPU, %d memory. See the Amazon ECS documentation for the valid combinations.", cpu, memory)
	}
	if in.PidMode != "" && in.PidMode != "task" {
		return clientError("Fargate only supports pidMode 'task'.")
	}
	for _, c := range in.ContainerDefinitions {
		if c.StopTimeout != nil && *c.StopTimeout > fargateStopTimeoutMax {
			return clientError("Tasks using the Fargate launch type must have a container stop timeout of less than 120 seconds.")
		}
	}
	return nil
}

// fargateCompatible reports whether a registered definition can run on Fargate.
func fargateCompatible(in *registerTaskDefinitionInput, cpu, memory int) bool {
	return in.NetworkMode == "awsvpc" && ecsref.FargateSizeOK(cpu, memory) && validateFargate(in, cpu, memory) == nil
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
