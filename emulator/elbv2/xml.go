package elbv2

import (
	"strconv"
	"time"
)

// The XML forms of ELBv2's output shapes (botocore's elbv2 model); lists
// are <Name><member>…</member></Name>.

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlAZ struct {
	ZoneName string `xml:"ZoneName"`
	SubnetID string `xml:"SubnetId"`
}

type xmlLBState struct {
	Code string `xml:"Code"`
}

type xmlLoadBalancer struct {
	LoadBalancerArn       string     `xml:"LoadBalancerArn"`
	DNSName               string     `xml:"DNSName"`
	CanonicalHostedZoneID string     `xml:"CanonicalHostedZoneId"`
	CreatedTime           string     `xml:"CreatedTime"`
	LoadBalancerName      string     `xml:"LoadBalancerName"`
	Scheme                string     `xml:"Scheme"`
	VpcID                 string     `xml:"VpcId"`
	State                 xmlLBState `xml:"State"`
	Type                  string     `xml:"Type"`
	AvailabilityZones     []xmlAZ    `xml:"AvailabilityZones>member"`
	SecurityGroups        []string   `xml:"SecurityGroups>member,omitempty"`
	IPAddressType         string     `xml:"IpAddressType"`
}

type xmlMatcher struct {
	HTTPCode string `xml:"HttpCode,omitempty"`
	GRPCCode string `xml:"GrpcCode,omitempty"`
}

type xmlTargetGroup struct {
	TargetGroupArn             string      `xml:"TargetGroupArn"`
	TargetGroupName            string      `xml:"TargetGroupName"`
	Protocol                   string      `xml:"Protocol,omitempty"`
	Port                       *int        `xml:"Port,omitempty"`
	VpcID                      string      `xml:"VpcId,omitempty"`
	HealthCheckProtocol        string      `xml:"HealthCheckProtocol,omitempty"`
	HealthCheckPort            string      `xml:"HealthCheckPort,omitempty"`
	HealthCheckEnabled         bool        `xml:"HealthCheckEnabled"`
	HealthCheckIntervalSeconds int         `xml:"HealthCheckIntervalSeconds"`
	HealthCheckTimeoutSeconds  int         `xml:"HealthCheckTimeoutSeconds"`
	HealthyThresholdCount      int         `xml:"HealthyThresholdCount"`
	UnhealthyThresholdCount    int         `xml:"UnhealthyThresholdCount"`
	HealthCheckPath            string      `xml:"HealthCheckPath,omitempty"`
	Matcher                    *xmlMatcher `xml:"Matcher,omitempty"`
	LoadBalancerArns           []string    `xml:"LoadBalancerArns>member"`
	TargetType                 string      `xml:"TargetType"`
	ProtocolVersion            string      `xml:"ProtocolVersion,omitempty"`
	IPAddressType              string      `xml:"IpAddressType,omitempty"`
}

type xmlTGTuple struct {
	TargetGroupArn string `xml:"TargetGroupArn"`
	Weight         int    `xml:"Weight"`
}

type xmlStickiness struct {
	Enabled         bool `xml:"Enabled"`
	DurationSeconds *int `xml:"DurationSeconds,omitempty"`
}

type xmlForward struct {
	TargetGroups []xmlTGTuple  `xml:"TargetGroups>member"`
	Stickiness   xmlStickiness `xml:"TargetGroupStickinessConfig"`
}

type xmlRedirect struct {
	Protocol   string `xml:"Protocol,omitempty"`
	Port       string `xml:"Port,omitempty"`
	Host       string `xml:"Host,omitempty"`
	Path       string `xml:"Path,omitempty"`
	Query      string `xml:"Query,omitempty"`
	StatusCode string `xml:"StatusCode"`
}

type xmlFixed struct {
	MessageBody string `xml:"MessageBody,omitempty"`
	StatusCode  string `xml:"StatusCode"`
	ContentType string `xml:"ContentType,omitempty"`
}

type xmlAction struct {
	Type                string       `xml:"Type"`
	TargetGroupArn      string       `xml:"TargetGroupArn,omitempty"`
	Order               *int         `xml:"Order,omitempty"`
	RedirectConfig      *xmlRedirect `xml:"RedirectConfig,omitempty"`
	FixedResponseConfig *xmlFixed    `xml:"FixedResponseConfig,omitempty"`
	ForwardConfig       *xmlForward  `xml:"ForwardConfig,omitempty"`
}

type xmlCertificate struct {
	CertificateArn string `xml:"CertificateArn"`
}

type xmlListener struct {
	ListenerArn     string           `xml:"ListenerArn"`
	LoadBalancerArn string           `xml:"LoadBalancerArn"`
	Port            int              `xml:"Port"`
	Protocol        string           `xml:"Protocol"`
	Certificates    []xmlCertificate `xml:"Certificates>member,omitempty"`
	SslPolicy       string           `xml:"SslPolicy,omitempty"`
	DefaultActions  []xmlAction      `xml:"DefaultActions>member"`
	AlpnPolicy      []string         `xml:"AlpnPolicy>member,omitempty"`
}

type xmlValues struct {
	Values []string `xml:"Values>member"`
}

type xmlHeaderConfig struct {
	HTTPHeaderName string   `xml:"HttpHeaderName"`
	Values         []string `xml:"Values>member"`
}

type xmlQueryConfig struct {
	Values []xmlKeyValue `xml:"Values>member"`
}

type xmlKeyValue struct {
	Key   string `xml:"Key,omitempty"`
	Value string `xml:"Value"`
}

type xmlCondition struct {
	Field                   string           `xml:"Field"`
	Values                  []string         `xml:"Values>member,omitempty"`
	HostHeaderConfig        *xmlValues       `xml:"HostHeaderConfig,omitempty"`
	PathPatternConfig       *xmlValues       `xml:"PathPatternConfig,omitempty"`
	HTTPHeaderConfig        *xmlHeaderConfig `xml:"HttpHeaderConfig,omitempty"`
	QueryStringConfig       *xmlQueryConfig  `xml:"QueryStringConfig,omitempty"`
	HTTPRequestMethodConfig *xmlValues       `xml:"HttpRequestMethodConfig,omitempty"`
	SourceIPConfig          *xmlValues       `xml:"SourceIpConfig,omitempty"`
}

type xmlRule struct {
	RuleArn    string         `xml:"RuleArn"`
	Priority   string         `xml:"Priority"`
	Conditions []xmlCondition `xml:"Conditions>member"`
	Actions    []xmlAction    `xml:"Actions>member"`
	IsDefault  bool           `xml:"IsDefault"`
}

type xmlTargetDescription struct {
	ID               string `xml:"Id"`
	Port             *int   `xml:"Port,omitempty"`
	AvailabilityZone string `xml:"AvailabilityZone,omitempty"`
}

type xmlTargetHealth struct {
	State       string `xml:"State"`
	Reason      string `xml:"Reason,omitempty"`
	Description string `xml:"Description,omitempty"`
}

type xmlTargetHealthDescription struct {
	Target          xmlTargetDescription `xml:"Target"`
	HealthCheckPort string               `xml:"HealthCheckPort,omitempty"`
	TargetHealth    xmlTargetHealth      `xml:"TargetHealth"`
}

type xmlAttribute struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlTagDescription struct {
	ResourceArn string   `xml:"ResourceArn"`
	Tags        []xmlTag `xml:"Tags>member"`
}

// Results.

type loadBalancersResult struct {
	LoadBalancers list[xmlLoadBalancer] `xml:"LoadBalancers"`
	NextMarker    string                `xml:"NextMarker,omitempty"`
}

type targetGroupsResult struct {
	TargetGroups list[xmlTargetGroup] `xml:"TargetGroups"`
	NextMarker   string               `xml:"NextMarker,omitempty"`
}

type listenersResult struct {
	Listeners  list[xmlListener] `xml:"Listeners"`
	NextMarker string            `xml:"NextMarker,omitempty"`
}

type rulesResult struct {
	Rules      list[xmlRule] `xml:"Rules"`
	NextMarker string        `xml:"NextMarker,omitempty"`
}

type targetHealthResult struct {
	TargetHealthDescriptions list[xmlTargetHealthDescription] `xml:"TargetHealthDescriptions"`
}

type attributesResult struct {
	Attributes list[xmlAttribute] `xml:"Attributes"`
}

type tagsResult struct {
	TagDescriptions list[xmlTagDescription] `xml:"TagDescriptions"`
}

// list is an output list that is present even when empty.
type list[T any] struct {
	Member []T `xml:"member"`
}

// empty is the result of actions whose output has no members.
type empty struct{}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func intp(n int) *int { return &n }

func (s *Service) lbXML(lb *LoadBalancer, now time.Time) xmlLoadBalancer {
	state := "active"
	if now.Before(lb.CreatedAt.Add(provisioningTime)) {
		state = "provisioning"
	}
	x := xmlLoadBalancer{LoadBalancerArn: lb.ARN, DNSName: lb.DNSName, CanonicalHostedZoneID: lb.CanonicalHostedZoneID,
		CreatedTime: isoTime(lb.CreatedAt), LoadBalancerName: lb.Name, Scheme: lb.Scheme, VpcID: lb.VPCID,
		State: xmlLBState{Code: state}, Type: lb.Type, SecurityGroups: lb.SecurityGroups, IPAddressType: lb.IPAddressType}
	for _, sz := range lb.Subnets {
		x.AvailabilityZones = append(x.AvailabilityZones, xmlAZ{ZoneName: sz.Zone, SubnetID: sz.SubnetID})
	}
	return x
}

func (s *Service) tgXML(tg *TargetGroup) xmlTargetGroup {
	hc := tg.HealthCheck
	x := xmlTargetGroup{TargetGroupArn: tg.ARN, TargetGroupName: tg.Name, Protocol: tg.Protocol, VpcID: tg.VPCID,
		HealthCheckProtocol: hc.Protocol, HealthCheckPort: hc.Port, HealthCheckEnabled: hc.Enabled,
		HealthCheckIntervalSeconds: hc.IntervalSeconds, HealthCheckTimeoutSeconds: hc.TimeoutSeconds,
		HealthyThresholdCount: hc.HealthyThresholdCount, UnhealthyThresholdCount: hc.UnhealthyThresholdCount,
		HealthCheckPath: hc.Path, LoadBalancerArns: s.lbsOfGroupLocked(tg.ARN), TargetType: tg.TargetType,
		ProtocolVersion: tg.ProtocolVersion, IPAddressType: tg.IPAddressType}
	if tg.Port != 0 {
		x.Port = intp(tg.Port)
	}
	if hc.HTTPCode != "" || hc.GRPCCode != "" {
		x.Matcher = &xmlMatcher{HTTPCode: hc.HTTPCode, GRPCCode: hc.GRPCCode}
	}
	return x
}

func actionsXML(as []Action) []xmlAction {
	out := make([]xmlAction, 0, len(as))
	for _, a := range as {
		x := xmlAction{Type: a.Type}
		if a.Order != 0 {
			x.Order = intp(a.Order)
		}
		switch a.Type {
		case "forward":
			ts := a.forwardTargets()
			if len(ts) == 1 {
				x.TargetGroupArn = ts[0].TargetGroupARN
			}
			fw := &xmlForward{}
			for _, t := range ts {
				fw.TargetGroups = append(fw.TargetGroups, xmlTGTuple{TargetGroupArn: t.TargetGroupARN, Weight: t.Weight})
			}
			if a.Forward != nil {
				fw.Stickiness.Enabled = a.Forward.StickinessEnabled
				if a.Forward.StickinessDuration != 0 {
					fw.Stickiness.DurationSeconds = intp(a.Forward.StickinessDuration)
				}
			}
			x.ForwardConfig = fw
		case "redirect":
			if r := a.Redirect; r != nil {
				x.RedirectConfig = &xmlRedirect{Protocol: r.Protocol, Port: r.Port, Host: r.Host, Path: r.Path, Query: r.Query, StatusCode: r.StatusCode}
			}
		case "fixed-response":
			if f := a.FixedResponse; f != nil {
				x.FixedResponseConfig = &xmlFixed{MessageBody: f.MessageBody, StatusCode: f.StatusCode, ContentType: f.ContentType}
			}
		}
		out = append(out, x)
	}
	return out
}

func listenerXML(l *Listener) xmlListener {
	x := xmlListener{ListenerArn: l.ARN, LoadBalancerArn: l.LoadBalancerARN, Port: l.Port, Protocol: l.Protocol,
		SslPolicy: l.SSLPolicy, DefaultActions: actionsXML(l.DefaultActions), AlpnPolicy: l.ALPNPolicy}
	for _, c := range l.Certificates {
		x.Certificates = append(x.Certificates, xmlCertificate{CertificateArn: c})
	}
	return x
}

func conditionsXML(cs []Condition) []xmlCondition {
	out := make([]xmlCondition, 0, len(cs))
	for _, c := range cs {
		x := xmlCondition{Field: c.Field}
		vals := append([]string(nil), c.Values...)
		switch c.Field {
		case "host-header":
			x.Values, x.HostHeaderConfig = vals, &xmlValues{Values: vals}
		case "path-pattern":
			x.Values, x.PathPatternConfig = vals, &xmlValues{Values: vals}
		case "http-header":
			x.HTTPHeaderConfig = &xmlHeaderConfig{HTTPHeaderName: c.HeaderName, Values: vals}
		case "http-request-method":
			x.HTTPRequestMethodConfig = &xmlValues{Values: vals}
		case "source-ip":
			x.SourceIPConfig = &xmlValues{Values: vals}
		case "query-string":
			q := &xmlQueryConfig{}
			for _, kv := range c.Query {
				q.Values = append(q.Values, xmlKeyValue(kv))
			}
			x.QueryStringConfig = q
		}
		out = append(out, x)
	}
	return out
}

func ruleXML(r *Rule) xmlRule {
	return xmlRule{RuleArn: r.ARN, Priority: strconv.Itoa(r.Priority), Conditions: conditionsXML(r.Conditions), Actions: actionsXML(r.Actions)}
}

func defaultRuleXML(l *Listener) xmlRule {
	return xmlRule{RuleArn: l.DefaultRuleARN, Priority: "default", Conditions: []xmlCondition{}, Actions: actionsXML(l.DefaultActions), IsDefault: true}
}

func attributesXML(m map[string]string) []xmlAttribute {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	out := make([]xmlAttribute, 0, len(keys))
	for _, k := range keys {
		out = append(out, xmlAttribute{Key: k, Value: m[k]})
	}
	return out
}

func tagsXML(ts []Tag) []xmlTag {
	out := make([]xmlTag, 0, len(ts))
	for _, t := range ts {
		out = append(out, xmlTag(t))
	}
	return out
}
