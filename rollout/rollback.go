package rollout

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// RollbackRequest says what to return the service to.
type RollbackRequest struct {
	Cluster        string
	Service        string
	TaskDefinition string // ARN or family:revision
	DesiredCount   *int32 // restore this count too, when the failed deploy changed it
}

// RollbackOptions say how to follow the rollback deployment.
type RollbackOptions struct {
	NoWait bool
	// Watch tunes the poller, including Timeout and Reporter.
	Watch watch.Options
}

// Rollback updates the service back to req.TaskDefinition and, unless
// NoWait, waits for that deployment. The result is returned with any error;
// a rollback that fails or times out is an error with exit code 1 or 3.
func Rollback(ctx context.Context, api ECSAPI, req RollbackRequest, opts RollbackOptions) (*RollbackResult, error) {
	rep := opts.Watch.Reporter
	if rep == nil {
		rep = progress.Discard
	}
	rb := &RollbackResult{TaskDefinition: req.TaskDefinition, DesiredCount: req.DesiredCount}
	rep.Report(progress.Step{At: time.Now(), Message: fmt.Sprintf("rolling back service %s to %s", req.Service, ecsref.Short(req.TaskDefinition))})
	out, err := api.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster: aws.String(req.Cluster), Service: aws.String(req.Service),
		TaskDefinition: aws.String(req.TaskDefinition), DesiredCount: req.DesiredCount,
	})
	if err != nil {
		rb.Outcome = progress.Failed
		rb.Reason = "UpdateService failed: " + err.Error()
		return rb, fmt.Errorf("roll back service %s: %w", req.Service, err)
	}
	var ours *types.Deployment
	if d, ok := ecsref.PrimaryDeployment(*out.Service); ok {
		ours = &d
	}
	if opts.NoWait {
		rb.Outcome = Updated
		if ours != nil {
			rb.DeploymentID = aws.ToString(ours.Id)
			rb.TaskDefinition = aws.ToString(ours.TaskDefinition)
		}
		return rb, nil
	}
	if ours == nil {
		rb.Outcome = progress.Failed
		rb.Reason = "UpdateService returned no PRIMARY deployment to follow"
		return rb, exitcode.Failedf("%s", rb.Reason)
	}
	rb.DeploymentID = aws.ToString(ours.Id)
	rb.TaskDefinition = aws.ToString(ours.TaskDefinition)
	wr, err := watch.Wait(ctx, api, watch.Target{
		Cluster: req.Cluster, Service: req.Service, DeploymentID: rb.DeploymentID,
		TaskDefinition: rb.TaskDefinition, Since: aws.ToTime(ours.CreatedAt),
	}, opts.Watch)
	fillRollback(rb, wr, err)
	switch {
	case err != nil:
		return rb, err
	case rb.Outcome == progress.TimedOut:
		return rb, exitcode.TimedOutf("rollback deployment %s timed out: %s", rb.DeploymentID, rb.Reason)
	case rb.Outcome == progress.Failed:
		return rb, exitcode.Failedf("rollback deployment %s failed: %s", rb.DeploymentID, rb.Reason)
	}
	return rb, nil
}

// RollbackTarget finds what to roll the service back to: revision N of its
// family when toRevision > 0; otherwise the revision that actually ran
// before the current one. That is, in order of certainty: an older
// deployment of the service still running its tasks; the source of the
// service's latest successful ECS service deployment (ListServiceDeployments,
// where the API has it); and, failing both, the newest ACTIVE revision of
// the family older than the current one, with a note saying it is a guess.
//
// A problem with toRevision is reported at the origin given for it, if any
// (where the caller's user typed it), else under the field's name.
func RollbackTarget(ctx context.Context, api ECSAPI, cluster, service string, toRevision int32, origin ...exitcode.Origin) (target string, svc types.Service, note string, err error) {
	at := exitcode.FieldOrigin("toRevision")
	if len(origin) > 0 && !origin[0].IsZero() {
		at = origin[0]
	}
	svc, err = DescribeService(ctx, api, cluster, service)
	if err != nil {
		return "", svc, "", err
	}
	current := aws.ToString(svc.TaskDefinition)
	family, rev := ecsref.FamilyRevision(current)
	if toRevision > 0 {
		ref := fmt.Sprintf("%s:%d", family, toRevision)
		td, _, err := describeTaskDefinition(ctx, api, ref)
		if err != nil {
			// ECS answers ClientException for a revision that does not exist;
			// anything else (throttling, access denied) is an AWS error, not
			// the user's input.
			if isClientException(err) {
				return "", svc, "", invalidAt(at, "%s does not exist (the service runs %s)", ref, ecsref.Short(current))
			}
			return "", svc, "", err
		}
		if td.Status != types.TaskDefinitionStatusActive {
			return "", svc, "", invalidAt(at, "%s is %s; only ACTIVE revisions can be deployed", ref, td.Status)
		}
		return aws.ToString(td.TaskDefinitionArn), svc, "", nil
	}
	for _, d := range svc.Deployments {
		// A FAILED deployment may still have tasks (ECS is rolling it back):
		// it is never a target.
		if aws.ToString(d.Status) != "PRIMARY" && aws.ToString(d.TaskDefinition) != current && d.RunningCount > 0 &&
			d.RolloutState != types.DeploymentRolloutStateFailed {
			return aws.ToString(d.TaskDefinition), svc, fmt.Sprintf("%s still runs tasks of the service", ecsref.Short(aws.ToString(d.TaskDefinition))), nil
		}
	}
	if prev, ok := previousFromServiceDeployments(ctx, api, cluster, service, current); ok {
		return prev, svc, "the service's previous successful deployment ran it", nil
	}
	arns, err := listFamily(ctx, api, family)
	if err != nil {
		return "", svc, "", err
	}
	for _, arn := range arns { // newest first
		if _, r := ecsref.FamilyRevision(arn); r < rev {
			return arn, svc, "could not tell which revision ran before; chose the newest ACTIVE revision older than the current one", nil
		}
	}
	return "", svc, "", exitcode.Failedf("no ACTIVE revision of %s older than %d to roll back to; name the revision to roll back to", family, rev)
}

// isClientException reports whether err is ECS's ClientException: a request
// that names something that is not there.
func isClientException(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "ClientException"
}

// serviceDeploymentsAPI is the optional part of the ECS API that knows the
// history of a service's deployments. Not every ECS-compatible endpoint has it.
type serviceDeploymentsAPI interface {
	ListServiceDeployments(ctx context.Context, in *ecs.ListServiceDeploymentsInput, optFns ...func(*ecs.Options)) (*ecs.ListServiceDeploymentsOutput, error)
	DescribeServiceDeployments(ctx context.Context, in *ecs.DescribeServiceDeploymentsInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServiceDeploymentsOutput, error)
	DescribeServiceRevisions(ctx context.Context, in *ecs.DescribeServiceRevisionsInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServiceRevisionsOutput, error)
}

// previousFromServiceDeployments asks the service's deployment history for
// the revision that ran before the current task definition. Any error (the
// API missing on an endpoint, permissions) means "don't know".
func previousFromServiceDeployments(ctx context.Context, api ECSAPI, cluster, service, current string) (string, bool) {
	sd, ok := api.(serviceDeploymentsAPI)
	if !ok {
		return "", false
	}
	list, err := sd.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{
		Cluster: aws.String(cluster), Service: aws.String(service),
		Status: []types.ServiceDeploymentStatus{types.ServiceDeploymentStatusSuccessful},
	})
	if err != nil || len(list.ServiceDeployments) == 0 {
		return "", false
	}
	briefs := list.ServiceDeployments
	sort.SliceStable(briefs, func(i, j int) bool { return aws.ToTime(briefs[i].CreatedAt).After(aws.ToTime(briefs[j].CreatedAt)) })
	var arns []string
	for _, b := range briefs {
		if len(arns) == 20 {
			break
		}
		arns = append(arns, aws.ToString(b.ServiceDeploymentArn))
	}
	deps, err := sd.DescribeServiceDeployments(ctx, &ecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: arns})
	if err != nil {
		return "", false
	}
	var revArns []string
	for _, d := range deps.ServiceDeployments {
		if d.TargetServiceRevision != nil {
			revArns = append(revArns, aws.ToString(d.TargetServiceRevision.Arn))
		}
	}
	if len(revArns) == 0 {
		return "", false
	}
	revs, err := sd.DescribeServiceRevisions(ctx, &ecs.DescribeServiceRevisionsInput{ServiceRevisionArns: revArns})
	if err != nil {
		return "", false
	}
	byArn := map[string]string{}
	for _, r := range revs.ServiceRevisions {
		byArn[aws.ToString(r.ServiceRevisionArn)] = aws.ToString(r.TaskDefinition)
	}
	// Deployments newest first: the first target that is not the current
	// task definition is what ran before it.
	for _, d := range deps.ServiceDeployments {
		if d.TargetServiceRevision == nil {
			continue
		}
		if td := byArn[aws.ToString(d.TargetServiceRevision.Arn)]; td != "" && td != current {
			return td, true
		}
	}
	return "", false
}

// listFamily lists the ACTIVE revisions of exactly family, newest first.
func listFamily(ctx context.Context, api ECSAPI, family string) ([]string, error) {
	var arns []string
	p := ecs.NewListTaskDefinitionsPaginator(api, &ecs.ListTaskDefinitionsInput{
		FamilyPrefix: aws.String(family), Status: types.TaskDefinitionStatusActive, Sort: types.SortOrderDesc,
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list revisions of %s: %w", family, err)
		}
		for _, a := range out.TaskDefinitionArns {
			// familyPrefix matches prefixes ("web" lists "web-worker" too).
			if f, _ := ecsref.FamilyRevision(a); f == family {
				arns = append(arns, a)
			}
		}
	}
	sort.SliceStable(arns, func(i, j int) bool {
		_, a := ecsref.FamilyRevision(arns[i])
		_, b := ecsref.FamilyRevision(arns[j])
		return a > b
	})
	return arns, nil
}
