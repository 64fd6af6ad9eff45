package rollout

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
)

// TestRollbackPreviousSaysItGuessedAndRollsBack: with no older deployment
// to go by, the newest older ACTIVE revision is the target, the guess is
// reported before the rollback, and the service ends on it; a revision
// that does not exist is invalid input at the origin given, with nothing
// changed and no result.
func TestRollbackPreviousSaysItGuessedAndRollsBack(t *testing.T) {
	f, td1 := setup(t)
	td2 := f.addTaskDef("web", container("app", "registry.example.com/web:2"))
	f.services["web"].TaskDefinition = aws.String(td2)
	f.services["web"].Deployments[0].TaskDefinition = aws.String(td2)
	f.onPoll = completeRollout(1)
	var steps []string
	opts := RollbackOptions{Watch: fastWatch}
	opts.Watch.Reporter = progress.ReporterFunc(func(e progress.Event) {
		if s, ok := e.(progress.Step); ok {
			steps = append(steps, s.Message)
		}
	})
	p, err := RollbackPrevious(context.Background(), f, "c", "web", 0, exitcode.Origin{}, opts)
	if err != nil || p.Previous != td2 || !strings.Contains(p.Note, "could not tell") || p.Result.Outcome != progress.Succeeded {
		t.Fatalf("rollback: %+v %v", p, err)
	}
	if len(steps) == 0 || !strings.HasPrefix(steps[0], "rollback target web:1: could not tell") {
		t.Fatalf("first step %q, want the guess said first", steps)
	}
	if got := aws.ToString(f.services["web"].TaskDefinition); got != td1 {
		t.Fatalf("service runs %s, want %s", got, td1)
	}
	writes := len(f.writes)
	p, err = RollbackPrevious(context.Background(), f, "c", "web", 99, exitcode.FlagOrigin("--to-revision"), opts)
	if p != nil || exitcode.Of(err) != exitcode.Invalid || !strings.Contains(err.Error(), "--to-revision") || len(f.writes) != writes {
		t.Fatalf("revision 99: %+v, %v, writes %v", p, err, f.writes[writes:])
	}
}
