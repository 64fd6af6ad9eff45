package cloudformation

import "strings"

// ecsJSON turns CloudFormation properties (PascalCase) into the ECS API's
// JSON members (camelCase). Keys inside maps the user names themselves
// (log driver options, Docker labels) are kept as they are.
func ecsJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			key := ecsMemberName(k)
			if userKeyed[k] {
				out[key] = val
				continue
			}
			out[key] = ecsJSON(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = ecsJSON(val)
		}
		return out
	}
	return v
}

// userKeyed are properties whose map keys are the user's, not ECS members.
var userKeyed = map[string]bool{"Options": true, "DockerLabels": true}

// memberExceptions are properties whose ECS name is not simply the
// CloudFormation name with its leading capitals lowered.
var memberExceptions = map[string]string{
	"FilesystemId":           "fileSystemId",
	"EFSVolumeConfiguration": "efsVolumeConfiguration",
	"IAM":                    "iam",
}

// ecsMemberName lowers the leading capitals of a property name:
// "ContainerPort" → "containerPort", "EnableECSManagedTags" →
// "enableECSManagedTags", "AssignPublicIp" → "assignPublicIp".
func ecsMemberName(k string) string {
	if m, ok := memberExceptions[k]; ok {
		return m
	}
	if k == "" {
		return k
	}
	return strings.ToLower(k[:1]) + k[1:]
}
