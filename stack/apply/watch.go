package apply

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/stack"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// watchService follows the service's PRIMARY deployment, the one the stack
// operation left, with the shared watcher, and turns its verdict into the
// result and exit code `deploy` gives.
func watchService(ctx context.Context, api watch.ECSAPI, s *stack.Spec, res *Result, opts watch.Options) error {
	out, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(s.ClusterName()), Services: []string{s.ServiceName()}})
	if err != nil {
		return fmt.Errorf("describe service %s: %w", s.ServiceName(), err)
	}
	if len(out.Services) == 0 {
		return exitcode.Failedf("stack %s is done but service %s is not in cluster %s", s.StackName(), s.ServiceName(), s.ClusterName())
	}
	svc := out.Services[0]
	if d, ok := ecsref.PrimaryDeployment(svc); ok {
		res.DeploymentID = aws.ToString(d.Id)
	}
	if res.DeploymentID == "" {
		return exitcode.Failedf("service %s has no PRIMARY deployment to watch", s.ServiceName())
	}
	wr, err := watch.Wait(ctx, api, watch.Target{
		Cluster: s.ClusterName(), Service: s.ServiceName(), DeploymentID: res.DeploymentID, TaskDefinition: res.TaskDefinition,
	}, opts)
	if err != nil {
		return fmt.Errorf("watch service %s: %w", s.ServiceName(), err)
	}
	res.Outcome, res.Reason, res.Failure = wr.Outcome, wr.Reason, wr.Diagnosis
	switch wr.Outcome {
	case progress.Succeeded:
		return nil
	case progress.TimedOut:
		return exitcode.TimedOutf("service %s: %s%s", s.ServiceName(), wr.Reason, diagnosisText(wr.Diagnosis))
	default:
		return exitcode.Failedf("service %s: %s%s", s.ServiceName(), wr.Reason, diagnosisText(wr.Diagnosis))
	}
}

func diagnosisText(d *watch.Diagnosis) string {
	if d == nil {
		return ""
	}
	lines := d.Lines()
	if len(lines) == 0 {
		return ""
	}
	return "\n  " + strings.Join(lines, "\n  ")
}
