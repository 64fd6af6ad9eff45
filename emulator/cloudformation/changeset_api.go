package cloudformation

import (
	"fmt"
	"net/url"
	"regexp"
	"sync"

	"github.com/google/uuid"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

var changeSetNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`) })

// noChanges is CloudFormation's reason for an empty change set.
const noChanges = "The submitted information didn't contain changes. Submit different information to create a change set."

func (s *Service) createChangeSet(rc *emulator.RequestContext, params url.Values) (any, error) {
	name := params.Get("ChangeSetName")
	if !changeSetNamePattern().MatchString(name) {
		return nil, validation("1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
	}
	kind := params.Get("ChangeSetType")
	if kind == "" {
		kind = "UPDATE"
	}
	stackName := params.Get("StackName")
	var st *stack
	switch kind {
	case "CREATE":
		if _, ok := s.live[rc.Region][stackName]; ok {
			return nil, emulator.Errorf("AlreadyExistsException", "Stack [%s] already exists and cannot be created again with the changeSet [%s].", stackName, name)
		}
		if !stackNamePattern().MatchString(stackName) {
			return nil, validation("Value '%s' at 'stackName' failed to satisfy constraint", stackName)
		}
	case "UPDATE":
		var err error
		if st, err = s.find(rc.Region, stackName, true); err != nil {
			return nil, err
		}
		if st.Status == "REVIEW_IN_PROGRESS" {
			return nil, validation("Stack [%s] does not exist", stackName)
		}
	default:
		return nil, validation("ChangeSetType %s is not supported by the local ECS", kind)
	}
	var t *template
	var err error
	if params.Get("UsePreviousTemplate") == "true" && st != nil {
		t = st.Template
	} else if t, err = parseTemplateParam(params); err != nil {
		return nil, err
	}
	var previous map[string]string
	if st != nil {
		previous = st.Params
	}
	values, err := parameterValues(t, parameterInputs(params), previous)
	if err != nil {
		return nil, err
	}
	caps := memberList(params, "Capabilities")
	if err := checkCapabilities(t, caps); err != nil {
		return nil, err
	}
	if st == nil {
		st = s.newStack(rc, stackName, rc.Now)
		st.Template = &template{Resources: map[string]resourceDecl{}, Parameters: map[string]paramDecl{}, Outputs: map[string]outputDecl{}}
		st.Params = map[string]string{}
		st.Status = "REVIEW_IN_PROGRESS"
		s.setStatus(st, "REVIEW_IN_PROGRESS", "User Initiated", rc.Now)
	}
	for _, cs := range st.ChangeSets {
		if cs.Name == name {
			return nil, emulator.Errorf("AlreadyExistsException", "ChangeSet %s already exists", name)
		}
	}
	cs := &changeSet{ID: fmt.Sprintf("arn:aws:cloudformation:%s:%s:changeSet/%s/%s", rc.Region, s.account, name, uuid.NewString()),
		Name: name, StackID: st.ID, Type: kind, Created: rc.Now, Template: t, Params: values, Tags: tagInputs(params),
		Capabilities: caps, Description: params.Get("Description")}
	cs.Changes = s.diff(st, t, values)
	if len(cs.Changes) == 0 {
		cs.Status, cs.Reason, cs.Execution = "FAILED", noChanges, "UNAVAILABLE"
	} else {
		cs.Status, cs.Execution = "CREATE_COMPLETE", "AVAILABLE"
	}
	st.ChangeSets[cs.ID] = cs
	return createChangeSetResult{ID: cs.ID, StackID: st.ID}, nil
}

// findChangeSet finds a change set by ARN, or by name within a stack.
func (s *Service) findChangeSet(region string, params url.Values) (*stack, *changeSet, error) {
	ref := params.Get("ChangeSetName")
	for _, st := range s.stacks {
		if cs, ok := st.ChangeSets[ref]; ok {
			return st, cs, nil
		}
	}
	if stackName := params.Get("StackName"); stackName != "" {
		st, err := s.find(region, stackName, false)
		if err == nil {
			for _, cs := range st.ChangeSets {
				if cs.Name == ref {
					return st, cs, nil
				}
			}
		}
	}
	return nil, nil, emulator.Errorf("ChangeSetNotFound", "ChangeSet [%s] does not exist", ref)
}

func (s *Service) describeChangeSet(rc *emulator.RequestContext, params url.Values) (any, error) {
	st, cs, err := s.findChangeSet(rc.Region, params)
	if err != nil {
		return nil, err
	}
	out := describeChangeSetResult{ChangeSetName: cs.Name, ChangeSetID: cs.ID, StackID: st.ID, StackName: st.Name,
		Description: cs.Description, CreationTime: isoTime(cs.Created), ExecutionStatus: cs.Execution, Status: cs.Status,
		StatusReason: cs.Reason, Capabilities: cs.Capabilities, Changes: []xmlChange{}}
	for k, v := range cs.Params {
		out.Parameters = append(out.Parameters, xmlParameter{ParameterKey: k, ParameterValue: v})
	}
	for _, t := range cs.Tags {
		out.Tags = append(out.Tags, xmlTag(t))
	}
	for _, c := range cs.Changes {
		out.Changes = append(out.Changes, xmlChange{Type: "Resource", ResourceChange: xmlResourceChange{Action: c.Action,
			LogicalResourceID: c.LogicalID, PhysicalResourceID: c.PhysicalID, ResourceType: c.Type, Replacement: c.Replacement}})
	}
	return out, nil
}

func (s *Service) executeChangeSet(rc *emulator.RequestContext, params url.Values) (any, error) {
	st, cs, err := s.findChangeSet(rc.Region, params)
	if err != nil {
		return nil, err
	}
	if cs.Execution != "AVAILABLE" {
		return nil, emulator.Errorf("InvalidChangeSetStatus", "ChangeSet [%s] cannot be executed in its current execution status of [%s]", cs.ID, cs.Execution)
	}
	switch {
	case cs.Type == "CREATE" && st.Status == "REVIEW_IN_PROGRESS":
		st.Template, st.Params, st.Tags, st.Capabilities = cs.Template, cs.Params, cs.Tags, cs.Capabilities
		st.Description = templateDescription(cs.Template)
		if err := s.startCreate(st, rc.Now); err != nil {
			return nil, validation("%s", err.Error())
		}
	default:
		if err := updatable(st); err != nil {
			return nil, err
		}
		if len(cs.Tags) > 0 {
			st.Tags = cs.Tags
		}
		st.Capabilities = cs.Capabilities
		if err := s.startUpdate(st, cs.Template, cs.Params, cs.Changes, rc.Now); err != nil {
			return nil, validation("%s", err.Error())
		}
	}
	// Executing one change set makes the stack's other change sets obsolete.
	st.ChangeSets = map[string]*changeSet{}
	return empty{}, nil
}

func (s *Service) deleteChangeSet(rc *emulator.RequestContext, params url.Values) (any, error) {
	st, cs, err := s.findChangeSet(rc.Region, params)
	if err != nil {
		return nil, err
	}
	delete(st.ChangeSets, cs.ID)
	return empty{}, nil
}
