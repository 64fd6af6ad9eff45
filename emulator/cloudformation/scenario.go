package cloudformation

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"time"

	"go.yaml.in/yaml/v3"
)

// Scenario makes resource operations of the local CloudFormation fail or
// take long, so that every stack state (CREATE_FAILED, ROLLBACK_COMPLETE,
// ROLLBACK_FAILED, UPDATE_ROLLBACK_FAILED, DELETE_FAILED, a stuck update)
// can be reached on purpose. Failures of the service's own deployment come
// from the ECS scenario instead (a crashing image trips the circuit
// breaker, which fails the AWS::ECS::Service resource as on AWS).
type Scenario struct {
	Rules []Rule `json:"rules" yaml:"rules"`
}

// Rule matches resource operations; the first matching rule applies.
type Rule struct {
	// Stack is a glob on the stack name ("" matches every stack).
	Stack string `json:"stack,omitempty" yaml:"stack,omitempty"`
	// LogicalID is the resource's logical id ("" matches every resource).
	LogicalID string `json:"logicalId,omitempty" yaml:"logicalId,omitempty"`
	// Operation is create, update, delete, or rollback (undoing an update).
	Operation string `json:"operation" yaml:"operation"`
	// Message is the failure reason; empty with Delay set means no failure.
	Message string `json:"message,omitempty" yaml:"message,omitempty"`
	// Delay keeps the operation in progress this long (emulated time)
	// before it completes or fails.
	Delay time.Duration `json:"delay,omitempty" yaml:"delay,omitempty"`
	// Times limits the rule to the first N matching operations; 0 is always.
	Times int `json:"times,omitempty" yaml:"times,omitempty"`
}

// Operations a Rule can match.
const (
	OpCreate   = "create"
	OpUpdate   = "update"
	OpDelete   = "delete"
	OpRollback = "rollback"
)

// match returns the rule for an operation, counting its use.
func (s *Service) matchRule(stackName, logicalID, op string) *Rule {
	for i := range s.scenario.Rules {
		r := &s.scenario.Rules[i]
		if r.Operation != op || (r.LogicalID != "" && r.LogicalID != logicalID) {
			continue
		}
		if r.Stack != "" {
			if ok, _ := path.Match(r.Stack, stackName); !ok {
				continue
			}
		}
		if r.Times > 0 && s.ruleUses[i] >= r.Times {
			continue
		}
		s.ruleUses[i]++
		return r
	}
	return nil
}

// SetScenario replaces the failure rules; their use counts start over,
// unless the state loaded (with the emulator's LoadState) was saved with the same rules in
// use: then their counts carry on, so `times` counts across the commands
// that share a state file.
func (s *Service) SetScenario(sc Scenario) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scenario = sc
	s.ruleUses = map[int]int{}
	if saved := s.savedUses; saved != nil && saved.Scenario == scenarioKey(sc) {
		for rule, n := range saved.Uses {
			s.ruleUses[rule] = n
		}
	}
	s.savedUses = nil
}

// LoadScenario reads a scenario from a YAML (or JSON) file; unknown fields
// are errors, so that a typo does not silently disable a rule.
func LoadScenario(file string) (Scenario, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return Scenario{}, err
	}
	var sc Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&sc); err != nil && !errors.Is(err, io.EOF) {
		return Scenario{}, fmt.Errorf("CloudFormation scenario %s: %w", file, err)
	}
	for i, r := range sc.Rules {
		switch r.Operation {
		case OpCreate, OpUpdate, OpDelete, OpRollback:
		default:
			return Scenario{}, fmt.Errorf("CloudFormation scenario %s: rules[%d].operation %q is not create, update, delete or rollback", file, i, r.Operation)
		}
		if r.Message == "" && r.Delay == 0 {
			return Scenario{}, fmt.Errorf("CloudFormation scenario %s: rules[%d] needs a message (to fail) or a delay", file, i)
		}
	}
	return sc, nil
}
