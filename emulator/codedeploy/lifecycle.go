package codedeploy

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// Limits of the ECS lifecycle, from the CodeDeploy User Guide: a hook must
// report within an hour; the replacement task set must reach a steady
// state within an hour (UNCONFIRMED figure; the guide gives none).
const (
	hookTimeout    = time.Hour
	installTimeout = time.Hour
)

// Step moves every deployment in progress forward to now. The emulator
// calls it after each scheduler step (see Register); it calls ECS, which
// does not catch up again from inside a step, so Step must not be called
// from anywhere else while the emulator may run steps.
func (s *Service) Step(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var active []*deployment
	for _, d := range s.st.Deployments {
		if !d.done() {
			active = append(active, d)
		}
	}
	sort.Slice(active, func(i, j int) bool { return active[i].Seq < active[j].Seq })
	for _, d := range active {
		s.advance(d, now)
	}
}

// advance runs one deployment as far as it can go at now.
func (s *Service) advance(d *deployment, now time.Time) {
	if d.Status == statusCreated {
		if !s.start(d, now) {
			return
		}
	}
	// The target reports the task sets and traffic as this step leaves
	// them, a rollback included.
	defer s.refreshTaskSets(d)
	if d.StopRequested {
		s.fail(d, now, statusStopped, "MANUAL_STOP", "The deployment was stopped by a user request.", d.StopRollback)
		return
	}
	if name := s.alarmInAlarm(d); name != "" {
		s.fail(d, now, statusStopped, "ALARM_ACTIVE",
			fmt.Sprintf("The deployment was stopped because the CloudWatch alarm %s of the deployment group is in the ALARM state.", name),
			d.Rollback.on("DEPLOYMENT_STOP_ON_ALARM"))
		return
	}
	s.refreshTaskSets(d)
	switch {
	case d.Status == statusReady:
		if !d.ContinueReady {
			if g := s.groupOf(d); g != nil && now.Sub(d.ReadySince) >= time.Duration(g.BlueGreen.ReadyWait)*time.Minute {
				s.fail(d, now, statusStopped, "TIMEOUT", "The deployment timed out while waiting for a ContinueDeployment call to reroute production traffic.", true)
			}
			return
		}
		d.Status, d.ContinueReady = statusInProgress, false
		d.TargetStatus, d.TargetUpdated = statusInProgress, now
	case d.TerminationWait:
		if d.ContinueEnd || !now.Before(d.TerminateAt) {
			s.terminateOriginal(d, now)
		}
		return
	}
	for d.Stage < len(d.Events) && !d.done() && d.Status != statusReady {
		ev := &d.Events[d.Stage]
		if ev.Status == statusPending {
			s.begin(d, ev, now)
		}
		if ev.Status == statusInProgress {
			s.progress(d, ev, now)
		}
		if ev.Status != statusSucceeded {
			return
		}
		d.Stage++
		d.TargetUpdated = now
		if ev.Name == "AfterAllowTestTraffic" {
			if g := s.groupOf(d); g != nil && g.BlueGreen.ReadyAction == "STOP_DEPLOYMENT" {
				d.Status, d.ReadySince = statusReady, now
				d.TargetStatus = statusReady
				return
			}
		}
	}
	if d.Stage == len(d.Events) && !d.done() {
		s.allEventsDone(d, now)
	}
}

func (s *Service) groupOf(d *deployment) *deploymentGroup {
	if a := s.st.Apps[key(d.Region, d.App)]; a != nil {
		return a.Groups[d.Group]
	}
	return nil
}

// start resolves what the deployment works on: the service's PRIMARY task
// set and its target group (the original), the other target group of the
// pair (the replacement's), and the listeners.
func (s *Service) start(d *deployment, now time.Time) bool {
	d.Status, d.Started, d.TargetStatus, d.TargetUpdated = statusInProgress, now, statusInProgress, now
	g := s.groupOf(d)
	if g == nil {
		s.fail(d, now, statusFailed, "DEPLOYMENT_GROUP_MISSING", "The deployment group was deleted.", false)
		return false
	}
	view, err := s.describeService(d.Region, d.Cluster, d.Service)
	if err != nil {
		s.fail(d, now, statusFailed, "INVALID_ECS_SERVICE", fmt.Sprintf("The ECS service %s in cluster %s could not be found or is not ACTIVE.", d.Service, d.Cluster), false)
		return false
	}
	svc := view.Services[0]
	d.ServiceARN = svc.ServiceArn
	if svc.DeploymentController.Type != "CODE_DEPLOY" {
		s.fail(d, now, statusFailed, "INVALID_ECS_SERVICE", "The ECS service must use the CODE_DEPLOY deployment controller.", false)
		return false
	}
	known := map[string]string{} // target group name -> ARN
	for _, lb := range svc.LoadBalancers {
		known[targetGroupName(lb.TargetGroupArn)] = lb.TargetGroupArn
	}
	for _, ts := range svc.TaskSets {
		for _, lb := range ts.LoadBalancers {
			known[targetGroupName(lb.TargetGroupArn)] = lb.TargetGroupArn
		}
		if ts.Status == "PRIMARY" {
			d.Original = ts.ID
			if len(ts.LoadBalancers) > 0 {
				d.OriginalTG = ts.LoadBalancers[0].TargetGroupArn
			}
		}
	}
	if d.Original == "" {
		s.fail(d, now, statusFailed, "ECS_UPDATE_ERROR", "The ECS service has no PRIMARY task set to replace.", false)
		return false
	}
	d.ProdListeners, d.TestListeners = g.ProdListeners, g.TestListeners
	var testForwards [][]Forward
	for i, l := range append(append([]string{}, d.ProdListeners...), d.TestListeners...) {
		fwd, err := s.traffic.Forwards(l)
		if err != nil {
			s.fail(d, now, statusFailed, "ELASTIC_LOAD_BALANCING_INVALID", fmt.Sprintf("The listener %s could not be read: %v", l, err), false)
			return false
		}
		for _, f := range fwd {
			known[targetGroupName(f.TargetGroupARN)] = f.TargetGroupARN
		}
		if i >= len(d.ProdListeners) {
			testForwards = append(testForwards, fwd)
		}
	}
	d.TestWeights, _ = json.Marshal(testForwards)
	origName := targetGroupName(d.OriginalTG)
	var replName string
	switch origName {
	case g.TargetGroups[0]:
		replName = g.TargetGroups[1]
	case g.TargetGroups[1]:
		replName = g.TargetGroups[0]
	default:
		s.fail(d, now, statusFailed, "ELASTIC_LOAD_BALANCING_INVALID", fmt.Sprintf("The PRIMARY task set's target group %s is not one of the deployment group's target groups (%s, %s).", orDefault(origName, "(none)"), g.TargetGroups[0], g.TargetGroups[1]), false)
		return false
	}
	d.ReplacementTG = known[replName]
	if d.ReplacementTG == "" {
		if arn, ok := s.traffic.TargetGroupByName(d.Region, replName); ok {
			d.ReplacementTG = arn
		}
	}
	if d.ReplacementTG == "" {
		s.fail(d, now, statusFailed, "ELASTIC_LOAD_BALANCING_INVALID", fmt.Sprintf("The target group %s could not be found.", replName), false)
		return false
	}
	if !forwardsTo(s.mustForwards(d.ProdListeners[0]), d.OriginalTG) {
		s.fail(d, now, statusFailed, "ELASTIC_LOAD_BALANCING_INVALID", fmt.Sprintf("The production listener %s does not forward to the original target group %s.", d.ProdListeners[0], origName), false)
		return false
	}
	return true
}

func (s *Service) mustForwards(listener string) []Forward {
	fwd, _ := s.traffic.Forwards(listener)
	return fwd
}

func forwardsTo(fwd []Forward, tg string) bool {
	for _, f := range fwd {
		if f.TargetGroupARN == tg && (f.Weight > 0 || len(fwd) == 1) {
			return true
		}
	}
	return false
}

// begin starts a lifecycle event.
func (s *Service) begin(d *deployment, ev *lifecycleEvent, now time.Time) {
	ev.Status, ev.Start = statusInProgress, now
	if fn := d.Spec.Hooks[ev.Name]; fn != "" {
		h := s.scenario().HookFor(fn)
		d.Hook = &hookRun{ExecutionID: newExecutionID(), Function: fn, DueAt: now.Add(h.After.D()), Result: string(h.Result)}
		return
	}
	switch ev.Name {
	case "Install":
		if err := s.createReplacement(d); err != nil {
			ev.DiagCode, ev.DiagMessage = "ScriptFailed", err.Error()
			s.fail(d, now, statusFailed, "ECS_UPDATE_ERROR", "The ECS service cannot be updated due to an unexpected error: "+err.Error(), d.Rollback.on("DEPLOYMENT_FAILURE"))
		}
		return
	case "AllowTestTraffic":
		for _, l := range d.TestListeners {
			if err := s.traffic.SetForwards(l, []Forward{{TargetGroupARN: d.ReplacementTG, Weight: 1}}); err != nil {
				s.failTraffic(d, now, l, err)
				return
			}
		}
	case "AllowTraffic":
		s.shift(d, now)
		return
	}
	ev.Status, ev.End = statusSucceeded, now
}

// progress checks on an event in progress.
func (s *Service) progress(d *deployment, ev *lifecycleEvent, now time.Time) {
	if d.Hook != nil && d.Spec.Hooks[ev.Name] != "" {
		result := d.Hook.Reported
		if result == "" && !now.Before(d.Hook.DueAt) && d.Hook.DueAt.Sub(ev.Start) <= hookTimeout {
			result = d.Hook.Result
		}
		switch {
		case result == statusSucceeded:
			ev.Status, ev.End, d.Hook = statusSucceeded, now, nil
		case result == statusFailed:
			ev.DiagCode, ev.DiagMessage = "ScriptFailed", fmt.Sprintf("The Lambda function %s reported Failed.", d.Hook.Function)
			s.fail(d, now, statusFailed, "HOOK_EXECUTION_FAILURE",
				fmt.Sprintf("The deployment failed because a specified lifecycle event hook failed: %s reported Failed for %s.", d.Hook.Function, ev.Name),
				d.Rollback.on("DEPLOYMENT_FAILURE"))
		case now.Sub(ev.Start) >= hookTimeout:
			ev.DiagCode, ev.DiagMessage = "ScriptTimedOut", fmt.Sprintf("The Lambda function %s did not report a status within an hour.", d.Hook.Function)
			s.fail(d, now, statusFailed, "TIMEOUT",
				fmt.Sprintf("The deployment failed because the %s hook %s did not report a status within an hour.", ev.Name, d.Hook.Function),
				d.Rollback.on("DEPLOYMENT_FAILURE"))
		}
		return
	}
	switch ev.Name {
	case "Install":
		for _, ts := range d.TaskSets {
			if ts.ID == d.Replacement && ts.Stability == "STEADY_STATE" {
				ev.Status, ev.End = statusSucceeded, now
				return
			}
		}
		if now.Sub(ev.Start) >= installTimeout {
			ev.DiagCode, ev.DiagMessage = "ScriptTimedOut", "The replacement task set did not reach a steady state."
			s.fail(d, now, statusFailed, "ECS_UPDATE_ERROR", "The replacement task set did not reach a steady state within an hour.", d.Rollback.on("DEPLOYMENT_FAILURE"))
		}
	case "AllowTraffic":
		if !now.Before(d.NextShiftAt) {
			s.shift(d, now)
		}
	}
}

// shift moves production traffic to the next step of the configuration;
// at 100% the replacement becomes the PRIMARY task set and AllowTraffic
// ends.
func (s *Service) shift(d *deployment, now time.Time) {
	c := s.config(d.Region, d.Config)
	percents, wait := []int{100}, time.Duration(0)
	if c != nil {
		percents, wait = c.steps()
	}
	next := 100
	for _, p := range percents {
		if p > d.Shifted {
			next = p
			break
		}
	}
	to := []Forward{{TargetGroupARN: d.OriginalTG, Weight: 100 - next}, {TargetGroupARN: d.ReplacementTG, Weight: next}}
	if next == 100 {
		to = []Forward{{TargetGroupARN: d.ReplacementTG, Weight: 1}}
	}
	for _, l := range d.ProdListeners {
		if err := s.traffic.SetForwards(l, to); err != nil {
			s.failTraffic(d, now, l, err)
			return
		}
	}
	d.Shifted, d.NextShiftAt = next, now.Add(wait)
	if next < 100 {
		return
	}
	if err := s.callECS(d.Region, "UpdateServicePrimaryTaskSet", map[string]string{"cluster": d.Cluster, "service": d.Service, "primaryTaskSet": d.Replacement}, nil); err != nil {
		s.fail(d, now, statusFailed, "ECS_UPDATE_ERROR", "The ECS service cannot be updated due to an unexpected error: "+err.Error(), d.Rollback.on("DEPLOYMENT_FAILURE"))
		return
	}
	d.PrimarySwitched = true
	ev := &d.Events[d.Stage]
	ev.Status, ev.End = statusSucceeded, now
}

func (s *Service) failTraffic(d *deployment, now time.Time, listener string, err error) {
	s.fail(d, now, statusFailed, "ELASTIC_LOAD_BALANCING_INVALID", fmt.Sprintf("The listener %s could not be updated: %v", listener, err), d.Rollback.on("DEPLOYMENT_FAILURE"))
}

// createReplacement creates the replacement task set on the other target
// group, from the AppSpec and the service's settings.
func (s *Service) createReplacement(d *deployment) error {
	view, err := s.describeService(d.Region, d.Cluster, d.Service)
	if err != nil {
		return err
	}
	svc := view.Services[0]
	in := map[string]any{
		"cluster": d.Cluster, "service": d.Service, "taskDefinition": d.Spec.TaskDefinition, "externalId": d.ID,
		"loadBalancers": []map[string]any{{"targetGroupArn": d.ReplacementTG, "containerName": d.Spec.ContainerName, "containerPort": d.Spec.ContainerPort}},
		"scale":         map[string]any{"value": 100, "unit": "PERCENT"},
	}
	if d.Spec.Network != nil {
		in["networkConfiguration"] = d.Spec.Network
	} else if len(svc.NetworkConfiguration) > 0 {
		in["networkConfiguration"] = svc.NetworkConfiguration
	}
	if d.Spec.CapacityStrat != nil {
		in["capacityProviderStrategy"] = d.Spec.CapacityStrat
	} else if svc.LaunchType != "" {
		in["launchType"] = svc.LaunchType
	}
	if d.Spec.PlatformVersion != "" {
		in["platformVersion"] = d.Spec.PlatformVersion
	}
	var out struct {
		TaskSet struct {
			ID string `json:"id"`
		} `json:"taskSet"`
	}
	if err := s.callECS(d.Region, "CreateTaskSet", in, &out); err != nil {
		return ecsError(err)
	}
	d.Replacement = out.TaskSet.ID
	return nil
}

// ecsError words an ECS error as CodeDeploy reports it in a deployment.
func ecsError(err error) error {
	var ae *emulator.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("%s (Service: AmazonECS; Status Code: %d; Error Code: %s)", ae.Message, ae.Status(), ae.Code)
	}
	return err
}

// allEventsDone ends the lifecycle: the target has succeeded; the original
// task set goes after the termination wait (or stays, with KEEP_ALIVE).
func (s *Service) allEventsDone(d *deployment, now time.Time) {
	d.TargetStatus, d.TargetUpdated = statusSucceeded, now
	g := s.groupOf(d)
	if g != nil && g.BlueGreen.TerminateAction == "KEEP_ALIVE" {
		s.succeed(d, now)
		return
	}
	wait := time.Duration(0)
	if g != nil {
		wait = time.Duration(g.BlueGreen.TerminationWait) * time.Minute
	}
	d.TerminationWait, d.TerminateAt = true, now.Add(wait)
	if wait == 0 {
		s.terminateOriginal(d, now)
	}
}

func (s *Service) terminateOriginal(d *deployment, now time.Time) {
	err := s.callECS(d.Region, "DeleteTaskSet", map[string]any{"cluster": d.Cluster, "service": d.Service, "taskSet": d.Original, "force": true}, nil)
	if err != nil && !isNotFound(err) {
		s.fail(d, now, statusFailed, "ECS_UPDATE_ERROR", "The original task set could not be deleted: "+ecsError(err).Error(), false)
		return
	}
	d.TerminationWait = false
	s.succeed(d, now)
}

func isNotFound(err error) bool {
	var ae *emulator.APIError
	return errors.As(err, &ae) && ae.Code == "TaskSetNotFoundException"
}

func (s *Service) succeed(d *deployment, now time.Time) {
	d.Status, d.Completed, d.Hook = statusSucceeded, now, nil
	d.TargetStatus, d.TargetUpdated = statusSucceeded, now
	if g := s.groupOf(d); g != nil {
		g.LastSucceeded = d.ID
	}
}

// fail ends a deployment as Failed or Stopped; with rollback, production
// and test traffic return to the original target group, the original task
// set is PRIMARY again and the replacement is deleted, recorded as a
// rollback deployment the way CodeDeploy lists one.
func (s *Service) fail(d *deployment, now time.Time, status, code, message string, rollback bool) {
	for i := range d.Events {
		ev := &d.Events[i]
		switch ev.Status {
		case statusInProgress:
			ev.Status, ev.End = statusFailed, now
		case statusPending:
			ev.Status = statusSkipped
		}
	}
	d.Status, d.Completed, d.ErrCode, d.ErrMessage, d.Hook = status, now, code, message, nil
	d.TerminationWait = false
	d.TargetStatus, d.TargetUpdated = statusFailed, now
	if !rollback || d.Original == "" {
		return
	}
	s.rollback(d, now)
}

func (s *Service) rollback(d *deployment, now time.Time) {
	for _, l := range d.ProdListeners {
		_ = s.traffic.SetForwards(l, []Forward{{TargetGroupARN: d.OriginalTG, Weight: 1}})
	}
	var saved [][]Forward
	_ = json.Unmarshal(d.TestWeights, &saved)
	for i, l := range d.TestListeners {
		if i < len(saved) && len(saved[i]) > 0 {
			_ = s.traffic.SetForwards(l, saved[i])
		}
	}
	if d.PrimarySwitched {
		_ = s.callECS(d.Region, "UpdateServicePrimaryTaskSet", map[string]string{"cluster": d.Cluster, "service": d.Service, "primaryTaskSet": d.Original}, nil)
	}
	if d.Replacement != "" {
		_ = s.callECS(d.Region, "DeleteTaskSet", map[string]any{"cluster": d.Cluster, "service": d.Service, "taskSet": d.Replacement, "force": true}, nil)
	}
	d.Shifted = 0
	g := s.groupOf(d)
	if g == nil {
		return
	}
	rc := &emulator.RequestContext{Region: d.Region, Now: now}
	rb := s.newDeployment(rc, d.App, g, d.Config, "codeDeployRollback")
	rb.Status, rb.Started, rb.Completed, rb.RollbackOf = statusSucceeded, now, now, d.ID
	rb.TargetStatus, rb.ServiceARN, rb.Revision = statusSucceeded, d.ServiceARN, d.Revision
	rb.Original, rb.OriginalTG = d.Original, d.OriginalTG
	for i := range rb.Events {
		rb.Events[i].Status, rb.Events[i].Start, rb.Events[i].End = statusSucceeded, now, now
	}
	rb.Stage = len(rb.Events)
	g.LastAttempted = d.ID
	d.RollbackID = rb.ID
	d.RollbackMessage = fmt.Sprintf("Deployment %s was rolled back by deployment %s: traffic is back on target group %s.", d.ID, rb.ID, targetGroupName(d.OriginalTG))
	rb.RollbackMessage = fmt.Sprintf("Rolled back deployment %s.", d.ID)
}

// refreshTaskSets records the service's task sets as the target reports them.
func (s *Service) refreshTaskSets(d *deployment) {
	view, err := s.describeService(d.Region, d.Cluster, d.Service)
	if err != nil {
		return
	}
	weights := map[string]int{}
	total := 0
	if len(d.ProdListeners) > 0 {
		for _, f := range s.mustForwards(d.ProdListeners[0]) {
			weights[f.TargetGroupARN] += f.Weight
			total += f.Weight
		}
	}
	d.TaskSets = d.TaskSets[:0]
	for _, ts := range view.Services[0].TaskSets {
		if ts.ID != d.Original && ts.ID != d.Replacement {
			continue
		}
		info := taskSetInfo{ID: ts.ID, Desired: ts.ComputedDesiredCount, Pending: ts.PendingCount, Running: ts.RunningCount,
			Status: ts.Status, Stability: ts.StabilityStatus, Label: "Blue"}
		if ts.ID == d.Replacement {
			info.Label = "Green"
		}
		if len(ts.LoadBalancers) > 0 {
			info.TargetGroupARN = ts.LoadBalancers[0].TargetGroupArn
			info.TargetGroup = targetGroupName(info.TargetGroupARN)
			if total > 0 {
				info.Weight = float64(weights[info.TargetGroupARN]) * 100 / float64(total)
			}
		}
		d.TaskSets = append(d.TaskSets, info)
	}
}

func (s *Service) scenario() *scenario.Scenario {
	if sc := s.ecs.Scenario(); sc != nil {
		return sc
	}
	return &scenario.Scenario{}
}

// alarmInAlarm names the first of the group's alarms in the ALARM state
// (as the scenario's alarms entries set it), or "".
func (s *Service) alarmInAlarm(d *deployment) string {
	g := s.groupOf(d)
	if g == nil || !g.AlarmsOn {
		return ""
	}
	for _, name := range g.Alarms {
		if st, _, ok := s.ecs.AlarmState(name); ok && st.State == "ALARM" {
			return name
		}
	}
	return ""
}
