package emulator

import (
	"encoding/json"
	"fmt"
	"time"
)

// A service with loadBalancers registers each task as a target of its
// target groups once the task is RUNNING; with a load balancer service
// installed (SetLoadBalancing) the task then counts as healthy only when
// every target is healthy, an unhealthy target gets the task replaced after
// the grace period, and stopping drains the targets for the target group's
// deregistration delay before SIGTERM. Target groups the load balancer
// service does not know keep the older behaviour: events only.

// taskTargets is a task's load balancer state, saved with the task.
type taskTargets struct {
	Targets []taskTarget `json:"targets,omitempty"`
	// TargetState is the worst state of the task's targets at the last
	// check: initial, healthy, unhealthy ("" without targets).
	TargetState  string `json:"targetState,omitempty"`
	TargetReason string `json:"targetReason,omitempty"`
	// TargetGroup and TargetPort name the unhealthy target, for events.
	TargetGroup string `json:"targetGroup,omitempty"`
	TargetPort  int    `json:"targetPort,omitempty"`
	// TargetCheckAt is when the targets' health next changes.
	TargetCheckAt time.Time `json:"targetCheckAt,omitzero"`
}

// taskTarget is one registration of a task in a target group.
type taskTarget struct {
	TargetGroupARN string `json:"targetGroupArn"`
	ID             string `json:"id"`
	Port           int    `json:"port"`
}

// lbSpec is one entry of a service's loadBalancers.
type lbSpec struct {
	TargetGroupARN string `json:"targetGroupArn"`
	ContainerName  string `json:"containerName"`
	ContainerPort  int    `json:"containerPort"`
	Advanced       *struct {
		AlternateTargetGroupArn string `json:"alternateTargetGroupArn"`
		ProductionListenerRule  string `json:"productionListenerRule"`
		TestListenerRule        string `json:"testListenerRule"`
		RoleArn                 string `json:"roleArn"`
	} `json:"advancedConfiguration"`
}

func parseLBSpecs(raw json.RawMessage) []lbSpec {
	if len(raw) == 0 {
		return nil
	}
	var specs []lbSpec
	if json.Unmarshal(raw, &specs) != nil {
		return nil
	}
	return specs
}

// taskLBSpecs are the load balancers a service task registers with.
// A task-set task registers with its task set's, not the service's.
func (e *Emulator) taskLBSpecs(s *service, t *task) []lbSpec {
	// An ECS-native blue/green deployment points a green task at the
	// alternate target groups.
	return s.BlueGreen.targetGroupsFor(t, parseLBSpecs(s.taskLoadBalancers(t)))
}

// checkLoadBalancers validates a service's loadBalancers against the task
// definition and, for target groups the load balancer service knows, the
// target group, with ECS's messages.
func (e *Emulator) checkLoadBalancers(raw json.RawMessage, td *taskDef) error {
	return e.checkLoadBalancersFor(raw, td, true)
}

// checkLoadBalancersFor is checkLoadBalancers; without attached, a target
// group need not be associated with a load balancer yet (the replacement
// task set of a CodeDeploy deployment, whose group gets traffic later).
func (e *Emulator) checkLoadBalancersFor(raw json.RawMessage, td *taskDef, attached bool) error {
	specs := parseLBSpecs(raw)
	if len(raw) > 0 && string(raw) != "null" && specs == nil && string(raw) != "[]" {
		return invalidParameter("loadBalancers must be a list of {targetGroupArn, containerName, containerPort}.")
	}
	for _, sp := range specs {
		if sp.TargetGroupARN == "" {
			continue // a Classic Load Balancer (loadBalancerName) is not checked
		}
		if sp.ContainerName == "" || sp.ContainerPort == 0 {
			return invalidParameter("loadBalancers: containerName and containerPort are required with targetGroupArn %s.", sp.TargetGroupARN)
		}
		found, port := false, false
		for _, c := range td.Containers {
			if c.Name != sp.ContainerName {
				continue
			}
			found = true
			for _, pm := range c.PortMappings {
				if pm.ContainerPort != nil && *pm.ContainerPort == sp.ContainerPort {
					port = true
				}
			}
		}
		if !found {
			return invalidParameter("The container %s does not exist in the task definition.", sp.ContainerName)
		}
		if !port {
			return invalidParameter("The container %s did not have a container port %d defined.", sp.ContainerName, sp.ContainerPort)
		}
		if e.lb == nil {
			continue
		}
		info, ok := e.lb.TargetGroupForECS(sp.TargetGroupARN)
		if !ok {
			continue
		}
		if len(info.LoadBalancerARNs) == 0 && attached {
			return invalidParameter("The target group with targetGroupArn %s does not have an associated load balancer.", sp.TargetGroupARN)
		}
		if td.NetworkMode == "awsvpc" && info.TargetType != "ip" {
			return invalidParameter("The provided target group %s has target type %s, which is incompatible with the awsvpc network mode specified in the task definition.", sp.TargetGroupARN, info.TargetType)
		}
		if td.NetworkMode != "awsvpc" && info.TargetType == "ip" {
			return invalidParameter("The provided target group %s has target type ip, which is incompatible with the %s network mode specified in the task definition.", sp.TargetGroupARN, td.NetworkMode)
		}
	}
	return nil
}

// syncTargets registers the service's RUNNING tasks that are not yet
// registered and refreshes the health of the registered ones.
func (e *Emulator) syncTargets(c *cluster, s *service, tasks []*task, now time.Time) {
	if e.lb == nil {
		return
	}
	for _, t := range tasks {
		if t.LastStatus != "RUNNING" || t.DesiredStatus != "RUNNING" {
			continue
		}
		if len(t.Targets) == 0 && t.TargetState == "" && len(s.LoadBalancers) > 0 {
			e.registerTaskTargets(c, t, e.taskLBSpecs(s, t), now)
			if len(t.Targets) == 0 {
				t.TargetState = "none" // no target group the load balancer service knows
			}
		}
		// Health changes only at the moments the load balancer announced
		// (TargetCheckAt); a zero time means it holds.
		if len(t.Targets) > 0 && (t.TargetState == "" || (!t.TargetCheckAt.IsZero() && !now.Before(t.TargetCheckAt))) {
			e.refreshTargetHealth(t, now)
		}
	}
}

// registerTaskTargets registers t in every known target group of specs.
func (e *Emulator) registerTaskTargets(c *cluster, t *task, specs []lbSpec, now time.Time) {
	for _, sp := range specs {
		info, ok := e.lb.TargetGroupForECS(sp.TargetGroupARN)
		if !ok {
			continue
		}
		tt, behaviour := taskTarget{TargetGroupARN: sp.TargetGroupARN}, e.containerNamed(t, sp.ContainerName)
		if info.TargetType == "ip" {
			tt.ID, tt.Port = t.PrivateIP, sp.ContainerPort
		} else {
			tt.ID, tt.Port = e.instanceID(c, t), sp.ContainerPort
			if behaviour != nil {
				for _, pm := range behaviour.Ports {
					if pm.ContainerPort == sp.ContainerPort && pm.HostPort != 0 {
						tt.Port = pm.HostPort
					}
				}
			}
		}
		if tt.ID == "" {
			continue
		}
		target := LBTarget{ID: tt.ID, Port: tt.Port, AvailabilityZone: t.AZ}
		if behaviour != nil {
			target.Outcome = string(behaviour.Behaviour.TargetOutcome())
			if ua := behaviour.Behaviour.UnhealthyAfter; ua > 0 {
				target.FailAt = behaviour.StartedAt.Add(ua.D())
			}
			if ha := behaviour.Behaviour.HealthyAfter; ha > 0 {
				target.RecoverAt = behaviour.StartedAt.Add(ha.D())
			}
		}
		if e.lb.RegisterTaskTarget(now, sp.TargetGroupARN, target) == nil {
			t.Targets = append(t.Targets, tt)
		}
	}
	t.TargetState, t.TargetCheckAt = "", time.Time{} // read at once by syncTargets
}

func (e *Emulator) containerNamed(t *task, name string) *container {
	for _, ct := range t.Containers {
		if ct.Name == name {
			return ct
		}
	}
	return nil
}

func (e *Emulator) instanceID(c *cluster, t *task) string {
	for _, ci := range c.Instances {
		if ci.ARN == t.InstanceARN {
			return ci.EC2ID
		}
	}
	return ""
}

// refreshTargetHealth reads the health of t's targets: the task's target
// state is the worst of them, and TargetCheckAt when it next may change.
func (e *Emulator) refreshTargetHealth(t *task, now time.Time) {
	// "unused" (the target group serves no listener yet, as a CodeDeploy
	// replacement's group before traffic reaches it) is not checked by the
	// load balancer, so it does not hold the task back.
	rank := map[string]int{"healthy": 0, "unavailable": 0, "unused": 0, "": 1, "initial": 1, "draining": 1, "unhealthy": 2}
	worst, next := "healthy", time.Time{}
	t.TargetReason, t.TargetGroup, t.TargetPort = "", "", 0
	for _, tt := range t.Targets {
		h := e.lb.TaskTargetHealth(now, tt.TargetGroupARN, tt.ID, tt.Port)
		state := h.State
		if state == "unavailable" {
			state = "healthy" // health checks disabled: the target counts as healthy
		}
		if state == "" {
			state = "initial"
		}
		if rank[state] > rank[worst] {
			worst = state
		}
		if state == "unhealthy" && t.TargetGroup == "" {
			t.TargetReason, t.TargetGroup, t.TargetPort = h.Description, tt.TargetGroupARN, tt.Port
		}
		if !h.Until.IsZero() && (next.IsZero() || h.Until.Before(next)) {
			next = h.Until
		}
	}
	t.TargetState, t.TargetCheckAt = worst, next
	if !next.IsZero() {
		t.cl.wake(t, next)
	}
}

// deregisterTaskTargets starts draining t's targets; it returns how long
// the longest deregistration delay is.
func (e *Emulator) deregisterTaskTargets(t *task, now time.Time) time.Duration {
	if e.lb == nil || len(t.Targets) == 0 {
		return 0
	}
	longest := time.Duration(0)
	for _, tt := range t.Targets {
		if info, ok := e.lb.TargetGroupForECS(tt.TargetGroupARN); ok {
			longest = max(longest, info.DeregistrationDelay)
		}
		e.lb.DeregisterTaskTarget(now, tt.TargetGroupARN, tt.ID, tt.Port)
	}
	t.TargetState = "draining"
	return longest
}

// targetHealthy says whether t's load balancer targets let it count as
// healthy; ok is false when the task has no targets to judge by.
func targetHealthy(t *task) (healthy, ok bool) {
	if len(t.Targets) == 0 {
		return false, false
	}
	return t.TargetState == "healthy", true
}

// replaceUnhealthyTargets stops tasks whose target turned unhealthy, once
// the grace period since they started has passed, as ECS does.
func (e *Emulator) replaceUnhealthyTargets(s *service, tasks []*task, now time.Time) {
	grace := s.healthCheckGrace()
	for _, t := range tasks {
		if t.DesiredStatus != "RUNNING" || t.LastStatus != "RUNNING" || t.TargetState != "unhealthy" {
			continue
		}
		if end := t.StartedAt.Add(grace); now.Before(end) {
			// Ignored during the grace period; look again when it ends.
			if t.TargetCheckAt.IsZero() || end.Before(t.TargetCheckAt) {
				t.TargetCheckAt = end
			}
			if t.cl != nil {
				t.cl.wake(t, end)
			}
			continue
		}
		reason := t.TargetReason
		if reason == "" {
			reason = "Health checks failed"
		}
		e.replaceFailedTask(s, t, now, fmt.Sprintf("Task failed ELB health checks in (target-group %s)", t.TargetGroup),
			fmt.Sprintf("(service %s) (task %s) (port %d) is unhealthy in (target-group %s) due to (reason %s).",
				s.Name, t.ID, t.TargetPort, t.TargetGroup, reason))
	}
}
