package elbv2

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

func init() {
	actions["CreateRule"] = (*Service).createRule
	actions["DescribeRules"] = (*Service).describeRules
	actions["ModifyRule"] = (*Service).modifyRule
	actions["DeleteRule"] = (*Service).deleteRule
	actions["SetRulePriorities"] = (*Service).setRulePriorities
}

func ruleNotFound() error {
	return emulator.Errorf("RuleNotFound", "One or more rules not found")
}

func parsePriority(p params, key string) (int, error) {
	n, ok, err := p.integer(key)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, validation("A rule priority is required (parameter %s)", key)
	}
	if n < 1 || n > 50000 {
		return 0, validation("Priority %d must be between 1 and 50000", n)
	}
	return n, nil
}

func (s *Service) createRule(rc *emulator.RequestContext, p params) (any, error) {
	listenerARN := p.str("ListenerArn")
	if listenerARN == "" {
		return nil, validation("A listener ARN is required (parameter ListenerArn)")
	}
	prio, err := parsePriority(p, "Priority")
	if err != nil {
		return nil, err
	}
	conds, err := parseConditions(p, "Conditions")
	if err != nil {
		return nil, err
	}
	if len(conds) == 0 {
		return nil, validation("At least one condition must be specified (parameter Conditions)")
	}
	tags, err := parseTags(p, "Tags")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.st.Listeners[listenerARN]
	if l == nil {
		return nil, listenerNotFound()
	}
	acts, err := s.parseActionsLocked(p, "Actions")
	if err != nil {
		return nil, err
	}
	if err := s.checkAssociationLocked(l.LoadBalancerARN, acts); err != nil {
		return nil, err
	}
	for _, r := range s.rulesOf(listenerARN) {
		if r.Priority == prio {
			return nil, emulator.Errorf("PriorityInUse", "Priority '%d' is currently in use", prio)
		}
	}
	listenerPath := l.ARN[strings.Index(l.ARN, ":listener/")+len(":listener/"):]
	r := &Rule{ListenerARN: listenerARN, Priority: prio, Conditions: conds, Actions: acts, Tags: tags}
	r.ARN = s.arn(l.Region, "listener-rule/"+listenerPath+"/"+s.hexID(listenerARN, fmt.Sprint(prio)))
	r.Seq = s.st.Seq
	s.st.Rules[r.ARN] = r
	s.routingChanged()
	return rulesResult{Rules: list[xmlRule]{Member: []xmlRule{ruleXML(r)}}}, nil
}

func (s *Service) describeRules(rc *emulator.RequestContext, p params) (any, error) {
	arns, listenerARN := p.strs("RuleArns"), p.str("ListenerArn")
	if len(arns) == 0 && listenerARN == "" {
		return nil, validation("You must specify either rule ARNs or a listener ARN")
	}
	if len(arns) > 0 && listenerARN != "" {
		return nil, validation("Rule ARNs and a listener ARN cannot be specified at the same time")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var rules []xmlRule
	if listenerARN != "" {
		l := s.st.Listeners[listenerARN]
		if l == nil {
			return nil, listenerNotFound()
		}
		for _, r := range s.rulesOf(listenerARN) {
			rules = append(rules, ruleXML(r))
		}
		rules = append(rules, defaultRuleXML(l))
	}
	for _, a := range arns {
		if r := s.st.Rules[a]; r != nil {
			rules = append(rules, ruleXML(r))
			continue
		}
		l := s.listenerOfDefaultRule(a)
		if l == nil {
			return nil, ruleNotFound()
		}
		rules = append(rules, defaultRuleXML(l))
	}
	page, next, err := pageOf(p, rules, func(r xmlRule) xmlRule { return r })
	if err != nil {
		return nil, err
	}
	return rulesResult{Rules: page, NextMarker: next}, nil
}

func (s *Service) listenerOfDefaultRule(arn string) *Listener {
	for _, l := range s.st.Listeners {
		if l.DefaultRuleARN == arn {
			return l
		}
	}
	return nil
}

func (s *Service) modifyRule(rc *emulator.RequestContext, p params) (any, error) {
	conds, err := parseConditions(p, "Conditions")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := p.str("RuleArn")
	r := s.st.Rules[arn]
	if r == nil {
		l := s.listenerOfDefaultRule(arn)
		if l == nil {
			return nil, ruleNotFound()
		}
		if len(conds) > 0 {
			return nil, emulator.Errorf("OperationNotPermitted", "The conditions of a default rule cannot be modified")
		}
		if len(p.members("Actions")) > 0 {
			acts, err := s.parseActionsLocked(p, "Actions")
			if err != nil {
				return nil, err
			}
			if err := s.checkAssociationLocked(l.LoadBalancerARN, acts); err != nil {
				return nil, err
			}
			l.DefaultActions = acts
			s.routingChanged()
		}
		return rulesResult{Rules: list[xmlRule]{Member: []xmlRule{defaultRuleXML(l)}}}, nil
	}
	if len(p.members("Actions")) > 0 {
		acts, err := s.parseActionsLocked(p, "Actions")
		if err != nil {
			return nil, err
		}
		if l := s.st.Listeners[r.ListenerARN]; l != nil {
			if err := s.checkAssociationLocked(l.LoadBalancerARN, acts); err != nil {
				return nil, err
			}
		}
		r.Actions = acts
		s.routingChanged()
	}
	if len(conds) > 0 {
		r.Conditions = conds
	}
	return rulesResult{Rules: list[xmlRule]{Member: []xmlRule{ruleXML(r)}}}, nil
}

func (s *Service) deleteRule(rc *emulator.RequestContext, p params) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := p.str("RuleArn")
	if s.st.Rules[arn] == nil {
		if s.listenerOfDefaultRule(arn) != nil {
			return nil, emulator.Errorf("OperationNotPermitted", "Default rule '%s' cannot be deleted", arn)
		}
		return nil, ruleNotFound()
	}
	delete(s.st.Rules, arn)
	s.routingChanged()
	return empty{}, nil
}

func (s *Service) setRulePriorities(rc *emulator.RequestContext, p params) (any, error) {
	ms := p.members("RulePriorities")
	if len(ms) == 0 {
		return nil, validation("At least one rule priority must be specified (parameter RulePriorities)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	want := map[*Rule]int{}
	for _, m := range ms {
		arn := p.str(m + ".RuleArn")
		r := s.st.Rules[arn]
		if r == nil {
			if s.listenerOfDefaultRule(arn) != nil {
				return nil, emulator.Errorf("OperationNotPermitted", "The priority of a default rule cannot be changed")
			}
			return nil, ruleNotFound()
		}
		prio, err := parsePriority(p, m+".Priority")
		if err != nil {
			return nil, err
		}
		want[r] = prio
	}
	// Check the end state: no two rules of a listener share a priority.
	type key struct {
		listener string
		prio     int
	}
	taken := map[key]*Rule{}
	for _, r := range s.st.Rules {
		prio := r.Priority
		if n, ok := want[r]; ok {
			prio = n
		}
		k := key{r.ListenerARN, prio}
		if taken[k] != nil {
			return nil, emulator.Errorf("PriorityInUse", "Priority '%s' is currently in use", strconv.Itoa(prio))
		}
		taken[k] = r
	}
	var out []xmlRule
	changed := make([]*Rule, 0, len(want))
	for r, prio := range want {
		r.Priority = prio
		changed = append(changed, r)
	}
	sort.Slice(changed, func(i, j int) bool { return changed[i].Priority < changed[j].Priority })
	for _, r := range changed {
		out = append(out, ruleXML(r))
	}
	return rulesResult{Rules: list[xmlRule]{Member: out}}, nil
}
