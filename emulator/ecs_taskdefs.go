package emulator

import (
	"encoding/json"
	"slices"
)

func init() {
	registerECSOp("RegisterTaskDefinition", (*ecsCall).registerTaskDefinition)
	registerECSOp("DescribeTaskDefinition", (*ecsCall).describeTaskDefinition)
	registerECSOp("ListTaskDefinitions", (*ecsCall).listTaskDefinitions)
	registerECSOp("ListTaskDefinitionFamilies", (*ecsCall).listTaskDefinitionFamilies)
	registerECSOp("DeregisterTaskDefinition", (*ecsCall).deregisterTaskDefinition)
	registerECSOp("DeleteTaskDefinitions", (*ecsCall).deleteTaskDefinitions)
}

// taskDefMaxBytes is ECS's size limit for a task definition.
const taskDefMaxBytes = 65536

type registerTaskDefinitionInput struct {
	Family                  string         `json:"family"`
	NetworkMode             string         `json:"networkMode"`
	ContainerDefinitions    []containerDef `json:"containerDefinitions"`
	RequiresCompatibilities []string       `json:"requiresCompatibilities"`
	CPU                     string         `json:"cpu"`
	Memory                  string         `json:"memory"`
	Tags                    []Tag          `json:"tags"`
	PidMode                 string         `json:"pidMode"`
	IpcMode                 string         `json:"ipcMode"`
	TaskRoleArn             string         `json:"taskRoleArn"`
	ExecutionRoleArn        string         `json:"executionRoleArn"`
}

// taskDefMembers are the RegisterTaskDefinition members echoed by Describe.
var taskDefMembers = []string{
	"family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
	"placementConstraints", "requiresCompatibilities", "cpu", "memory", "pidMode", "ipcMode",
	"proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform", "enableFaultInjection",
}

func (x *ecsCall) registerTaskDefinition(body []byte) (any, error) {
	if len(body) > taskDefMaxBytes {
		return nil, clientError("Actual length: '%d'. Max allowed length is '%d' bytes.", len(body), taskDefMaxBytes)
	}
	in, err := ecsDecode[registerTaskDefinitionInput](body)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, serializationError("Could not parse the request.")
	}
	if err := checkRawMembers(body, memberKinds{"volumes": '[', "placementConstraints": '[', "proxyConfiguration": '{',
		"inferenceAccelerators": '[', "ephemeralStorage": '{', "runtimePlatform": '{'}); err != nil {
		return nil, err
	}
	cpu, memory, err := validateTaskDef(in)
	if err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	members := map[string]json.RawMessage{}
	for _, k := range taskDefMembers {
		if v, ok := raw[k]; ok && string(v) != "null" {
			members[k] = v
		}
	}
	containers, err := normalizeContainers(raw["containerDefinitions"], in.NetworkMode)
	if err != nil {
		return nil, err
	}
	members["containerDefinitions"] = containers
	for _, k := range []string{"volumes", "placementConstraints"} {
		if _, ok := members[k]; !ok {
			members[k] = json.RawMessage("[]")
		}
	}
	f := x.reg.Families[in.Family]
	if f == nil {
		f = &family{Name: in.Family}
		x.reg.Families[in.Family] = f
	}
	compat := []string{"EC2"}
	if fargateCompatible(in, cpu, memory) {
		compat = append(compat, "FARGATE")
	}
	rev := len(f.Revisions) + 1
	td := &taskDef{
		Family: in.Family, Revision: rev, ARN: x.taskDefARN(in.Family, rev), Status: "ACTIVE",
		Members: members, Containers: in.ContainerDefinitions, NetworkMode: in.NetworkMode,
		Requires: in.RequiresCompatibilities, Compatibilities: compat, CPU: cpu, Memory: memory,
		RegisteredAt: x.rc.Now, RegisteredBy: "arn:aws:iam::" + x.rc.AccountID + ":root", Tags: in.Tags,
	}
	f.Revisions = append(f.Revisions, td)
	out := map[string]any{"taskDefinition": taskDefOutput(td)}
	if len(td.Tags) > 0 {
		out["tags"] = td.Tags
	}
	return out, nil
}

// normalizeContainers applies the defaults ECS shows on Describe: essential
// true, cpu 0, empty lists, tcp port mappings with hostPort resolved.
func normalizeContainers(raw json.RawMessage, networkMode string) (json.RawMessage, error) {
	var defs []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &defs); err != nil {
		return nil, serializationError("containerDefinitions must be a list of objects.")
	}
	for _, d := range defs {
		setDefault(d, "essential", true)
		setDefault(d, "cpu", 0)
		for _, k := range []string{"environment", "mountPoints", "volumesFrom", "portMappings", "systemControls"} {
			setDefault(d, k, []any{})
		}
		var ports []map[string]any
		if err := json.Unmarshal(d["portMappings"], &ports); err != nil {
			return nil, serializationError("portMappings must be a list of objects.")
		}
		for _, p := range ports {
			if _, ok := p["protocol"]; !ok {
				p["protocol"] = "tcp"
			}
			if hp, ok := p["hostPort"]; (!ok || hp == nil) && (networkMode == "awsvpc" || networkMode == "host") {
				p["hostPort"] = p["containerPort"]
			}
		}
		d["portMappings"], _ = json.Marshal(ports)
	}
	return json.Marshal(defs)
}

func setDefault(m map[string]json.RawMessage, key string, v any) {
	if cur, ok := m[key]; ok && string(cur) != "null" {
		return
	}
	m[key], _ = json.Marshal(v)
}

// taskDefOutput renders a revision as ECS's TaskDefinition shape.
func taskDefOutput(td *taskDef) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(td.Members)+10)
	for k, v := range td.Members {
		out[k] = v
	}
	put := func(k string, v any) { out[k], _ = json.Marshal(v) }
	put("taskDefinitionArn", td.ARN)
	put("revision", td.Revision)
	put("status", td.Status)
	put("compatibilities", td.Compatibilities)
	put("requiresAttributes", requiredAttributes(td))
	put("registeredAt", epoch(td.RegisteredAt))
	put("registeredBy", td.RegisteredBy)
	if !td.DeregisteredAt.IsZero() {
		put("deregisteredAt", epoch(td.DeregisteredAt))
	}
	if !td.DeleteRequestedAt.IsZero() {
		put("deleteRequestedAt", epoch(td.DeleteRequestedAt))
	}
	return out
}

// requiredAttributes lists the agent capabilities a definition needs, as ECS derives them.
func requiredAttributes(td *taskDef) []map[string]string {
	var names []string
	if td.NetworkMode == "awsvpc" {
		names = append(names, "ecs.capability.task-eni")
	}
	for _, c := range td.Containers {
		if c.HealthCheck != nil {
			names = append(names, "ecs.capability.container-health-check")
		}
		if c.LogConfiguration != nil && c.LogConfiguration.LogDriver == "awslogs" {
			names = append(names, "com.amazonaws.ecs.capability.logging-driver.awslogs")
		}
	}
	if _, ok := td.Members["executionRoleArn"]; ok {
		names = append(names, "ecs.capability.execution-role-awslogs")
	}
	slices.Sort(names)
	names = slices.Compact(names)
	out := make([]map[string]string, 0, len(names))
	for _, n := range names {
		out = append(out, map[string]string{"name": n})
	}
	return out
}

// findTaskDef resolves "family", "family:rev" or an ARN. A bare family
// means its latest ACTIVE revision.
func (x *ecsCall) findTaskDef(ref string) *taskDef {
	fam, rev, ok := parseTaskDefRef(ref)
	if !ok {
		return nil
	}
	f := x.reg.Families[fam]
	if f == nil {
		return nil
	}
	if rev == 0 {
		for i := len(f.Revisions) - 1; i >= 0; i-- {
			if f.Revisions[i].Status == "ACTIVE" {
				return f.Revisions[i]
			}
		}
		return nil
	}
	if rev > len(f.Revisions) {
		return nil
	}
	return f.Revisions[rev-1]
}

// usableTaskDef resolves a definition for a new task or deployment: it must
// exist and be ACTIVE.
func (x *ecsCall) usableTaskDef(ref string) (*taskDef, error) {
	td := x.findTaskDef(ref)
	if td == nil {
		return nil, clientError("TaskDefinition not found.")
	}
	if td.Status != "ACTIVE" {
		return nil, clientError("TaskDefinition is inactive")
	}
	return td, nil
}
