package emulator

import (
	"fmt"
	"time"
)

// Lifecycle timings in emulated time (the scenario overrides pull and startup).
const (
	provisioningTime    = 10 * time.Second // ENI attachment for awsvpc tasks
	defaultPullTime     = 12 * time.Second
	defaultStartupDelay = 8 * time.Second
	deactivatingTime    = 1 * time.Second // load-balancer deregistration
	deprovisioningTime  = 2 * time.Second // ENI detachment
	sigtermExitTime     = 1 * time.Second // a well-behaved container exits this soon after SIGTERM
	defaultStopTimeout  = 30              // seconds between SIGTERM and SIGKILL
	healthyAfterRunning = 40 * time.Second
	stoppedTaskTTL      = time.Hour
)

// launch is how a task is started: by a service deployment or by RunTask.
type launch struct {
	td           *taskDef
	launchType   string
	provider     string // the capacity provider named on the task, if any
	network      *networkConfiguration
	group        string
	startedBy    string
	service      string
	deploymentID string
	overrides    []byte
	tags         []Tag
	execCommand  bool
	where        placement
	// platformVersion is the Fargate platform version asked for ("" or
	// LATEST: the latest for the task definition's operating system).
	platformVersion string
}

// newTask creates a task in PROVISIONING (awsvpc) or PENDING and adds it to c.
func (e *Emulator) newTask(r *regionState, c *cluster, l launch, now time.Time) *task {
	id := e.ids.hex32()
	t := &task{
		ID: id, ARN: fmt.Sprintf("arn:aws:ecs:%s:%s:task/%s/%s", r.Name, e.opts.AccountID, c.Name, id),
		ClusterARN: c.ARN, TaskDefinition: l.td.ARN, Family: l.td.Family, Group: l.group,
		StartedBy: l.startedBy, Service: l.service, DeploymentID: l.deploymentID,
		LaunchType: l.launchType, CapacityProvider: l.provider, AZ: l.where.az, Subnet: l.where.subnet, InstanceARN: l.where.instanceARN,
		HostPorts: l.where.hostPorts, CPU: l.where.cpu, Memory: l.where.memory,
		LastStatus: "PENDING", DesiredStatus: "RUNNING", HealthStatus: "UNKNOWN",
		Overrides: l.overrides, Tags: l.tags, EnableExecuteCommand: l.execCommand,
		Version: 1, Seq: r.next(), CreatedAt: now, NextAt: now, Network: l.network,
	}
	if l.launchType == "FARGATE" {
		t.PlatformVersion = platformRevision(l.platformVersion, l.td)
	}
	if l.td.NetworkMode == "awsvpc" {
		t.LastStatus = "PROVISIONING"
		t.NextAt = now.Add(provisioningTime)
		t.ENI = "eni-" + e.ids.hex32()[:17]
		t.PrivateIP = fmt.Sprintf("10.0.%d.%d", t.Seq/250%250, t.Seq%250+2)
	}
	for _, d := range l.td.Containers {
		ct := &container{
			Name: d.Name, Image: d.Image, Essential: d.essential(), CPU: d.CPU,
			Memory: deref(d.Memory), MemoryRes: deref(d.MemoryReservation),
			ARN:        fmt.Sprintf("arn:aws:ecs:%s:%s:container/%s/%s/%s", r.Name, e.opts.AccountID, c.Name, id, e.ids.hex32()[:8]+"-"+e.ids.uuid()[9:]),
			LastStatus: "PENDING", HealthStatus: "UNKNOWN", Behaviour: e.scen.ImageFor(d.Image),
			StopTimeout: defaultStopTimeout,
		}
		if d.StopTimeout != nil {
			ct.StopTimeout = *d.StopTimeout
		}
		if d.HealthCheck != nil {
			ct.Health = &healthCheck{Interval: 30, Timeout: 5, Retries: 3}
			if v := d.HealthCheck.Interval; v != nil {
				ct.Health.Interval = *v
			}
			if v := d.HealthCheck.Timeout; v != nil {
				ct.Health.Timeout = *v
			}
			if v := d.HealthCheck.Retries; v != nil {
				ct.Health.Retries = *v
			}
			if v := d.HealthCheck.StartPeriod; v != nil {
				ct.Health.StartPeriod = *v
			}
		}
		if d.LogConfiguration != nil {
			ct.LogDriver, ct.LogOptions = d.LogConfiguration.LogDriver, d.LogConfiguration.Options
		}
		for _, p := range d.PortMappings {
			pm := portMap{ContainerPort: deref(p.ContainerPort), HostPort: deref(p.HostPort), Protocol: p.Protocol}
			if pm.Protocol == "" {
				pm.Protocol = "tcp"
			}
			if l.td.NetworkMode == "awsvpc" || l.td.NetworkMode == "host" {
				pm.HostPort = pm.ContainerPort
			} else if pm.HostPort == 0 {
				pm.HostPort = 32768 + int(t.Seq%28000) // dynamic port from the ephemeral range
			}
			ct.Ports = append(ct.Ports, pm)
		}
		t.Containers = append(t.Containers, ct)
	}
	c.addTask(t)
	return t
}

// taskResources is what a task reserves: task-level cpu/memory, or the sum
// of its containers' (memoryReservation when set, as ECS subtracts it).
func taskResources(td *taskDef) (cpu, memory int) {
	cpu, memory = td.CPU, td.Memory
	sumCPU, sumMem := 0, 0
	for _, c := range td.Containers {
		sumCPU += c.CPU
		if c.MemoryReservation != nil {
			sumMem += *c.MemoryReservation
		} else {
			sumMem += deref(c.Memory)
		}
	}
	if cpu == 0 {
		cpu = sumCPU
	}
	if memory == 0 {
		memory = sumMem
	}
	return cpu, memory
}

// fixedHostPorts lists the host ports a bridge/host-mode task needs on its instance.
func fixedHostPorts(td *taskDef) []int {
	if td.NetworkMode == "awsvpc" || td.NetworkMode == "none" {
		return nil
	}
	var ports []int
	for _, c := range td.Containers {
		for _, p := range c.PortMappings {
			hp := deref(p.HostPort)
			if td.NetworkMode == "host" {
				hp = deref(p.ContainerPort)
			}
			if hp != 0 {
				ports = append(ports, hp)
			}
		}
	}
	return ports
}
