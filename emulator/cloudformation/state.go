package cloudformation

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// stateFormat versions the saved state; a different number is refused.
const stateFormat = 1

type savedState struct {
	Format int            `json:"format"`
	Stacks []*savedStack  `json:"stacks"`
	Rules  *savedRuleUses `json:"rules,omitempty"`
}

// savedRuleUses keeps how often each scenario rule was used, so that a
// `times: 1` rule fails one command's operation and lets the next command's
// recovery through, as it would within one run of `local serve`.
type savedRuleUses struct {
	Scenario string      `json:"scenario"` // the rules, as JSON: counts carry on only for the same rules
	Uses     map[int]int `json:"uses"`
}

// scenarioKey identifies a scenario's rules.
func scenarioKey(sc Scenario) string {
	data, _ := json.Marshal(sc)
	return string(data)
}

type savedStack struct {
	ID, Name, Region, Status, Reason     string
	Created, Updated, Deadline, LastTick time.Time
	Description, OnFailure               string
	Capabilities                         []string
	Tags                                 []tag
	TemplateBody                         string
	Params                               map[string]string
	Resources                            map[string]*resource
	Events                               []event
	Queue, Undo                          []savedStep
	Garbage                              []*resource
	Prev                                 *savedSnapshot `json:",omitempty"`
}

type savedStep struct {
	Kind      stepKind
	LogicalID string
	Res       *resource `json:",omitempty"`
}

type savedSnapshot struct {
	TemplateBody string
	Params       map[string]string
	Resources    map[string]resource
}

// StateKey is the name under which the stacks are saved in the emulator's
// state file (see emulator.StatePart).
const StateKey = "cloudformation"

// MarshalState implements emulator.StatePart: the stacks, for the local ECS
// to pick up again after a restart. Change sets that were never executed
// are not kept; an operation in progress is, and resumes with its current
// step started over.
func (s *Service) MarshalState() (json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	saved := savedState{Format: stateFormat, Stacks: []*savedStack{}}
	for _, st := range s.stacks {
		x := &savedStack{ID: st.ID, Name: st.Name, Region: st.Region, Status: st.Status, Reason: st.Reason,
			Created: st.Created, Updated: st.Updated, Deadline: st.Deadline, LastTick: st.lastTick,
			Description: st.Description, OnFailure: st.OnFailure, Capabilities: st.Capabilities, Tags: st.Tags,
			Params: st.Params, Resources: st.Resources, Events: st.Events, Queue: saveSteps(st.queue), Undo: saveSteps(st.undo),
			Garbage: st.garbage}
		if st.Template != nil {
			x.TemplateBody = st.Template.Body
		}
		if st.prev != nil && st.prev.Template != nil {
			x.Prev = &savedSnapshot{TemplateBody: st.prev.Template.Body, Params: st.prev.Params, Resources: st.prev.Resources}
		}
		saved.Stacks = append(saved.Stacks, x)
	}
	switch {
	case len(s.scenario.Rules) > 0:
		saved.Rules = &savedRuleUses{Scenario: scenarioKey(s.scenario), Uses: s.ruleUses}
	case s.savedUses != nil:
		saved.Rules = s.savedUses // no rules set by this process: the counts carry on unchanged
	}
	data, err := json.Marshal(saved)
	if err != nil {
		return nil, fmt.Errorf("encode the local CloudFormation state: %w", err)
	}
	return data, nil
}

// UnmarshalState implements emulator.StatePart: it replaces the stacks with
// those in data (none when data is nil).
func (s *Service) UnmarshalState(data json.RawMessage) error {
	if len(data) == 0 {
		s.mu.Lock()
		s.stacks, s.live, s.savedUses, s.loaded = map[string]*stack{}, map[string]map[string]string{}, nil, false
		s.mu.Unlock()
		return nil
	}
	if err := s.load(data); err != nil {
		return err
	}
	s.mu.Lock()
	s.loaded = true
	s.mu.Unlock()
	return nil
}

// ResetState implements emulator.StatePart: every stack is forgotten.
func (s *Service) ResetState() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stacks, s.live, s.savedUses, s.loaded = map[string]*stack{}, map[string]map[string]string{}, nil, false
	s.ruleUses = map[int]int{}
}

// HasSavedState reports whether the state loaded last had a CloudFormation
// section (a state saved before the stacks moved into it has none).
func (s *Service) HasSavedState() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loaded
}

func saveSteps(steps []*step) []savedStep {
	var out []savedStep
	for _, s := range steps {
		out = append(out, savedStep{Kind: s.Kind, LogicalID: s.LogicalID, Res: s.Res})
	}
	return out
}

func loadSteps(steps []savedStep) []*step {
	var out []*step
	for _, s := range steps {
		out = append(out, &step{Kind: s.Kind, LogicalID: s.LogicalID, Res: s.Res})
	}
	return out
}

// ImportLegacyState replaces the stacks with those in file, a
// CloudFormation state written on its own beside the emulator's state file
// by earlier versions. A missing file is an error satisfying
// errors.Is(err, os.ErrNotExist).
func (s *Service) ImportLegacyState(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := s.load(data); err != nil {
		return fmt.Errorf("%s: %w (move or delete that file)", file, err)
	}
	return nil
}

// load replaces the stacks with those of a saved state.
func (s *Service) load(data []byte) error {
	var saved savedState
	if err := json.Unmarshal(data, &saved); err != nil || saved.Format != stateFormat {
		return fmt.Errorf("the local CloudFormation state is damaged or of another version")
	}
	var err error
	stacks := map[string]*stack{}
	live := map[string]map[string]string{}
	for _, x := range saved.Stacks {
		st := &stack{ID: x.ID, Name: x.Name, Region: x.Region, Status: x.Status, Reason: x.Reason, Created: x.Created,
			Updated: x.Updated, Deadline: x.Deadline, lastTick: x.LastTick, Description: x.Description, OnFailure: x.OnFailure,
			Capabilities: x.Capabilities, Tags: x.Tags, Params: x.Params, Resources: x.Resources, Events: x.Events,
			ChangeSets: map[string]*changeSet{}, queue: loadSteps(x.Queue), undo: loadSteps(x.Undo), garbage: x.Garbage}
		if st.Resources == nil {
			st.Resources = map[string]*resource{}
		}
		if x.TemplateBody != "" {
			if st.Template, err = parseTemplate(x.TemplateBody); err != nil {
				return fmt.Errorf("the local CloudFormation state holds a bad template for stack %s: %w", x.Name, err)
			}
		} else {
			st.Template = &template{Resources: map[string]resourceDecl{}, Parameters: map[string]paramDecl{}, Outputs: map[string]outputDecl{}}
		}
		if x.Prev != nil {
			pt, err := parseTemplate(x.Prev.TemplateBody)
			if err == nil {
				st.prev = &snapshot{Template: pt, Params: x.Prev.Params, Resources: x.Prev.Resources}
			}
		}
		stacks[st.ID] = st
		if st.Status != "DELETE_COMPLETE" {
			if live[st.Region] == nil {
				live[st.Region] = map[string]string{}
			}
			live[st.Region][st.Name] = st.ID
		}
	}
	s.mu.Lock()
	s.stacks, s.live, s.savedUses = stacks, live, saved.Rules
	s.mu.Unlock()
	return nil
}
