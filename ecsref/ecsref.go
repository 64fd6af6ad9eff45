// Package ecsref holds small facts about ECS that several layers need: the
// names inside resource ARNs and references, the PRIMARY deployment of a
// service, and Fargate's task sizes. It is the one place for these rules,
// shared by the engines, the commands and the local ECS.
package ecsref

import (
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Short returns what follows the last "/" of an ARN: "web:7" for a task
// definition ARN, the task ID for a task ARN, the service name for a
// service ARN. A value without "/" (already short) is returned as it is.
func Short(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// FamilyRevision splits a task definition reference, "family:revision" or
// its ARN, into the family and the revision. The revision is 0 when the
// reference names none ("web") or names it unreadably.
func FamilyRevision(ref string) (family string, revision int32) {
	s := Short(ref)
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, 0
	}
	n, err := strconv.ParseInt(s[i+1:], 10, 32)
	if err != nil || n < 0 {
		return s[:i], 0
	}
	return s[:i], int32(n)
}

// PrimaryDeployment returns the service's PRIMARY deployment: the newest,
// the one ECS is moving the service to.
func PrimaryDeployment(svc types.Service) (types.Deployment, bool) {
	for _, d := range svc.Deployments {
		if aws.ToString(d.Status) == "PRIMARY" {
			return d, true
		}
	}
	return types.Deployment{}, false
}

// TargetGroupName is the name inside a target group ARN
// (arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID), or
// the value as it is when it is not one.
func TargetGroupName(arn string) string {
	_, rest, ok := strings.Cut(arn, ":targetgroup/")
	if !ok {
		return arn
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}
