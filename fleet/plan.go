package fleet

import (
	"context"
	"slices"
	"strings"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// PlanDeploys plans every service deploy of the waves at once, before the
// first wave changes anything, so that invalid input anywhere is reported
// for every target together (exitcode.Problems, each under its target's
// name) with nothing changed. With skipMissing, a target refused only
// because a change names a container its task definition lacks is left
// out instead: the waves returned lack it, and skipped gives the reason
// by target name. An interrupt (ctx ending) while planning is a failure
// that says nothing was changed.
func PlanDeploys(ctx context.Context, waves [][]Member, skipMissing bool) (planned [][]Member, skipped map[string]string, err error) {
	var deploys []*DeployMember
	for _, w := range waves {
		for _, m := range w {
			if d, ok := m.(*DeployMember); ok {
				deploys = append(deploys, d)
			}
		}
	}
	skipped = map[string]string{}
	var ps exitcode.Problems
	for i, err := range AtOnce(len(deploys), func(i int) error { _, err := deploys[i].Plan(ctx); return err }) {
		if err == nil {
			continue
		}
		if skipMissing && namesMissingContainer(err) {
			skipped[deploys[i].Name()] = err.Error()
			continue
		}
		ps.Add(deploys[i].Name(), 0, "%v", err)
	}
	if err := ps.Err(); err != nil {
		if ctx.Err() != nil {
			return nil, nil, exitcode.Failedf("interrupted while planning; nothing was changed")
		}
		return nil, nil, err
	}
	if len(skipped) == 0 {
		return waves, skipped, nil
	}
	for _, w := range waves {
		w = slices.DeleteFunc(slices.Clone(w), func(m Member) bool { _, ok := skipped[m.Name()]; return ok })
		if len(w) > 0 {
			planned = append(planned, w)
		}
	}
	return planned, skipped, nil
}

// namesMissingContainer reports whether a plan was refused only because a
// change names a container the service's task definition lacks.
func namesMissingContainer(err error) bool {
	var probs exitcode.Problems
	probs.Extend(err)
	if len(probs) == 0 {
		return false
	}
	for _, p := range probs {
		if !strings.Contains(p.Message, "has no container") {
			return false
		}
	}
	return true
}
