package rollout

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/progress"
)

// PruneRequest says which family to prune and what must stay.
type PruneRequest struct {
	Cluster string
	Family  string
	// Keep is how many of the newest ACTIVE revisions stay.
	Keep int
	// Protect lists revisions (ARNs) never to deregister: the one just
	// deployed and the rollback target.
	Protect []string
	DryRun  bool
}

// PruneResult lists what was (or, in a dry run, would be) deregistered and
// which old revisions were kept for safety.
type PruneResult struct {
	Deregistered []string          `json:"deregistered,omitempty"`
	KeptInUse    map[string]string `json:"keptInUse,omitempty"` // ARN → why it was kept
}

// Prune deregisters the ACTIVE revisions of a family beyond the newest Keep,
// never one that a service of the cluster uses (its task definition or that
// of any of its deployments) nor a protected one.
func Prune(ctx context.Context, api ECSAPI, req PruneRequest, rep progress.Reporter) (*PruneResult, error) {
	if rep == nil {
		rep = progress.Discard
	}
	if req.Keep < 1 {
		return nil, fmt.Errorf("keep at least one revision (got %d)", req.Keep)
	}
	arns, err := listFamily(ctx, api, req.Family)
	if err != nil {
		return nil, err
	}
	res := &PruneResult{KeptInUse: map[string]string{}}
	if len(arns) <= req.Keep {
		return res, nil
	}
	inUse, err := revisionsInUse(ctx, api, req.Cluster)
	if err != nil {
		return nil, err
	}
	for _, p := range req.Protect {
		if p != "" {
			inUse[p] = "just deployed or the rollback target"
		}
	}
	for _, arn := range arns[req.Keep:] {
		if why, ok := inUse[arn]; ok {
			res.KeptInUse[arn] = why
			continue
		}
		if !req.DryRun {
			if _, err := api.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err != nil {
				return res, fmt.Errorf("deregister %s: %w", ecsref.Short(arn), err)
			}
		}
		res.Deregistered = append(res.Deregistered, arn)
	}
	if len(res.Deregistered) > 0 {
		verb := "deregistered"
		if req.DryRun {
			verb = "would deregister"
		}
		rep.Report(progress.Step{At: time.Now(), Message: fmt.Sprintf("%s %d old revision(s) of %s, keeping the newest %d", verb, len(res.Deregistered), req.Family, req.Keep)})
	}
	return res, nil
}

// revisionsInUse maps every task definition a service of the cluster runs
// or is deploying to the service that uses it. Services are described ten
// at a time, the API's limit.
func revisionsInUse(ctx context.Context, api ECSAPI, cluster string) (map[string]string, error) {
	var names []string
	p := ecs.NewListServicesPaginator(api, &ecs.ListServicesInput{Cluster: aws.String(cluster)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list services of %s: %w", cluster, err)
		}
		names = append(names, out.ServiceArns...)
	}
	used := map[string]string{}
	for start := 0; start < len(names); start += 10 {
		out, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: names[start:min(start+10, len(names))]})
		if err != nil {
			return nil, fmt.Errorf("describe services of %s: %w", cluster, err)
		}
		for _, s := range out.Services {
			why := "used by service " + aws.ToString(s.ServiceName)
			used[aws.ToString(s.TaskDefinition)] = why
			for _, d := range s.Deployments {
				used[aws.ToString(d.TaskDefinition)] = why
			}
			for _, ts := range s.TaskSets {
				used[aws.ToString(ts.TaskDefinition)] = why
			}
		}
	}
	return used, nil
}
