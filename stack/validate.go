package stack

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/spec"
)

// validator collects every problem of a spec with its field and line.
type validator struct {
	lines    spec.Lines
	problems exitcode.Problems
}

func (v *validator) add(field, format string, args ...any) {
	v.problems.Add(field, v.lines.Nearest(field), format, args...)
}

var (
	ecsName      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$`) })
	envName      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })
	subnetID     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^subnet-([0-9a-fA-F]{8}|[0-9a-fA-F]{17})$`) })
	groupID      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^sg-([0-9a-fA-F]{8}|[0-9a-fA-F]{17})$`) })
	logRetention = map[int]bool{1: true, 3: true, 5: true, 7: true, 14: true, 30: true, 60: true, 90: true,
		120: true, 150: true, 180: true, 365: true, 400: true, 545: true, 731: true, 1096: true, 1827: true,
		2192: true, 2557: true, 2922: true, 3288: true, 3653: true}
)

// Validate checks a decoded spec. Each problem carries the line its field
// was written on, as the spec decoder recorded it (0 for a Spec built in
// code). It returns exitcode.Problems or nil.
func Validate(s *Spec) error {
	v := &validator{lines: s.lines}
	v.spec(s)
	return v.problems.Err()
}

func (v *validator) spec(s *Spec) {
	switch {
	case s.Name == "":
		v.add("name", "is required: the ECS service name, e.g. name: web")
	case !ecsName().MatchString(s.Name):
		v.add("name", "%q is not a valid service name: use up to 255 letters, digits, hyphens and underscores, starting with a letter or digit", s.Name)
	}
	if s.Cluster != "" && !ecsName().MatchString(s.Cluster) {
		v.add("cluster", "%q is not a valid cluster name: use up to 255 letters, digits, hyphens and underscores", s.Cluster)
	}
	switch s.LaunchType {
	case "", DefaultLaunchType:
	case "EC2", "EXTERNAL":
		v.add("launchType", "%s is not supported by stack, which only creates Fargate services; remove launchType (FARGATE is the default), or use `ecsdeploy deploy` for services on EC2 instances", s.LaunchType)
	default:
		v.add("launchType", "%q is not a launch type; stack creates Fargate services: use FARGATE or leave it out", s.LaunchType)
	}
	v.taskSize(s)
	v.containers(s)
	v.volumes(s)
	v.network(s)
	v.loadBalancers(s)
	v.deployment(s)
	v.strategy(s)
	if s.DesiredCount != nil && *s.DesiredCount < 0 {
		v.add("desiredCount", "must be 0 or more, not %d", *s.DesiredCount)
	}
	switch s.PropagateTags {
	case "", "SERVICE", "TASK_DEFINITION", "NONE":
	default:
		v.add("propagateTags", "%q is not allowed; use SERVICE, TASK_DEFINITION or NONE", s.PropagateTags)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Tags)) {
		lower := strings.ToLower(k)
		if strings.HasPrefix(lower, "aws:") || strings.HasPrefix(lower, "ecsdeploy:") {
			v.add("tags."+k, "tag keys starting with aws: or ecsdeploy: are reserved")
		}
	}
	if s.LogRetentionDays != 0 && !logRetention[s.LogRetentionDays] {
		v.add("logRetentionDays", "%d is not a retention CloudWatch Logs offers; use 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653", s.LogRetentionDays)
	}
	v.parameters(s)
}

func (v *validator) taskSize(s *Spec) {
	if s.CPU == 0 {
		v.add("cpu", "is required: the task's CPU units, one of %s", fargateCPUHint())
		return
	}
	if len(ecsref.FargateMemory(s.CPU)) == 0 {
		v.add("cpu", "%d is not a Fargate task size; use one of %s", s.CPU, fargateCPUHint())
		return
	}
	if s.Memory == 0 {
		v.add("memory", "is required: with cpu %d, use %s MiB", s.CPU, fargateMemoryHint(s.CPU))
		return
	}
	if !FargateSizeOK(s.CPU, s.Memory) {
		v.add("memory", "Fargate has no task with cpu %d and memory %d; with cpu %d use %s MiB", s.CPU, s.Memory, s.CPU, fargateMemoryHint(s.CPU))
	}
}

func (v *validator) containers(s *Spec) {
	if len(s.Containers) == 0 {
		v.add("containers", "at least one container is required")
		return
	}
	seen := map[string]int{}
	volumes := map[string]bool{}
	for _, vol := range s.Volumes {
		volumes[vol.Name] = true
	}
	essential, cpuSum, memSum := 0, 0, 0
	for i, c := range s.Containers {
		at := fmt.Sprintf("containers[%d]", i)
		switch {
		case c.Name == "":
			v.add(at+".name", "is required")
		case !ecsName().MatchString(c.Name):
			v.add(at+".name", "%q is not a valid container name: use letters, digits, hyphens and underscores", c.Name)
		default:
			if first, dup := seen[c.Name]; dup {
				v.add(at+".name", "container name %q is already used by containers[%d]", c.Name, first)
			} else {
				seen[c.Name] = i
			}
		}
		if c.Image == "" {
			v.add(at+".image", "is required, e.g. image: nginx:1.27")
		}
		if c.Essential == nil || *c.Essential {
			essential++
		}
		v.containerLimits(s, at, c)
		cpuSum += c.CPU
		if c.MemoryReservation > 0 {
			memSum += c.MemoryReservation
		} else {
			memSum += c.Memory
		}
		v.ports(at, c)
		v.healthCheck(at, c.HealthCheck)
		for _, k := range slices.Sorted(maps.Keys(c.Environment)) {
			if !envName().MatchString(k) {
				v.add(at+".environment."+k, "%q is not a valid environment variable name", k)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(c.Secrets)) {
			if !envName().MatchString(k) {
				v.add(at+".secrets."+k, "%q is not a valid environment variable name", k)
			}
			if c.Secrets[k] == "" {
				v.add(at+".secrets."+k, "needs the ARN or SSM parameter name that holds the value")
			}
			if _, both := c.Environment[k]; both {
				v.add(at+".secrets."+k, "%s is also set in environment; set it in one place", k)
			}
		}
		if c.RepositoryCredentials != nil && !strings.HasPrefix(c.RepositoryCredentials.CredentialsParameter, "arn:") {
			v.add(at+".repositoryCredentials.credentialsParameter", "must be the ARN of a Secrets Manager secret")
		}
		if c.WorkingDirectory != "" && !strings.HasPrefix(c.WorkingDirectory, "/") {
			v.add(at+".workingDirectory", "%q must be an absolute path", c.WorkingDirectory)
		}
		for j, m := range c.MountPoints {
			mat := fmt.Sprintf("%s.mountPoints[%d]", at, j)
			if m.SourceVolume == "" {
				v.add(mat+".sourceVolume", "is required: the name of a volume in volumes")
			} else if !volumes[m.SourceVolume] {
				v.add(mat+".sourceVolume", "volume %q is not defined; add it to volumes", m.SourceVolume)
			}
			if !strings.HasPrefix(m.ContainerPath, "/") {
				v.add(mat+".containerPath", "must be an absolute path in the container")
			}
		}
		if lc := c.LogConfiguration; lc != nil && lc.LogDriver == "" {
			v.add(at+".logConfiguration.logDriver", "is required when logConfiguration is given (leave logConfiguration out to log to CloudWatch Logs automatically)")
		}
	}
	if essential == 0 {
		v.add("containers", "at least one container must be essential")
	}
	if s.CPU > 0 && cpuSum > s.CPU {
		v.add("containers", "the containers' cpu adds up to %d, more than the task's %d", cpuSum, s.CPU)
	}
	if s.Memory > 0 && memSum > s.Memory {
		v.add("containers", "the containers' memory (memoryReservation, else memory) adds up to %d MiB, more than the task's %d", memSum, s.Memory)
	}
}

func (v *validator) containerLimits(s *Spec, at string, c Container) {
	if c.CPU < 0 {
		v.add(at+".cpu", "must not be negative")
	} else if s.CPU > 0 && c.CPU > s.CPU {
		v.add(at+".cpu", "%d is more than the task's cpu %d", c.CPU, s.CPU)
	}
	if c.Memory < 0 {
		v.add(at+".memory", "must not be negative")
	} else if s.Memory > 0 && c.Memory > s.Memory {
		v.add(at+".memory", "%d MiB is more than the task's memory %d", c.Memory, s.Memory)
	}
	if c.MemoryReservation < 0 {
		v.add(at+".memoryReservation", "must not be negative")
	} else if s.Memory > 0 && c.MemoryReservation > s.Memory {
		v.add(at+".memoryReservation", "%d MiB is more than the task's memory %d", c.MemoryReservation, s.Memory)
	}
	if c.Memory > 0 && c.MemoryReservation > 0 && c.MemoryReservation >= c.Memory {
		v.add(at+".memoryReservation", "must be less than the container's memory %d", c.Memory)
	}
	if c.StopTimeout < 0 || c.StopTimeout > 120 {
		v.add(at+".stopTimeout", "%d is outside 0-120 seconds, the range Fargate allows", c.StopTimeout)
	}
}

func (v *validator) ports(at string, c Container) {
	seenPort := map[string]int{}
	seenName := map[string]int{}
	for j, p := range c.PortMappings {
		pat := fmt.Sprintf("%s.portMappings[%d]", at, j)
		if p.ContainerPort < 1 || p.ContainerPort > 65535 {
			v.add(pat+".containerPort", "must be a port between 1 and 65535")
		}
		if p.HostPort != 0 && p.HostPort != p.ContainerPort {
			v.add(pat+".hostPort", "must equal containerPort (%d) on Fargate, or be left out", p.ContainerPort)
		}
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		if proto != "tcp" && proto != "udp" {
			v.add(pat+".protocol", "%q is not a protocol; use tcp or udp", p.Protocol)
		}
		key := fmt.Sprintf("%d/%s", p.ContainerPort, proto)
		if first, dup := seenPort[key]; dup {
			v.add(pat+".containerPort", "port %s is already mapped by portMappings[%d]", key, first)
		} else {
			seenPort[key] = j
		}
		if p.Name != "" {
			if first, dup := seenName[p.Name]; dup {
				v.add(pat+".name", "port mapping name %q is already used by portMappings[%d]", p.Name, first)
			} else {
				seenName[p.Name] = j
			}
		}
		switch p.AppProtocol {
		case "", "http", "http2", "grpc":
		default:
			v.add(pat+".appProtocol", "%q is not allowed; use http, http2 or grpc", p.AppProtocol)
		}
	}
}

func (v *validator) healthCheck(at string, hc *HealthCheck) {
	if hc == nil {
		return
	}
	at += ".healthCheck"
	if len(hc.Command) == 0 {
		v.add(at+".command", `is required, e.g. ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]`)
	} else if c := hc.Command[0]; c != "CMD" && c != "CMD-SHELL" && c != "NONE" {
		v.add(at+".command", `must start with "CMD", "CMD-SHELL" or "NONE", not %q`, c)
	}
	check := func(field string, value, min, max int) {
		if value != 0 && (value < min || value > max) {
			v.add(at+"."+field, "%d is outside %d-%d", value, min, max)
		}
	}
	check("interval", hc.Interval, 5, 300)
	check("timeout", hc.Timeout, 2, 120)
	check("retries", hc.Retries, 1, 10)
	check("startPeriod", hc.StartPeriod, 0, 300)
}

func (v *validator) volumes(s *Spec) {
	seen := map[string]int{}
	for i, vol := range s.Volumes {
		at := fmt.Sprintf("volumes[%d]", i)
		if vol.Name == "" {
			v.add(at+".name", "is required")
		} else if first, dup := seen[vol.Name]; dup {
			v.add(at+".name", "volume name %q is already used by volumes[%d]", vol.Name, first)
		} else {
			seen[vol.Name] = i
		}
		if e := vol.EFS; e != nil {
			if e.FileSystemID == "" {
				v.add(at+".efs.fileSystemId", "is required, e.g. fs-0123456789abcdef0")
			}
			for field, value := range map[string]string{"transitEncryption": e.TransitEncryption, "iam": e.IAM} {
				if value != "" && value != "ENABLED" && value != "DISABLED" {
					v.add(at+".efs."+field, "%q is not allowed; use ENABLED or DISABLED", value)
				}
			}
			if (e.AccessPointID != "" || e.IAM == "ENABLED") && e.TransitEncryption != "ENABLED" {
				v.add(at+".efs.transitEncryption", "must be ENABLED when an access point or IAM authorization is used")
			}
			if e.AccessPointID != "" && e.RootDirectory != "" && e.RootDirectory != "/" {
				v.add(at+".efs.rootDirectory", "must be left out (or /) when an access point is used; the access point sets the directory")
			}
		}
	}
}

func (v *validator) network(s *Spec) {
	if len(s.Network.Subnets) == 0 {
		v.add("network.subnets", "at least one subnet is required for Fargate tasks")
	}
	for i, id := range s.Network.Subnets {
		if !subnetID().MatchString(id) {
			v.add(fmt.Sprintf("network.subnets[%d]", i), "%q is not a subnet id (subnet- and 8 or 17 hex digits)", id)
		}
	}
	for i, id := range s.Network.SecurityGroups {
		if !groupID().MatchString(id) {
			v.add(fmt.Sprintf("network.securityGroups[%d]", i), "%q is not a security group id (sg- and 8 or 17 hex digits)", id)
		}
	}
}

func (v *validator) loadBalancers(s *Spec) {
	ports := map[string]map[int]bool{}
	for _, c := range s.Containers {
		ports[c.Name] = map[int]bool{}
		for _, p := range c.PortMappings {
			ports[c.Name][p.ContainerPort] = true
		}
	}
	seen := map[string]int{}
	for i, lb := range s.LoadBalancers {
		at := fmt.Sprintf("loadBalancers[%d]", i)
		if !strings.HasPrefix(lb.TargetGroupArn, "arn:") {
			v.add(at+".targetGroupArn", "is required: the ARN of an ELBv2 target group")
		}
		containerPorts, ok := ports[lb.ContainerName]
		switch {
		case lb.ContainerName == "":
			v.add(at+".containerName", "is required: the container that receives the traffic")
		case !ok:
			v.add(at+".containerName", "there is no container named %q", lb.ContainerName)
		case !containerPorts[lb.ContainerPort]:
			v.add(at+".containerPort", "container %q has no port mapping for port %d", lb.ContainerName, lb.ContainerPort)
		}
		key := fmt.Sprintf("%s|%s|%d", lb.TargetGroupArn, lb.ContainerName, lb.ContainerPort)
		if first, dup := seen[key]; dup {
			v.add(at, "repeats loadBalancers[%d]", first)
		} else {
			seen[key] = i
		}
	}
	if s.HealthCheckGracePeriodSeconds != nil {
		if len(s.LoadBalancers) == 0 {
			v.add("healthCheckGracePeriodSeconds", "only applies to services with load balancers")
		} else if g := *s.HealthCheckGracePeriodSeconds; g < 0 || g > 2147483647 {
			v.add("healthCheckGracePeriodSeconds", "must be 0 or more")
		}
	}
}

func (v *validator) deployment(s *Spec) {
	d := s.Deployment
	if d.MinimumHealthyPercent != nil && (*d.MinimumHealthyPercent < 0 || *d.MinimumHealthyPercent > 100) {
		v.add("deployment.minimumHealthyPercent", "%d is outside 0-100", *d.MinimumHealthyPercent)
	}
	if d.MaximumPercent != nil && *d.MaximumPercent < 100 {
		v.add("deployment.maximumPercent", "%d is below 100; Fargate services need room for at least the desired count", *d.MaximumPercent)
	}
	if d.MinimumHealthyPercent != nil && d.MaximumPercent != nil && *d.MinimumHealthyPercent == 100 && *d.MaximumPercent == 100 {
		v.add("deployment.maximumPercent", "with minimumHealthyPercent 100 and maximumPercent 100 no deployment can make progress; raise maximumPercent or lower minimumHealthyPercent")
	}
	if cb := d.CircuitBreaker; cb != nil && cb.Rollback && !cb.Enable {
		v.add("deployment.circuitBreaker.rollback", "needs enable: true")
	}
}

func (v *validator) parameters(s *Spec) {
	seen := map[string]int{}
	names := map[string]string{}
	for _, c := range s.Containers {
		name := ImageParameterName(c.Name)
		// Equal names are already reported as duplicates.
		if other, clash := names[name]; clash && c.Name != "" && other != c.Name {
			v.add("containers", "containers %q and %q would share the template parameter %s; rename one", other, c.Name, name)
		}
		names[name] = c.Name
	}
	for i, mark := range s.Parameters {
		at := fmt.Sprintf("parameters[%d]", i)
		if first, dup := seen[mark]; dup {
			v.add(at, "%q is already listed at parameters[%d]", mark, first)
			continue
		}
		seen[mark] = i
		p, err := s.markedParameter(mark)
		if err != nil {
			v.add(at, "%v", err)
			continue
		}
		if other, clash := names[p.Name]; clash {
			v.add(at, "%q and %q would share the template parameter %s", mark, other, p.Name)
		}
		names[p.Name] = mark
	}
}
