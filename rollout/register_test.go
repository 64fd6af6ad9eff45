package rollout

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

// TestRegisterOnlyWhatChanges: nothing changed registers nothing and
// names the revision started from; a dry run registers nothing; a change
// registers web:2; a refused registration names the family.
func TestRegisterOnlyWhatChanges(t *testing.T) {
	ctx := context.Background()
	f, td := setup(t)
	req := BaseRequest{Cluster: "c", Service: "web"}
	r, err := Register(ctx, f, req, false)
	if err != nil || r.Changed || r.Registered || r.TaskDefinition != td || r.Revision != 1 {
		t.Fatalf("unchanged: %+v, %v", r, err)
	}
	req.Changes = taskdef.Changes{Images: []taskdef.ImageChange{{Container: "app", Image: "registry.example.com/web:2.0"}}}
	r, err = Register(ctx, f, req, true)
	if err != nil || !r.Changed || r.Registered || r.TaskDefinition != "" || len(f.writes) != 0 {
		t.Fatalf("dry run: %+v, %v, writes %v", r, err, f.writes)
	}
	r, err = Register(ctx, f, req, false)
	if err != nil || !r.Registered || r.Revision != 2 || !strings.HasSuffix(r.TaskDefinition, "web:2") {
		t.Fatalf("changed: %+v, %v", r, err)
	}
	f.failWrite["Register"] = errors.New("denied")
	req.Changes.Images[0].Image = "registry.example.com/web:3.0"
	if _, err = Register(ctx, f, req, false); err == nil || !strings.Contains(err.Error(), "register a revision of web: denied") {
		t.Fatalf("refused: %v", err)
	}
}
