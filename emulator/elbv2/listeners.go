package elbv2

import (
	"fmt"
	"strings"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

func init() {
	actions["CreateListener"] = (*Service).createListener
	actions["DescribeListeners"] = (*Service).describeListeners
	actions["ModifyListener"] = (*Service).modifyListener
	actions["DeleteListener"] = (*Service).deleteListener
}

func listenerNotFound() error {
	return emulator.Errorf("ListenerNotFound", "One or more listeners not found")
}

func (s *Service) createListener(rc *emulator.RequestContext, p params) (any, error) {
	lbARN := p.str("LoadBalancerArn")
	if lbARN == "" {
		return nil, validation("A load balancer ARN is required (parameter LoadBalancerArn)")
	}
	port, hasPort, err := p.integer("Port")
	if err != nil {
		return nil, err
	}
	tags, err := parseTags(p, "Tags")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lb := s.st.LoadBalancers[lbARN]
	if lb == nil {
		return nil, lbNotFound()
	}
	l := &Listener{LoadBalancerARN: lbARN, Region: lb.Region, Protocol: p.str("Protocol"), Port: port,
		SSLPolicy: p.str("SslPolicy"), ALPNPolicy: p.strs("AlpnPolicy"), Tags: tags}
	if err := s.checkListenerSettings(lb, l, hasPort, p); err != nil {
		return nil, err
	}
	acts, err := s.parseActionsLocked(p, "DefaultActions")
	if err != nil {
		return nil, err
	}
	if err := s.checkAssociationLocked(lbARN, acts); err != nil {
		return nil, err
	}
	l.DefaultActions = acts
	for _, old := range s.st.Listeners {
		if old.LoadBalancerARN == lbARN && old.Port == l.Port {
			return nil, emulator.Errorf("DuplicateListener", "A listener already exists on this port for this load balancer '%s'", lbARN)
		}
	}
	lbPath := strings.TrimPrefix(lbARN[strings.Index(lbARN, ":loadbalancer/")+1:], "loadbalancer/")
	id := s.hexID(lbARN, fmt.Sprint(port))
	l.ARN = s.arn(lb.Region, "listener/"+lbPath+"/"+id)
	l.DefaultRuleARN = s.arn(lb.Region, "listener-rule/"+lbPath+"/"+id+"/"+s.hexID(l.ARN, "default"))
	l.Seq = s.st.Seq
	s.st.Listeners[l.ARN] = l
	s.routingChanged()
	return listenersResult{Listeners: list[xmlListener]{Member: []xmlListener{listenerXML(l)}}}, nil
}

// checkListenerSettings validates protocol, port and certificates.
func (s *Service) checkListenerSettings(lb *LoadBalancer, l *Listener, hasPort bool, p params) error {
	if l.Protocol == "" {
		if lb.Type == "application" {
			l.Protocol = "HTTP"
		} else {
			return validation("A protocol must be specified (parameter Protocol)")
		}
	}
	if lb.Type == "application" && l.Protocol != "HTTP" && l.Protocol != "HTTPS" {
		return emulator.Errorf("UnsupportedProtocol", "Protocol '%s' is not supported for an Application Load Balancer; use HTTP or HTTPS", l.Protocol)
	}
	if lb.Type == "network" && (l.Protocol == "HTTP" || l.Protocol == "HTTPS") {
		return emulator.Errorf("UnsupportedProtocol", "Protocol '%s' is not supported for a Network Load Balancer", l.Protocol)
	}
	if !hasPort {
		if lb.Type != "application" {
			return validation("A port must be specified (parameter Port)")
		}
		l.Port = 80
		if l.Protocol == "HTTPS" {
			l.Port = 443
		}
	}
	if l.Port < 1 || l.Port > 65535 {
		return validation("Port %d must be between 1 and 65535", l.Port)
	}
	for _, m := range p.members("Certificates") {
		l.Certificates = append(l.Certificates, p.str(m+".CertificateArn"))
	}
	if (l.Protocol == "HTTPS" || l.Protocol == "TLS") && len(l.Certificates) == 0 {
		return emulator.Errorf("CertificateNotFound", "A certificate must be specified for %s listeners (parameter Certificates)", l.Protocol)
	}
	if (l.Protocol == "HTTPS" || l.Protocol == "TLS") && l.SSLPolicy == "" {
		l.SSLPolicy = "ELBSecurityPolicy-2016-08"
	}
	return nil
}

func (s *Service) describeListeners(rc *emulator.RequestContext, p params) (any, error) {
	arns, lbARN := p.strs("ListenerArns"), p.str("LoadBalancerArn")
	if len(arns) == 0 && lbARN == "" {
		return nil, validation("You must specify either listener ARNs or a load balancer ARN")
	}
	if len(arns) > 0 && lbARN != "" {
		return nil, validation("Listener ARNs and a load balancer ARN cannot be specified at the same time")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ls []*Listener
	if lbARN != "" {
		if s.st.LoadBalancers[lbARN] == nil {
			return nil, lbNotFound()
		}
		for _, l := range s.sortedListeners() {
			if l.LoadBalancerARN == lbARN {
				ls = append(ls, l)
			}
		}
	}
	named, err := byARNs(s.st.Listeners, arns, func(string) error { return listenerNotFound() })
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf(p, append(ls, named...), listenerXML)
	if err != nil {
		return nil, err
	}
	return listenersResult{Listeners: page, NextMarker: next}, nil
}

func (s *Service) modifyListener(rc *emulator.RequestContext, p params) (any, error) {
	port, hasPort, err := p.integer("Port")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.st.Listeners[p.str("ListenerArn")]
	if l == nil {
		return nil, listenerNotFound()
	}
	lb := s.st.LoadBalancers[l.LoadBalancerARN]
	next := copyListener(l)
	if v := p.str("Protocol"); v != "" {
		next.Protocol = v
		if v == "HTTP" {
			next.Certificates, next.SSLPolicy = nil, ""
		}
	}
	if hasPort {
		next.Port = port
	}
	if v := p.str("SslPolicy"); v != "" {
		next.SSLPolicy = v
	}
	if len(p.members("Certificates")) > 0 {
		next.Certificates = nil
	}
	if err := s.checkListenerSettings(lb, &next, true, p); err != nil {
		return nil, err
	}
	if hasPort && port != l.Port {
		for _, other := range s.st.Listeners {
			if other != l && other.LoadBalancerARN == l.LoadBalancerARN && other.Port == port {
				return nil, emulator.Errorf("DuplicateListener", "A listener already exists on this port for this load balancer '%s'", l.LoadBalancerARN)
			}
		}
	}
	if len(p.members("DefaultActions")) > 0 {
		acts, err := s.parseActionsLocked(p, "DefaultActions")
		if err != nil {
			return nil, err
		}
		if err := s.checkAssociationLocked(l.LoadBalancerARN, acts); err != nil {
			return nil, err
		}
		next.DefaultActions = acts
	}
	if v := p.strs("AlpnPolicy"); len(v) > 0 {
		next.ALPNPolicy = v
	}
	*l = next
	s.routingChanged()
	return listenersResult{Listeners: list[xmlListener]{Member: []xmlListener{listenerXML(l)}}}, nil
}

func (s *Service) deleteListener(rc *emulator.RequestContext, p params) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := p.str("ListenerArn")
	if s.st.Listeners[arn] == nil {
		return nil, listenerNotFound()
	}
	s.deleteListenerLocked(arn)
	return empty{}, nil
}

func (s *Service) deleteListenerLocked(arn string) {
	for ra, r := range s.st.Rules {
		if r.ListenerARN == arn {
			delete(s.st.Rules, ra)
		}
	}
	delete(s.st.Listeners, arn)
	s.routingChanged()
}
