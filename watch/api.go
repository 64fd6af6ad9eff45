// Package watch follows one ECS deployment until it succeeds, fails or runs
// out of time. It is the one poller shared by every command that waits on a
// service: it batches its describes, reads when ECS's rules say a change is
// due and otherwise about once a second while things change, backs off when
// they don't or when AWS throttles (schedule.go), reports only
// what belongs to the watched deployment (its tasks, and service events since
// it began), and decides the verdict on that deployment alone — never on
// "the service looks stable", which is how other tools report a circuit
// breaker rollback as a success.
package watch

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// ECSAPI is the part of the ECS API the watcher reads; *ecs.Client satisfies it.
type ECSAPI interface {
	DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	ListTasks(ctx context.Context, in *ecs.ListTasksInput, optFns ...func(*ecs.Options)) (*ecs.ListTasksOutput, error)
	DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
}

// countReads counts the calls a wait makes, for its read budget.
type countReads struct {
	api ECSAPI
	n   *int
}

func (c countReads) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	*c.n++
	return c.api.DescribeServices(ctx, in, optFns...)
}

func (c countReads) ListTasks(ctx context.Context, in *ecs.ListTasksInput, optFns ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	*c.n++
	return c.api.ListTasks(ctx, in, optFns...)
}

func (c countReads) DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	*c.n++
	return c.api.DescribeTasks(ctx, in, optFns...)
}
