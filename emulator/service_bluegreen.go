package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ECS-native blue/green, linear and canary deployments. The new (green)
// deployment's tasks start in full beside the old (blue) ones and register
// in the target group that is not taking production traffic; the
// deployment then walks ECS's lifecycle stages, running the lifecycle
// hooks configured for each, shifting the test and production listener
// rules to the green target group (at once, in canary or in linear steps),
// baking, and finally stopping the blue tasks. A failed hook, a PAUSE hook
// answered with ROLLBACK, StopServiceDeployment, the circuit breaker or a
// deployment alarm in ALARM before clean-up rolls back: traffic returns to
// blue and the green tasks stop.

// lifecycleStages in the order a deployment walks them.
var lifecycleStages = []string{"RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP",
	"TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT",
	"POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"}

// minStageTime is the least time a lifecycle stage takes, so that every
// stage is seen by whoever polls DescribeServiceDeployments.
const minStageTime = 5 * time.Second

// blueGreen is a service's ECS-native deployment in progress (or the last one).
type blueGreen struct {
	DeploymentID string    `json:"deploymentId"` // green
	BlueID       string    `json:"blueId"`
	Strategy     string    `json:"strategy"`
	Stage        string    `json:"stage"`
	StageAt      time.Time `json:"stageAt"`
	WorkDone     bool      `json:"workDone,omitempty"`   // the stage's own action is done
	HooksBegun   bool      `json:"hooksBegun,omitempty"` // its hooks have been started
	PreHooksDone bool      `json:"preHooksDone,omitempty"`
	Pairs        []bgPair  `json:"pairs"`
	Shifted      float64   `json:"shifted,omitempty"` // production percent on green
	NextShiftAt  time.Time `json:"nextShiftAt,omitzero"`
	CleanedUp    bool      `json:"cleanedUp,omitempty"`
	RollingBack  bool      `json:"rollingBack,omitempty"`
	Done         bool      `json:"done,omitempty"`
}

// bgPair is one load balancer with advancedConfiguration.
type bgPair struct {
	Primary  string `json:"primary"` // loadBalancers[].targetGroupArn
	Blue     string `json:"blue"`
	Green    string `json:"green"`
	ProdRule string `json:"prodRule"`
	TestRule string `json:"testRule,omitempty"`
}

// nativeHistory is what DescribeServiceDeployments shows of the stages.
type nativeHistory struct {
	LifecycleStage  string    `json:"lifecycleStage,omitempty"`
	Hooks           []hookRun `json:"hookRuns,omitempty"`
	AlarmStatus     string    `json:"alarmStatus,omitempty"`
	TriggeredAlarms []string  `json:"triggeredAlarms,omitempty"`
}

// hookRun is one lifecycle hook invocation.
type hookRun struct {
	ID            string    `json:"id"`
	Stage         string    `json:"stage"`
	TargetType    string    `json:"targetType"`
	TargetArn     string    `json:"targetArn,omitempty"`
	Status        string    `json:"status"` // IN_PROGRESS, AWAITING_ACTION, SUCCEEDED, FAILED, TIMED_OUT
	DoneAt        time.Time `json:"doneAt,omitzero"`
	Fails         bool      `json:"fails,omitempty"`
	ExpiresAt     time.Time `json:"expiresAt,omitzero"`
	TimeoutAction string    `json:"timeoutAction,omitempty"`
}

// targetGroupsFor maps a task's load balancers to the target groups of
// its side: green tasks register in the green group.
func (bg *blueGreen) targetGroupsFor(t *task, specs []lbSpec) []lbSpec {
	if bg == nil {
		return specs
	}
	out := make([]lbSpec, len(specs))
	copy(out, specs)
	for i := range out {
		for _, p := range bg.Pairs {
			if out[i].TargetGroupARN != p.Primary {
				continue
			}
			switch t.DeploymentID {
			case bg.DeploymentID:
				out[i].TargetGroupARN = p.Green
			case bg.BlueID:
				out[i].TargetGroupARN = p.Blue
			}
		}
	}
	return out
}

// checkNativeStrategy refuses a native strategy without what it needs.
func (e *Emulator) checkNativeStrategy(cfg deploymentConfiguration, raw json.RawMessage) error {
	if !cfg.native() {
		return nil
	}
	specs := parseLBSpecs(raw)
	if len(specs) == 0 {
		return invalidParameter("The %s deployment strategy needs loadBalancers with advancedConfiguration (alternateTargetGroupArn, productionListenerRule).", cfg.Strategy)
	}
	for _, sp := range specs {
		if sp.Advanced == nil || sp.Advanced.AlternateTargetGroupArn == "" || sp.Advanced.ProductionListenerRule == "" {
			return invalidParameter("loadBalancers: advancedConfiguration with alternateTargetGroupArn and productionListenerRule is required for the %s deployment strategy.", cfg.Strategy)
		}
		if sp.Advanced.AlternateTargetGroupArn == sp.TargetGroupARN {
			return invalidParameter("advancedConfiguration.alternateTargetGroupArn must differ from targetGroupArn.")
		}
		if e.lb != nil {
			if _, err := e.lb.TrafficWeights(sp.Advanced.ProductionListenerRule); err != nil {
				return invalidParameter("advancedConfiguration.productionListenerRule %s was not found.", sp.Advanced.ProductionListenerRule)
			}
			if r := sp.Advanced.TestListenerRule; r != "" {
				if _, err := e.lb.TrafficWeights(r); err != nil {
					return invalidParameter("advancedConfiguration.testListenerRule %s was not found.", r)
				}
			}
		}
	}
	return nil
}

// beginBlueGreen starts the stages for the new PRIMARY deployment when the
// service deploys with a native strategy and has tasks to replace.
func (e *Emulator) beginBlueGreen(s *service, now time.Time) {
	if !s.Config.native() || len(s.Deployments) < 2 || e.lb == nil {
		return
	}
	green, blue := s.Deployments[0], s.Deployments[1]
	bg := &blueGreen{DeploymentID: green.ID, BlueID: blue.ID, Strategy: s.Config.Strategy}
	for _, sp := range parseLBSpecs(s.LoadBalancers) {
		if sp.Advanced == nil {
			continue
		}
		p := bgPair{Primary: sp.TargetGroupARN, Blue: sp.TargetGroupARN, Green: sp.Advanced.AlternateTargetGroupArn,
			ProdRule: sp.Advanced.ProductionListenerRule, TestRule: sp.Advanced.TestListenerRule}
		if ws, err := e.lb.TrafficWeights(p.ProdRule); err == nil {
			for _, w := range ws {
				if w.TargetGroupARN == p.Green && w.Weight > 0 && !hasWeight(ws, p.Blue) {
					p.Blue, p.Green = p.Green, p.Blue // the alternate group has production traffic now
				}
			}
		}
		bg.Pairs = append(bg.Pairs, p)
	}
	s.BlueGreen = bg
	e.enterStage(s, bg, "RECONCILE_SERVICE", now)
}

func hasWeight(ws []TargetWeight, tg string) bool {
	for _, w := range ws {
		if w.TargetGroupARN == tg && w.Weight > 0 {
			return true
		}
	}
	return false
}

func (e *Emulator) enterStage(s *service, bg *blueGreen, stage string, now time.Time) {
	bg.Stage, bg.StageAt, bg.WorkDone, bg.HooksBegun, bg.PreHooksDone = stage, now, false, false, false
	if sd := s.history(bg.DeploymentID); sd != nil {
		sd.LifecycleStage, sd.UpdatedAt = stage, now
	}
	s.touched = true
}

// stepBlueGreen moves a native deployment on; it reports whether the blue
// tasks must be kept (everything before clean-up).
func (e *Emulator) stepBlueGreen(c *cluster, s *service, tasks []*task, now time.Time) (holdOld bool) {
	bg := s.BlueGreen
	if bg == nil || bg.Done {
		return false
	}
	green := s.deployment(bg.DeploymentID)
	if green == nil {
		bg.Done = true // superseded by a newer deployment
		return false
	}
	if bg.RollingBack {
		e.finishRollback(s, bg, tasks, now)
		return false
	}
	if green.RolloutState != "IN_PROGRESS" {
		bg.Done = true
		return false
	}
	if !bg.CleanedUp {
		if s.Config.CircuitBreaker && green.FailedTasks >= circuitBreakerThreshold(s.DesiredCount) {
			if sd := s.history(green.ID); sd != nil {
				sd.BreakerTripped = true
			}
			e.rollbackBlueGreen(s, bg, tasks, "ECS deployment circuit breaker: tasks failed to start.", now)
			return false
		}
		if names := e.alarmsFiring(s, now); len(names) > 0 {
			if sd := s.history(green.ID); sd != nil {
				sd.AlarmStatus, sd.TriggeredAlarms = "TRIGGERED", names
			}
			e.rollbackBlueGreen(s, bg, tasks, "CloudWatch alarm(s) in ALARM state: "+strings.Join(names, ", ")+".", now)
			return false
		}
	}
	for i := 0; i < len(lifecycleStages) && !bg.RollingBack; i++ {
		if !e.advanceStage(c, s, bg, tasks, now) {
			break
		}
	}
	return !bg.CleanedUp && !bg.RollingBack
}

// advanceStage does the current stage's work and hooks; it returns true
// when the deployment moved to the next stage.
func (e *Emulator) advanceStage(c *cluster, s *service, bg *blueGreen, tasks []*task, now time.Time) bool {
	if !bg.WorkDone {
		if !e.stageWork(c, s, bg, tasks, now) {
			return false
		}
		bg.WorkDone = true
	}
	if !bg.HooksBegun {
		e.startHooks(s, bg, bg.Stage, now)
		bg.HooksBegun = true
	}
	if !e.hooksDone(s, bg, tasks, now, bg.Stage) {
		return false
	}
	if now.Before(bg.StageAt.Add(minStageTime)) {
		return false
	}
	i := slices.Index(lifecycleStages, bg.Stage)
	if i == len(lifecycleStages)-1 {
		return false // CLEAN_UP ends when the deployment completes
	}
	e.enterStage(s, bg, lifecycleStages[i+1], now)
	return true
}

// stageWork performs a stage's own action; false means not finished yet.
func (e *Emulator) stageWork(c *cluster, s *service, bg *blueGreen, tasks []*task, now time.Time) bool {
	switch bg.Stage {
	case "SCALE_UP":
		healthy := 0
		for _, t := range tasks {
			if t.DeploymentID == bg.DeploymentID && healthyForService(t, now) {
				healthy++
			}
		}
		return healthy >= s.DesiredCount
	case "TEST_TRAFFIC_SHIFT":
		for _, p := range bg.Pairs {
			if p.TestRule != "" {
				_ = e.lb.ShiftTraffic(p.TestRule, []TargetWeight{{p.Blue, 0}, {p.Green, 100}})
			}
		}
		return true
	case "PRODUCTION_TRAFFIC_SHIFT":
		if !bg.PreHooksDone {
			if !bg.HooksBegun {
				e.startHooks(s, bg, "PRE_PRODUCTION_TRAFFIC_SHIFT", now)
				bg.HooksBegun = true
			}
			if !e.hooksDone(s, bg, tasks, now, "PRE_PRODUCTION_TRAFFIC_SHIFT") {
				return false
			}
			bg.PreHooksDone, bg.HooksBegun = true, false
			bg.NextShiftAt = now
		}
		if now.Before(bg.NextShiftAt) {
			return false
		}
		step, wait := 100.0, 0
		switch bg.Strategy {
		case "CANARY":
			if bg.Shifted == 0 {
				step, wait = s.Config.CanaryPercent, s.Config.CanaryBake
			}
		case "LINEAR":
			step, wait = s.Config.StepPercent, s.Config.StepBake
		}
		bg.Shifted = min(100, bg.Shifted+step)
		green := int(bg.Shifted*10+0.5) / 10
		for _, p := range bg.Pairs {
			_ = e.lb.ShiftTraffic(p.ProdRule, []TargetWeight{{p.Blue, 100 - green}, {p.Green, green}})
		}
		e.addEvent(s, now, fmt.Sprintf("(service %s) (deployment %s) shifted %d%% of production traffic to the new service revision.", s.Name, bg.DeploymentID, green))
		if bg.Shifted < 100 {
			bg.NextShiftAt = now.Add(time.Duration(wait) * time.Minute)
			return false
		}
		return true
	case "BAKE_TIME":
		return !now.Before(bg.StageAt.Add(time.Duration(s.Config.bakeTime()) * time.Minute))
	case "CLEAN_UP":
		if !bg.CleanedUp {
			bg.CleanedUp = true
			var blue []*task
			for _, t := range tasks {
				if t.DeploymentID != bg.DeploymentID && t.DesiredStatus == "RUNNING" {
					blue = append(blue, t)
				}
			}
			e.stopForService(s, blue, "Scaling activity initiated by (deployment "+bg.DeploymentID+")", now)
		}
		if d := s.deployment(bg.DeploymentID); d != nil && d.RolloutState == "COMPLETED" {
			bg.Done = true
		}
		return false
	}
	return true
}

// startHooks invokes the hooks configured for stage.
func (e *Emulator) startHooks(s *service, bg *blueGreen, stage string, now time.Time) {
	sd := s.history(bg.DeploymentID)
	if sd == nil {
		return
	}
	for _, h := range s.Config.Hooks {
		if !slices.Contains(h.LifecycleStages, stage) {
			continue
		}
		run := hookRun{ID: e.ids.hex32()[:20], Stage: stage, TargetType: h.TargetType, TargetArn: h.HookTargetArn}
		if run.TargetType == "" {
			run.TargetType = "AWS_LAMBDA"
		}
		if tc := h.TimeoutConfiguration; tc != nil && tc.TimeoutInMinutes != nil {
			run.ExpiresAt = now.Add(time.Duration(*tc.TimeoutInMinutes) * time.Minute)
			run.TimeoutAction = tc.Action
			if run.TimeoutAction == "" {
				run.TimeoutAction = "ROLLBACK"
			}
		}
		if run.TargetType == "PAUSE" {
			run.Status = "AWAITING_ACTION"
			e.addEvent(s, now, fmt.Sprintf("(service %s) (deployment %s) is paused at lifecycle stage %s, waiting for ContinueServiceDeployment (hook %s).", s.Name, bg.DeploymentID, stage, run.ID))
		} else {
			h := e.scen.HookFor(run.TargetArn)
			run.Status, run.DoneAt, run.Fails = "IN_PROGRESS", now.Add(h.After.D()), h.Result != "Succeeded"
		}
		sd.Hooks = append(sd.Hooks, run)
	}
}

// hooksDone settles the stage's hooks that are due; false while one is
// still running or awaiting action. A failed or timed-out hook rolls back.
func (e *Emulator) hooksDone(s *service, bg *blueGreen, tasks []*task, now time.Time, stage string) bool {
	sd := s.history(bg.DeploymentID)
	if sd == nil {
		return true
	}
	done := true
	for i := range sd.Hooks {
		h := &sd.Hooks[i]
		if h.Stage != stage {
			continue
		}
		switch h.Status {
		case "IN_PROGRESS":
			if now.Before(h.DoneAt) {
				done = false
				continue
			}
			h.Status = "SUCCEEDED"
			if h.Fails {
				h.Status = "FAILED"
				e.rollbackBlueGreen(s, bg, tasks, fmt.Sprintf("Lifecycle hook %s failed at stage %s.", h.TargetArn, stage), now)
				return false
			}
		case "AWAITING_ACTION":
			if !h.ExpiresAt.IsZero() && !now.Before(h.ExpiresAt) {
				h.Status = "TIMED_OUT"
				if h.TimeoutAction == "ROLLBACK" {
					e.rollbackBlueGreen(s, bg, tasks, fmt.Sprintf("Lifecycle hook %s timed out at stage %s.", h.ID, stage), now)
					return false
				}
				continue
			}
			done = false
		case "FAILED":
			return false
		}
	}
	return done
}

// alarmsFiring lists the deployment alarms in ALARM when the service's
// alarms are enabled with rollback.
func (e *Emulator) alarmsFiring(s *service, now time.Time) []string {
	if len(s.Config.Alarms) == 0 {
		return nil
	}
	var cfg struct {
		AlarmNames []string `json:"alarmNames"`
		Enable     bool     `json:"enable"`
		Rollback   bool     `json:"rollback"`
	}
	if json.Unmarshal(s.Config.Alarms, &cfg) != nil || !cfg.Enable || !cfg.Rollback {
		return nil
	}
	var firing []string
	for _, n := range cfg.AlarmNames {
		if st, _, _ := e.alarmStateLocked(n, now); st.State == "ALARM" {
			firing = append(firing, n)
		}
	}
	return firing
}

// rollbackBlueGreen sends traffic back to blue, makes the blue deployment
// PRIMARY again and stops the green tasks.
func (e *Emulator) rollbackBlueGreen(s *service, bg *blueGreen, tasks []*task, reason string, now time.Time) {
	bg.RollingBack = true
	for _, p := range bg.Pairs {
		_ = e.lb.ShiftTraffic(p.ProdRule, []TargetWeight{{p.Blue, 100}, {p.Green, 0}})
		if p.TestRule != "" {
			_ = e.lb.ShiftTraffic(p.TestRule, []TargetWeight{{p.Blue, 100}, {p.Green, 0}})
		}
	}
	green, blue := s.deployment(bg.DeploymentID), s.deployment(bg.BlueID)
	var stop []*task
	for _, t := range tasks {
		if t.DeploymentID == bg.DeploymentID && t.DesiredStatus == "RUNNING" {
			stop = append(stop, t)
		}
	}
	e.stopForService(s, stop, "Scaling activity initiated by (deployment "+bg.BlueID+")", now)
	green.Status, green.RolloutState, green.RolloutStateReason, green.UpdatedAt = "ACTIVE", "FAILED", reason, now
	if blue != nil {
		blue.Status = "PRIMARY"
		s.Deployments = append([]*deployment{blue}, slices.DeleteFunc(s.Deployments, func(d *deployment) bool { return d == blue })...)
		s.TaskDefinition, s.Network, s.LaunchType, s.CapacityProviders = blue.TaskDefinition, blue.Network, blue.LaunchType, blue.CapacityProviders
	}
	if sd := s.history(bg.DeploymentID); sd != nil {
		sd.Status, sd.StatusReason, sd.UpdatedAt = "ROLLBACK_IN_PROGRESS", reason, now
		sd.RollbackReason, sd.RollbackAt = reason, now
		if prev := s.history(bg.BlueID); prev != nil {
			sd.RollbackToRev = prev.Target
		}
	}
	e.addEvent(s, now, fmt.Sprintf("(service %s) (deployment %s) rolling back to deployment %s: %s", s.Name, bg.DeploymentID, bg.BlueID, reason))
	s.touched = true
}

// finishRollback ends a rollback once the green tasks are gone.
func (e *Emulator) finishRollback(s *service, bg *blueGreen, tasks []*task, now time.Time) {
	for _, t := range tasks {
		if t.DeploymentID == bg.DeploymentID && t.LastStatus != "STOPPED" {
			return
		}
	}
	if sd := s.history(bg.DeploymentID); sd != nil && sd.Status == "ROLLBACK_IN_PROGRESS" {
		sd.Status, sd.FinishedAt, sd.UpdatedAt = "ROLLBACK_SUCCESSFUL", now, now
	}
	s.Deployments = slices.DeleteFunc(s.Deployments, func(d *deployment) bool { return d.ID == bg.DeploymentID })
	bg.Done = true
	e.addEvent(s, now, fmt.Sprintf("(service %s) (deployment %s) rollback completed.", s.Name, bg.DeploymentID))
}

// ---- ContinueServiceDeployment, StopServiceDeployment ----

func init() {
	registerECSOp("ContinueServiceDeployment", (*ecsCall).continueServiceDeployment)
	registerECSOp("StopServiceDeployment", (*ecsCall).stopServiceDeployment)
}

// nativeDeployment finds the service and the in-progress native
// deployment a service-deployment ARN names.
func (x *ecsCall) nativeDeployment(arn string) (*service, *blueGreen, *serviceDeployment, error) {
	if err := required("serviceDeploymentArn", arn); err != nil {
		return nil, nil, nil, err
	}
	s := x.historyTarget(arn, "service-deployment")
	var sd *serviceDeployment
	if s != nil {
		if i := slices.IndexFunc(s.History, func(h *serviceDeployment) bool { return h.ARN == arn }); i >= 0 {
			sd = s.History[i]
		}
	}
	if sd == nil {
		return nil, nil, nil, Errorf("ServiceDeploymentNotFoundException", "The service deployment %s does not exist.", arn)
	}
	return s, s.BlueGreen, sd, nil
}

func (x *ecsCall) continueServiceDeployment(body []byte) (any, error) {
	in, err := ecsDecode[struct {
		ServiceDeploymentArn string `json:"serviceDeploymentArn"`
		HookID               string `json:"hookId"`
		Action               string `json:"action"`
	}](body)
	if err != nil {
		return nil, err
	}
	if err := required("hookId", in.HookID); err != nil {
		return nil, err
	}
	if in.Action != "" && in.Action != "CONTINUE" && in.Action != "ROLLBACK" {
		return nil, invalidParameter("action %q is not valid: use CONTINUE or ROLLBACK.", in.Action)
	}
	s, bg, sd, err := x.nativeDeployment(in.ServiceDeploymentArn)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(sd.Hooks, func(h hookRun) bool { return h.ID == in.HookID })
	if i < 0 || bg == nil || bg.Done || bg.RollingBack || s.history(bg.DeploymentID) != sd {
		return nil, invalidParameter("The hook %s is not waiting in service deployment %s.", in.HookID, in.ServiceDeploymentArn)
	}
	h := &sd.Hooks[i]
	if h.Status != "AWAITING_ACTION" {
		return nil, invalidParameter("The hook %s is %s, not AWAITING_ACTION.", in.HookID, h.Status)
	}
	now := x.rc.Now
	if in.Action == "ROLLBACK" {
		h.Status = "FAILED"
		x.em.rollbackBlueGreen(s, bg, liveTasks(x.reg, s), "Rolled back by ContinueServiceDeployment at lifecycle stage "+h.Stage+".", now)
	} else {
		h.Status = "SUCCEEDED"
	}
	s.touched = true
	return map[string]any{"serviceDeploymentArn": sd.ARN}, nil
}

func (x *ecsCall) stopServiceDeployment(body []byte) (any, error) {
	in, err := ecsDecode[struct {
		ServiceDeploymentArn string `json:"serviceDeploymentArn"`
		StopType             string `json:"stopType"`
	}](body)
	if err != nil {
		return nil, err
	}
	if in.StopType != "" && in.StopType != "ROLLBACK" && in.StopType != "ABORT" {
		return nil, invalidParameter("stopType %q is not valid: use ROLLBACK or ABORT.", in.StopType)
	}
	s, bg, sd, err := x.nativeDeployment(in.ServiceDeploymentArn)
	if err != nil {
		return nil, err
	}
	if sd.Status != "IN_PROGRESS" {
		return nil, Errorf("ConflictException", "The service deployment %s is %s and cannot be stopped.", sd.ARN, sd.Status)
	}
	if bg == nil || bg.Done || s.history(bg.DeploymentID) != sd {
		return nil, Errorf("UnsupportedFeatureException", "The local ECS stops only deployments with the BLUE_GREEN, LINEAR or CANARY strategy.")
	}
	now := x.rc.Now
	if in.StopType == "ABORT" {
		sd.Status, sd.StatusReason, sd.StoppedAt, sd.UpdatedAt = "STOPPED", "Stopped by StopServiceDeployment (ABORT).", now, now
		bg.Done = true
		if d := s.deployment(bg.DeploymentID); d != nil {
			d.RolloutState, d.RolloutStateReason = "FAILED", "Stopped by StopServiceDeployment."
		}
	} else {
		x.em.rollbackBlueGreen(s, bg, liveTasks(x.reg, s), "Stopped by StopServiceDeployment (ROLLBACK).", now)
	}
	s.touched = true
	return map[string]any{"serviceDeploymentArn": sd.ARN}, nil
}

// liveTasks returns the service's tasks, from its cluster's index.
func liveTasks(r *regionState, s *service) []*task {
	for _, c := range r.Clusters {
		if c.ARN == s.ClusterARN {
			c.ensureIndexes()
			return c.byService[s.Name]
		}
	}
	return nil
}

// nativeDeploymentOut is the lifecycle part of DescribeServiceDeployments.
type nativeDeploymentOut struct {
	LifecycleStage       string          `json:"lifecycleStage,omitempty"`
	LifecycleHookDetails []hookDetailOut `json:"lifecycleHookDetails,omitempty"`
	Alarms               *struct {
		Status              string   `json:"status"`
		AlarmNames          []string `json:"alarmNames"`
		TriggeredAlarmNames []string `json:"triggeredAlarmNames"`
	} `json:"alarms,omitempty"`
}

type hookDetailOut struct {
	HookID        string `json:"hookId"`
	TargetType    string `json:"targetType"`
	TargetArn     string `json:"targetArn,omitempty"`
	Status        string `json:"status"`
	ExpiresAt     epoch  `json:"expiresAt,omitzero"`
	TimeoutAction string `json:"timeoutAction,omitempty"`
}

func (n nativeHistory) output(cfg deploymentConfiguration) nativeDeploymentOut {
	o := nativeDeploymentOut{LifecycleStage: n.LifecycleStage}
	for _, h := range n.Hooks {
		o.LifecycleHookDetails = append(o.LifecycleHookDetails, hookDetailOut{HookID: h.ID, TargetType: h.TargetType,
			TargetArn: h.TargetArn, Status: h.Status, ExpiresAt: epoch(h.ExpiresAt), TimeoutAction: h.TimeoutAction})
	}
	var alarms struct {
		AlarmNames []string `json:"alarmNames"`
		Enable     bool     `json:"enable"`
	}
	if len(cfg.Alarms) > 0 && json.Unmarshal(cfg.Alarms, &alarms) == nil {
		o.Alarms = &struct {
			Status              string   `json:"status"`
			AlarmNames          []string `json:"alarmNames"`
			TriggeredAlarmNames []string `json:"triggeredAlarmNames"`
		}{Status: "DISABLED", AlarmNames: orEmpty(alarms.AlarmNames), TriggeredAlarmNames: orEmpty(n.TriggeredAlarms)}
		switch {
		case n.AlarmStatus != "":
			o.Alarms.Status = n.AlarmStatus
		case alarms.Enable && n.LifecycleStage == "CLEAN_UP":
			o.Alarms.Status = "MONITORING_COMPLETE"
		case alarms.Enable:
			o.Alarms.Status = "MONITORING"
		}
	}
	return o
}
