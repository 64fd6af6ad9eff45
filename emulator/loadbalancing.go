package emulator

import "time"

// LoadBalancing is the load balancer service that ECS tasks register with
// as targets. The elbv2 package installs one with SetLoadBalancing; without
// one, services with loadBalancers only report registration events.
//
// The ECS scheduler calls these methods while holding the emulator's lock,
// so an implementation must never call back into the emulator from them.
type LoadBalancing interface {
	// TargetGroupForECS describes a target group, or reports false when
	// the service does not know it.
	TargetGroupForECS(arn string) (TargetGroupInfo, bool)
	// RegisterTaskTarget registers a task's target in a target group.
	RegisterTaskTarget(now time.Time, targetGroupARN string, t LBTarget) error
	// DeregisterTaskTarget starts draining a target; it is gone after the
	// target group's deregistration delay.
	DeregisterTaskTarget(now time.Time, targetGroupARN, id string, port int)
	// TaskTargetHealth reports a target's health at now; State is "" when
	// the target is not registered (any more).
	TaskTargetHealth(now time.Time, targetGroupARN, id string, port int) LBTargetHealth
	// TrafficWeights returns the weighted target groups a listener (its
	// default actions) or a listener rule forwards to.
	TrafficWeights(listenerOrRuleARN string) ([]TargetWeight, error)
	// ShiftTraffic makes a listener or rule forward with these weights.
	ShiftTraffic(listenerOrRuleARN string, weights []TargetWeight) error
}

// TargetWeight is a target group of a forward action and its weight.
type TargetWeight struct {
	TargetGroupARN string
	Weight         int
}

// TargetGroupInfo is what ECS needs to know about a target group.
type TargetGroupInfo struct {
	ARN                 string
	TargetType          string // ip, instance, lambda or alb
	Port                int
	DeregistrationDelay time.Duration
	// LoadBalancerARNs are the load balancers whose listeners or rules
	// forward to the group; ECS refuses a group without one.
	LoadBalancerARNs []string
}

// LBTarget is a target that ECS registers for a task.
type LBTarget struct {
	ID               string // the task's private IP (ip target groups) or its EC2 instance ID (instance)
	Port             int
	AvailabilityZone string
	// Outcome is what the load balancer's health checks find: healthy
	// (also ""), unhealthy or timeout — from the scenario's targetHealth.
	Outcome string
	// FailAt, when set, makes checks pass until then and fail afterwards
	// (the scenario's unhealthyAfter).
	FailAt time.Time
	// RecoverAt, when set, ends the failures (of Outcome or FailAt): checks
	// pass from then on (the scenario's healthyAfter).
	RecoverAt time.Time
}

// LBTargetHealth is a target's state as the load balancer reports it.
type LBTargetHealth struct {
	State       string // initial, healthy, unhealthy, unused, draining; "" when not registered
	Reason      string // ELB's reason code, such as Elb.InitialHealthChecking or Target.ResponseCodeMismatch
	Description string
	// Until is when the state next changes by itself (as health checks
	// run or draining ends); zero when it holds until something changes it.
	Until time.Time
}

// SetLoadBalancing installs the load balancer service ECS tasks register with.
func (e *Emulator) SetLoadBalancing(lb LoadBalancing) {
	e.mu.Lock()
	e.lb = lb
	e.mu.Unlock()
}
