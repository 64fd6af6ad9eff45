package stack

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Names derived from a spec. The rule (documented in docs/stack.md):
//
//   - service name:      name
//   - cluster:           cluster, or name when the stack creates its own cluster
//   - task family:       name
//   - stack name:        "ecsdeploy-" + name when the stack owns its cluster,
//     otherwise "ecsdeploy-" + cluster + "-" + name; every character
//     CloudFormation does not allow in stack names becomes "-", and names
//     over 128 characters are cut and end in 8 hex digits of their SHA-256
//   - log group:         "/ecs/" + cluster + "/" + name
//
// The cluster is part of the stack name so that services of the same name
// in two clusters never share a stack.

// StackNamePrefix starts every stack name ecsdeploy generates.
const StackNamePrefix = "ecsdeploy-"

const maxStackNameLength = 128

// ServiceName is the ECS service name.
func (s *Spec) ServiceName() string { return s.Name }

// ClusterName is the cluster the service runs in.
func (s *Spec) ClusterName() string {
	if s.UsesOwnCluster() {
		return s.Name
	}
	return s.Cluster
}

// TaskFamily is the task definition family.
func (s *Spec) TaskFamily() string { return s.Name }

// LogGroupName is the CloudWatch Logs group the stack creates.
func (s *Spec) LogGroupName() string { return "/ecs/" + s.ClusterName() + "/" + s.Name }

// StackName is the CloudFormation stack name.
func (s *Spec) StackName() string {
	base := s.Name
	if !s.UsesOwnCluster() {
		base = s.Cluster + "-" + s.Name
	}
	return stackNameFrom(base)
}

func stackNameFrom(base string) string {
	var b strings.Builder
	b.WriteString(StackNamePrefix)
	for _, r := range base {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	name := b.String()
	if len(name) <= maxStackNameLength {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	suffix := "-" + hex.EncodeToString(sum[:])[:8]
	return name[:maxStackNameLength-len(suffix)] + suffix
}

// Tag keys ecsdeploy adds to every stack it creates (documented in docs/stack.md).
// CloudFormation propagates stack tags to the resources that support tags.
const (
	TagManagedBy = "ecsdeploy:managed-by" // always "ecsdeploy"
	TagService   = "ecsdeploy:service"    // the service name
	TagCluster   = "ecsdeploy:cluster"    // the cluster name
)

// StackTags returns the stack-level tags: the spec's own plus ecsdeploy's.
func (s *Spec) StackTags() map[string]string {
	tags := make(map[string]string, len(s.Tags)+3)
	for k, v := range s.Tags {
		tags[k] = v
	}
	tags[TagManagedBy] = "ecsdeploy"
	tags[TagService] = s.ServiceName()
	tags[TagCluster] = s.ClusterName()
	return tags
}

// PascalName turns a spec name such as "web-app" or "LOG_LEVEL" into the
// alphanumeric form template logical ids and parameter names need
// ("WebApp", "LOGLEVEL"): separators are dropped and the letter after one
// is capitalised.
func PascalName(s string) string {
	var b strings.Builder
	upper := true
	for _, r := range s {
		isAlnum := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !isAlnum {
			upper = true
			continue
		}
		if upper && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		upper = false
		b.WriteRune(r)
	}
	return b.String()
}
