package elbv2

import (
	"strconv"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// parseActions reads key.member.N actions and checks them against the
// state (target groups exist, are of a forwardable kind).
func (s *Service) parseActionsLocked(p params, key string) ([]Action, error) {
	ms := p.members(key)
	if len(ms) == 0 {
		return nil, validation("At least one action must be specified (parameter %s)", key)
	}
	var out []Action
	for i, m := range ms {
		a := Action{Type: p.str(m + ".Type")}
		order, hasOrder, err := p.integer(m + ".Order")
		if err != nil {
			return nil, err
		}
		if hasOrder {
			if order < 1 || order > 50000 {
				return nil, validation("Action order %d must be between 1 and 50000", order)
			}
			a.Order = order
		} else {
			a.Order = i + 1
		}
		switch a.Type {
		case "forward":
			a.TargetGroupARN = p.str(m + ".TargetGroupArn")
			var groups []WeightedTargetGroup
			for _, g := range p.members(m + ".ForwardConfig.TargetGroups") {
				w, hasW, err := p.integer(g + ".Weight")
				if err != nil {
					return nil, err
				}
				if !hasW {
					w = 1
				}
				if w < 0 || w > 999 {
					return nil, validation("Target group weight %d must be between 0 and 999", w)
				}
				groups = append(groups, WeightedTargetGroup{TargetGroupARN: p.str(g + ".TargetGroupArn"), Weight: w})
			}
			if a.TargetGroupARN == "" && len(groups) == 0 {
				return nil, validation("A target group ARN or a forward config must be specified for a forward action")
			}
			if a.TargetGroupARN != "" && len(groups) > 0 && (len(groups) != 1 || groups[0].TargetGroupARN != a.TargetGroupARN) {
				return nil, validation("You cannot specify both a target group ARN and a forward config with other target groups in the same action")
			}
			seen := map[string]bool{}
			for _, g := range groups {
				if seen[g.TargetGroupARN] {
					return nil, validation("Target group '%s' is given more than once in the forward config", g.TargetGroupARN)
				}
				seen[g.TargetGroupARN] = true
			}
			if len(groups) > 5 {
				return nil, emulator.Errorf("TooManyTargetGroups", "A forward action can have at most 5 target groups")
			}
			if len(groups) > 0 {
				a.Forward = &ForwardConfig{TargetGroups: groups}
				if b, _, err := p.boolean(m + ".ForwardConfig.TargetGroupStickinessConfig.Enabled"); err != nil {
					return nil, err
				} else {
					a.Forward.StickinessEnabled = b
				}
				if d, ok, err := p.integer(m + ".ForwardConfig.TargetGroupStickinessConfig.DurationSeconds"); err != nil {
					return nil, err
				} else if ok {
					a.Forward.StickinessDuration = d
				}
				if len(groups) == 1 {
					a.TargetGroupARN = groups[0].TargetGroupARN
				}
			} else {
				a.Forward = &ForwardConfig{TargetGroups: []WeightedTargetGroup{{TargetGroupARN: a.TargetGroupARN, Weight: 1}}}
			}
			for _, g := range a.Forward.TargetGroups {
				if s.st.TargetGroups[g.TargetGroupARN] == nil {
					return nil, tgNotFound(g.TargetGroupARN)
				}
			}
		case "redirect":
			r := &RedirectConfig{Protocol: p.str(m + ".RedirectConfig.Protocol"), Port: p.str(m + ".RedirectConfig.Port"),
				Host: p.str(m + ".RedirectConfig.Host"), Path: p.str(m + ".RedirectConfig.Path"),
				Query: p.str(m + ".RedirectConfig.Query"), StatusCode: p.str(m + ".RedirectConfig.StatusCode")}
			if r.StatusCode != "HTTP_301" && r.StatusCode != "HTTP_302" {
				return nil, validation("A redirect action needs RedirectConfig.StatusCode HTTP_301 or HTTP_302")
			}
			a.Redirect = r
		case "fixed-response":
			f := &FixedResponse{StatusCode: p.str(m + ".FixedResponseConfig.StatusCode"),
				ContentType: p.str(m + ".FixedResponseConfig.ContentType"), MessageBody: p.str(m + ".FixedResponseConfig.MessageBody")}
			if n, err := strconv.Atoi(f.StatusCode); err != nil || n < 200 || n > 599 {
				return nil, validation("A fixed-response action needs FixedResponseConfig.StatusCode between 200 and 599")
			}
			a.FixedResponse = f
		case "authenticate-oidc", "authenticate-cognito", "jwt-validation":
			return nil, emulator.Errorf("InvalidLoadBalancerAction", "The local ELBv2 does not simulate %s actions; use forward, redirect or fixed-response", a.Type)
		case "":
			return nil, validation("An action type is required (%s.Type)", m)
		default:
			return nil, validation("Action type '%s' must be one of forward, redirect, fixed-response, authenticate-oidc, authenticate-cognito", a.Type)
		}
		out = append(out, a)
	}
	terminal := 0
	for _, a := range out {
		if a.Type == "forward" || a.Type == "redirect" || a.Type == "fixed-response" {
			terminal++
		}
	}
	if terminal != 1 {
		return nil, emulator.Errorf("InvalidLoadBalancerAction", "Exactly one forward, redirect or fixed-response action must be specified, not %d", terminal)
	}
	return out, nil
}

// checkAssociationLocked refuses forwarding to a target group that another
// load balancer already forwards to.
func (s *Service) checkAssociationLocked(lbARN string, actions []Action) error {
	for _, a := range actions {
		for _, g := range a.forwardTargets() {
			for _, other := range s.lbsOfGroupLocked(g.TargetGroupARN) {
				if other != lbARN {
					return emulator.Errorf("TargetGroupAssociationLimit",
						"The following target groups cannot be associated with more than one load balancer: %s", g.TargetGroupARN)
				}
			}
		}
	}
	return nil
}

// parseConditions reads key.member.N conditions.
func parseConditions(p params, key string) ([]Condition, error) {
	var out []Condition
	for _, m := range p.members(key) {
		c := Condition{Field: p.str(m + ".Field")}
		legacy := p.strs(m + ".Values")
		var cfg []string
		switch c.Field {
		case "host-header":
			cfg = p.strs(m + ".HostHeaderConfig.Values")
		case "path-pattern":
			cfg = p.strs(m + ".PathPatternConfig.Values")
		case "http-header":
			c.HeaderName = p.str(m + ".HttpHeaderConfig.HttpHeaderName")
			cfg = p.strs(m + ".HttpHeaderConfig.Values")
			if c.HeaderName == "" {
				return nil, validation("An http-header condition needs HttpHeaderConfig.HttpHeaderName")
			}
		case "http-request-method":
			cfg = p.strs(m + ".HttpRequestMethodConfig.Values")
		case "source-ip":
			cfg = p.strs(m + ".SourceIpConfig.Values")
		case "query-string":
			for _, kv := range p.members(m + ".QueryStringConfig.Values") {
				c.Query = append(c.Query, KeyValue{Key: p.str(kv + ".Key"), Value: p.str(kv + ".Value")})
			}
			if len(c.Query) == 0 {
				return nil, validation("A query-string condition needs QueryStringConfig.Values")
			}
		case "":
			return nil, validation("A condition field is required (%s.Field)", m)
		default:
			return nil, validation("Condition field '%s' must be one of host-header, path-pattern, http-header, http-request-method, query-string, source-ip", c.Field)
		}
		if len(legacy) > 0 && len(cfg) > 0 {
			return nil, validation("You cannot specify both Values and a condition config for the '%s' condition", c.Field)
		}
		if len(legacy) > 0 {
			if c.Field != "host-header" && c.Field != "path-pattern" {
				return nil, validation("Values can only be used with host-header and path-pattern conditions; use the %s config", c.Field)
			}
			cfg, c.Legacy = legacy, true
		}
		if c.Field != "query-string" && len(cfg) == 0 {
			return nil, validation("The '%s' condition needs at least one value", c.Field)
		}
		c.Values = cfg
		out = append(out, c)
	}
	return out, nil
}
