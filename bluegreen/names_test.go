package bluegreen

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// Messages name the settings they suggest as the request names them, unless
// the caller's origins say where its user gives them.
func TestMessagesNameSettingsByTheirOrigins(t *testing.T) {
	svc := testService(nil, nil)
	svc.DeploymentController = &types.DeploymentController{Type: types.DeploymentControllerTypeCodeDeploy}
	c := StrategyChange{Strategy: Canary}
	ps := c.Apply(svc, &ecs.UpdateServiceInput{})
	if len(ps) != 1 || ps[0].Field != FieldStrategy || !strings.HasSuffix(ps[0].Message, "(its traffic is shifted by CodeDeploy: use deploymentGroup, deploymentConfig and hooks); only a service created with the ECS controller can") {
		t.Errorf("without origins: %v", ps)
	}
	c.Origins = exitcode.Origins{"deploymentGroup": exitcode.FlagOrigin("--group"), "deploymentConfig": exitcode.FlagOrigin("--config"), "hooks": exitcode.FlagOrigin("--hook")}
	if ps := c.Apply(svc, &ecs.UpdateServiceInput{}); len(ps) != 1 || !strings.Contains(ps[0].Message, "use --group, --config and --hook)") {
		t.Errorf("with origins: %v", ps)
	}

	none := &NotFoundError{Cluster: "c", Service: "web", Examined: 2}
	if got, want := none.Error(), "no CodeDeploy deployment group deploys service web of cluster c (2 groups of ECS applications examined): create one, or name it with application and deploymentGroup"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	two := &NotFoundError{Cluster: "c", Service: "web", Found: []string{"a/g1", "a/g2"}, Naming: [2]string{"--app", "--group"}}
	if got, want := two.Error(), "2 CodeDeploy deployment groups deploy service web of cluster c (a/g1, a/g2): name one with --app and --group"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	req := Request{Origins: exitcode.Origins{"application": exitcode.FlagOrigin("--app"), "deploymentGroup": exitcode.FlagOrigin("--group")}}
	err := locateError(none, req)
	if exitcode.Of(err) != exitcode.Invalid || !strings.HasSuffix(err.Error(), "name it with --app and --group") {
		t.Errorf("located: %v (exit %d)", err, exitcode.Of(err))
	}
}
