// Package rollout performs a rolling update of an ECS service: it plans
// (reads only: the new task definition, the service settings that change,
// the steps ECS will take), applies (registers the revision, updates the
// service, deregisters the revision again if the update fails), watches the
// deployment with package watch, rolls back on request, prunes old
// revisions after success, and writes outputs for CI. It never prints: it
// reports progress events and returns a Result.
package rollout

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/watch"
)

// ECSAPI is the part of the ECS API a rollout uses; *ecs.Client satisfies it.
type ECSAPI interface {
	watch.ECSAPI
	DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
	RegisterTaskDefinition(ctx context.Context, in *ecs.RegisterTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.RegisterTaskDefinitionOutput, error)
	DeregisterTaskDefinition(ctx context.Context, in *ecs.DeregisterTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DeregisterTaskDefinitionOutput, error)
	ListTaskDefinitions(ctx context.Context, in *ecs.ListTaskDefinitionsInput, optFns ...func(*ecs.Options)) (*ecs.ListTaskDefinitionsOutput, error)
	ListServices(ctx context.Context, in *ecs.ListServicesInput, optFns ...func(*ecs.Options)) (*ecs.ListServicesOutput, error)
	UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, optFns ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
	TagResource(ctx context.Context, in *ecs.TagResourceInput, optFns ...func(*ecs.Options)) (*ecs.TagResourceOutput, error)
}

var _ ECSAPI = (*ecs.Client)(nil)
