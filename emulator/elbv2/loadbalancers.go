package elbv2

import (
	"fmt"
	"strings"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// provisioningTime is how long a new load balancer stays "provisioning".
const provisioningTime = 30 * time.Second

func init() {
	actions["CreateLoadBalancer"] = (*Service).createLoadBalancer
	actions["DescribeLoadBalancers"] = (*Service).describeLoadBalancers
	actions["DeleteLoadBalancer"] = (*Service).deleteLoadBalancer
	actions["DescribeLoadBalancerAttributes"] = (*Service).describeLoadBalancerAttributes
	actions["ModifyLoadBalancerAttributes"] = (*Service).modifyLoadBalancerAttributes
}

// hostedZones are ALB's canonical hosted zone ids per region.
var hostedZones = map[string]string{
	"us-east-1": "Z35SXDOTRQ7X7K", "us-east-2": "Z3AADJGX6KTTL2", "us-west-1": "Z368ELLRRE2KJ0",
	"us-west-2": "Z1H1FL5HABSF5", "eu-west-1": "Z32O12XQLNTSW2", "eu-central-1": "Z215JYRZR1TBD5",
	"ap-northeast-1": "Z14GRHDCWA56QT", "ap-southeast-1": "Z1LMS91P8CMLE5", "ap-southeast-2": "Z1GM3OXH4ZPM65",
}

func defaultLBAttributes() map[string]string {
	return map[string]string{
		"deletion_protection.enabled":                     "false",
		"idle_timeout.timeout_seconds":                    "60",
		"routing.http2.enabled":                           "true",
		"access_logs.s3.enabled":                          "false",
		"access_logs.s3.bucket":                           "",
		"access_logs.s3.prefix":                           "",
		"routing.http.drop_invalid_header_fields.enabled": "false",
		"load_balancing.cross_zone.enabled":               "true",
	}
}

func (s *Service) createLoadBalancer(rc *emulator.RequestContext, p params) (any, error) {
	name := p.str("Name")
	if err := validName("load balancer", name); err != nil {
		return nil, err
	}
	typ := p.str("Type")
	if typ == "" {
		typ = "application"
	}
	if typ != "application" && typ != "network" {
		return nil, validation("Load balancer type '%s' is not supported locally; use application or network", typ)
	}
	scheme := p.str("Scheme")
	if scheme == "" {
		scheme = "internet-facing"
	}
	if scheme != "internet-facing" && scheme != "internal" {
		return nil, emulator.Errorf("InvalidScheme", "Scheme '%s' must be internet-facing or internal", scheme)
	}
	ipType := p.str("IpAddressType")
	if ipType == "" {
		ipType = "ipv4"
	}
	subnets := p.strs("Subnets")
	for _, m := range p.members("SubnetMappings") {
		subnets = append(subnets, p.str(m+".SubnetId"))
	}
	if len(subnets) == 0 {
		return nil, validation("At least one subnet must be specified (Subnets or SubnetMappings)")
	}
	seen := map[string]bool{}
	for _, sn := range subnets {
		if sn == "" || seen[sn] {
			return nil, emulator.Errorf("InvalidSubnet", "Subnet '%s' is empty or given twice", sn)
		}
		seen[sn] = true
	}
	if typ == "application" && len(subnets) < 2 {
		return nil, validation("At least two subnets in two different Availability Zones must be specified")
	}
	tags, err := parseTags(p, "Tags")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, lb := range s.st.LoadBalancers {
		if lb.Region == rc.Region && lb.Name == name {
			if lb.Type == typ && lb.Scheme == scheme && sameSubnets(lb.Subnets, subnets) {
				return loadBalancersResult{LoadBalancers: list[xmlLoadBalancer]{Member: []xmlLoadBalancer{s.lbXML(lb, rc.Now)}}}, nil
			}
			return nil, emulator.Errorf("DuplicateLoadBalancerName", "A load balancer with the same name '%s' exists, but with different settings", name)
		}
	}
	kind := "app"
	if typ == "network" {
		kind = "net"
	}
	id := s.hexID(rc.Region, name)
	lb := &LoadBalancer{ARN: s.arn(rc.Region, fmt.Sprintf("loadbalancer/%s/%s/%s", kind, name, id)), Name: name, Region: rc.Region,
		Type: typ, Scheme: scheme, IPAddressType: ipType, VPCID: "vpc-" + id[:8], SecurityGroups: p.strs("SecurityGroups"),
		CreatedAt: rc.Now, Attributes: defaultLBAttributes(), Tags: tags, Seq: s.st.Seq}
	prefix := ""
	if scheme == "internal" {
		prefix = "internal-"
	}
	lb.DNSName = fmt.Sprintf("%s%s-%d.%s.elb.amazonaws.com", prefix, name, 1000000000+s.st.Seq*7919%900000000, rc.Region)
	lb.CanonicalHostedZoneID = hostedZones[rc.Region]
	if lb.CanonicalHostedZoneID == "" {
		lb.CanonicalHostedZoneID = "Z35SXDOTRQ7X7K"
	}
	for i, sn := range subnets {
		lb.Subnets = append(lb.Subnets, SubnetZone{SubnetID: sn, Zone: rc.Region + string(rune('a'+i%6))})
	}
	if typ == "application" && len(lb.SecurityGroups) == 0 {
		lb.SecurityGroups = []string{"sg-" + id[8:]}
	}
	s.st.LoadBalancers[lb.ARN] = lb
	return loadBalancersResult{LoadBalancers: list[xmlLoadBalancer]{Member: []xmlLoadBalancer{s.lbXML(lb, rc.Now)}}}, nil
}

func sameSubnets(have []SubnetZone, want []string) bool {
	if len(have) != len(want) {
		return false
	}
	for i := range have {
		if have[i].SubnetID != want[i] {
			return false
		}
	}
	return true
}

func (s *Service) sortedLoadBalancers(region string) []*LoadBalancer {
	return inOrder(s.st.LoadBalancers, func(lb *LoadBalancer) bool { return lb.Region == region },
		func(lb *LoadBalancer) int64 { return lb.Seq })
}

func (s *Service) describeLoadBalancers(rc *emulator.RequestContext, p params) (any, error) {
	arns, names := p.strs("LoadBalancerArns"), p.strs("Names")
	if len(arns) > 0 && len(names) > 0 {
		return nil, validation("Load balancer names and load balancer ARNs cannot be specified at the same time")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var lbs []*LoadBalancer
	var err error
	switch {
	case len(arns) > 0:
		lbs, err = byARNs(s.st.LoadBalancers, arns, func(string) error { return lbNotFound() })
	case len(names) > 0:
		lbs, err = byNames(s.sortedLoadBalancers(rc.Region), names, func(lb *LoadBalancer) string { return lb.Name }, func(n string) error {
			return emulator.Errorf("LoadBalancerNotFound", "Load balancers '[%s]' not found", n)
		})
	default:
		lbs = s.sortedLoadBalancers(rc.Region)
	}
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf(p, lbs, func(lb *LoadBalancer) xmlLoadBalancer { return s.lbXML(lb, rc.Now) })
	if err != nil {
		return nil, err
	}
	return loadBalancersResult{LoadBalancers: page, NextMarker: next}, nil
}

func (s *Service) deleteLoadBalancer(rc *emulator.RequestContext, p params) (any, error) {
	arn := p.str("LoadBalancerArn")
	if arn == "" {
		return nil, validation("A load balancer ARN is required (parameter LoadBalancerArn)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lb := s.st.LoadBalancers[arn]
	if lb == nil {
		return empty{}, nil // deleting a missing load balancer succeeds, as in ELB
	}
	if lb.Attributes["deletion_protection.enabled"] == "true" {
		return nil, emulator.Errorf("OperationNotPermitted", "Load balancer '%s' cannot be deleted because deletion protection is enabled", arn)
	}
	for la, l := range s.st.Listeners {
		if l.LoadBalancerARN == arn {
			s.deleteListenerLocked(la)
		}
	}
	delete(s.st.LoadBalancers, arn)
	return empty{}, nil
}

func (s *Service) describeLoadBalancerAttributes(rc *emulator.RequestContext, p params) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lb := s.st.LoadBalancers[p.str("LoadBalancerArn")]
	if lb == nil {
		return nil, lbNotFound()
	}
	return attributesResult{Attributes: list[xmlAttribute]{Member: attributesXML(lb.Attributes)}}, nil
}

func (s *Service) modifyLoadBalancerAttributes(rc *emulator.RequestContext, p params) (any, error) {
	attrs, err := parseAttributes(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lb := s.st.LoadBalancers[p.str("LoadBalancerArn")]
	if lb == nil {
		return nil, lbNotFound()
	}
	for k := range attrs {
		if _, known := lb.Attributes[k]; !known && !strings.HasPrefix(k, "access_logs.") && !strings.HasPrefix(k, "routing.") &&
			!strings.HasPrefix(k, "connection_logs.") && !strings.HasPrefix(k, "client_keep_alive.") && !strings.HasPrefix(k, "waf.") &&
			!strings.HasPrefix(k, "zonal_shift.") && !strings.HasPrefix(k, "dns_record.") && !strings.HasPrefix(k, "load_balancing.") {
			return nil, validation("Load balancer attribute key '%s' is not recognized", k)
		}
	}
	for k, v := range attrs {
		lb.Attributes[k] = v
	}
	return attributesResult{Attributes: list[xmlAttribute]{Member: attributesXML(lb.Attributes)}}, nil
}

// parseAttributes reads Attributes.member.N.Key/Value.
func parseAttributes(p params) (map[string]string, error) {
	ms := p.members("Attributes")
	if len(ms) == 0 {
		return nil, validation("At least one attribute must be specified (parameter Attributes)")
	}
	out := map[string]string{}
	for _, m := range ms {
		k := p.str(m + ".Key")
		if k == "" {
			return nil, validation("An attribute key is required (%s.Key)", m)
		}
		out[k] = p.str(m + ".Value")
	}
	return out, nil
}

func lbNotFound() error {
	return emulator.Errorf("LoadBalancerNotFound", "One or more load balancers not found")
}
