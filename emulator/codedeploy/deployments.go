package codedeploy

import (
	"encoding/json"
	"regexp"
	"sort"
	"sync"

	"github.com/google/uuid"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

func init() {
	register("CreateDeployment", (*Service).createDeployment)
	register("GetDeployment", (*Service).getDeployment)
	register("BatchGetDeployments", (*Service).batchGetDeployments)
	register("ListDeployments", (*Service).listDeployments)
	register("ListDeploymentTargets", (*Service).listDeploymentTargets)
	register("GetDeploymentTarget", (*Service).getDeploymentTarget)
	register("BatchGetDeploymentTargets", (*Service).batchGetDeploymentTargets)
	register("ContinueDeployment", (*Service).continueDeployment)
	register("StopDeployment", (*Service).stopDeployment)
	register("PutLifecycleEventHookExecutionStatus", (*Service).putLifecycleEventHookExecutionStatus)
}

type deploymentInput struct {
	ApplicationName      string          `json:"applicationName"`
	DeploymentGroupName  string          `json:"deploymentGroupName"`
	DeploymentConfigName string          `json:"deploymentConfigName"`
	Description          string          `json:"description"`
	Revision             *revisionInput  `json:"revision"`
	AutoRollback         *autoRollback   `json:"autoRollbackConfiguration"`
	DeploymentID         string          `json:"deploymentId"`
	DeploymentIDs        []string        `json:"deploymentIds"`
	IncludeOnlyStatuses  []string        `json:"includeOnlyStatuses"`
	TargetID             string          `json:"targetId"`
	TargetIDs            []string        `json:"targetIds"`
	WaitType             string          `json:"deploymentWaitType"`
	AutoRollbackEnabled  *bool           `json:"autoRollbackEnabled"`
	HookExecutionID      string          `json:"lifecycleEventHookExecutionId"`
	Status               string          `json:"status"`
	NextToken            string          `json:"nextToken"`
	TargetFilters        json.RawMessage `json:"targetFilters"`
}

var deploymentIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^d-[A-Z0-9]{9}$`) })

func (s *Service) createDeployment(rc *emulator.RequestContext, body []byte) (any, error) {
	var in deploymentInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(body, &raw)
	if err := checkAppName(in.ApplicationName); err != nil {
		return nil, err
	}
	if len(in.Description) > 100 {
		return nil, errf("DescriptionTooLongException", "Description is longer than 100 characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, g, err := s.group(rc.Region, in.ApplicationName, in.DeploymentGroupName)
	if err != nil {
		return nil, err
	}
	spec, err := parseRevision(in.Revision)
	if err != nil {
		return nil, err
	}
	configName := g.Config
	if in.DeploymentConfigName != "" {
		configName = in.DeploymentConfigName
	}
	if s.config(rc.Region, configName) == nil {
		return nil, errf("DeploymentConfigDoesNotExistException", "No deployment configuration found for name: %s", configName)
	}
	for _, other := range s.st.Deployments {
		if other.Region == rc.Region && other.App == a.Name && other.Group == g.Name && !other.done() {
			return nil, errf("DeploymentLimitExceededException", "The Deployment Group '%s' already has an active Deployment '%s'", g.Name, other.ID)
		}
	}
	rollback := g.AutoRollback
	if in.AutoRollback != nil {
		for _, e := range in.AutoRollback.Events {
			if !rollbackEvents[e] {
				return nil, errf("InvalidAutoRollbackConfigException", "The auto-rollback event %q is not valid.", e)
			}
		}
		rollback = *in.AutoRollback
	}
	d := s.newDeployment(rc, a.Name, g, configName, "user")
	d.Description, d.Revision, d.Spec, d.Rollback = in.Description, raw["revision"], spec, rollback
	return map[string]any{"deploymentId": d.ID}, nil
}

// newDeployment records a deployment in Created; the engine starts it.
func (s *Service) newDeployment(rc *emulator.RequestContext, app string, g *deploymentGroup, config, creator string) *deployment {
	d := &deployment{ID: s.newID(), Region: rc.Region, App: app, Group: g.Name, Config: config, Creator: creator,
		Status: statusCreated, Created: rc.Now, Seq: s.nextSeq(), Cluster: g.Cluster, Service: g.Service,
		TargetStatus: statusPending, TargetUpdated: rc.Now}
	for _, name := range ecsEvents {
		d.Events = append(d.Events, lifecycleEvent{Name: name, Status: statusPending})
	}
	s.st.Deployments[d.ID] = d
	g.LastAttempted = d.ID
	return d
}

// deployment finds a deployment; the caller holds s.mu.
func (s *Service) deployment(region, id string) (*deployment, error) {
	if id == "" {
		return nil, errf("DeploymentIdRequiredException", "Deployment id is missing")
	}
	if !deploymentIDPattern().MatchString(id) {
		return nil, errf("InvalidDeploymentIdException", "Deployment id %q is not valid (they look like d-1A2B3C4D5).", id)
	}
	d := s.st.Deployments[id]
	if d == nil || d.Region != region {
		return nil, errf("DeploymentDoesNotExistException", "The deployment %s could not be found.", id)
	}
	return d, nil
}

func (s *Service) deploymentInfo(d *deployment) map[string]any {
	out := map[string]any{
		"applicationName": d.App, "deploymentGroupName": d.Group, "deploymentConfigName": d.Config,
		"deploymentId": d.ID, "status": d.Status, "createTime": epochOf(d.Created), "creator": d.Creator,
		"ignoreApplicationStopFailures": false, "updateOutdatedInstancesOnly": false, "computePlatform": "ECS",
		"fileExistsBehavior": "DISALLOW", "deploymentStatusMessages": []string{},
		"deploymentStyle":                    map[string]string{"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
		"instanceTerminationWaitTimeStarted": d.TerminationWait,
		"autoRollbackConfiguration":          map[string]any{"enabled": d.Rollback.Enabled, "events": orEmpty(d.Rollback.Events)},
		"deploymentOverview":                 d.overview(),
	}
	if d.Description != "" {
		out["description"] = d.Description
	}
	if len(d.Revision) > 0 {
		out["revision"] = revisionOut(d.Revision)
	}
	if !d.Started.IsZero() {
		out["startTime"] = epochOf(d.Started)
	}
	if !d.Completed.IsZero() {
		out["completeTime"] = epochOf(d.Completed)
	}
	if d.ErrCode != "" {
		out["errorInformation"] = map[string]string{"code": d.ErrCode, "message": d.ErrMessage}
	}
	if d.RollbackID != "" || d.RollbackOf != "" {
		ri := map[string]string{}
		if d.RollbackID != "" {
			ri["rollbackDeploymentId"] = d.RollbackID
		}
		if d.RollbackOf != "" {
			ri["rollbackTriggeringDeploymentId"] = d.RollbackOf
		}
		if d.RollbackMessage != "" {
			ri["rollbackMessage"] = d.RollbackMessage
		}
		out["rollbackInfo"] = ri
	}
	if a := s.st.Apps[key(d.Region, d.App)]; a != nil {
		if g := a.Groups[d.Group]; g != nil {
			for _, m := range []string{"blueGreenDeploymentConfiguration", "loadBalancerInfo"} {
				if v, ok := g.Members[m]; ok {
					out[m] = v
				}
			}
		}
	}
	return out
}

// revisionOut is the revision as GetDeployment reports it: the AppSpec
// content itself is not returned, its sha256 is.
func revisionOut(raw json.RawMessage) map[string]any {
	var rev revisionInput
	_ = json.Unmarshal(raw, &rev)
	out := map[string]any{"revisionType": rev.RevisionType}
	content := ""
	switch {
	case rev.AppSpecContent != nil:
		content = rev.AppSpecContent.Content
	case rev.String != nil:
		content = rev.String.Content
	}
	member := "appSpecContent"
	if rev.RevisionType == "String" {
		member = "string"
	}
	out[member] = map[string]string{"sha256": sha256Hex(content)}
	return out
}

func orEmpty(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// overview counts the deployment's one ECS target by status.
func (d *deployment) overview() map[string]int {
	out := map[string]int{"Pending": 0, "InProgress": 0, "Succeeded": 0, "Failed": 0, "Skipped": 0, "Ready": 0}
	out[d.TargetStatus]++
	return out
}

func (s *Service) getDeployment(rc *emulator.RequestContext, body []byte) (any, error) {
	_, d, unlock, err := s.lockDeployment(rc, body, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return map[string]any{"deploymentInfo": s.deploymentInfo(d)}, nil
}

func (s *Service) batchGetDeployments(rc *emulator.RequestContext, body []byte) (any, error) {
	var in deploymentInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkBatch(len(in.DeploymentIDs), 25); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []any{}
	for _, id := range in.DeploymentIDs {
		if !deploymentIDPattern().MatchString(id) {
			return nil, errf("InvalidDeploymentIdException", "Deployment id %q is not valid.", id)
		}
		if d := s.st.Deployments[id]; d != nil && d.Region == rc.Region {
			out = append(out, s.deploymentInfo(d))
		}
	}
	return map[string]any{"deploymentsInfo": out}, nil
}

var deploymentStatuses = map[string]bool{"Created": true, "Queued": true, "InProgress": true, "Baking": true,
	"Succeeded": true, "Failed": true, "Stopped": true, "Ready": true}

func (s *Service) listDeployments(rc *emulator.RequestContext, body []byte) (any, error) {
	var in deploymentInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	for _, st := range in.IncludeOnlyStatuses {
		if !deploymentStatuses[st] {
			return nil, errf("InvalidDeploymentStatusException", "The deployment status %q is not valid.", st)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.ApplicationName != "" || in.DeploymentGroupName != "" {
		if in.ApplicationName == "" {
			return nil, errf("ApplicationNameRequiredException", "Application name is missing")
		}
		if in.DeploymentGroupName == "" {
			return nil, errf("DeploymentGroupNameRequiredException", "Deployment Group name is missing")
		}
		if _, _, err := s.group(rc.Region, in.ApplicationName, in.DeploymentGroupName); err != nil {
			return nil, err
		}
	}
	var list []*deployment
	for _, d := range s.st.Deployments {
		if d.Region != rc.Region || (in.ApplicationName != "" && (d.App != in.ApplicationName || d.Group != in.DeploymentGroupName)) {
			continue
		}
		if len(in.IncludeOnlyStatuses) > 0 && !contains(in.IncludeOnlyStatuses, d.Status) {
			continue
		}
		list = append(list, d)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Seq > list[j].Seq }) // newest first
	ids := []string{}
	for _, d := range list {
		ids = append(ids, d.ID)
	}
	return map[string]any{"deployments": ids}, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// targetID is the ECS target of a deployment: "cluster:service".
func (d *deployment) targetID() string { return d.Cluster + ":" + d.Service }

func (s *Service) startedDeployment(region, id string) (*deployment, error) {
	d, err := s.deployment(region, id)
	if err != nil {
		return nil, err
	}
	if d.Status == statusCreated {
		return nil, errf("DeploymentNotStartedException", "The deployment %s has not started yet.", id)
	}
	return d, nil
}

func (s *Service) listDeploymentTargets(rc *emulator.RequestContext, body []byte) (any, error) {
	in, d, unlock, err := s.lockDeployment(rc, body, true)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if len(in.TargetFilters) > 0 && string(in.TargetFilters) != "null" {
		var filters map[string][]string
		if err := json.Unmarshal(in.TargetFilters, &filters); err != nil {
			return nil, errf("InvalidTargetFilterNameException", "targetFilters must map TargetStatus or ServerInstanceLabel to a list of values.")
		}
		for name, values := range filters {
			if name != "TargetStatus" && name != "ServerInstanceLabel" {
				return nil, errf("InvalidTargetFilterNameException", "The target filter name %q is not valid.", name)
			}
			if name == "TargetStatus" && !contains(values, d.TargetStatus) {
				return map[string]any{"targetIds": []string{}}, nil
			}
		}
	}
	return map[string]any{"targetIds": []string{d.targetID()}}, nil
}

func (s *Service) target(d *deployment) map[string]any {
	events := []any{}
	for _, ev := range d.Events {
		e := map[string]any{"lifecycleEventName": ev.Name, "status": ev.Status}
		if !ev.Start.IsZero() {
			e["startTime"] = epochOf(ev.Start)
		}
		if !ev.End.IsZero() {
			e["endTime"] = epochOf(ev.End)
		}
		if ev.DiagCode != "" {
			e["diagnostics"] = map[string]string{"errorCode": ev.DiagCode, "message": ev.DiagMessage, "scriptName": "", "logTail": ""}
		}
		events = append(events, e)
	}
	sets := []any{}
	for _, ts := range d.TaskSets {
		sets = append(sets, map[string]any{"identifer": ts.ID, "desiredCount": ts.Desired, "pendingCount": ts.Pending,
			"runningCount": ts.Running, "status": ts.Status, "trafficWeight": ts.Weight,
			"targetGroup": map[string]string{"name": ts.TargetGroup}, "taskSetLabel": ts.Label})
	}
	return map[string]any{"deploymentTargetType": "ECSTarget", "ecsTarget": map[string]any{
		"deploymentId": d.ID, "targetId": d.targetID(), "targetArn": d.ServiceARN, "lastUpdatedAt": epochOf(d.TargetUpdated),
		"lifecycleEvents": events, "status": d.TargetStatus, "taskSetsInfo": sets,
	}}
}

func (s *Service) getDeploymentTarget(rc *emulator.RequestContext, body []byte) (any, error) {
	in, d, unlock, err := s.lockDeployment(rc, body, true)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if in.TargetID == "" {
		return nil, errf("DeploymentTargetIdRequiredException", "A deployment target ID was not provided.")
	}
	if in.TargetID != d.targetID() {
		return nil, errf("DeploymentTargetDoesNotExistException", "The deployment target %s does not exist in deployment %s.", in.TargetID, d.ID)
	}
	return map[string]any{"deploymentTarget": s.target(d)}, nil
}

func (s *Service) batchGetDeploymentTargets(rc *emulator.RequestContext, body []byte) (any, error) {
	var in deploymentInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.TargetIDs) == 0 {
		return nil, errf("DeploymentTargetIdRequiredException", "A deployment target ID was not provided.")
	}
	if len(in.TargetIDs) > 25 {
		return nil, errf("DeploymentTargetListSizeExceededException", "The maximum number of targets that can be associated with an Amazon ECS or AWS Lambda deployment was exceeded. The target list of both types of deployments must have exactly one item.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.startedDeployment(rc.Region, in.DeploymentID)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, id := range in.TargetIDs {
		if id != d.targetID() {
			return nil, errf("DeploymentTargetDoesNotExistException", "The deployment target %s does not exist in deployment %s.", id, d.ID)
		}
		out = append(out, s.target(d))
	}
	return map[string]any{"deploymentTargets": out}, nil
}

func (s *Service) continueDeployment(rc *emulator.RequestContext, body []byte) (any, error) {
	var in deploymentInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	wait := orDefault(in.WaitType, "READY_WAIT")
	if wait != "READY_WAIT" && wait != "TERMINATION_WAIT" {
		return nil, errf("InvalidDeploymentWaitTypeException", "The wait type %q is not valid; use READY_WAIT or TERMINATION_WAIT.", in.WaitType)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.deployment(rc.Region, in.DeploymentID)
	if err != nil {
		return nil, err
	}
	if d.done() {
		return nil, errf("DeploymentAlreadyCompletedException", "The deployment %s has already completed.", d.ID)
	}
	switch wait {
	case "READY_WAIT":
		if d.Status != statusReady {
			return nil, errf("DeploymentIsNotInReadyStateException", "The deployment %s is not in the Ready state (it is %s).", d.ID, d.Status)
		}
		// Rerouting starts at once: the deployment is InProgress again from
		// this reply on, and the next step shifts the traffic.
		d.ContinueReady = true
		d.Status, d.TargetStatus, d.TargetUpdated = statusInProgress, statusInProgress, rc.Now
	case "TERMINATION_WAIT":
		if !d.TerminationWait {
			return nil, errf("InvalidDeploymentStatusException", "The deployment %s is not waiting to terminate the original task set.", d.ID)
		}
		d.ContinueEnd = true
	}
	return nil, nil
}

func (s *Service) stopDeployment(rc *emulator.RequestContext, body []byte) (any, error) {
	in, d, unlock, err := s.lockDeployment(rc, body, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if d.done() {
		return nil, errf("DeploymentAlreadyCompletedException", "The deployment %s has already completed.", d.ID)
	}
	d.StopRequested = true
	d.StopRollback = d.Rollback.on("DEPLOYMENT_STOP_ON_REQUEST")
	if in.AutoRollbackEnabled != nil {
		d.StopRollback = *in.AutoRollbackEnabled
	}
	return map[string]any{"status": "Pending", "statusMessage": "Stopping Active Deployment"}, nil
}

func (s *Service) putLifecycleEventHookExecutionStatus(rc *emulator.RequestContext, body []byte) (any, error) {
	var in deploymentInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.Status != statusSucceeded && in.Status != statusFailed {
		return nil, errf("InvalidLifecycleEventHookExecutionStatusException", "The status %q is not valid; a hook reports Succeeded or Failed.", in.Status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.deployment(rc.Region, in.DeploymentID)
	if err != nil {
		return nil, err
	}
	if d.Hook == nil || d.Hook.ExecutionID != in.HookExecutionID {
		if d.done() {
			return nil, errf("LifecycleEventAlreadyCompletedException", "The lifecycle event of hook execution %s has already completed.", in.HookExecutionID)
		}
		return nil, errf("InvalidLifecycleEventHookExecutionIdException", "The hook execution id %q does not belong to a lifecycle event of deployment %s that is waiting for its hook.", in.HookExecutionID, d.ID)
	}
	if d.Hook.Reported != "" {
		return nil, errf("LifecycleEventAlreadyCompletedException", "The lifecycle event of hook execution %s has already completed.", in.HookExecutionID)
	}
	d.Hook.Reported = in.Status
	return map[string]any{"lifecycleEventHookExecutionId": d.Hook.ExecutionID}, nil
}

func newExecutionID() string { return uuid.NewString() }

// lockDeployment decodes a request naming a deployment, takes the lock and
// finds the deployment (one that has started, if started is set). On
// success the caller releases the lock with unlock.
func (s *Service) lockDeployment(rc *emulator.RequestContext, body []byte, started bool) (in *deploymentInput, d *deployment, unlock func(), err error) {
	in = &deploymentInput{}
	if err := decode(body, in); err != nil {
		return nil, nil, nil, err
	}
	s.mu.Lock()
	if started {
		d, err = s.startedDeployment(rc.Region, in.DeploymentID)
	} else {
		d, err = s.deployment(rc.Region, in.DeploymentID)
	}
	if err != nil {
		s.mu.Unlock()
		return nil, nil, nil, err
	}
	return in, d, s.mu.Unlock, nil
}
