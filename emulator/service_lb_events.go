package emulator

import (
	"encoding/json"
	"fmt"
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
// and deregistration of tasks that began stopping, with ECS's wording.
//
// PARTIAL: there is no load balancer behind the events: targets are not
// health-checked, and deregistration does not wait for a delay.
func (e *Emulator) loadBalancerEvents(s *service, tasks []*task, now time.Time) {
	tgs := targetGroups(s)
	if len(tgs) == 0 {
		return
	}
	started, stopping := 0, 0
	for _, t := range tasks {
		if t.StartedAt.Equal(now) {
			started++
		}
		if t.StoppingAt.Equal(now) && !t.StartedAt.IsZero() {
			stopping++
		}
	}
	if stopping > 0 {
		e.addEvent(s, now, fmt.Sprintf("(service %s) has begun draining connections on %d tasks.", s.Name, stopping))
		for _, tg := range tgs {
			e.addEvent(s, now, fmt.Sprintf("(service %s) deregistered %d targets in (target-group %s)", s.Name, stopping, tg))
		}
	}
	for _, tg := range tgs {
		if started > 0 {
			e.addEvent(s, now, fmt.Sprintf("(service %s) registered %d targets in (target-group %s)", s.Name, started, tg))
		}
	}
}
