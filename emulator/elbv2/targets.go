package elbv2

import (
	"net/netip"
	"strings"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

func init() {
	actions["RegisterTargets"] = (*Service).registerTargets
	actions["DeregisterTargets"] = (*Service).deregisterTargets
	actions["DescribeTargetHealth"] = (*Service).describeTargetHealth
}

// parseTargets reads Targets.member.N.Id/Port/AvailabilityZone and checks
// the ids against the target group's type.
func parseTargets(p params, tg *TargetGroup, required bool) ([]Target, error) {
	ms := p.members("Targets")
	if len(ms) == 0 && required {
		return nil, validation("At least one target must be specified (parameter Targets)")
	}
	var out []Target
	for _, m := range ms {
		t := Target{ID: p.str(m + ".Id"), AvailabilityZone: p.str(m + ".AvailabilityZone")}
		port, ok, err := p.integer(m + ".Port")
		if err != nil {
			return nil, err
		}
		if ok && (port < 1 || port > 65535) {
			return nil, validation("Port %d must be between 1 and 65535", port)
		}
		t.Port = port
		if t.ID == "" {
			return nil, validation("A target ID is required (%s.Id)", m)
		}
		switch tg.TargetType {
		case "instance":
			if !strings.HasPrefix(t.ID, "i-") {
				return nil, emulator.Errorf("InvalidTarget", "The following targets are not valid instances: '%s'", t.ID)
			}
		case "ip":
			if _, err := netip.ParseAddr(t.ID); err != nil {
				return nil, emulator.Errorf("InvalidTarget", "The IP address '%s' is not a valid IPv4 address", t.ID)
			}
		}
		if t.Port == 0 {
			t.Port = tg.Port
		}
		out = append(out, t)
	}
	return out, nil
}

// requestTargetsLocked reads the request's target group and its targets
// (parseTargets); the caller holds s.mu.
func (s *Service) requestTargetsLocked(p params, required bool) (*TargetGroup, []Target, error) {
	tg, err := s.namedTargetGroupLocked(p)
	if err != nil {
		return nil, nil, err
	}
	ts, err := parseTargets(p, tg, required)
	return tg, ts, err
}

func (s *Service) registerTargets(rc *emulator.RequestContext, p params) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tg, ts, err := s.requestTargetsLocked(p, true)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		s.registerLocked(tg, rc.Now, t)
	}
	return empty{}, nil
}

func (s *Service) deregisterTargets(rc *emulator.RequestContext, p params) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tg, ts, err := s.requestTargetsLocked(p, true)
	if err != nil {
		return nil, err
	}
	s.pruneLocked(tg, rc.Now)
	for _, t := range ts {
		found := false
		for _, have := range tg.Targets {
			if have.ID == t.ID && have.Port == t.Port {
				found = true
			}
		}
		if !found {
			return nil, emulator.Errorf("InvalidTarget", "The following targets are not registered in target group '%s': '%s'", tg.ARN, t.ID)
		}
	}
	for _, t := range ts {
		s.deregisterLocked(tg, rc.Now, t.ID, t.Port)
	}
	return empty{}, nil
}

func (s *Service) describeTargetHealth(rc *emulator.RequestContext, p params) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tg, asked, err := s.requestTargetsLocked(p, false)
	if err != nil {
		return nil, err
	}
	s.pruneLocked(tg, rc.Now)
	inUse := len(s.lbsOfGroupLocked(tg.ARN)) > 0
	out := targetHealthResult{}
	out.TargetHealthDescriptions.Member = []xmlTargetHealthDescription{}
	describe := func(t *Target) {
		h := healthOf(tg, t, rc.Now, inUse)
		x := xmlTargetHealthDescription{Target: xmlTargetDescription{ID: t.ID, AvailabilityZone: t.AvailabilityZone},
			HealthCheckPort: healthCheckPort(tg, t), TargetHealth: xmlTargetHealth{State: h.State, Reason: h.Reason, Description: h.Description}}
		if t.Port != 0 {
			x.Target.Port = intp(t.Port)
		}
		out.TargetHealthDescriptions.Member = append(out.TargetHealthDescriptions.Member, x)
	}
	if len(asked) == 0 {
		for _, t := range tg.Targets {
			describe(t)
		}
		return out, nil
	}
	for _, a := range asked {
		var found *Target
		for _, t := range tg.Targets {
			if t.ID == a.ID && t.Port == a.Port {
				found = t
			}
		}
		if found != nil {
			describe(found)
			continue
		}
		x := xmlTargetHealthDescription{Target: xmlTargetDescription{ID: a.ID, AvailabilityZone: a.AvailabilityZone},
			HealthCheckPort: healthCheckPort(tg, &a), TargetHealth: xmlTargetHealth{State: "unused", Reason: "Target.NotRegistered",
				Description: "Target is not registered to the target group"}}
		if a.Port != 0 {
			x.Target.Port = intp(a.Port)
		}
		out.TargetHealthDescriptions.Member = append(out.TargetHealthDescriptions.Member, x)
	}
	return out, nil
}

func healthCheckPort(tg *TargetGroup, t *Target) string {
	if tg.HealthCheck.Port != "" && tg.HealthCheck.Port != "traffic-port" {
		return tg.HealthCheck.Port
	}
	if t.Port == 0 {
		return ""
	}
	return itoa(t.Port)
}
