package bluegreen

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// AppSpecAPI is the ECS client of ServiceAppSpec.
type AppSpecAPI interface {
	rollout.ServiceDescriber
	DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
}

// AppSpecRequest names the CODE_DEPLOY service whose AppSpec to build, the
// revision it deploys (default: the one the service runs) and the hooks.
type AppSpecRequest struct {
	Cluster, Service string
	TaskDefinition   string
	Hooks            []Hook
	// Origins say where fields were given ("taskDefinition").
	Origins exitcode.Origins
}

// ServiceAppSpec reads the service and builds the AppSpec a CodeDeploy
// deployment of it takes: its container and port behind the load
// balancer, its network, and the hooks in CodeDeploy's order. A service
// not deployed by CodeDeploy, a revision that cannot be read and a service
// the AppSpec cannot describe are invalid input (exit 2).
func ServiceAppSpec(ctx context.Context, api AppSpecAPI, req AppSpecRequest) (*AppSpec, error) {
	svc, err := rollout.DescribeService(ctx, api, req.Cluster, req.Service)
	if err != nil {
		return nil, err
	}
	if StrategyOf(svc) != CodeDeploy {
		return nil, exitcode.Invalidf("service %s in %s is not deployed by CodeDeploy (deployment controller %s): an AppSpec is for CODE_DEPLOY services", req.Service, req.Cluster, controllerOf(svc.DeploymentController))
	}
	td := aws.ToString(svc.TaskDefinition)
	if req.TaskDefinition != "" {
		out, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(req.TaskDefinition)})
		if err != nil {
			return nil, exitcode.With(exitcode.Invalid, fmt.Errorf("%s %s: %w", req.Origins.Of("taskDefinition").Name(), req.TaskDefinition, err))
		}
		td = aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	}
	spec, err := NewAppSpec(td, svc, req.Hooks)
	if err != nil {
		return nil, exitcode.With(exitcode.Invalid, err)
	}
	return spec, nil
}

func controllerOf(dc *types.DeploymentController) string {
	if dc == nil || dc.Type == "" {
		return "ECS"
	}
	return string(dc.Type)
}
