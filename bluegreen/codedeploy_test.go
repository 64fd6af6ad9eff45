package bluegreen

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
)

// fakeGroups is a CodeDeploy API holding deployment groups only.
type fakeGroups struct {
	CodeDeployAPI
	groups map[string][]cdtypes.DeploymentGroupInfo // application → groups
}

func (f *fakeGroups) ListApplications(ctx context.Context, in *codedeploy.ListApplicationsInput, _ ...func(*codedeploy.Options)) (*codedeploy.ListApplicationsOutput, error) {
	var apps []string
	for a := range f.groups {
		apps = append(apps, a)
	}
	return &codedeploy.ListApplicationsOutput{Applications: apps}, nil
}

func (f *fakeGroups) ListDeploymentGroups(ctx context.Context, in *codedeploy.ListDeploymentGroupsInput, _ ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentGroupsOutput, error) {
	var names []string
	for _, g := range f.groups[aws.ToString(in.ApplicationName)] {
		names = append(names, aws.ToString(g.DeploymentGroupName))
	}
	return &codedeploy.ListDeploymentGroupsOutput{DeploymentGroups: names}, nil
}

func (f *fakeGroups) BatchGetDeploymentGroups(ctx context.Context, in *codedeploy.BatchGetDeploymentGroupsInput, _ ...func(*codedeploy.Options)) (*codedeploy.BatchGetDeploymentGroupsOutput, error) {
	if len(in.DeploymentGroupNames) > 25 {
		return nil, errors.New("more than 25 names")
	}
	out := &codedeploy.BatchGetDeploymentGroupsOutput{}
	for _, g := range f.groups[aws.ToString(in.ApplicationName)] {
		for _, n := range in.DeploymentGroupNames {
			if n == aws.ToString(g.DeploymentGroupName) {
				out.DeploymentGroupsInfo = append(out.DeploymentGroupsInfo, g)
			}
		}
	}
	return out, nil
}

func group(name, cluster, service string) cdtypes.DeploymentGroupInfo {
	return cdtypes.DeploymentGroupInfo{DeploymentGroupName: aws.String(name), ComputePlatform: cdtypes.ComputePlatformEcs,
		EcsServices: []cdtypes.ECSService{{ClusterName: aws.String(cluster), ServiceName: aws.String(service)}}}
}

func TestFindGroup(t *testing.T) {
	f := &fakeGroups{groups: map[string][]cdtypes.DeploymentGroupInfo{
		"shop":        {group("web-prod", "prod", "web"), group("api-prod", "prod", "api")},
		"shop-canary": {group("web-canary", "prod", "web")},
		"legacy":      {{DeploymentGroupName: aws.String("servers"), ComputePlatform: cdtypes.ComputePlatformServer}},
	}}
	ctx := context.Background()
	g, err := FindGroup(ctx, f, "prod", "api", "", "")
	if err != nil || g.Application != "shop" || g.Name != "api-prod" {
		t.Fatalf("the one group of api: %+v %v", g, err)
	}
	if g, err := FindGroup(ctx, f, "arn:aws:ecs:us-east-1:1:cluster/prod", "arn:aws:ecs:us-east-1:1:service/prod/api", "", ""); err != nil || g.Name != "api-prod" {
		t.Fatalf("cluster and service given as ARNs: %+v %v", g, err)
	}
	_, err = FindGroup(ctx, f, "prod", "web", "", "")
	var nf *NotFoundError
	if !errors.As(err, &nf) || len(nf.Found) != 2 || !strings.Contains(err.Error(), "shop/web-prod") || !strings.Contains(err.Error(), "shop-canary/web-canary") {
		t.Fatalf("an ambiguous match names every group found: %v", err)
	}
	if g, err := FindGroup(ctx, f, "prod", "web", "shop-canary", ""); err != nil || g.Name != "web-canary" {
		t.Fatalf("--codedeploy-application narrows it: %+v %v", g, err)
	}
	_, err = FindGroup(ctx, f, "prod", "cron", "", "")
	if !errors.As(err, &nf) || nf.Examined != 3 || !strings.Contains(err.Error(), "no CodeDeploy deployment group deploys service cron") {
		t.Fatalf("no match says how many ECS groups were examined: %v", err)
	}
	if _, err := FindGroup(ctx, f, "prod", "api", "shop", "web-prod"); err == nil {
		t.Fatal("a named group that deploys another service is refused")
	}
}
