package apply

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/stack"
)

// clustersDescriber is the call requireCluster makes when the ECS client
// offers it (the SDK client does; a test's fake need not).
type clustersDescriber interface {
	DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, optFns ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error)
}

// requireCluster checks, before the stack is touched, that a cluster the
// spec names exists. Otherwise CloudFormation would create the role, log
// group and task definition, fail the service with "Cluster not found" and
// roll everything back, minutes later and without the cluster's name.
// A stack that creates its own cluster needs no check.
func requireCluster(ctx context.Context, api any, s *stack.Spec) error {
	d, ok := api.(clustersDescriber)
	if !ok || s.UsesOwnCluster() {
		return nil
	}
	name := s.ClusterName()
	out, err := d.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{name}})
	if err != nil {
		return fmt.Errorf("describe cluster %s: %w", name, err)
	}
	for _, c := range out.Clusters {
		if aws.ToString(c.Status) != "INACTIVE" {
			return nil
		}
	}
	return exitcode.Invalidf("cluster: cluster %s does not exist; create it first, or leave cluster out to have the stack create one", name)
}
