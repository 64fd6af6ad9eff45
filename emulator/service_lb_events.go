package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// targetGroups lists the target group ARNs of a service's load balancers.
func targetGroups(s *service) []string {
	if len(s.LoadBalancers) == 0 {
		return nil
	}
	var lbs []struct {
		TargetGroupArn string `json:"targetGroupArn"`
	}
	if json.Unmarshal(s.LoadBalancers, &lbs) != nil {
		return nil
	}
	var arns []string
	for _, lb := range lbs {
		if lb.TargetGroupArn != "" {
			arns = append(arns, lb.TargetGroupArn)
		}
	}
	return arns
}

// loadBalancerEvents reports, for a service behind target groups, the
// registrations of tasks that reached RUNNING this step and the draining
// and deregistration of tasks that began stopping, with ECS's wording. Each
// task is counted in the target groups it registers with: a green task of
// an ECS-native blue/green deployment in the alternate target group.
func (e *Emulator) loadBalancerEvents(s *service, tasks []*task, now time.Time) {
	if len(targetGroups(s)) == 0 {
		return
	}
	var order []string // target groups in the order first met
	started, stopping := map[string]int{}, map[string]int{}
	stoppingTasks := 0
	count := func(into map[string]int, t *task) {
		for _, tg := range e.taskTargetGroups(s, t) {
			if started[tg] == 0 && stopping[tg] == 0 {
				order = append(order, tg)
			}
			into[tg]++
		}
	}
	for _, t := range tasks {
		if t.StartedAt.Equal(now) {
			count(started, t)
		}
		if t.StoppingAt.Equal(now) && !t.StartedAt.IsZero() {
			stoppingTasks++
			count(stopping, t)
		}
	}
	if stoppingTasks > 0 {
		e.addEvent(s, now, fmt.Sprintf("(service %s) has begun draining connections on %d tasks.", s.Name, stoppingTasks))
		for _, tg := range order {
			if n := stopping[tg]; n > 0 {
				e.addEvent(s, now, fmt.Sprintf("(service %s) deregistered %d targets in (target-group %s)", s.Name, n, tg))
			}
		}
	}
	for _, tg := range order {
		if n := started[tg]; n > 0 {
			e.addEvent(s, now, fmt.Sprintf("(service %s) registered %d targets in (target-group %s)", s.Name, n, tg))
		}
	}
}

// taskTargetGroups lists the target groups t is (or is about to be)
// registered with: those of its targets, else those of its load balancers.
func (e *Emulator) taskTargetGroups(s *service, t *task) []string {
	var out []string
	if len(t.Targets) > 0 {
		for _, tt := range t.Targets {
			if !slices.Contains(out, tt.TargetGroupARN) {
				out = append(out, tt.TargetGroupARN)
			}
		}
		return out
	}
	for _, sp := range e.taskLBSpecs(s, t) {
		if sp.TargetGroupARN != "" && !slices.Contains(out, sp.TargetGroupARN) {
			out = append(out, sp.TargetGroupARN)
		}
	}
	return out
}
