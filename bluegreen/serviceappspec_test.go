package bluegreen

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// oneService answers DescribeServices with svc and DescribeTaskDefinition
// with web:7, or tdErr.
type oneService struct {
	svc   types.Service
	tdErr error
}

func (f oneService) DescribeServices(context.Context, *ecs.DescribeServicesInput, ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	return &ecs.DescribeServicesOutput{Services: []types.Service{f.svc}}, nil
}

func (f oneService) DescribeTaskDefinition(context.Context, *ecs.DescribeTaskDefinitionInput, ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error) {
	if f.tdErr != nil {
		return nil, f.tdErr
	}
	return &ecs.DescribeTaskDefinitionOutput{TaskDefinition: &types.TaskDefinition{TaskDefinitionArn: aws.String("arn:aws:ecs:us-east-1:1:task-definition/web:7")}}, nil
}

func TestServiceAppSpec(t *testing.T) {
	ctx := context.Background()
	svc := types.Service{ServiceName: aws.String("web"), Status: aws.String("ACTIVE"), TaskDefinition: aws.String("arn:aws:ecs:us-east-1:1:task-definition/web:6"),
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeCodeDeploy},
		LoadBalancers:        []types.LoadBalancer{{ContainerName: aws.String("web"), ContainerPort: aws.Int32(80)}}}
	req := AppSpecRequest{Cluster: "c", Service: "web"}
	spec, err := ServiceAppSpec(ctx, oneService{svc: svc}, req)
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := spec.YAML(); !strings.Contains(text, "task-definition/web:6") {
		t.Fatalf("the service's own revision is not in\n%s", text)
	}
	req.TaskDefinition = "web:7"
	if spec, err = ServiceAppSpec(ctx, oneService{svc: svc}, req); err != nil {
		t.Fatal(err)
	}
	if text, _ := spec.YAML(); !strings.Contains(text, "task-definition/web:7") {
		t.Fatalf("the revision asked for is not in\n%s", text)
	}
	req.Origins = exitcode.Origins{"taskDefinition": exitcode.FlagOrigin("--task-definition")}
	_, err = ServiceAppSpec(ctx, oneService{svc: svc, tdErr: errors.New("no such revision")}, req)
	if exitcode.Of(err) != exitcode.Invalid || err.Error() != "--task-definition web:7: no such revision" {
		t.Fatalf("unreadable revision: %v", err)
	}
	svc.DeploymentController = nil
	_, err = ServiceAppSpec(ctx, oneService{svc: svc}, AppSpecRequest{Cluster: "c", Service: "web"})
	if exitcode.Of(err) != exitcode.Invalid || !strings.Contains(err.Error(), "not deployed by CodeDeploy (deployment controller ECS)") {
		t.Fatalf("a rolling service: %v", err)
	}
}
