package scriptargs

import (
	"fmt"
	"strings"
)

// MaxDefinitionsNote says which revisions ecsdeploy kept that the script's
// --max-definitions N would have deregistered. The script deregisters every
// ACTIVE revision of the family beyond the newest N, in use or not;
// ecsdeploy's pruning (--keep-revisions) keeps a revision a service runs or
// deploys and the rollback target. active is the family's ACTIVE revisions
// after the deploy and its pruning, newest first. It returns "" when nothing
// was kept beyond what the script keeps.
func MaxDefinitionsNote(n int, active []string) string {
	if n <= 0 || len(active) <= n {
		return ""
	}
	kept := make([]string, 0, len(active)-n)
	for _, arn := range active[n:] {
		kept = append(kept, shortName(arn))
	}
	return fmt.Sprintf("--max-definitions %d: kept %s, which ecs-deploy would have deregistered: a service runs or deploys it, or it is the rollback target",
		n, strings.Join(kept, ", "))
}

func shortName(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}
