package emulator

import (
	"slices"
	"sort"
	"strconv"
)

func init() {
	registerECSOp("ListContainerInstances", (*ecsCall).listContainerInstances)
	registerECSOp("DescribeContainerInstances", (*ecsCall).describeContainerInstances)
}

type resourceOut struct {
	Name           string   `json:"name"`
	Type           string   `json:"type"`
	IntegerValue   int      `json:"integerValue"`
	DoubleValue    float64  `json:"doubleValue"`
	LongValue      int64    `json:"longValue"`
	StringSetValue []string `json:"stringSetValue,omitempty"`
}

type instanceOut struct {
	ContainerInstanceArn string        `json:"containerInstanceArn"`
	Ec2InstanceID        string        `json:"ec2InstanceId"`
	Version              int           `json:"version"`
	VersionInfo          any           `json:"versionInfo"`
	RemainingResources   []resourceOut `json:"remainingResources"`
	RegisteredResources  []resourceOut `json:"registeredResources"`
	Status               string        `json:"status"`
	AgentConnected       bool          `json:"agentConnected"`
	RunningTasksCount    int           `json:"runningTasksCount"`
	PendingTasksCount    int           `json:"pendingTasksCount"`
	Attributes           []keyValue    `json:"attributes"`
	RegisteredAt         epoch         `json:"registeredAt"`
	Tags                 []Tag         `json:"tags,omitempty"`
}

// reservedPorts are the host ports the ECS agent reserves on every instance.
var reservedPorts = []string{"22", "2375", "2376", "51678", "51679", "51680"}

func instanceOutput(c *cluster, ci *containerInstance) instanceOut {
	cpu, mem, running, pending := 0, 0, 0, 0
	ports := slices.Clone(reservedPorts)
	for _, t := range c.Tasks {
		if t.InstanceARN != ci.ARN || t.LastStatus == "STOPPED" {
			continue
		}
		cpu += t.CPU
		mem += t.Memory
		if t.LastStatus == "RUNNING" {
			running++
		} else {
			pending++
		}
		for _, p := range t.HostPorts {
			ports = append(ports, strconv.Itoa(p))
		}
	}
	res := func(cpu, mem int, ports []string) []resourceOut {
		return []resourceOut{
			{Name: "CPU", Type: "INTEGER", IntegerValue: cpu},
			{Name: "MEMORY", Type: "INTEGER", IntegerValue: mem},
			{Name: "PORTS", Type: "STRINGSET", StringSetValue: ports},
			{Name: "PORTS_UDP", Type: "STRINGSET", StringSetValue: []string{}},
		}
	}
	return instanceOut{
		ContainerInstanceArn: ci.ARN, Ec2InstanceID: ci.EC2ID, Version: 1,
		VersionInfo:         map[string]string{"agentVersion": "1.80.0", "dockerVersion": "DockerVersion: 20.10.25"},
		RegisteredResources: res(ci.CPU, ci.Memory, reservedPorts),
		RemainingResources:  res(ci.CPU-cpu, ci.Memory-mem, ports),
		Status:              ci.Status, AgentConnected: true, RunningTasksCount: running, PendingTasksCount: pending,
		Attributes: []keyValue{
			{Name: "ecs.availability-zone", Value: ci.AZ},
			{Name: "ecs.instance-type", Value: ci.InstanceType},
			{Name: "ecs.os-type", Value: "linux"},
			{Name: "ecs.cpu-architecture", Value: "x86_64"},
		},
		RegisteredAt: epoch(ci.RegisteredAt),
	}
}

type instancesInput struct {
	Cluster            string   `json:"cluster"`
	Filter             string   `json:"filter"`
	Status             string   `json:"status"`
	NextToken          string   `json:"nextToken"`
	MaxResults         *int     `json:"maxResults"`
	ContainerInstances []string `json:"containerInstances"`
	Include            []string `json:"include"`
}

func (x *ecsCall) listContainerInstances(body []byte) (any, error) {
	in, err := ecsDecode[instancesInput](body)
	if err != nil {
		return nil, err
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if in.Filter != "" {
		return nil, Errorf("UnsupportedFeatureException", "The local ECS does not evaluate cluster query language filters.")
	}
	var arns []string
	cis := slices.Clone(c.Instances)
	sort.Slice(cis, func(i, j int) bool { return cis[i].Seq < cis[j].Seq })
	for _, ci := range cis {
		if in.Status != "" && ci.Status != in.Status {
			continue
		}
		arns = append(arns, ci.ARN)
	}
	return listPage("containerInstanceArns", arns, in.NextToken, in.MaxResults, 100)
}

func (x *ecsCall) describeContainerInstances(body []byte) (any, error) {
	in, err := ecsDecode[instancesInput](body)
	if err != nil {
		return nil, err
	}
	if len(in.ContainerInstances) == 0 || len(in.ContainerInstances) > 100 {
		return nil, invalidParameter("containerInstances must contain between 1 and 100 items.")
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	return eachInstance(c, in.ContainerInstances, nil), nil
}

// eachInstance finds the cluster's container instances named by refs (ARN or
// ID), applies change to each (when not nil), and replies as
// DescribeContainerInstances does: the instances, and a MISSING failure for
// each reference that names none.
func eachInstance(c *cluster, refs []string, change func(*containerInstance)) map[string]any {
	out := []instanceOut{}
	fails := []failure{}
	for _, ref := range refs {
		i := slices.IndexFunc(c.Instances, func(ci *containerInstance) bool { return ci.ARN == ref || ci.ID == ref })
		if i < 0 {
			fails = append(fails, failure{Arn: ref, Reason: "MISSING"})
			continue
		}
		if change != nil {
			change(c.Instances[i])
		}
		out = append(out, instanceOutput(c, c.Instances[i]))
	}
	return map[string]any{"containerInstances": out, "failures": fails}
}
