package rollout

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

// Plan is what a deploy would do, computed with reads only.
type Plan struct {
	Request Request
	Service types.Service
	// Current is the task definition the service runs now, with its tags.
	Current     *types.TaskDefinition
	CurrentTags []types.Tag
	// CurrentInput is Current as a register input, the old side of the diff.
	CurrentInput *ecs.RegisterTaskDefinitionInput
	// New is the revision to register; nil when an existing revision is
	// deployed (Existing) or nothing in the task definition changes.
	New *ecs.RegisterTaskDefinitionInput
	// Existing is the registered revision deployed as it is, when no new one is registered.
	Existing *types.TaskDefinition
	// Summary lists the task-definition changes per container (no secret values).
	Summary taskdef.Summary
	// Update is the UpdateService input; its TaskDefinition is filled in by Apply.
	Update         *ecs.UpdateServiceInput
	SettingChanges []SettingChange
	// Steps previews the batches ECS will take.
	Steps []string
	// InProgress is the deployment already running on the service, if any;
	// Deploy waits for it before starting ours.
	InProgress *types.Deployment
	Notes      []string
	// Warnings are reported by Deploy as it starts (and shown by a dry run
	// as notes): things found while planning that the user should know.
	Warnings []string
}

// Family is the family the deployed revision belongs to.
func (p *Plan) Family() string {
	switch {
	case p.New != nil:
		return aws.ToString(p.New.Family)
	case p.Existing != nil:
		return aws.ToString(p.Existing.Family)
	}
	return aws.ToString(p.Current.Family)
}

// MakePlan reads the service and task definitions and computes the plan. It
// writes nothing. A change that names a container the task definition lacks
// is invalid input (exitcode.Problems, exit code 2).
func MakePlan(ctx context.Context, api ECSAPI, req Request) (*Plan, error) {
	svc, err := DescribeService(ctx, api, req.Cluster, req.Service)
	if err != nil {
		return nil, err
	}
	if req.Adjust != nil {
		if err := req.Adjust(svc, &req.Settings); err != nil {
			return nil, err
		}
	}
	if dc := svc.DeploymentController; dc != nil && dc.Type != "" && dc.Type != types.DeploymentControllerTypeEcs &&
		(dc.Type != types.DeploymentControllerTypeCodeDeploy || !req.CodeDeploy) {
		return nil, exitcode.Invalidf("service %s uses the %s deployment controller; deploy does rolling updates of ECS-controlled services only", req.Service, dc.Type)
	}
	if lt := req.Settings.LaunchType; lt != "" && len(svc.CapacityProviderStrategy) == 0 && svc.LaunchType != lt {
		return nil, invalidAt(req.Origins.Of("launchType"), "service %s runs on %s, and ECS cannot change a service's launch type to %s; use a capacity provider strategy (for example FARGATE or FARGATE_SPOT) or create the service again", req.Service, orNone(string(svc.LaunchType)), lt)
	}
	if req.Family != "" && req.Source.Existing != "" {
		return nil, invalidAt(req.Origins.Of("family"), "registers a new revision; it cannot be combined with %s, which deploys an existing one", req.Origins.Of("taskDefinition").Name())
	}
	p := &Plan{Request: req, Service: svc}
	// Every task definition read while planning goes through one memo: the
	// family's newest revision is wanted by several steps, and is often
	// the revision the service runs.
	memo := newTDMemo(api)
	p.Current, p.CurrentTags, err = readCurrent(ctx, memo, aws.ToString(svc.TaskDefinition), req.wantsNewest)
	if err != nil {
		return nil, err
	}
	p.CurrentInput = taskdef.RegisterInput(p.Current, p.CurrentTags)
	if err := p.chooseTaskDefinition(ctx, memo); err != nil {
		return nil, err
	}
	if err := p.checkNewestRevision(ctx, memo); err != nil {
		return nil, err
	}
	p.Update, p.SettingChanges = serviceUpdate(svc, req.Settings)
	if p.New == nil && p.Existing == nil && len(p.SettingChanges) == 0 {
		// Nothing changes: the user wants the service redeployed (for
		// example to pull a moving tag again). Restart its tasks on the same
		// revision instead of registering an identical one.
		p.Update.ForceNewDeployment = true
		p.SettingChanges = append(p.SettingChanges, SettingChange{Name: "forceNewDeployment", Old: "-", New: "true (nothing else changes)"})
	}
	p.InProgress = inProgress(svc)
	desired := svc.DesiredCount
	if req.Settings.DesiredCount != nil {
		desired = *req.Settings.DesiredCount
	}
	minPct, maxPct := int32(100), int32(200)
	if dc := svc.DeploymentConfiguration; dc != nil {
		minPct, maxPct = aws.ToInt32(orInt(dc.MinimumHealthyPercent, 100)), aws.ToInt32(orInt(dc.MaximumPercent, 200))
	}
	if v := req.Settings.MinHealthyPercent; v != nil {
		minPct = *v
	}
	if v := req.Settings.MaxPercent; v != nil {
		maxPct = *v
	}
	if p.startsDeployment() {
		p.Steps = Steps(svc.RunningCount, desired, minPct, maxPct)
	} else {
		p.Steps = []string{"no new deployment: only settings that ECS applies in place change"}
	}
	return p, nil
}

func orInt(p *int32, def int32) *int32 {
	if p == nil {
		return aws.Int32(def)
	}
	return p
}

// startsDeployment reports whether the update makes ECS start a new
// deployment (a new task definition, network, platform version or a forced one).
func (p *Plan) startsDeployment() bool {
	u := p.Update
	return p.New != nil || p.Existing != nil || u.ForceNewDeployment || u.NetworkConfiguration != nil || u.PlatformVersion != nil ||
		u.LoadBalancers != nil || u.ServiceRegistries != nil || u.ServiceConnectConfiguration != nil ||
		u.VolumeConfigurations != nil || u.VpcLatticeConfigurations != nil
}

// chooseTaskDefinition fills New (or Existing) from the request's source and changes.
func (p *Plan) chooseTaskDefinition(ctx context.Context, api BaseAPI) error {
	req := p.Request
	src := req.Source
	switch {
	case src.Existing != "":
		td, _, err := describeActiveRevision(ctx, api, src.Existing, req.Origins.Of("taskDefinition"))
		if err != nil {
			return err
		}
		p.Existing = td
		return nil
	case src.UseLatest && src.File == nil && src.TemplateFamily == "" && req.Changes.IsEmpty():
		family := aws.ToString(p.Current.Family)
		td, _, err := describeActiveRevision(ctx, api, family, req.Origins.Of("useLatestTaskDef"))
		if err != nil {
			return err
		}
		if td.Revision != p.Current.Revision {
			// Deploy the latest revision as it is rather than registering a copy.
			p.Existing = td
			p.Notes = append(p.Notes, fmt.Sprintf("deploys the latest ACTIVE revision %s:%d as it is (the service runs %d)", family, td.Revision, p.Current.Revision))
			return nil
		}
	}
	b, err := resolveBase(ctx, api, BaseRequest{Cluster: req.Cluster, Service: req.Service, Source: src,
		Changes: req.Changes, CopyTags: req.CopyTaskDefinitionTags, Origins: req.Origins}, &p.Service, p.Current, p.CurrentTags)
	if err != nil {
		return err
	}
	if dest := req.Family; dest != "" && dest != aws.ToString(b.Input.Family) {
		// The destination family (Octopus's "task definition name").
		p.Notes = append(p.Notes, fmt.Sprintf("registered into family %s (the base revision is of %s)", dest, aws.ToString(b.Input.Family)))
		b.Input.Family = aws.String(dest)
	}
	p.Summary, p.Notes = b.Summary, append(p.Notes, b.Notes...)
	unchanged := taskdef.RegisterInput(p.Current, tagsIf(req.CopyTaskDefinitionTags || len(b.Input.Tags) > 0, p.CurrentTags))
	if sameTaskDefinition(b.Input, unchanged) {
		p.Notes = append(p.Notes, "the task definition does not change; no new revision is registered")
		return nil
	}
	p.New = b.Input
	return nil
}

// checkNewestRevision looks at the newest ACTIVE revision of the family
// before a new one is registered. A revision newer than the one the service
// runs that the service does not use is what a deploy leaves when it is
// stopped between registering and updating the service (killed, or a lost
// connection). If it is identical to the revision this deploy would
// register, it is deployed instead of registering another copy; otherwise
// the plan warns about it, so that it is neither reused by mistake nor
// left unmentioned.
func (p *Plan) checkNewestRevision(ctx context.Context, api BaseAPI) error {
	if p.New == nil || aws.ToString(p.New.Family) != aws.ToString(p.Current.Family) {
		return nil
	}
	newest, tags, err := describeTaskDefinition(ctx, api, aws.ToString(p.New.Family))
	if err != nil {
		return err
	}
	arn := aws.ToString(newest.TaskDefinitionArn)
	if newest.Revision <= p.Current.Revision || usesTaskDefinition(p.Service, arn) {
		return nil
	}
	name := fmt.Sprintf("%s:%d", aws.ToString(newest.Family), newest.Revision)
	if sameTaskDefinition(taskdef.RegisterInput(newest, tags), p.New) {
		p.Existing, p.New = newest, nil
		p.Notes = append(p.Notes, fmt.Sprintf("deploys %s, an identical revision registered earlier that this service never ran (an interrupted deploy?), instead of registering a copy", name))
		return nil
	}
	p.Warnings = append(p.Warnings, fmt.Sprintf("%s, newer than the revision the service runs (%d), is not used by this service: an earlier deploy may have stopped between registering it and updating the service; it is left as it is (ecsdeploy revisions prune can remove it)", name, p.Current.Revision))
	return nil
}

// sameTaskDefinition compares two register inputs as ECS sees them, through
// the normalised, order-insensitive rendering that the diff uses.
func sameTaskDefinition(a, b *ecs.RegisterTaskDefinitionInput) bool {
	return taskdef.Diff(a, b, taskdef.DiffOptions{ShowValues: true}) == ""
}

func tagsIf(ok bool, tags []types.Tag) []types.Tag {
	if ok {
		return tags
	}
	return nil
}

// inProgress returns the service's deployment that is still rolling out, if any.
func inProgress(svc types.Service) *types.Deployment {
	if len(svc.Deployments) <= 1 {
		for _, d := range svc.Deployments {
			if d.RolloutState == types.DeploymentRolloutStateInProgress {
				d := d
				return &d
			}
		}
		return nil
	}
	if d, ok := ecsref.PrimaryDeployment(svc); ok {
		return &d
	}
	return nil
}

// ServiceDescriber is the one call DescribeService makes.
type ServiceDescriber interface {
	DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
}

// DescribeService reads one service. A cluster that does not exist, and a
// service that does not exist or was deleted, are invalid input (exit code
// 2), named in the same words by every command.
func DescribeService(ctx context.Context, api ServiceDescriber, cluster, service string) (types.Service, error) {
	out, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{service}})
	var noCluster *types.ClusterNotFoundException
	if errors.As(err, &noCluster) {
		return types.Service{}, exitcode.Invalidf("cluster %s not found", cluster)
	}
	if err != nil {
		return types.Service{}, fmt.Errorf("describe service %s: %w", service, err)
	}
	if len(out.Services) == 0 {
		return types.Service{}, exitcode.Invalidf("service %s not found in cluster %s", service, cluster)
	}
	svc := out.Services[0]
	if st := aws.ToString(svc.Status); st == "INACTIVE" {
		return types.Service{}, exitcode.Invalidf("service %s in cluster %s is %s (deleted)", service, cluster, st)
	}
	return svc, nil
}

func describeTaskDefinition(ctx context.Context, api BaseAPI, ref string) (*types.TaskDefinition, []types.Tag, error) {
	out, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
		TaskDefinition: aws.String(ref), Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("describe task definition %s: %w", ref, err)
	}
	return out.TaskDefinition, out.Tags, nil
}
