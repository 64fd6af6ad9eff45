package elbv2

import (
	"fmt"
	"strconv"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

func init() {
	actions["CreateTargetGroup"] = (*Service).createTargetGroup
	actions["DescribeTargetGroups"] = (*Service).describeTargetGroups
	actions["ModifyTargetGroup"] = (*Service).modifyTargetGroup
	actions["DeleteTargetGroup"] = (*Service).deleteTargetGroup
	actions["DescribeTargetGroupAttributes"] = (*Service).describeTargetGroupAttributes
	actions["ModifyTargetGroupAttributes"] = (*Service).modifyTargetGroupAttributes
}

var protocols = map[string]bool{"HTTP": true, "HTTPS": true, "TCP": true, "TLS": true, "UDP": true, "TCP_UDP": true, "GENEVE": true}

func defaultTGAttributes(targetType string) map[string]string {
	a := map[string]string{
		"deregistration_delay.timeout_seconds":  "300",
		"stickiness.enabled":                    "false",
		"stickiness.type":                       "lb_cookie",
		"stickiness.lb_cookie.duration_seconds": "86400",
		"slow_start.duration_seconds":           "0",
		"load_balancing.algorithm.type":         "round_robin",
	}
	if targetType == "lambda" {
		a = map[string]string{"lambda.multi_value_headers.enabled": "false"}
	}
	return a
}

func (s *Service) createTargetGroup(rc *emulator.RequestContext, p params) (any, error) {
	name := p.str("Name")
	if err := validName("target group", name); err != nil {
		return nil, err
	}
	tt := p.str("TargetType")
	if tt == "" {
		tt = "instance"
	}
	switch tt {
	case "instance", "ip", "lambda", "alb":
	default:
		return nil, validation("Target type '%s' must be one of instance, ip, lambda, alb", tt)
	}
	tg := &TargetGroup{Name: name, Region: rc.Region, TargetType: tt, Protocol: p.str("Protocol"),
		ProtocolVersion: p.str("ProtocolVersion"), VPCID: p.str("VpcId"), IPAddressType: p.str("IpAddressType"),
		Attributes: defaultTGAttributes(tt)}
	port, hasPort, err := p.integer("Port")
	if err != nil {
		return nil, err
	}
	if tt != "lambda" {
		switch {
		case tg.Protocol == "":
			return nil, validation("A protocol must be specified (parameter Protocol)")
		case !protocols[tg.Protocol]:
			return nil, validation("Protocol '%s' must be one of HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE", tg.Protocol)
		case !hasPort:
			return nil, validation("A port must be specified (parameter Port)")
		case port < 1 || port > 65535:
			return nil, validation("Port %d must be between 1 and 65535", port)
		case tg.VPCID == "":
			return nil, validation("A VPC ID must be specified (parameter VpcId)")
		}
		tg.Port = port
		if tg.IPAddressType == "" {
			tg.IPAddressType = "ipv4"
		}
		if tg.ProtocolVersion == "" && (tg.Protocol == "HTTP" || tg.Protocol == "HTTPS") {
			tg.ProtocolVersion = "HTTP1"
		}
	} else if tg.Protocol != "" || hasPort || tg.VPCID != "" {
		return nil, validation("A protocol, port and VPC ID cannot be specified for a target group of type lambda")
	}
	tg.HealthCheck = defaultHealthCheck(tg)
	if err := applyHealthCheck(p, &tg.HealthCheck); err != nil {
		return nil, err
	}
	if tags, err := parseTags(p, "Tags"); err != nil {
		return nil, err
	} else {
		tg.Tags = tags
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, old := range s.st.TargetGroups {
		if old.Region == rc.Region && old.Name == name {
			if old.Protocol == tg.Protocol && old.Port == tg.Port && old.VPCID == tg.VPCID && old.TargetType == tg.TargetType {
				return targetGroupsResult{TargetGroups: list[xmlTargetGroup]{Member: []xmlTargetGroup{s.tgXML(old)}}}, nil
			}
			return nil, emulator.Errorf("DuplicateTargetGroupName", "A target group with the same name '%s' exists, but with different settings", name)
		}
	}
	tg.ARN = s.arn(rc.Region, fmt.Sprintf("targetgroup/%s/%s", name, s.hexID(rc.Region, name)))
	tg.Seq = s.st.Seq
	s.st.TargetGroups[tg.ARN] = tg
	return targetGroupsResult{TargetGroups: list[xmlTargetGroup]{Member: []xmlTargetGroup{s.tgXML(tg)}}}, nil
}

func defaultHealthCheck(tg *TargetGroup) HealthCheck {
	switch {
	case tg.TargetType == "lambda":
		return HealthCheck{Enabled: false, IntervalSeconds: 35, TimeoutSeconds: 30, HealthyThresholdCount: 5, UnhealthyThresholdCount: 2, Path: "/", HTTPCode: "200"}
	case tg.Protocol == "HTTP" || tg.Protocol == "HTTPS":
		hc := HealthCheck{Enabled: true, Protocol: tg.Protocol, Port: "traffic-port", Path: "/", IntervalSeconds: 30,
			TimeoutSeconds: 5, HealthyThresholdCount: 5, UnhealthyThresholdCount: 2, HTTPCode: "200"}
		if tg.ProtocolVersion == "GRPC" {
			hc.Path, hc.HTTPCode, hc.GRPCCode = "/AWS.ALB/healthcheck", "", "12"
		}
		return hc
	default:
		return HealthCheck{Enabled: true, Protocol: "TCP", Port: "traffic-port", IntervalSeconds: 30,
			TimeoutSeconds: 10, HealthyThresholdCount: 5, UnhealthyThresholdCount: 2}
	}
}

// applyHealthCheck sets the health-check parameters given in p.
func applyHealthCheck(p params, hc *HealthCheck) error {
	if v := p.str("HealthCheckProtocol"); v != "" {
		if !protocols[v] {
			return validation("Health check protocol '%s' must be one of HTTP, HTTPS, TCP", v)
		}
		hc.Protocol = v
	}
	if v := p.str("HealthCheckPort"); v != "" {
		if n, err := strconv.Atoi(v); v != "traffic-port" && (err != nil || n < 1 || n > 65535) {
			return validation("Health check port '%s' must be 'traffic-port' or a port between 1 and 65535", v)
		}
		hc.Port = v
	}
	if v := p.str("HealthCheckPath"); v != "" {
		if v[0] != '/' {
			return validation("Health check path '%s' must begin with a '/' character", v)
		}
		hc.Path = v
	}
	if b, ok, err := p.boolean("HealthCheckEnabled"); err != nil {
		return err
	} else if ok {
		hc.Enabled = b
	}
	ints := []struct {
		key      string
		dst      *int
		min, max int
	}{
		{"HealthCheckIntervalSeconds", &hc.IntervalSeconds, 5, 300},
		{"HealthCheckTimeoutSeconds", &hc.TimeoutSeconds, 2, 120},
		{"HealthyThresholdCount", &hc.HealthyThresholdCount, 2, 10},
		{"UnhealthyThresholdCount", &hc.UnhealthyThresholdCount, 2, 10},
	}
	for _, f := range ints {
		n, ok, err := p.integer(f.key)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if n < f.min || n > f.max {
			return validation("%s %d must be between %d and %d", f.key, n, f.min, f.max)
		}
		*f.dst = n
	}
	if hc.TimeoutSeconds >= hc.IntervalSeconds {
		return validation("Health check timeout (%d) must be smaller than the interval (%d)", hc.TimeoutSeconds, hc.IntervalSeconds)
	}
	if v := p.str("Matcher.HttpCode"); v != "" {
		hc.HTTPCode = v
	}
	if v := p.str("Matcher.GrpcCode"); v != "" {
		hc.GRPCCode = v
	}
	return nil
}

func (s *Service) sortedTargetGroups(region string) []*TargetGroup {
	return inOrder(s.st.TargetGroups, func(tg *TargetGroup) bool { return tg.Region == region },
		func(tg *TargetGroup) int64 { return tg.Seq })
}

func (s *Service) describeTargetGroups(rc *emulator.RequestContext, p params) (any, error) {
	arns, names, lbArn := p.strs("TargetGroupArns"), p.strs("Names"), p.str("LoadBalancerArn")
	given := 0
	for _, b := range []bool{len(arns) > 0, len(names) > 0, lbArn != ""} {
		if b {
			given++
		}
	}
	if given > 1 {
		return nil, validation("Only one of LoadBalancerArn, TargetGroupArns and Names can be specified")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var tgs []*TargetGroup
	var err error
	switch {
	case len(arns) > 0:
		tgs, err = byARNs(s.st.TargetGroups, arns, tgNotFound)
	case len(names) > 0:
		tgs, err = byNames(s.sortedTargetGroups(rc.Region), names, func(tg *TargetGroup) string { return tg.Name }, func(n string) error {
			return emulator.Errorf("TargetGroupNotFound", "Target groups '[%s]' not found", n)
		})
	case lbArn != "":
		if s.st.LoadBalancers[lbArn] == nil {
			return nil, lbNotFound()
		}
		for _, tg := range s.sortedTargetGroups(regionOf(lbArn)) {
			for _, a := range s.lbsOfGroupLocked(tg.ARN) {
				if a == lbArn {
					tgs = append(tgs, tg)
				}
			}
		}
	default:
		tgs = s.sortedTargetGroups(rc.Region)
	}
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf(p, tgs, s.tgXML)
	if err != nil {
		return nil, err
	}
	return targetGroupsResult{TargetGroups: page, NextMarker: next}, nil
}

func (s *Service) modifyTargetGroup(rc *emulator.RequestContext, p params) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tg, err := s.namedTargetGroupLocked(p)
	if err != nil {
		return nil, err
	}
	hc := tg.HealthCheck
	if err := applyHealthCheck(p, &hc); err != nil {
		return nil, err
	}
	tg.HealthCheck = hc
	return targetGroupsResult{TargetGroups: list[xmlTargetGroup]{Member: []xmlTargetGroup{s.tgXML(tg)}}}, nil
}

func (s *Service) deleteTargetGroup(rc *emulator.RequestContext, p params) (any, error) {
	arn := p.str("TargetGroupArn")
	if arn == "" {
		return nil, validation("A target group ARN is required (parameter TargetGroupArn)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.TargetGroups[arn] == nil {
		return empty{}, nil
	}
	if lbs := s.lbsOfGroupLocked(arn); len(lbs) > 0 {
		return nil, emulator.Errorf("ResourceInUse", "Target group '%s' is currently in use by a listener or a rule", arn)
	}
	delete(s.st.TargetGroups, arn)
	return empty{}, nil
}

func (s *Service) describeTargetGroupAttributes(rc *emulator.RequestContext, p params) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tg, err := s.namedTargetGroupLocked(p)
	if err != nil {
		return nil, err
	}
	return attributesResult{Attributes: list[xmlAttribute]{Member: attributesXML(tg.Attributes)}}, nil
}

func (s *Service) modifyTargetGroupAttributes(rc *emulator.RequestContext, p params) (any, error) {
	attrs, err := parseAttributes(p)
	if err != nil {
		return nil, err
	}
	if v, ok := attrs["deregistration_delay.timeout_seconds"]; ok {
		if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 3600 {
			return nil, validation("The value of 'deregistration_delay.timeout_seconds' must be between 0 and 3600, not '%s'", v)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tg, err := s.namedTargetGroupLocked(p)
	if err != nil {
		return nil, err
	}
	for k, v := range attrs {
		tg.Attributes[k] = v
	}
	return attributesResult{Attributes: list[xmlAttribute]{Member: attributesXML(tg.Attributes)}}, nil
}
