package cloudformation

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// queryAction answers one CloudFormation action; the Service's lock is held.
type queryAction func(s *Service, rc *emulator.RequestContext, params url.Values) (any, error)

// queryActions are the actions the local CloudFormation serves.
var queryActions = map[string]queryAction{
	"CreateStack":            (*Service).createStack,
	"UpdateStack":            (*Service).updateStack,
	"DeleteStack":            (*Service).deleteStack,
	"DescribeStacks":         (*Service).describeStacks,
	"DescribeStackEvents":    (*Service).describeStackEvents,
	"DescribeStackResources": (*Service).describeStackResources,
	"GetTemplate":            (*Service).getTemplate,
	"GetTemplateSummary": func(s *Service, rc *emulator.RequestContext, params url.Values) (any, error) {
		return s.getTemplateSummary(rc.Region, params)
	},
	"ValidateTemplate": func(s *Service, _ *emulator.RequestContext, params url.Values) (any, error) {
		return s.validateTemplate(params)
	},
	"CreateChangeSet":        (*Service).createChangeSet,
	"DescribeChangeSet":      (*Service).describeChangeSet,
	"ExecuteChangeSet":       (*Service).executeChangeSet,
	"DeleteChangeSet":        (*Service).deleteChangeSet,
	"ContinueUpdateRollback": (*Service).continueUpdateRollback,
	"CancelUpdateStack":      (*Service).cancelUpdateStack,
}

// servedActions lists queryActions' names, sorted, for the error an unknown
// action gets; built on the first such error.
var servedActions = sync.OnceValue(func() string {
	return strings.Join(slices.Sorted(maps.Keys(queryActions)), ", ")
})

// ServeQuery implements emulator.QueryHandler.
func (s *Service) ServeQuery(rc *emulator.RequestContext, action string, params url.Values) (any, error) {
	act, ok := queryActions[action]
	if !ok {
		return nil, emulator.Errorf("InvalidAction", "The action %s is not valid for this web service (the local ECS serves %s).", action, servedActions())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(rc.Now)
	return act(s, rc, params)
}

func (s *Service) getTemplate(rc *emulator.RequestContext, params url.Values) (any, error) {
	st, err := s.find(rc.Region, params.Get("StackName"), true)
	if err != nil {
		return nil, err
	}
	return getTemplateResult{TemplateBody: st.Template.Body, StagesAvailable: []string{"Original", "Processed"}}, nil
}

// find returns the stack a StackName parameter names: a live stack by
// name, or any stack (deleted ones too) by id.
func (s *Service) find(region, nameOrID string, liveOnly bool) (*stack, error) {
	if nameOrID == "" {
		return nil, validation("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
	}
	if strings.HasPrefix(nameOrID, "arn:") {
		st, ok := s.stacks[nameOrID]
		if !ok || (liveOnly && st.Status == "DELETE_COMPLETE") {
			return nil, stackMissing(nameOrID)
		}
		return st, nil
	}
	id, ok := s.live[region][nameOrID]
	if !ok {
		return nil, stackMissing(nameOrID)
	}
	return s.stacks[id], nil
}

func (s *Service) newStack(rc *emulator.RequestContext, name string, now time.Time) *stack {
	id := fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", rc.Region, s.account, name, uuid.NewString())
	st := &stack{ID: id, Name: name, Region: rc.Region, Created: now, Resources: map[string]*resource{},
		ChangeSets: map[string]*changeSet{}, OnFailure: "ROLLBACK", lastTick: now}
	s.stacks[id] = st
	if s.live[rc.Region] == nil {
		s.live[rc.Region] = map[string]string{}
	}
	s.live[rc.Region][name] = id
	return st
}

func (s *Service) createStack(rc *emulator.RequestContext, params url.Values) (any, error) {
	name := params.Get("StackName")
	if !stackNamePattern().MatchString(name) {
		return nil, validation("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
	}
	if _, ok := s.live[rc.Region][name]; ok {
		return nil, emulator.Errorf("AlreadyExistsException", "Stack [%s] already exists", name)
	}
	t, err := parseTemplateParam(params)
	if err != nil {
		return nil, err
	}
	values, err := parameterValues(t, parameterInputs(params), nil)
	if err != nil {
		return nil, err
	}
	caps := memberList(params, "Capabilities")
	if err := checkCapabilities(t, caps); err != nil {
		return nil, err
	}
	st := s.newStack(rc, name, rc.Now)
	st.Template, st.Params, st.Tags, st.Capabilities = t, values, tagInputs(params), caps
	st.Description = templateDescription(t)
	if of := params.Get("OnFailure"); of != "" {
		st.OnFailure = of
	}
	if params.Get("DisableRollback") == "true" {
		st.OnFailure = "DO_NOTHING"
	}
	if m, err := strconv.Atoi(params.Get("TimeoutInMinutes")); err == nil && m > 0 {
		st.Deadline = rc.Now.Add(time.Duration(m) * time.Minute)
	}
	if err := s.startCreate(st, rc.Now); err != nil {
		return nil, validation("%s", err.Error())
	}
	return stackIDResult{StackID: st.ID}, nil
}

func templateDescription(t *template) string {
	var raw struct {
		Description string `yaml:"Description"`
	}
	_ = yamlUnmarshal(t.Body, &raw)
	return raw.Description
}

// updatable reports whether the stack can take an update now.
func updatable(st *stack) error {
	switch st.Status {
	case "CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE":
		return nil
	}
	return validation("Stack:%s is in %s state and can not be updated.", st.ID, st.Status)
}

func (s *Service) updateStack(rc *emulator.RequestContext, params url.Values) (any, error) {
	st, err := s.find(rc.Region, params.Get("StackName"), true)
	if err != nil {
		return nil, err
	}
	if err := updatable(st); err != nil {
		return nil, err
	}
	t := st.Template
	if params.Get("UsePreviousTemplate") != "true" {
		if t, err = parseTemplateParam(params); err != nil {
			return nil, err
		}
	}
	values, err := parameterValues(t, parameterInputs(params), st.Params)
	if err != nil {
		return nil, err
	}
	caps := memberList(params, "Capabilities")
	if err := checkCapabilities(t, caps); err != nil {
		return nil, err
	}
	changes := s.diff(st, t, values)
	if len(changes) == 0 {
		return nil, validation("No updates are to be performed.")
	}
	if tags := tagInputs(params); len(tags) > 0 {
		st.Tags = tags
	}
	st.Capabilities = caps
	if err := s.startUpdate(st, t, values, changes, rc.Now); err != nil {
		return nil, validation("%s", err.Error())
	}
	return stackIDResult{StackID: st.ID}, nil
}

func (s *Service) deleteStack(rc *emulator.RequestContext, params url.Values) (any, error) {
	st, err := s.find(rc.Region, params.Get("StackName"), true)
	if err != nil {
		// Deleting a stack that does not exist succeeds, as on AWS.
		return nil, nil
	}
	if st.Status == "DELETE_IN_PROGRESS" {
		return nil, nil
	}
	if inProgress(st.Status) {
		return nil, validation("Stack [%s] cannot be deleted while in status %s", st.Name, st.Status)
	}
	s.startDelete(st, rc.Now)
	return nil, nil
}

func (s *Service) describeStacks(rc *emulator.RequestContext, params url.Values) (any, error) {
	var list []*stack
	if name := params.Get("StackName"); name != "" {
		st, err := s.find(rc.Region, name, false)
		if err != nil {
			return nil, err
		}
		list = append(list, st)
	} else {
		for _, id := range s.live[rc.Region] {
			list = append(list, s.stacks[id])
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	}
	out := describeStacksResult{Stacks: []xmlStack{}}
	for _, st := range list {
		out.Stacks = append(out.Stacks, s.stackXML(st))
	}
	return out, nil
}

func (s *Service) stackXML(st *stack) xmlStack {
	x := xmlStack{StackID: st.ID, StackName: st.Name, Description: st.Description, CreationTime: isoTime(st.Created),
		StackStatus: st.Status, StackStatusReason: st.Reason, DisableRollback: st.OnFailure == "DO_NOTHING",
		Capabilities: st.Capabilities}
	if !st.Updated.IsZero() {
		x.LastUpdatedTime = isoTime(st.Updated)
	}
	names := make([]string, 0, len(st.Params))
	for k := range st.Params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		x.Parameters = append(x.Parameters, xmlParameter{ParameterKey: k, ParameterValue: st.Params[k]})
	}
	for _, t := range st.Tags {
		x.Tags = append(x.Tags, xmlTag(t))
	}
	if st.Status != "DELETE_COMPLETE" && !inProgress(st.Status) {
		x.Outputs = s.outputs(st)
	}
	return x
}

// outputs resolves the template's outputs; ones that cannot be resolved
// (their resource failed) are left out.
func (s *Service) outputs(st *stack) []xmlOutput {
	if st.Template == nil {
		return nil
	}
	r := s.resolverFor(st, st.Template, st.Params)
	names := make([]string, 0, len(st.Template.Outputs))
	for k := range st.Template.Outputs {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []xmlOutput
	for _, k := range names {
		o := st.Template.Outputs[k]
		v, err := r.resolve(o.Value)
		if err != nil {
			continue
		}
		out = append(out, xmlOutput{OutputKey: k, OutputValue: scalarString(v), Description: o.Description})
	}
	return out
}

// eventsPage is the page size of DescribeStackEvents.
const eventsPage = 100

func (s *Service) describeStackEvents(rc *emulator.RequestContext, params url.Values) (any, error) {
	st, err := s.find(rc.Region, params.Get("StackName"), false)
	if err != nil {
		return nil, err
	}
	from := 0
	if tok := params.Get("NextToken"); tok != "" {
		if from, err = strconv.Atoi(tok); err != nil || from < 0 {
			return nil, validation("Invalid NextToken")
		}
	}
	out := describeStackEventsResult{StackEvents: []xmlEvent{}}
	n := len(st.Events)
	for i := from; i < n && i < from+eventsPage; i++ {
		e := st.Events[n-1-i]
		out.StackEvents = append(out.StackEvents, xmlEvent{StackID: st.ID, EventID: e.ID, StackName: st.Name,
			LogicalResourceID: e.LogicalID, PhysicalResourceID: e.PhysicalID, ResourceType: e.Type,
			Timestamp: isoTime(e.Time), ResourceStatus: e.Status, ResourceStatusReason: e.Reason})
	}
	if from+eventsPage < n {
		out.NextToken = strconv.Itoa(from + eventsPage)
	}
	return out, nil
}

func (s *Service) describeStackResources(rc *emulator.RequestContext, params url.Values) (any, error) {
	st, err := s.find(rc.Region, params.Get("StackName"), false)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(st.Resources))
	for k := range st.Resources {
		names = append(names, k)
	}
	sort.Strings(names)
	out := describeStackResourcesResult{StackResources: []xmlStackResource{}}
	for _, k := range names {
		r := st.Resources[k]
		out.StackResources = append(out.StackResources, xmlStackResource{StackName: st.Name, StackID: st.ID,
			LogicalResourceID: k, PhysicalResourceID: r.PhysicalID, ResourceType: r.Type, Timestamp: isoTime(r.Updated), ResourceStatus: r.Status})
	}
	return out, nil
}

func (s *Service) continueUpdateRollback(rc *emulator.RequestContext, params url.Values) (any, error) {
	st, err := s.find(rc.Region, params.Get("StackName"), true)
	if err != nil {
		return nil, err
	}
	if st.Status != "UPDATE_ROLLBACK_FAILED" {
		return nil, validation("Stack %s is in %s state and can not continue update rollback.", st.Name, st.Status)
	}
	st.lastTick = rc.Now
	s.setStatus(st, "UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated", rc.Now)
	return empty{}, nil
}

func (s *Service) cancelUpdateStack(rc *emulator.RequestContext, params url.Values) (any, error) {
	st, err := s.find(rc.Region, params.Get("StackName"), true)
	if err != nil {
		return nil, err
	}
	if st.Status != "UPDATE_IN_PROGRESS" {
		return nil, validation("CancelUpdateStack cannot be called from current stack status")
	}
	if len(st.queue) > 0 && st.queue[0].started {
		head := st.queue[0]
		typ := st.Template.Resources[head.LogicalID].Type
		physical := ""
		if r := st.Resources[head.LogicalID]; r != nil {
			physical = r.PhysicalID
		}
		resourceEvent(st, head.LogicalID, typ, physical, "UPDATE_FAILED", "Resource update cancelled", rc.Now)
	}
	s.startUpdateRollback(st, "Stack update cancelled", rc.Now)
	return nil, nil
}
