package runtask

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// FromAPI is the ECS client of ExecuteFrom. *ecs.Client satisfies it.
type FromAPI interface {
	RunAPI
	rollout.BaseAPI
	DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, optFns ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error)
}

// FromRequest is a run whose revision is resolved as deploy resolves its
// starting point (rollout.ResolveBase): a service's task definition, a
// family's latest, a revision or a file, with changes.
type FromRequest struct {
	Base rollout.BaseRequest
	// Task says how to start the tasks; ExecuteFrom sets its Service (the
	// base's) and its Env (the changes' environment variables, when they
	// go as overrides rather than in a registered revision).
	Task   Task
	NoWait bool
}

// FromRun is what ExecuteFrom did: the run, and the container overrides
// it sent ("web: command", "web: environment KEY").
type FromRun struct {
	*Run
	Overrides []string
}

// ExecuteFrom resolves the revision, checks the cluster (unless a service
// found in it vouches for it) and the task against it, registers a revision
// only when the run needs one (NeedsRevision) and the one it starts from is
// not already it (a run repeated, or one stopped after it registered, would
// otherwise leave a copy each time), then starts and follows the tasks as
// Execute does. Invalid input exits 2 with nothing registered or started.
func ExecuteFrom(ctx context.Context, api FromAPI, req FromRequest, o WaitOptions) (*FromRun, error) {
	base, err := rollout.ResolveBase(ctx, api, req.Base)
	if err != nil {
		return nil, err
	}
	if base.Service == nil {
		if err := requireCluster(ctx, api, req.Task.Cluster); err != nil {
			return nil, err
		}
	}
	needs := NeedsRevision(base.From, req.Base.Source.TemplateFamily, req.Base.Changes)
	task := req.Task
	task.Service = base.Service
	if !needs {
		task.Env = req.Base.Changes.Env
	}
	in, overrides, err := Input(base.Input, task)
	if err != nil {
		return nil, err
	}
	rr := Request{TaskDefinition: base.From, Input: in, NoWait: req.NoWait}
	if needs && (base.From == nil || base.Changed(req.Base)) {
		rr.Register = base.Input
	}
	run, err := Execute(ctx, api, rr, o)
	if err != nil {
		return nil, err
	}
	return &FromRun{Run: run, Overrides: overrides}, nil
}

// requireCluster makes sure the cluster exists (and is not deleted) before
// a run registers a revision or starts anything: otherwise RunTask's
// refusal would come after a revision was registered for nothing, and
// without the cluster's name.
func requireCluster(ctx context.Context, api FromAPI, cluster string) error {
	out, err := api.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{cluster}})
	if err != nil {
		return fmt.Errorf("describe cluster %s: %w", cluster, err)
	}
	switch {
	case len(out.Clusters) == 0:
		return exitcode.Invalidf("cluster %s not found", cluster)
	case aws.ToString(out.Clusters[0].Status) == "INACTIVE":
		return exitcode.Invalidf("cluster %s is INACTIVE (deleted)", cluster)
	}
	return nil
}
