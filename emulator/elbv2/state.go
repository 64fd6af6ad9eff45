package elbv2

import "time"

// state is every load balancer, target group, listener and rule, keyed by
// ARN (an ARN names its region, so one map serves every region).
type state struct {
	LoadBalancers map[string]*LoadBalancer `json:"loadBalancers"`
	TargetGroups  map[string]*TargetGroup  `json:"targetGroups"`
	Listeners     map[string]*Listener     `json:"listeners"`
	Rules         map[string]*Rule         `json:"rules"`
	Seq           int64                    `json:"seq"`
}

func newState() *state {
	return &state{LoadBalancers: map[string]*LoadBalancer{}, TargetGroups: map[string]*TargetGroup{},
		Listeners: map[string]*Listener{}, Rules: map[string]*Rule{}}
}

func (s *state) next() int64 { s.Seq++; return s.Seq }

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// LoadBalancer is an Application (or Network) Load Balancer.
type LoadBalancer struct {
	ARN                   string            `json:"arn"`
	Name                  string            `json:"name"`
	Region                string            `json:"region"`
	Type                  string            `json:"type"`   // application, network
	Scheme                string            `json:"scheme"` // internet-facing, internal
	IPAddressType         string            `json:"ipAddressType"`
	DNSName               string            `json:"dnsName"`
	CanonicalHostedZoneID string            `json:"canonicalHostedZoneId"`
	VPCID                 string            `json:"vpcId"`
	Subnets               []SubnetZone      `json:"subnets"`
	SecurityGroups        []string          `json:"securityGroups,omitempty"`
	CreatedAt             time.Time         `json:"createdAt"`
	Attributes            map[string]string `json:"attributes,omitempty"`
	Tags                  []Tag             `json:"tags,omitempty"`
	Seq                   int64             `json:"seq"`
}

// SubnetZone is a subnet of a load balancer and its Availability Zone.
type SubnetZone struct {
	SubnetID string `json:"subnetId"`
	Zone     string `json:"zone"`
}

// HealthCheck is a target group's health-check settings.
type HealthCheck struct {
	Enabled                 bool   `json:"enabled"`
	Protocol                string `json:"protocol"`
	Port                    string `json:"port"` // "traffic-port" or a number
	Path                    string `json:"path,omitempty"`
	IntervalSeconds         int    `json:"intervalSeconds"`
	TimeoutSeconds          int    `json:"timeoutSeconds"`
	HealthyThresholdCount   int    `json:"healthyThresholdCount"`
	UnhealthyThresholdCount int    `json:"unhealthyThresholdCount"`
	HTTPCode                string `json:"httpCode,omitempty"` // the matcher
	GRPCCode                string `json:"grpcCode,omitempty"`
}

// TargetGroup is a target group and its registered targets.
type TargetGroup struct {
	ARN             string            `json:"arn"`
	Name            string            `json:"name"`
	Region          string            `json:"region"`
	TargetType      string            `json:"targetType"` // instance, ip, lambda, alb
	Protocol        string            `json:"protocol,omitempty"`
	ProtocolVersion string            `json:"protocolVersion,omitempty"`
	Port            int               `json:"port,omitempty"`
	VPCID           string            `json:"vpcId,omitempty"`
	IPAddressType   string            `json:"ipAddressType,omitempty"`
	HealthCheck     HealthCheck       `json:"healthCheck"`
	Attributes      map[string]string `json:"attributes"`
	Targets         []*Target         `json:"targets,omitempty"`
	Tags            []Tag             `json:"tags,omitempty"`
	Seq             int64             `json:"seq"`
}

// DeregistrationDelay is the target group's deregistration_delay.timeout_seconds.
func (tg *TargetGroup) DeregistrationDelay() time.Duration {
	return time.Duration(atoiDefault(tg.Attributes["deregistration_delay.timeout_seconds"], 300)) * time.Second
}

// Target is one registered target. Its health is computed from when it
// was registered, what the checks find (Outcome, FailAt, RecoverAt) and the target
// group's health-check settings, never stored.
type Target struct {
	ID               string    `json:"id"`
	Port             int       `json:"port"`
	AvailabilityZone string    `json:"availabilityZone,omitempty"`
	RegisteredAt     time.Time `json:"registeredAt"`
	// DeregisteredAt is set while the target drains.
	DeregisteredAt time.Time `json:"deregisteredAt,omitzero"`
	Outcome        string    `json:"outcome,omitempty"` // healthy (""), unhealthy, timeout
	FailAt         time.Time `json:"failAt,omitzero"`
	// RecoverAt, when set, ends the failures: checks pass from then on.
	RecoverAt time.Time `json:"recoverAt,omitzero"`
	// ByECS marks targets that ECS registered for a task.
	ByECS bool `json:"byEcs,omitempty"`
}

// Listener is a load balancer listener; its default actions are also its
// default rule.
type Listener struct {
	ARN             string   `json:"arn"`
	LoadBalancerARN string   `json:"loadBalancerArn"`
	Region          string   `json:"region"`
	Protocol        string   `json:"protocol"`
	Port            int      `json:"port"`
	SSLPolicy       string   `json:"sslPolicy,omitempty"`
	Certificates    []string `json:"certificates,omitempty"`
	ALPNPolicy      []string `json:"alpnPolicy,omitempty"`
	DefaultActions  []Action `json:"defaultActions"`
	DefaultRuleARN  string   `json:"defaultRuleArn"`
	Tags            []Tag    `json:"tags,omitempty"`
	Seq             int64    `json:"seq"`
}

// Rule is a non-default listener rule.
type Rule struct {
	ARN         string      `json:"arn"`
	ListenerARN string      `json:"listenerArn"`
	Priority    int         `json:"priority"`
	Conditions  []Condition `json:"conditions"`
	Actions     []Action    `json:"actions"`
	Tags        []Tag       `json:"tags,omitempty"`
	Seq         int64       `json:"seq"`
}

// Action is a listener or rule action.
type Action struct {
	Type  string `json:"type"` // forward, redirect, fixed-response
	Order int    `json:"order,omitempty"`
	// TargetGroupARN is set for a forward action to a single group (as
	// given, or when ForwardConfig has exactly one group).
	TargetGroupARN string          `json:"targetGroupArn,omitempty"`
	Forward        *ForwardConfig  `json:"forward,omitempty"`
	Redirect       *RedirectConfig `json:"redirect,omitempty"`
	FixedResponse  *FixedResponse  `json:"fixedResponse,omitempty"`
}

// ForwardConfig is a forward action's weighted target groups.
type ForwardConfig struct {
	TargetGroups       []WeightedTargetGroup `json:"targetGroups"`
	StickinessEnabled  bool                  `json:"stickinessEnabled,omitempty"`
	StickinessDuration int                   `json:"stickinessDuration,omitempty"`
}

// WeightedTargetGroup is a target group of a forward action and its weight (0..999).
type WeightedTargetGroup struct {
	TargetGroupARN string `json:"targetGroupArn"`
	Weight         int    `json:"weight"`
}

// RedirectConfig is a redirect action's settings.
type RedirectConfig struct {
	Protocol   string `json:"protocol,omitempty"`
	Port       string `json:"port,omitempty"`
	Host       string `json:"host,omitempty"`
	Path       string `json:"path,omitempty"`
	Query      string `json:"query,omitempty"`
	StatusCode string `json:"statusCode"`
}

// FixedResponse is a fixed-response action's settings.
type FixedResponse struct {
	StatusCode  string `json:"statusCode"`
	ContentType string `json:"contentType,omitempty"`
	MessageBody string `json:"messageBody,omitempty"`
}

// Condition is a rule condition; Values holds the values of its *Config.
type Condition struct {
	Field      string     `json:"field"` // host-header, path-pattern, http-header, http-request-method, query-string, source-ip
	Values     []string   `json:"values,omitempty"`
	HeaderName string     `json:"headerName,omitempty"` // http-header
	Query      []KeyValue `json:"query,omitempty"`      // query-string
	Legacy     bool       `json:"legacy,omitempty"`     // given as Values, not as a *Config
}

// KeyValue is a query-string condition value.
type KeyValue struct {
	Key   string `json:"key,omitempty"`
	Value string `json:"value"`
}

// forwardTargets returns the weighted target groups an action forwards to.
func (a Action) forwardTargets() []WeightedTargetGroup {
	if a.Type != "forward" {
		return nil
	}
	if a.Forward != nil && len(a.Forward.TargetGroups) > 0 {
		return a.Forward.TargetGroups
	}
	if a.TargetGroupARN != "" {
		return []WeightedTargetGroup{{TargetGroupARN: a.TargetGroupARN, Weight: 1}}
	}
	return nil
}
