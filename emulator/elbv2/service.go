// Package elbv2 is the local Elastic Load Balancing (v2) API: Application
// Load Balancers, target groups, listeners and rules with weighted forward
// actions, and targets whose health follows the scenario. ECS services with
// loadBalancers register their tasks here, and their deployments wait for
// the targets to turn healthy.
//
// It speaks the Query protocol over the emulator's router (signing name
// "elasticloadbalancing") and saves its state with the emulator's.
package elbv2

import (
	"maps"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// SigningName is the SigV4 service name ELBv2 requests are signed for.
const SigningName = "elasticloadbalancing"

// xmlNamespace is the namespace of ELBv2's responses.
const xmlNamespace = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"

// stateKey names the elbv2 section of the emulator's saved state.
const stateKey = "elbv2"

// Service is the local ELBv2. All its state is guarded by one lock; its
// methods may be called from any goroutine, but never while holding it.
type Service struct {
	mu        sync.Mutex
	st        *state
	accountID string
	// lbIndex maps a target group to the load balancers forwarding to it;
	// rebuilt after any listener or rule change (nil = stale).
	lbIndex map[string][]string
	// TableState saves, loads and resets st.
	emulator.TableState[state]
}

// New returns an empty Service for the given account.
func New(accountID string) *Service {
	if accountID == "" {
		accountID = emulator.DefaultAccountID
	}
	s := &Service{st: newState(), accountID: accountID}
	s.TableState = emulator.NewTableState("Elastic Load Balancing", &s.mu, &s.st, newState, func(st *state) bool {
		return st.LoadBalancers != nil && st.TargetGroups != nil && st.Listeners != nil && st.Rules != nil
	}, s.routingChanged)
	return s
}

// Register makes em answer ELBv2 requests, save ELBv2 state with its own,
// and register its services' tasks as targets; it returns the service.
func Register(em *emulator.Emulator) *Service {
	s := New(em.AccountID())
	em.RegisterQueryService(SigningName, s)
	em.RegisterStatePart(stateKey, s)
	em.SetLoadBalancing(s)
	return s
}

// XMLNamespace implements emulator.XMLNamespacer.
func (s *Service) XMLNamespace() string { return xmlNamespace }

// ---- Go API for other emulator services (CodeDeploy, ECS blue/green) ----

// TargetGroup returns a copy of the target group with this ARN.
func (s *Service) TargetGroup(arn string) (TargetGroup, bool) {
	return copyOf(s, func(st *state) *TargetGroup { return st.TargetGroups[arn] }, copyTargetGroup)
}

// TargetGroupByName returns a copy of the target group named name in region.
func (s *Service) TargetGroupByName(region, name string) (TargetGroup, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, tg := range s.st.TargetGroups {
		if tg.Region == region && tg.Name == name {
			return copyTargetGroup(tg), true
		}
	}
	return TargetGroup{}, false
}

// LoadBalancer returns a copy of the load balancer with this ARN.
func (s *Service) LoadBalancer(arn string) (LoadBalancer, bool) {
	return copyOf(s, func(st *state) *LoadBalancer { return st.LoadBalancers[arn] }, func(lb *LoadBalancer) LoadBalancer {
		c := *lb
		c.Subnets, c.Tags = cloneSlice(lb.Subnets), cloneSlice(lb.Tags)
		return c
	})
}

// Listener returns a copy of the listener with this ARN.
func (s *Service) Listener(arn string) (Listener, bool) {
	return copyOf(s, func(st *state) *Listener { return st.Listeners[arn] }, copyListener)
}

// Rule returns a copy of the rule with this ARN. A listener's default rule
// is returned with Priority 0 and the listener's default actions.
func (s *Service) Rule(arn string) (Rule, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.st.Rules[arn]; r != nil {
		return copyRule(r), true
	}
	for _, l := range s.st.Listeners {
		if l.DefaultRuleARN == arn {
			return Rule{ARN: arn, ListenerARN: l.ARN, Actions: copyActions(l.DefaultActions)}, true
		}
	}
	return Rule{}, false
}

// ListenerOfRule returns the listener ARN a rule (default or not) belongs to.
func (s *Service) ListenerOfRule(ruleARN string) (string, bool) {
	r, ok := s.Rule(ruleARN)
	return r.ListenerARN, ok
}

// ForwardWeights returns the weighted target groups of the first forward
// action of a listener (its default actions) or of a rule, by ARN.
func (s *Service) ForwardWeights(listenerOrRuleARN string) ([]WeightedTargetGroup, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	actions, err := s.actionsLocked(listenerOrRuleARN)
	if err != nil {
		return nil, err
	}
	for _, a := range *actions {
		if ts := a.forwardTargets(); ts != nil {
			return cloneSlice(ts), nil
		}
	}
	return nil, nil
}

// SetForwardWeights replaces the actions of a listener (its default
// actions) or of a rule, by ARN, with one forward action to these weighted
// target groups, keeping the stickiness of the forward action it replaces.
// Every target group must exist; weights are 0..999.
func (s *Service) SetForwardWeights(listenerOrRuleARN string, groups []WeightedTargetGroup) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	actions, err := s.actionsLocked(listenerOrRuleARN)
	if err != nil {
		return err
	}
	if len(groups) == 0 {
		return emulator.Errorf("ValidationError", "A forward action needs at least one target group")
	}
	for _, g := range groups {
		if s.st.TargetGroups[g.TargetGroupARN] == nil {
			return tgNotFound(g.TargetGroupARN)
		}
		if g.Weight < 0 || g.Weight > 999 {
			return emulator.Errorf("ValidationError", "Target group weight %d must be between 0 and 999", g.Weight)
		}
	}
	fc := &ForwardConfig{TargetGroups: cloneSlice(groups)}
	for _, a := range *actions {
		if a.Forward != nil {
			fc.StickinessEnabled, fc.StickinessDuration = a.Forward.StickinessEnabled, a.Forward.StickinessDuration
		}
	}
	act := Action{Type: "forward", Order: 1, Forward: fc}
	if len(groups) == 1 {
		act.TargetGroupARN = groups[0].TargetGroupARN
	}
	*actions = []Action{act}
	s.routingChanged()
	return nil
}

// actionsLocked finds the action list of a listener or rule ARN.
func (s *Service) actionsLocked(arn string) (*[]Action, error) {
	if l := s.st.Listeners[arn]; l != nil {
		return &l.DefaultActions, nil
	}
	if r := s.st.Rules[arn]; r != nil {
		return &r.Actions, nil
	}
	for _, l := range s.st.Listeners {
		if l.DefaultRuleARN == arn {
			return &l.DefaultActions, nil
		}
	}
	return nil, emulator.Errorf("ListenerNotFound", "One or more listeners or rules not found: %s", arn)
}

// ListenersOfLoadBalancer returns copies of a load balancer's listeners, oldest first.
func (s *Service) ListenersOfLoadBalancer(lbARN string) []Listener {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Listener
	for _, l := range s.sortedListeners() {
		if l.LoadBalancerARN == lbARN {
			out = append(out, copyListener(l))
		}
	}
	return out
}

// RulesOfListener returns copies of a listener's non-default rules, by priority.
func (s *Service) RulesOfListener(listenerARN string) []Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Rule
	for _, r := range s.rulesOf(listenerARN) {
		out = append(out, copyRule(r))
	}
	return out
}

// LoadBalancersOfTargetGroup returns the load balancers whose listeners or
// rules forward to the target group.
func (s *Service) LoadBalancersOfTargetGroup(tgARN string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneSlice(s.lbsOfGroupLocked(tgARN))
}

// RegisterTargets registers targets (ID, Port, AvailabilityZone, Outcome,
// FailAt and RecoverAt are used) in a target group at now. A target registered again
// stops draining and starts its health checks afresh.
func (s *Service) RegisterTargets(now time.Time, tgARN string, targets []Target) error {
	return s.withTargetGroup(tgARN, func(tg *TargetGroup) {
		for _, t := range targets {
			s.registerLocked(tg, now, t)
		}
	})
}

// DeregisterTargets starts draining targets (by ID and Port; Port 0 means
// the group's port); they are gone after the deregistration delay.
func (s *Service) DeregisterTargets(now time.Time, tgARN string, targets []Target) error {
	return s.withTargetGroup(tgARN, func(tg *TargetGroup) {
		for _, t := range targets {
			s.deregisterLocked(tg, now, t.ID, t.Port)
		}
	})
}

// withTargetGroup runs f on the target group with this ARN under the
// service's lock; there being none is an error naming it.
func (s *Service) withTargetGroup(tgARN string, f func(*TargetGroup)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tg := s.st.TargetGroups[tgARN]
	if tg == nil {
		return tgNotFound(tgARN)
	}
	f(tg)
	return nil
}

// TargetHealthDescription is one target and its health at a moment.
type TargetHealthDescription struct {
	Target Target
	Health emulator.LBTargetHealth
}

// TargetHealth returns the health of every target of a group at now
// (targets whose draining has ended are gone).
func (s *Service) TargetHealth(now time.Time, tgARN string) (out []TargetHealthDescription, err error) {
	err = s.withTargetGroup(tgARN, func(tg *TargetGroup) {
		s.pruneLocked(tg, now)
		inUse := len(s.lbsOfGroupLocked(tgARN)) > 0
		out = make([]TargetHealthDescription, 0, len(tg.Targets))
		for _, t := range tg.Targets {
			out = append(out, TargetHealthDescription{Target: *t, Health: healthOf(tg, t, now, inUse)})
		}
	})
	return out, err
}

// ---- emulator.LoadBalancing, for the ECS scheduler ----

// TargetGroupForECS implements emulator.LoadBalancing.
func (s *Service) TargetGroupForECS(arn string) (emulator.TargetGroupInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tg := s.st.TargetGroups[arn]
	if tg == nil {
		return emulator.TargetGroupInfo{}, false
	}
	return emulator.TargetGroupInfo{ARN: arn, TargetType: tg.TargetType, Port: tg.Port,
		DeregistrationDelay: tg.DeregistrationDelay(), LoadBalancerARNs: cloneSlice(s.lbsOfGroupLocked(arn))}, true
}

// RegisterTaskTarget implements emulator.LoadBalancing.
func (s *Service) RegisterTaskTarget(now time.Time, tgARN string, t emulator.LBTarget) error {
	return s.withTargetGroup(tgARN, func(tg *TargetGroup) {
		s.registerLocked(tg, now, Target{ID: t.ID, Port: t.Port, AvailabilityZone: t.AvailabilityZone,
			Outcome: t.Outcome, FailAt: t.FailAt, RecoverAt: t.RecoverAt, ByECS: true})
	})
}

// DeregisterTaskTarget implements emulator.LoadBalancing.
func (s *Service) DeregisterTaskTarget(now time.Time, tgARN, id string, port int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tg := s.st.TargetGroups[tgARN]; tg != nil {
		s.deregisterLocked(tg, now, id, port)
	}
}

// TaskTargetHealth implements emulator.LoadBalancing.
func (s *Service) TaskTargetHealth(now time.Time, tgARN, id string, port int) emulator.LBTargetHealth {
	s.mu.Lock()
	defer s.mu.Unlock()
	tg := s.st.TargetGroups[tgARN]
	if tg == nil {
		return emulator.LBTargetHealth{}
	}
	s.pruneLocked(tg, now)
	for _, t := range tg.Targets {
		if t.ID == id && t.Port == port {
			return healthOf(tg, t, now, len(s.lbsOfGroupLocked(tgARN)) > 0)
		}
	}
	return emulator.LBTargetHealth{}
}

// TrafficWeights implements emulator.LoadBalancing.
func (s *Service) TrafficWeights(arn string) ([]emulator.TargetWeight, error) {
	ws, err := s.ForwardWeights(arn)
	if err != nil {
		return nil, err
	}
	out := make([]emulator.TargetWeight, len(ws))
	for i, w := range ws {
		out[i] = emulator.TargetWeight{TargetGroupARN: w.TargetGroupARN, Weight: w.Weight}
	}
	return out, nil
}

// ShiftTraffic implements emulator.LoadBalancing.
func (s *Service) ShiftTraffic(arn string, weights []emulator.TargetWeight) error {
	ws := make([]WeightedTargetGroup, len(weights))
	for i, w := range weights {
		ws[i] = WeightedTargetGroup{TargetGroupARN: w.TargetGroupARN, Weight: w.Weight}
	}
	return s.SetForwardWeights(arn, ws)
}

// ---- internals ----

func (s *Service) registerLocked(tg *TargetGroup, now time.Time, t Target) {
	if t.Port == 0 {
		t.Port = tg.Port
	}
	t.RegisteredAt, t.DeregisteredAt = now, time.Time{}
	for i, old := range tg.Targets {
		if old.ID == t.ID && old.Port == t.Port {
			if old.DeregisteredAt.IsZero() {
				return // already registered: nothing changes, as in ELB
			}
			tg.Targets[i] = &t
			return
		}
	}
	tg.Targets = append(tg.Targets, &t)
}

func (s *Service) deregisterLocked(tg *TargetGroup, now time.Time, id string, port int) {
	if port == 0 {
		port = tg.Port
	}
	for _, t := range tg.Targets {
		if t.ID == id && t.Port == port && t.DeregisteredAt.IsZero() {
			t.DeregisteredAt = now
		}
	}
}

// pruneLocked forgets targets whose draining has ended.
func (s *Service) pruneLocked(tg *TargetGroup, now time.Time) {
	delay := tg.DeregistrationDelay()
	kept := tg.Targets[:0]
	for _, t := range tg.Targets {
		if !t.DeregisteredAt.IsZero() && !now.Before(t.DeregisteredAt.Add(delay)) {
			continue
		}
		kept = append(kept, t)
	}
	for i := len(kept); i < len(tg.Targets); i++ {
		tg.Targets[i] = nil
	}
	tg.Targets = kept
}

// lbsOfGroupLocked lists the load balancers forwarding to a target group.
func (s *Service) lbsOfGroupLocked(tgARN string) []string {
	if s.lbIndex == nil {
		s.buildLBIndexLocked()
	}
	return s.lbIndex[tgARN]
}

// routingChanged marks the target-group index stale; every change to
// listeners, rules or their actions calls it.
func (s *Service) routingChanged() { s.lbIndex = nil }

func (s *Service) buildLBIndexLocked() {
	idx := map[string][]string{}
	add := func(listenerARN string, actions []Action) {
		l := s.st.Listeners[listenerARN]
		if l == nil {
			return
		}
		for _, a := range actions {
			for _, w := range a.forwardTargets() {
				if !slices.Contains(idx[w.TargetGroupARN], l.LoadBalancerARN) {
					idx[w.TargetGroupARN] = append(idx[w.TargetGroupARN], l.LoadBalancerARN)
				}
			}
		}
	}
	for _, l := range s.st.Listeners {
		add(l.ARN, l.DefaultActions)
	}
	for _, r := range s.st.Rules {
		add(r.ListenerARN, r.Actions)
	}
	for _, lbs := range idx {
		sort.Strings(lbs)
	}
	s.lbIndex = idx
}

// inOrder returns the items of m that keep accepts (every one when keep is
// nil), sorted by key.
func inOrder[T any](m map[string]*T, keep func(*T) bool, key func(*T) int64) []*T {
	var out []*T
	for _, x := range m {
		if keep == nil || keep(x) {
			out = append(out, x)
		}
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out
}

func (s *Service) sortedListeners() []*Listener {
	return inOrder(s.st.Listeners, nil, func(l *Listener) int64 { return l.Seq })
}

func (s *Service) rulesOf(listenerARN string) []*Rule {
	return inOrder(s.st.Rules, func(r *Rule) bool { return r.ListenerARN == listenerARN },
		func(r *Rule) int64 { return int64(r.Priority) })
}

// copyOf returns a copy, made by clone, of the item find returns from the
// state (ok false when it returns nil), under the service's lock.
func copyOf[T any](s *Service, find func(*state) *T, clone func(*T) T) (c T, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if x := find(s.st); x != nil {
		return clone(x), true
	}
	return c, false
}

// cloneSlice copies a slice; an empty one becomes nil.
func cloneSlice[T any](s []T) []T { return append([]T(nil), s...) }

func copyTargetGroup(tg *TargetGroup) TargetGroup {
	c := *tg
	c.Attributes = make(map[string]string, len(tg.Attributes))
	maps.Copy(c.Attributes, tg.Attributes)
	c.Targets = make([]*Target, len(tg.Targets))
	for i, t := range tg.Targets {
		tc := *t
		c.Targets[i] = &tc
	}
	c.Tags = cloneSlice(tg.Tags)
	return c
}

func copyListener(l *Listener) Listener {
	c := *l
	c.DefaultActions = copyActions(l.DefaultActions)
	c.Certificates, c.ALPNPolicy, c.Tags = cloneSlice(l.Certificates), cloneSlice(l.ALPNPolicy), cloneSlice(l.Tags)
	return c
}

func copyRule(r *Rule) Rule {
	c := *r
	c.Actions, c.Conditions, c.Tags = copyActions(r.Actions), cloneSlice(r.Conditions), cloneSlice(r.Tags)
	return c
}

func copyActions(as []Action) []Action {
	out := make([]Action, len(as))
	for i, a := range as {
		out[i] = a
		if a.Forward != nil {
			fc := *a.Forward
			fc.TargetGroups = cloneSlice(a.Forward.TargetGroups)
			out[i].Forward = &fc
		}
		if a.Redirect != nil {
			rc := *a.Redirect
			out[i].Redirect = &rc
		}
		if a.FixedResponse != nil {
			fr := *a.FixedResponse
			out[i].FixedResponse = &fr
		}
	}
	return out
}

func atoiDefault(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// namedTargetGroupLocked is the target group the request's TargetGroupArn
// names, or ELB's TargetGroupNotFound.
func (s *Service) namedTargetGroupLocked(p params) (*TargetGroup, error) {
	arn := p.str("TargetGroupArn")
	if tg := s.st.TargetGroups[arn]; tg != nil {
		return tg, nil
	}
	return nil, tgNotFound(arn)
}

func tgNotFound(arn string) error {
	return emulator.Errorf("TargetGroupNotFound", "One or more target groups not found")
}
