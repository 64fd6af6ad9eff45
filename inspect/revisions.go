package inspect

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// API is what inspecting services and families reads (and pruning
// writes); *ecs.Client satisfies it.
type API interface {
	rollout.ECSAPI
}

// Revision is one revision of a family.
type Revision struct {
	Revision     int32      `json:"revision"`
	ARN          string     `json:"taskDefinitionArn"`
	Status       string     `json:"status"`
	RegisteredAt *time.Time `json:"registeredAt,omitempty"`
	Images       []string   `json:"images"`
	UsedBy       []string   `json:"usedBy"` // services of the cluster running or deploying it
}

// Revisions lists the family's revisions newest first (ACTIVE, and
// INACTIVE when asked), describes the newest limit of them, and notes which
// services of the cluster use each.
func Revisions(ctx context.Context, api API, cluster, family string, inactive bool, limit int) ([]Revision, error) {
	statuses := []types.TaskDefinitionStatus{types.TaskDefinitionStatusActive}
	if inactive {
		statuses = append(statuses, types.TaskDefinitionStatusInactive)
	}
	var arns []string
	for _, st := range statuses {
		got, err := familyARNs(ctx, api, family, st)
		if err != nil {
			return nil, err
		}
		arns = append(arns, got...)
	}
	if len(arns) == 0 {
		if !inactive {
			if old, err := familyARNs(ctx, api, family, types.TaskDefinitionStatusInactive); err == nil && len(old) > 0 {
				return nil, exitcode.Invalidf("family %s has no ACTIVE revision (%d INACTIVE; ask for INACTIVE revisions too)", family, len(old))
			}
		}
		return nil, exitcode.Invalidf("task definition family %s not found", family)
	}
	sort.Slice(arns, func(i, j int) bool { return revisionOf(arns[i]) > revisionOf(arns[j]) })
	if len(arns) > limit {
		arns = arns[:limit]
	}
	users, err := serviceUsers(ctx, api, cluster)
	if err != nil {
		return nil, err
	}
	out := make([]Revision, 0, len(arns))
	for _, arn := range arns {
		d, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)})
		if err != nil {
			return nil, fmt.Errorf("describe %s: %w", ecsref.Short(arn), err)
		}
		td := d.TaskDefinition
		info := Revision{Revision: td.Revision, ARN: arn, Status: string(td.Status), RegisteredAt: td.RegisteredAt,
			Images: []string{}, UsedBy: users[arn]}
		if info.UsedBy == nil {
			info.UsedBy = []string{}
		}
		for _, c := range td.ContainerDefinitions {
			info.Images = append(info.Images, aws.ToString(c.Name)+"="+aws.ToString(c.Image))
		}
		out = append(out, info)
	}
	return out, nil
}

// familyARNs lists the family's revisions with one status. ECS matches
// familyPrefix as a prefix ("web" also lists "web-worker"), so the ARNs are
// filtered to the family itself.
func familyARNs(ctx context.Context, api API, family string, status types.TaskDefinitionStatus) ([]string, error) {
	var arns []string
	p := ecs.NewListTaskDefinitionsPaginator(api, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: status})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list revisions of %s: %w", family, err)
		}
		for _, arn := range out.TaskDefinitionArns {
			if familyOf(arn) == family {
				arns = append(arns, arn)
			}
		}
	}
	return arns, nil
}

// familyOf and revisionOf split ".../task-definition/FAMILY:REVISION".
func familyOf(arn string) string {
	family, _ := ecsref.FamilyRevision(arn)
	return family
}

func revisionOf(arn string) int {
	_, revision := ecsref.FamilyRevision(arn)
	return int(revision)
}

// serviceUsers maps each task definition ARN that a service of the cluster
// runs or is deploying to the names of those services, sorted.
func serviceUsers(ctx context.Context, api API, cluster string) (map[string][]string, error) {
	var names []string
	p := ecs.NewListServicesPaginator(api, &ecs.ListServicesInput{Cluster: aws.String(cluster)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		var noCluster *types.ClusterNotFoundException
		if errors.As(err, &noCluster) {
			return nil, exitcode.Invalidf("cluster %s not found", cluster)
		}
		if err != nil {
			return nil, fmt.Errorf("list services of %s: %w", cluster, err)
		}
		names = append(names, out.ServiceArns...)
	}
	users := map[string][]string{}
	add := func(arn, svc string) {
		for _, s := range users[arn] {
			if s == svc {
				return
			}
		}
		users[arn] = append(users[arn], svc)
	}
	for start := 0; start < len(names); start += 10 {
		out, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: names[start:min(start+10, len(names))]})
		if err != nil {
			return nil, fmt.Errorf("describe services of %s: %w", cluster, err)
		}
		for _, s := range out.Services {
			name := aws.ToString(s.ServiceName)
			add(aws.ToString(s.TaskDefinition), name)
			for _, d := range s.Deployments {
				add(aws.ToString(d.TaskDefinition), name)
			}
			for _, ts := range s.TaskSets {
				add(aws.ToString(ts.TaskDefinition), name)
			}
		}
	}
	for _, v := range users {
		sort.Strings(v)
	}
	return users, nil
}

// PruneFamily applies rollout's prune rules (the same as deploy
// --keep-revisions) and also protects the revision each service of the
// cluster running this family would roll back to, which a standalone prune
// cannot know from a deploy it just made.
func PruneFamily(ctx context.Context, api API, req rollout.PruneRequest) (*rollout.PruneResult, error) {
	family := req.Family
	active, err := familyARNs(ctx, api, family, types.TaskDefinitionStatusActive)
	if err != nil {
		return nil, err
	}
	if len(active) == 0 {
		if old, err := familyARNs(ctx, api, family, types.TaskDefinitionStatusInactive); err == nil && len(old) > 0 {
			return nil, exitcode.Invalidf("family %s has no ACTIVE revision to prune", family)
		}
		return nil, exitcode.Invalidf("task definition family %s not found", family)
	}
	users, err := serviceUsers(ctx, api, req.Cluster)
	if err != nil {
		return nil, err
	}
	var protect []string
	seen := map[string]bool{}
	for arn, services := range users {
		if familyOf(arn) != family {
			continue
		}
		for _, svc := range services {
			if seen[svc] {
				continue
			}
			seen[svc] = true
			target, _, _, err := rollout.RollbackTarget(ctx, api, req.Cluster, svc, 0)
			if err != nil {
				// No older revision to roll back to is fine; AWS refusing a call stops the prune.
				if exitcode.Of(err) != exitcode.AWS {
					continue
				}
				return nil, fmt.Errorf("find the rollback target of %s: %w", svc, err)
			}
			protect = append(protect, target)
		}
	}
	sort.Strings(protect)
	req.Protect = append(req.Protect, protect...)
	return rollout.Prune(ctx, api, req, nil)
}
