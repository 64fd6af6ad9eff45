package bluegreen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
)

// CodeDeployAPI is the part of the CodeDeploy API a blue/green deploy
// uses; *codedeploy.Client satisfies it.
type CodeDeployAPI interface {
	ListApplications(ctx context.Context, in *codedeploy.ListApplicationsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.ListApplicationsOutput, error)
	ListDeploymentGroups(ctx context.Context, in *codedeploy.ListDeploymentGroupsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentGroupsOutput, error)
	BatchGetDeploymentGroups(ctx context.Context, in *codedeploy.BatchGetDeploymentGroupsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.BatchGetDeploymentGroupsOutput, error)
	CreateDeployment(ctx context.Context, in *codedeploy.CreateDeploymentInput, optFns ...func(*codedeploy.Options)) (*codedeploy.CreateDeploymentOutput, error)
	GetDeployment(ctx context.Context, in *codedeploy.GetDeploymentInput, optFns ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentOutput, error)
	ListDeploymentTargets(ctx context.Context, in *codedeploy.ListDeploymentTargetsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentTargetsOutput, error)
	GetDeploymentTarget(ctx context.Context, in *codedeploy.GetDeploymentTargetInput, optFns ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentTargetOutput, error)
	ContinueDeployment(ctx context.Context, in *codedeploy.ContinueDeploymentInput, optFns ...func(*codedeploy.Options)) (*codedeploy.ContinueDeploymentOutput, error)
	StopDeployment(ctx context.Context, in *codedeploy.StopDeploymentInput, optFns ...func(*codedeploy.Options)) (*codedeploy.StopDeploymentOutput, error)
}

var _ CodeDeployAPI = (*codedeploy.Client)(nil)

// Group is a CodeDeploy deployment group that deploys one ECS service.
type Group struct {
	Application string
	Name        string
	Info        cdtypes.DeploymentGroupInfo
}

// NotFoundError says no deployment group, or more than one, deploys the
// service; it lists what was found so the user can name one.
type NotFoundError struct {
	Cluster, Service string
	Found            []string // "application/group" of every match
	Examined         int      // deployment groups looked at
	// Naming is how the caller's user names the application and the
	// deployment group (a command line's flags), for the hint; empty, they
	// are named "application" and "deploymentGroup", as Request names them.
	Naming [2]string
}

func (e *NotFoundError) Error() string {
	app, group := e.Naming[0], e.Naming[1]
	if app == "" || group == "" {
		app, group = "application", "deploymentGroup"
	}
	if len(e.Found) == 0 {
		return fmt.Sprintf("no CodeDeploy deployment group deploys service %s of cluster %s (%d groups of ECS applications examined): create one, or name it with %s and %s",
			e.Service, e.Cluster, e.Examined, app, group)
	}
	return fmt.Sprintf("%d CodeDeploy deployment groups deploy service %s of cluster %s (%s): name one with %s and %s",
		len(e.Found), e.Service, e.Cluster, strings.Join(e.Found, ", "), app, group)
}

// FindGroup returns the deployment group whose ecsServices name this
// cluster and service. application and group, when given, narrow the
// search (both given: that group, checked to deploy this service).
func FindGroup(ctx context.Context, api CodeDeployAPI, cluster, service, application, group string) (*Group, error) {
	apps := []string{application}
	if application == "" {
		var err error
		if apps, err = listApplications(ctx, api); err != nil {
			return nil, err
		}
	}
	nf := &NotFoundError{Cluster: cluster, Service: service}
	var found []*Group
	for _, app := range apps {
		names := []string{group}
		if group == "" {
			var err error
			if names, err = listGroups(ctx, api, app); err != nil {
				return nil, err
			}
		}
		for chunk := range slices.Chunk(names, 25) {
			out, err := api.BatchGetDeploymentGroups(ctx, &codedeploy.BatchGetDeploymentGroupsInput{ApplicationName: aws.String(app), DeploymentGroupNames: chunk})
			if err != nil {
				return nil, fmt.Errorf("read deployment groups of %s: %w", app, err)
			}
			for _, info := range out.DeploymentGroupsInfo {
				if info.ComputePlatform != "" && info.ComputePlatform != cdtypes.ComputePlatformEcs {
					continue
				}
				nf.Examined++
				if deploysService(info, cluster, service) {
					found = append(found, &Group{Application: app, Name: aws.ToString(info.DeploymentGroupName), Info: info})
				}
			}
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	for _, g := range found {
		nf.Found = append(nf.Found, g.Application+"/"+g.Name)
	}
	return nil, nf
}

// deploysService matches a group's ECS service by cluster name or ARN.
func deploysService(info cdtypes.DeploymentGroupInfo, cluster, service string) bool {
	for _, s := range info.EcsServices {
		if ecsref.Short(aws.ToString(s.ClusterName)) == ecsref.Short(cluster) && ecsref.Short(aws.ToString(s.ServiceName)) == ecsref.Short(service) {
			return true
		}
	}
	return false
}

func listApplications(ctx context.Context, api CodeDeployAPI) ([]string, error) {
	var apps []string
	var token *string
	for {
		out, err := api.ListApplications(ctx, &codedeploy.ListApplicationsInput{NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("list CodeDeploy applications: %w", err)
		}
		apps = append(apps, out.Applications...)
		if token = out.NextToken; token == nil {
			return apps, nil
		}
	}
}

func listGroups(ctx context.Context, api CodeDeployAPI, app string) ([]string, error) {
	var names []string
	var token *string
	for {
		out, err := api.ListDeploymentGroups(ctx, &codedeploy.ListDeploymentGroupsInput{ApplicationName: aws.String(app), NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("list deployment groups of %s: %w", app, err)
		}
		names = append(names, out.DeploymentGroups...)
		if token = out.NextToken; token == nil {
			return names, nil
		}
	}
}

// CreateDeployment starts a CodeDeploy deployment of the AppSpec in g;
// config, when given, overrides the group's deployment configuration.
func CreateDeployment(ctx context.Context, api CodeDeployAPI, g *Group, spec *AppSpec, config, description string) (string, error) {
	content, err := spec.YAML()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(content))
	in := &codedeploy.CreateDeploymentInput{
		ApplicationName:     aws.String(g.Application),
		DeploymentGroupName: aws.String(g.Name),
		Revision: &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent,
			AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(content), Sha256: aws.String(hex.EncodeToString(sum[:]))}},
	}
	if config != "" {
		in.DeploymentConfigName = aws.String(config)
	}
	if description != "" {
		in.Description = aws.String(description)
	}
	out, err := api.CreateDeployment(ctx, in)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.DeploymentId), nil
}
