package cloudformation

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

const stackType = "AWS::CloudFormation::Stack"

// stackEvent records a change of the stack's own status.
func (s *Service) setStatus(st *stack, status, reason string, now time.Time) {
	st.Status, st.Reason = status, reason
	st.Events = append(st.Events, event{ID: uuid.NewString(), LogicalID: st.Name, PhysicalID: st.ID, Type: stackType,
		Status: status, Reason: reason, Time: now})
	if status == "DELETE_COMPLETE" {
		if ids := s.live[st.Region]; ids != nil && ids[st.Name] == st.ID {
			delete(ids, st.Name)
		}
	}
}

func resourceEvent(st *stack, logical, typ, physical, status, reason string, now time.Time) {
	st.Events = append(st.Events, event{ID: uuid.NewString(), LogicalID: logical, PhysicalID: physical, Type: typ,
		Status: status, Reason: reason, Time: now})
}

// resolverFor evaluates intrinsics of the stack's template against its
// parameters and current resources.
func (s *Service) resolverFor(st *stack, t *template, params map[string]string) *resolver {
	types := map[string]string{}
	for name, p := range t.Parameters {
		types[name] = p.Type
	}
	return &resolver{
		params: params, paramType: types,
		pseudo: map[string]string{"AWS::Region": st.Region, "AWS::AccountId": s.account, "AWS::Partition": "aws",
			"AWS::StackName": st.Name, "AWS::StackId": st.ID, "AWS::URLSuffix": "amazonaws.com"},
		physical: func(logical string) (string, bool) {
			r, ok := st.Resources[logical]
			if !ok || r.PhysicalID == "" {
				return "", false
			}
			return r.PhysicalID, true
		},
		attribute: func(logical, attr string) (string, bool) {
			r, ok := st.Resources[logical]
			if !ok {
				return "", false
			}
			v, ok := r.Attributes[attr]
			return v, ok
		},
	}
}

// startCreate queues the creation of every resource of the template.
func (s *Service) startCreate(st *stack, now time.Time) error {
	order, err := st.Template.order()
	if err != nil {
		return err
	}
	st.queue = nil
	for _, logical := range order {
		st.queue = append(st.queue, &step{Kind: stepCreate, LogicalID: logical})
	}
	st.lastTick = now
	s.setStatus(st, "CREATE_IN_PROGRESS", "User Initiated", now)
	return nil
}

// startUpdate queues the changes from the stack's template to t.
func (s *Service) startUpdate(st *stack, t *template, params map[string]string, changes []change, now time.Time) error {
	order, err := t.order()
	if err != nil {
		return err
	}
	snap := &snapshot{Template: st.Template, Params: st.Params, Resources: map[string]resource{}}
	for k, r := range st.Resources {
		snap.Resources[k] = *r
	}
	st.prev = snap
	st.Template, st.Params = t, params
	actions := map[string]string{}
	for _, c := range changes {
		actions[c.LogicalID] = c.Action
	}
	st.queue, st.undo, st.garbage = nil, nil, nil
	for _, logical := range order {
		switch actions[logical] {
		case "Add":
			st.queue = append(st.queue, &step{Kind: stepCreate, LogicalID: logical})
		case "Modify":
			st.queue = append(st.queue, &step{Kind: stepUpdate, LogicalID: logical})
		}
	}
	// Resources the new template drops are deleted once the update has
	// succeeded, newest dependency first.
	var removed []string
	for _, c := range changes {
		if c.Action == "Remove" {
			removed = append(removed, c.LogicalID)
		}
	}
	for _, logical := range reverseOrder(snap.Template, removed) {
		r := *st.Resources[logical]
		st.garbage = append(st.garbage, &r)
	}
	st.lastTick = now
	s.setStatus(st, "UPDATE_IN_PROGRESS", "User Initiated", now)
	return nil
}

// reverseOrder sorts names so that dependents come before what they use.
func reverseOrder(t *template, names []string) []string {
	order, _ := t.order()
	pos := map[string]int{}
	for i, n := range order {
		pos[n] = i
	}
	out := append([]string(nil), names...)
	sort.SliceStable(out, func(i, j int) bool { return pos[out[i]] > pos[out[j]] })
	return out
}

// startDelete queues the deletion of every live resource.
func (s *Service) startDelete(st *stack, now time.Time) {
	var names []string
	for n := range st.Resources {
		names = append(names, n)
	}
	sort.Strings(names)
	st.queue = nil
	for _, logical := range reverseOrder(st.Template, names) {
		st.queue = append(st.queue, &step{Kind: stepDelete, LogicalID: logical, Res: st.Resources[logical]})
	}
	st.lastTick = now
	s.setStatus(st, "DELETE_IN_PROGRESS", "User Initiated", now)
}

// tick advances the stack's operation by one step.
func (s *Service) tick(st *stack, now time.Time) {
	if st.Status == "CREATE_IN_PROGRESS" && !st.Deadline.IsZero() && now.After(st.Deadline) {
		logical := ""
		if len(st.queue) > 0 && st.queue[0].started {
			logical = st.queue[0].LogicalID
		}
		s.fail(st, logical, "Resource creation cancelled", now)
		return
	}
	if len(st.queue) == 0 {
		s.finishPhase(st, now)
		return
	}
	stp := st.queue[0]
	if !stp.started {
		stp.started = true
		if err := s.startStep(st, stp, now); err != nil {
			s.fail(st, stp.LogicalID, err.Error(), now)
			return
		}
	}
	if !stp.until.IsZero() && now.Before(stp.until) {
		return
	}
	if stp.failWith != "" {
		s.fail(st, stp.LogicalID, stp.failWith, now)
		return
	}
	if stp.wait != nil {
		done, err := stp.wait(now)
		if err != nil {
			s.fail(st, stp.LogicalID, err.Error(), now)
			return
		}
		if !done {
			return
		}
	}
	s.completeStep(st, stp, now)
	st.queue = st.queue[1:]
	if len(st.queue) == 0 {
		s.finishPhase(st, now)
	}
}

// ruleOp is the scenario operation a step is.
func ruleOp(k stepKind) string {
	return [...]string{OpCreate, OpUpdate, OpDelete, OpRollback}[k]
}

func (s *Service) startStep(st *stack, stp *step, now time.Time) error {
	decl := st.Template.Resources[stp.LogicalID]
	typ := decl.Type
	if stp.Res != nil {
		typ = stp.Res.Type
	}
	inProgressStatus := map[stepKind]string{stepCreate: "CREATE_IN_PROGRESS", stepUpdate: "UPDATE_IN_PROGRESS",
		stepDelete: "DELETE_IN_PROGRESS", stepRestore: "UPDATE_IN_PROGRESS"}[stp.Kind]
	physical := ""
	if r := st.Resources[stp.LogicalID]; r != nil {
		physical = r.PhysicalID
	}
	if stp.Res != nil {
		physical = stp.Res.PhysicalID
	}
	resourceEvent(st, stp.LogicalID, typ, physical, inProgressStatus, "", now)
	if rule := s.matchRule(st.Name, stp.LogicalID, ruleOp(stp.Kind)); rule != nil {
		if rule.Delay > 0 {
			stp.until = now.Add(rule.Delay)
		}
		if rule.Message != "" {
			stp.failWith = rule.Message
			return nil
		}
	}
	p := &provisioner{ecs: s.ecs, st: st, account: s.account}
	switch stp.Kind {
	case stepCreate:
		props, err := s.resolveProps(st, decl)
		if err != nil {
			return err
		}
		out, err := p.create(stp.LogicalID, decl.Type, props)
		if err != nil {
			return err
		}
		res := &resource{LogicalID: stp.LogicalID, Type: decl.Type, PhysicalID: out.physical, Attributes: out.attrs,
			Props: props, Status: "CREATE_IN_PROGRESS", Updated: now}
		st.Resources[stp.LogicalID] = res
		st.undo = append([]*step{{Kind: stepDelete, LogicalID: stp.LogicalID, Res: res}}, st.undo...)
		stp.wait = out.wait
	case stepUpdate:
		res := st.Resources[stp.LogicalID]
		props, err := s.resolveProps(st, decl)
		if err != nil {
			return err
		}
		if sameJSON(props, res.Props) {
			return nil
		}
		old := *res
		out, err := p.update(res, props)
		if err != nil {
			return err
		}
		if out.replaced {
			st.garbage = append(st.garbage, &old)
		}
		res.PhysicalID, res.Attributes, res.Props, res.Updated = out.physical, out.attrs, props, now
		st.undo = append([]*step{{Kind: stepRestore, LogicalID: stp.LogicalID, Res: &old}}, st.undo...)
		stp.wait = out.wait
	case stepRestore:
		old := stp.Res
		cur := st.Resources[stp.LogicalID]
		if cur == nil || cur.PhysicalID != old.PhysicalID {
			// Replaced during the update: the old resource is still there;
			// point back at it and delete the new one in the cleanup.
			if cur != nil {
				c := *cur
				st.garbage = append(st.garbage, &c)
			}
			restored := *old
			st.Resources[stp.LogicalID] = &restored
			return nil
		}
		out, err := p.update(cur, old.Props)
		if err != nil {
			return err
		}
		cur.Props, cur.Attributes, cur.Updated = old.Props, out.attrs, now
		stp.wait = out.wait
	case stepDelete:
		wait, err := p.delete(stp.Res)
		if err != nil {
			return err
		}
		stp.wait = wait
	}
	return nil
}

func (s *Service) completeStep(st *stack, stp *step, now time.Time) {
	status := map[stepKind]string{stepCreate: "CREATE_COMPLETE", stepUpdate: "UPDATE_COMPLETE",
		stepDelete: "DELETE_COMPLETE", stepRestore: "UPDATE_COMPLETE"}[stp.Kind]
	switch stp.Kind {
	case stepDelete:
		if cur := st.Resources[stp.LogicalID]; cur != nil && cur.PhysicalID == stp.Res.PhysicalID {
			delete(st.Resources, stp.LogicalID)
		}
		resourceEvent(st, stp.LogicalID, stp.Res.Type, stp.Res.PhysicalID, status, "", now)
	default:
		r := st.Resources[stp.LogicalID]
		if r == nil {
			return
		}
		r.Status = status
		resourceEvent(st, stp.LogicalID, r.Type, r.PhysicalID, status, "", now)
	}
}

// fail ends the step at the head of the queue with reason and moves the
// stack into the failure path of its operation.
func (s *Service) fail(st *stack, logical, reason string, now time.Time) {
	var stp *step
	if len(st.queue) > 0 {
		stp = st.queue[0]
	}
	if logical != "" && stp != nil {
		typ, physical := st.Template.Resources[logical].Type, ""
		if stp.Res != nil {
			typ, physical = stp.Res.Type, stp.Res.PhysicalID
		} else if r := st.Resources[logical]; r != nil {
			physical = r.PhysicalID
		}
		failed := map[stepKind]string{stepCreate: "CREATE_FAILED", stepUpdate: "UPDATE_FAILED",
			stepDelete: "DELETE_FAILED", stepRestore: "UPDATE_FAILED"}[stp.Kind]
		resourceEvent(st, logical, typ, physical, failed, reason, now)
		if r := st.Resources[logical]; r != nil && stp.Kind != stepDelete {
			r.Status = failed
		}
	}
	switch st.Status {
	case "CREATE_IN_PROGRESS":
		why := fmt.Sprintf("The following resource(s) failed to create: [%s]. ", logical)
		if logical == "" {
			why = reason + ". "
		}
		switch st.OnFailure {
		case "DO_NOTHING":
			st.queue = nil
			s.setStatus(st, "CREATE_FAILED", strings.TrimSpace(why), now)
		case "DELETE":
			s.startDelete(st, now)
		default:
			s.setStatus(st, "ROLLBACK_IN_PROGRESS", why+"Rollback requested by user.", now)
			var names []string
			for n := range st.Resources {
				names = append(names, n)
			}
			st.queue = nil
			for _, n := range reverseOrder(st.Template, names) {
				st.queue = append(st.queue, &step{Kind: stepDelete, LogicalID: n, Res: st.Resources[n]})
			}
		}
	case "ROLLBACK_IN_PROGRESS":
		s.resetHead(st)
		s.setStatus(st, "ROLLBACK_FAILED", fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", logical), now)
	case "DELETE_IN_PROGRESS":
		s.resetHead(st)
		st.queue = nil
		s.setStatus(st, "DELETE_FAILED", fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", logical), now)
	case "UPDATE_IN_PROGRESS":
		s.startUpdateRollback(st, fmt.Sprintf("The following resource(s) failed to update: [%s]. ", logical), now)
	case "UPDATE_ROLLBACK_IN_PROGRESS":
		s.resetHead(st)
		s.setStatus(st, "UPDATE_ROLLBACK_FAILED", fmt.Sprintf("The following resource(s) failed to update: [%s]. ", logical), now)
	case "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS":
		// A cleanup failure leaves the resource behind but not the stack failed.
		if len(st.queue) > 0 {
			st.queue = st.queue[1:]
		}
		if len(st.queue) == 0 {
			s.finishPhase(st, now)
		}
	}
}

// resetHead makes the failed step run again from the start when the
// operation is resumed (ContinueUpdateRollback) or repeated (DeleteStack).
func (s *Service) resetHead(st *stack) {
	if len(st.queue) > 0 {
		head := *st.queue[0]
		head.started, head.until, head.failWith, head.wait = false, time.Time{}, "", nil
		st.queue[0] = &head
	}
}

// startUpdateRollback undoes the update's finished steps, newest first.
func (s *Service) startUpdateRollback(st *stack, reason string, now time.Time) {
	st.queue = st.undo
	st.undo = nil
	// What the update created as replacements goes in the rollback's
	// cleanup; what it would have deleted stays.
	st.garbage = nil
	s.setStatus(st, "UPDATE_ROLLBACK_IN_PROGRESS", reason, now)
}

// finishPhase moves the stack on once its queue is done.
func (s *Service) finishPhase(st *stack, now time.Time) {
	switch st.Status {
	case "CREATE_IN_PROGRESS":
		s.setStatus(st, "CREATE_COMPLETE", "", now)
	case "ROLLBACK_IN_PROGRESS":
		s.setStatus(st, "ROLLBACK_COMPLETE", "", now)
	case "DELETE_IN_PROGRESS":
		s.setStatus(st, "DELETE_COMPLETE", "", now)
	case "UPDATE_IN_PROGRESS":
		s.queueGarbage(st)
		st.undo = nil
		s.setStatus(st, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "", now)
	case "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":
		st.prev = nil
		st.Updated = now
		s.setStatus(st, "UPDATE_COMPLETE", "", now)
	case "UPDATE_ROLLBACK_IN_PROGRESS":
		if st.prev != nil {
			st.Template, st.Params = st.prev.Template, st.prev.Params
		}
		s.queueGarbage(st)
		s.setStatus(st, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "", now)
	case "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS":
		st.prev = nil
		st.Updated = now
		s.setStatus(st, "UPDATE_ROLLBACK_COMPLETE", "", now)
	}
}

func (s *Service) queueGarbage(st *stack) {
	st.queue = nil
	for _, g := range st.garbage {
		st.queue = append(st.queue, &step{Kind: stepDelete, LogicalID: g.LogicalID, Res: g})
	}
	st.garbage = nil
}

func (s *Service) resolveProps(st *stack, decl resourceDecl) (map[string]any, error) {
	v, err := s.resolverFor(st, st.Template, st.Params).resolve(decl.Properties)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
