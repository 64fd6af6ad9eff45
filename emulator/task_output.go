package emulator

import (
	"encoding/json"
	"strconv"
)

type taskOut struct {
	Attachments          []attachmentOut `json:"attachments"`
	Attributes           []keyValue      `json:"attributes,omitempty"`
	AvailabilityZone     string          `json:"availabilityZone"`
	ClusterArn           string          `json:"clusterArn"`
	Connectivity         string          `json:"connectivity,omitempty"`
	ConnectivityAt       epoch           `json:"connectivityAt,omitzero"`
	ContainerInstanceArn string          `json:"containerInstanceArn,omitempty"`
	Containers           []containerOut  `json:"containers"`
	CPU                  string          `json:"cpu"`
	CreatedAt            epoch           `json:"createdAt"`
	DesiredStatus        string          `json:"desiredStatus"`
	EnableExecuteCommand bool            `json:"enableExecuteCommand"`
	ExecutionStoppedAt   epoch           `json:"executionStoppedAt,omitzero"`
	Group                string          `json:"group"`
	HealthStatus         string          `json:"healthStatus"`
	LastStatus           string          `json:"lastStatus"`
	LaunchType           string          `json:"launchType"`
	CapacityProviderName string          `json:"capacityProviderName,omitempty"`
	Memory               string          `json:"memory"`
	Overrides            json.RawMessage `json:"overrides"`
	PlatformVersion      string          `json:"platformVersion,omitempty"`
	PlatformFamily       string          `json:"platformFamily,omitempty"`
	PullStartedAt        epoch           `json:"pullStartedAt,omitzero"`
	PullStoppedAt        epoch           `json:"pullStoppedAt,omitzero"`
	StartedAt            epoch           `json:"startedAt,omitzero"`
	StartedBy            string          `json:"startedBy,omitempty"`
	StopCode             string          `json:"stopCode,omitempty"`
	StoppedAt            epoch           `json:"stoppedAt,omitzero"`
	StoppedReason        string          `json:"stoppedReason,omitempty"`
	StoppingAt           epoch           `json:"stoppingAt,omitzero"`
	Tags                 []Tag           `json:"tags,omitempty"`
	TaskArn              string          `json:"taskArn"`
	TaskDefinitionArn    string          `json:"taskDefinitionArn"`
	Version              int             `json:"version"`
}

type attachmentOut struct {
	ID      string     `json:"id"`
	Type    string     `json:"type"`
	Status  string     `json:"status"`
	Details []keyValue `json:"details"`
}

type containerOut struct {
	ContainerArn      string           `json:"containerArn"`
	TaskArn           string           `json:"taskArn"`
	Name              string           `json:"name"`
	Image             string           `json:"image"`
	RuntimeID         string           `json:"runtimeId,omitempty"`
	LastStatus        string           `json:"lastStatus"`
	ExitCode          *int             `json:"exitCode,omitempty"`
	Reason            string           `json:"reason,omitempty"`
	NetworkBindings   []networkBinding `json:"networkBindings"`
	NetworkInterfaces []networkIface   `json:"networkInterfaces"`
	HealthStatus      string           `json:"healthStatus"`
	CPU               string           `json:"cpu"`
	Memory            string           `json:"memory,omitempty"`
	MemoryReservation string           `json:"memoryReservation,omitempty"`
}

type networkBinding struct {
	BindIP        string `json:"bindIP"`
	ContainerPort int    `json:"containerPort"`
	HostPort      int    `json:"hostPort"`
	Protocol      string `json:"protocol"`
}

type networkIface struct {
	AttachmentID       string `json:"attachmentId"`
	PrivateIpv4Address string `json:"privateIpv4Address"`
}

// taskOutput renders t as ECS's Task shape.
func taskOutput(t *task, withTags bool) taskOut {
	out := taskOut{
		AvailabilityZone: t.AZ, ClusterArn: t.ClusterARN, ContainerInstanceArn: t.InstanceARN,
		CPU: strconv.Itoa(t.CPU), Memory: strconv.Itoa(t.Memory), CreatedAt: epoch(t.CreatedAt),
		DesiredStatus: t.DesiredStatus, EnableExecuteCommand: t.EnableExecuteCommand,
		ExecutionStoppedAt: epoch(t.ExecutionStoppedAt), Group: t.Group, HealthStatus: t.HealthStatus,
		LastStatus: t.LastStatus, LaunchType: t.LaunchType, CapacityProviderName: t.CapacityProvider, Overrides: t.Overrides,
		PlatformVersion: t.PlatformVersion, PullStartedAt: epoch(t.PullStartedAt), PullStoppedAt: epoch(t.PullStoppedAt),
		StartedAt: epoch(t.StartedAt), StartedBy: t.StartedBy, StopCode: t.StopCode, StoppedAt: epoch(t.StoppedAt),
		StoppedReason: t.StoppedReason, StoppingAt: epoch(t.StoppingAt), TaskArn: t.ARN,
		TaskDefinitionArn: t.TaskDefinition, Version: t.Version, Attachments: []attachmentOut{},
	}
	if out.Overrides == nil {
		out.Overrides = json.RawMessage(`{"containerOverrides":[],"inferenceAcceleratorOverrides":[]}`)
	}
	if t.LaunchType == "FARGATE" {
		out.PlatformFamily = "Linux"
		out.Attributes = []keyValue{{Name: "ecs.cpu-architecture", Value: "x86_64"}}
	}
	if !t.StartedAt.IsZero() || t.LastStatus == "PENDING" || t.LastStatus == "ACTIVATING" {
		out.Connectivity, out.ConnectivityAt = "CONNECTED", epoch(t.CreatedAt)
	}
	attachmentID := ""
	if t.ENI != "" {
		attachmentID = t.ID[:8] + "-" + t.ID[8:12] + "-" + t.ID[12:16] + "-" + t.ID[16:20] + "-" + t.ID[20:]
		status := map[string]string{"PROVISIONING": "PRECREATED", "DEPROVISIONING": "DELETED", "STOPPED": "DELETED"}[t.LastStatus]
		if status == "" {
			status = "ATTACHED"
		}
		out.Attachments = append(out.Attachments, attachmentOut{ID: attachmentID, Type: "ElasticNetworkInterface", Status: status,
			Details: []keyValue{{"subnetId", t.Subnet}, {"networkInterfaceId", t.ENI}, {"privateIPv4Address", t.PrivateIP}}})
	}
	for _, ct := range t.Containers {
		co := containerOut{
			ContainerArn: ct.ARN, TaskArn: t.ARN, Name: ct.Name, Image: ct.Image, LastStatus: ct.LastStatus,
			ExitCode: ct.ExitCode, Reason: ct.Reason, HealthStatus: ct.HealthStatus, CPU: strconv.Itoa(ct.CPU),
			NetworkBindings: []networkBinding{}, NetworkInterfaces: []networkIface{},
		}
		if !ct.StartedAt.IsZero() {
			co.RuntimeID = t.ID + "-" + ct.Name
		}
		if ct.Memory > 0 {
			co.Memory = strconv.Itoa(ct.Memory)
		}
		if ct.MemoryRes > 0 {
			co.MemoryReservation = strconv.Itoa(ct.MemoryRes)
		}
		if t.ENI != "" {
			co.NetworkInterfaces = append(co.NetworkInterfaces, networkIface{AttachmentID: attachmentID, PrivateIpv4Address: t.PrivateIP})
		} else if ct.LastStatus == "RUNNING" {
			for _, p := range ct.Ports {
				co.NetworkBindings = append(co.NetworkBindings, networkBinding{BindIP: "0.0.0.0", ContainerPort: p.ContainerPort, HostPort: p.HostPort, Protocol: p.Protocol})
			}
		}
		out.Containers = append(out.Containers, co)
	}
	if withTags {
		out.Tags = tagsOut(t.Tags)
	}
	return out
}
