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
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

func plannedOn(controller types.DeploymentControllerType, strategy types.DeploymentStrategy, changes ...rollout.SettingChange) *rollout.Plan {
	svc := types.Service{ServiceName: aws.String("web"), DeploymentController: &types.DeploymentController{Type: controller}}
	if strategy != "" {
		svc.DeploymentConfiguration = &types.DeploymentConfiguration{Strategy: strategy}
	}
	return &rollout.Plan{Request: rollout.Request{Cluster: "c", Service: "web"}, Service: svc,
		Update: &ecs.UpdateServiceInput{Cluster: aws.String("c"), Service: aws.String("web")}, SettingChanges: changes}
}

// TestDeployPlanRefusesWhatTheControllerCannotTake: every problem comes
// at once, before any AWS call (the clients are nil), each at the origin
// its option was given at, else under the option's field name.
func TestDeployPlanRefusesWhatTheControllerCannotTake(t *testing.T) {
	opts := rollout.Options{KeepRevisions: 3, SkipDeploymentsCheck: true, Watch: watch.Options{StableFor: 1}}
	req := PlanRequest{Plan: plannedOn(types.DeploymentControllerTypeCodeDeploy, "", rollout.SettingChange{Name: "desiredCount"}, rollout.SettingChange{Name: "forceNewDeployment"}),
		Origins: exitcode.Origins{"stableFor": exitcode.FlagOrigin("--stable-for")}}
	res, err := DeployPlan(context.Background(), DeployAPIs{}, req, opts)
	var ps exitcode.Problems
	if !errors.As(err, &ps) || res == nil || res.Result != nil || res.Strategy != CodeDeploy {
		t.Fatalf("got %+v, %v; want problems and no deployment", res, err)
	}
	got := map[string]string{}
	for _, p := range ps {
		got[p.Field] = p.Message
	}
	if len(ps) != 5 || !strings.Contains(got["desiredCount"], "takes only a new revision") || !strings.Contains(got["--stable-for"], "is for rolling deploys") ||
		got["keepRevisions"] == "" || got["skipDeploymentsCheck"] == "" || !strings.Contains(got["hooks"], "no load balancer") {
		t.Fatalf("problems %v", got)
	}

	res, err = DeployPlan(context.Background(), DeployAPIs{}, PlanRequest{Plan: plannedOn(types.DeploymentControllerTypeEcs, types.DeploymentStrategyCanary)}, rollout.Options{KeepRevisions: 2})
	if exitcode.Of(err) != exitcode.Invalid || res.Strategy != Canary || !strings.Contains(err.Error(), "keepRevisions: is for rolling deploys; a canary deployment ends with its bake time") {
		t.Fatalf("canary: %v", err)
	}

	_, err = DeployPlan(context.Background(), DeployAPIs{}, PlanRequest{Plan: plannedOn(types.DeploymentControllerTypeEcs, "")}, rollout.Options{})
	if exitcode.Of(err) != exitcode.Invalid || !strings.Contains(err.Error(), "rolling") {
		t.Fatalf("a rolling service: %v, want it refused", err)
	}
}

// TestRollbackOnTimeoutOnlyForATimeout: a deployment that succeeded or
// failed (its controller rolls back), or a first deploy with nothing to
// return to, is left alone, with no AWS call (the clients are nil).
func TestRollbackOnTimeoutOnlyForATimeout(t *testing.T) {
	reg := &rollout.Result{Cluster: "c", Service: "web", PreviousTaskDefinition: "web:1"}
	for _, tc := range []struct {
		reg *rollout.Result
		res *Result
	}{
		{reg, nil},
		{reg, &Result{Outcome: progress.Succeeded}},
		{reg, &Result{Outcome: progress.Failed}},
		{&rollout.Result{Cluster: "c", Service: "web"}, &Result{Outcome: progress.TimedOut}},
	} {
		if op := rollbackOnTimeout(context.Background(), DeployAPIs{}, tc.reg, tc.res, FollowOptions{}, nil); op != nil {
			t.Errorf("%+v: rolled back %+v", tc.res, op)
		}
	}
}
