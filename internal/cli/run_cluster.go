package cli

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// clustersDescriber is the one call requireCluster makes.
type clustersDescriber interface {
	DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, optFns ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error)
}

// requireCluster makes sure the cluster exists (and is not deleted) before
// run registers a revision or starts anything: otherwise RunTask's refusal
// would come after a revision was registered for nothing, and without the
// cluster's name.
func requireCluster(ctx context.Context, api clustersDescriber, cluster string) error {
	out, err := api.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{cluster}})
	if err != nil {
		return fmt.Errorf("describe cluster %s: %w", cluster, err)
	}
	switch {
	case len(out.Clusters) == 0:
		return exitcode.Invalidf("cluster %s not found", cluster)
	case aws.ToString(out.Clusters[0].Status) == "INACTIVE":
		return exitcode.Invalidf("cluster %s is INACTIVE (deleted)", cluster)
	}
	return nil
}
