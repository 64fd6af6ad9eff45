package inspect

import (
	"context"

	"github.com/ecsdeploy/ecsdeploy/bluegreen"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// Snapshot is Service and, when the service shifts traffic between two
// sides (CodeDeploy, or ECS's blue/green, linear and canary strategies),
// its blue/green state read through apis: task sets, where the listeners
// or listener rules send traffic, the target groups' health and the
// deployment's lifecycle event or stage. A rolling service costs no call
// more than Service. A part that cannot be read (no CodeDeploy group
// found, a permission missing) is named in the state's problems.
func Snapshot(ctx context.Context, api watch.ECSAPI, apis bluegreen.APIs, cluster, service string, events int) (*ServiceStatus, error) {
	c, err := bluegreen.Locate(ctx, apis, cluster, service, "", "")
	if c == nil {
		return nil, err
	}
	rep, serr := fromService(ctx, api, cluster, c.Service, events)
	if serr != nil {
		return nil, serr
	}
	if c.Strategy == bluegreen.Rolling {
		return rep, nil
	}
	rep.BlueGreen = bluegreen.Look(ctx, apis, c)
	if err != nil {
		rep.BlueGreen.Problems = append(rep.BlueGreen.Problems, err.Error())
	}
	return rep, nil
}
