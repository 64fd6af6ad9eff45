package rollout

import "fmt"

// Steps describes, in words, the batches ECS takes to replace old tasks by
// new ones for a desired count and the deployment's percentages: at least
// ceil(desired×min/100) tasks stay running and healthy, at most
// floor(desired×max/100) run or start. It assumes new tasks become healthy
// and that the cluster has room; it is a preview, not a promise.
func Steps(oldRunning, desired, minPercent, maxPercent int32) []string {
	if desired <= 0 && oldRunning <= 0 {
		return []string{"nothing to run: the desired count is 0"}
	}
	lower := (desired*minPercent + 99) / 100
	upper := desired * maxPercent / 100
	old, fresh := oldRunning, int32(0)
	var steps []string
	for i := 0; i < 2*int(desired+oldRunning)+2 && (fresh < desired || old > 0); i++ {
		if start := min(desired-fresh, upper-old-fresh); start > 0 {
			fresh += start
			steps = append(steps, fmt.Sprintf("start %d new task(s) and wait for them to be healthy (old %d, new %d)", start, old, fresh))
			continue
		}
		if stop := min(old, old+fresh-lower); stop > 0 {
			old -= stop
			steps = append(steps, fmt.Sprintf("stop %d old task(s) (old %d, new %d)", stop, old, fresh))
			continue
		}
		steps = append(steps, fmt.Sprintf("stuck: with minimumHealthyPercent %d and maximumPercent %d ECS can neither start nor stop a task (at least %d must run, at most %d may); change the percentages", minPercent, maxPercent, lower, upper))
		return steps
	}
	if desired == 0 {
		steps = append(steps, "all tasks stopped (desired count 0)")
	}
	return steps
}
