package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Task sets: the unit of deployment of services whose deploymentController
// is EXTERNAL or CODE_DEPLOY. Such a service has no deployments; each task
// set keeps ceil(desiredCount × scale / 100) tasks of its own task
// definition running, and the PRIMARY one is the service's production set.

func init() {
	registerECSOp("CreateTaskSet", (*ecsCall).createTaskSet)
	registerECSOp("UpdateTaskSet", (*ecsCall).updateTaskSet)
	registerECSOp("UpdateServicePrimaryTaskSet", (*ecsCall).updateServicePrimaryTaskSet)
	registerECSOp("DeleteTaskSet", (*ecsCall).deleteTaskSet)
	registerECSOp("DescribeTaskSets", (*ecsCall).describeTaskSets)
}

// Deployment controller types.
const (
	controllerECS        = "ECS"
	controllerCodeDeploy = "CODE_DEPLOY"
	controllerExternal   = "EXTERNAL"
)

// maxTaskSets is how many task sets a service may have at once.
const maxTaskSets = 5

// taskSet is one task set of an EXTERNAL or CODE_DEPLOY service.
type taskSet struct {
	ID                string                `json:"id"`
	ARN               string                `json:"arn"`
	StartedBy         string                `json:"startedBy,omitempty"`
	ExternalID        string                `json:"externalId,omitempty"`
	Status            string                `json:"status"` // PRIMARY, ACTIVE, DRAINING
	TaskDefinition    string                `json:"taskDefinition"`
	Scale             float64               `json:"scale"` // percent
	Computed          int                   `json:"computedDesiredCount"`
	Running           int                   `json:"runningCount"`
	Pending           int                   `json:"pendingCount"`
	CreatedAt         time.Time             `json:"createdAt"`
	UpdatedAt         time.Time             `json:"updatedAt"`
	LaunchType        string                `json:"launchType,omitempty"`
	CapacityProviders json.RawMessage       `json:"capacityProviders,omitempty"`
	RunLaunchType     string                `json:"runLaunchType"`
	PlatformVersion   string                `json:"platformVersion,omitempty"`
	Network           *networkConfiguration `json:"network,omitempty"`
	LoadBalancers     json.RawMessage       `json:"loadBalancers,omitempty"`
	ServiceRegistries json.RawMessage       `json:"serviceRegistries,omitempty"`
	Stability         string                `json:"stability"` // STEADY_STATE or STABILIZING
	StabilityAt       time.Time             `json:"stabilityAt"`
	Tags              []Tag                 `json:"tags,omitempty"`
}

// controllerType is the service's deployment controller (ECS by default).
func (s *service) controllerType() string {
	var dc struct {
		Type string `json:"type"`
	}
	if len(s.DeploymentController) > 0 {
		_ = json.Unmarshal(s.DeploymentController, &dc)
	}
	if dc.Type == "" {
		return controllerECS
	}
	return dc.Type
}

// usesTaskSets reports whether the service deploys through task sets.
func (s *service) usesTaskSets() bool {
	t := s.controllerType()
	return t == controllerCodeDeploy || t == controllerExternal
}

func (s *service) taskSet(ref string) *taskSet {
	for _, ts := range s.TaskSets {
		if ts.ID == ref || ts.ARN == ref {
			return ts
		}
	}
	return nil
}

func (s *service) primaryTaskSet() *taskSet {
	for _, ts := range s.TaskSets {
		if ts.Status == "PRIMARY" {
			return ts
		}
	}
	return nil
}

// taskLoadBalancers is the load balancers a service task registers with:
// its task set's for task-set services, otherwise the service's.
func (s *service) taskLoadBalancers(t *task) json.RawMessage {
	if s.usesTaskSets() {
		if ts := s.taskSet(t.DeploymentID); ts != nil {
			return ts.LoadBalancers
		}
		return nil
	}
	return s.LoadBalancers
}

// checkControllerInput refuses CreateService input a task-set controller
// does not take, with ECS's messages.
func checkControllerInput(controller json.RawMessage, taskDefinition string) error {
	s := &service{DeploymentController: controller}
	switch s.controllerType() {
	case controllerECS, controllerCodeDeploy:
		return nil
	case controllerExternal:
		if taskDefinition != "" {
			return invalidParameter("TaskDefinition must be blank.")
		}
		return nil
	}
	return invalidParameter("deploymentController.type must be ECS, CODE_DEPLOY or EXTERNAL.")
}

// refuseControllerUpdate refuses the UpdateService members that only a new
// deployment of the external controller may change.
func refuseControllerUpdate(s *service, in *serviceInput, taskDefARN string) error {
	kind := s.controllerType()
	if kind == controllerECS {
		return nil
	}
	tail := fmt.Sprintf(" on services with a %s deployment controller.", kind)
	if kind == controllerCodeDeploy {
		tail += " Use AWS CodeDeploy to trigger a new deployment."
	}
	switch {
	case in.TaskDefinition != "" && taskDefARN != s.TaskDefinition:
		return invalidParameter("%s%s", "Unable to update task definition", tail)
	case in.ForceNewDeployment:
		return invalidParameter("%s%s", "Cannot force a new deployment", tail)
	case in.NetworkConfiguration != nil && !sameJSON(in.NetworkConfiguration, rawOf(s.Network)):
		return invalidParameter("%s%s", "Unable to update network parameters", tail)
	case in.LoadBalancers != nil && !sameJSON(in.LoadBalancers, s.LoadBalancers):
		return invalidParameter("%s%s", "Unable to update load balancers", tail)
	case in.PlatformVersion != nil && *in.PlatformVersion != s.PlatformVersion:
		return invalidParameter("%s%s", "Unable to update platform version", tail)
	case in.ServiceRegistries != nil && !sameJSON(in.ServiceRegistries, s.ServiceRegistries):
		return invalidParameter("%s%s", "Unable to update service registries", tail)
	case in.CapacityProviderStrategy != nil && !sameJSON(in.CapacityProviderStrategy, s.CapacityProviders):
		return invalidParameter("%s%s", "Unable to update capacity provider strategy", tail)
	}
	return nil
}

type taskSetInput struct {
	Cluster                  string          `json:"cluster"`
	Service                  string          `json:"service"`
	ExternalID               string          `json:"externalId"`
	TaskDefinition           string          `json:"taskDefinition"`
	NetworkConfiguration     json.RawMessage `json:"networkConfiguration"`
	LoadBalancers            json.RawMessage `json:"loadBalancers"`
	ServiceRegistries        json.RawMessage `json:"serviceRegistries"`
	LaunchType               string          `json:"launchType"`
	CapacityProviderStrategy json.RawMessage `json:"capacityProviderStrategy"`
	PlatformVersion          *string         `json:"platformVersion"`
	Scale                    *scaleIn        `json:"scale"`
	ClientToken              string          `json:"clientToken"`
	Tags                     []Tag           `json:"tags"`
	TaskSet                  string          `json:"taskSet"`
	PrimaryTaskSet           string          `json:"primaryTaskSet"`
	Force                    *bool           `json:"force"`
	TaskSets                 []string        `json:"taskSets"`
	Include                  []string        `json:"include"`
}

type scaleIn struct {
	Value *float64 `json:"value"`
	Unit  string   `json:"unit"`
}

var taskSetRawMembers = memberKinds{
	"networkConfiguration": '{', "loadBalancers": '[', "serviceRegistries": '[', "capacityProviderStrategy": '[',
}

func parseScale(in *scaleIn) (float64, error) {
	if in == nil || in.Value == nil {
		return 100, nil
	}
	if in.Unit != "" && in.Unit != "PERCENT" {
		return 0, invalidParameter("scale.unit must be PERCENT.")
	}
	v := *in.Value
	if math.IsNaN(v) || v < 0 || v > 100 {
		return 0, invalidParameter("scale.value must be between 0 and 100.")
	}
	return v, nil
}

// taskSetService resolves the service of a task-set operation and checks
// that its controller lets this caller manage task sets.
func (x *ecsCall) taskSetService(in *taskSetInput, mutate bool) (*service, error) {
	if err := firstErr(required("cluster", in.Cluster), required("service", in.Service)); err != nil {
		return nil, err
	}
	s, err := x.activeService(in.Cluster, in.Service)
	if err != nil {
		return nil, err
	}
	switch kind := s.controllerType(); {
	case kind == controllerExternal:
	case kind == controllerCodeDeploy && (!mutate || x.controller == controllerCodeDeploy):
	default:
		return nil, invalidParameter("Amazon ECS only supports task set management on services configured to use external deployment controllers.")
	}
	return s, nil
}

func (x *ecsCall) createTaskSet(body []byte) (any, error) {
	in, err := ecsDecode[taskSetInput](body)
	if err != nil {
		return nil, err
	}
	if err := checkRawMembers(body, taskSetRawMembers); err != nil {
		return nil, err
	}
	if err := firstErr(required("cluster", in.Cluster), required("service", in.Service), required("taskDefinition", in.TaskDefinition)); err != nil {
		return nil, err
	}
	s, err := x.taskSetService(in, true)
	if err != nil {
		return nil, err
	}
	ts, err := x.newTaskSet(s, in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"taskSet": x.em.taskSetOutput(s, ts, true)}, nil
}

// newTaskSet validates a task set's input and adds it to s as ACTIVE.
func (x *ecsCall) newTaskSet(s *service, in *taskSetInput) (*taskSet, error) {
	live := 0
	for _, ts := range s.TaskSets {
		if ts.Status != "DRAINING" {
			live++
		}
	}
	if live >= maxTaskSets {
		return nil, invalidParameter("%d deployments exist on the service. Unable to create new TaskSet since this exceeds the maximum limit.", live)
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	launchType, strategy := in.LaunchType, in.CapacityProviderStrategy
	if launchType == "" && isEmptyList(strategy) {
		launchType, strategy = s.LaunchType, s.CapacityProviders
	}
	ls, err := x.resolveLaunch(c, in.TaskDefinition, in.NetworkConfiguration, launchType, strategy,
		s.PlacementStrategy, s.PlacementConstraints)
	if err != nil {
		return nil, err
	}
	if err := x.em.checkLoadBalancersFor(in.LoadBalancers, ls.td, x.controller != controllerCodeDeploy); err != nil {
		return nil, err
	}
	if in.PlatformVersion != nil {
		if err := checkPlatformVersion(*in.PlatformVersion, ls.runOn, ls.td); err != nil {
			return nil, err
		}
	}
	scale, err := parseScale(in.Scale)
	if err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	id := x.em.ids.deploymentID()
	ts := &taskSet{
		ID: id, ARN: x.arn("task-set/" + c.Name + "/" + s.Name + "/" + id), ExternalID: in.ExternalID,
		Status: "ACTIVE", TaskDefinition: ls.td.ARN, Scale: scale, CreatedAt: x.rc.Now, UpdatedAt: x.rc.Now,
		LaunchType: ls.launchType, CapacityProviders: ls.strategy, RunLaunchType: ls.runOn, Network: ls.network,
		LoadBalancers: in.LoadBalancers, ServiceRegistries: in.ServiceRegistries, Stability: "STABILIZING",
		StabilityAt: x.rc.Now, Tags: in.Tags,
	}
	if x.controller == controllerCodeDeploy {
		ts.StartedBy = controllerCodeDeploy
	}
	if ls.runOn == "FARGATE" {
		ts.PlatformVersion = "LATEST"
		if in.PlatformVersion != nil && *in.PlatformVersion != "" {
			ts.PlatformVersion = *in.PlatformVersion
		}
	}
	ts.Computed = computedDesired(s.DesiredCount, ts.Scale)
	s.TaskSets = append(s.TaskSets, ts)
	s.Steady, s.touched = false, true
	return ts, nil
}

// computedDesired is ceil(desired × scale / 100).
func computedDesired(desired int, scale float64) int {
	return int(math.Ceil(float64(desired)*scale/100 - 1e-9))
}

// startCodeDeployService gives a new CODE_DEPLOY service its first,
// PRIMARY task set from the service's own configuration.
func (x *ecsCall) startCodeDeployService(s *service) {
	id := x.em.ids.deploymentID()
	c := clusterNameOf(s.ClusterARN)
	ts := &taskSet{
		ID: id, ARN: x.arn("task-set/" + c + "/" + s.Name + "/" + id), StartedBy: controllerCodeDeploy,
		Status: "PRIMARY", TaskDefinition: s.TaskDefinition, Scale: 100, CreatedAt: x.rc.Now, UpdatedAt: x.rc.Now,
		LaunchType: s.LaunchType, CapacityProviders: s.CapacityProviders, RunLaunchType: s.runLaunchType(),
		Network: s.Network, LoadBalancers: s.LoadBalancers, ServiceRegistries: s.ServiceRegistries,
		Stability: "STABILIZING", StabilityAt: x.rc.Now,
	}
	if ts.RunLaunchType == "FARGATE" {
		ts.PlatformVersion = cmpOr(s.PlatformVersion, "LATEST")
	}
	ts.Computed = computedDesired(s.DesiredCount, 100)
	s.TaskSets = []*taskSet{ts}
	s.touched = true
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (x *ecsCall) namedTaskSet(s *service, ref string) (*taskSet, error) {
	ts := s.taskSet(ref)
	if ts == nil || ts.Status == "DRAINING" {
		return nil, Errorf("TaskSetNotFoundException", "The specified task set does not exist.")
	}
	return ts, nil
}

// oneTaskSet decodes the input of an operation on one task set, named by
// the member memberName, and resolves its service and task set.
func (x *ecsCall) oneTaskSet(body []byte, memberName string) (*taskSetInput, *service, *taskSet, error) {
	in, err := ecsDecode[taskSetInput](body)
	if err != nil {
		return nil, nil, nil, err
	}
	ref := in.TaskSet
	if memberName == "primaryTaskSet" {
		ref = in.PrimaryTaskSet
	}
	if err := required(memberName, ref); err != nil {
		return nil, nil, nil, err
	}
	s, err := x.taskSetService(in, true)
	if err != nil {
		return nil, nil, nil, err
	}
	ts, err := x.namedTaskSet(s, ref)
	if err != nil {
		return nil, nil, nil, err
	}
	return in, s, ts, nil
}

func (x *ecsCall) updateTaskSet(body []byte) (any, error) {
	in, s, ts, err := x.oneTaskSet(body, "taskSet")
	if err != nil {
		return nil, err
	}
	if in.Scale == nil {
		return nil, invalidParameter("scale can not be blank.")
	}
	scale, err := parseScale(in.Scale)
	if err != nil {
		return nil, err
	}
	if scale != ts.Scale {
		ts.Scale, ts.UpdatedAt = scale, x.rc.Now
		ts.Computed = computedDesired(s.DesiredCount, scale)
		s.Steady, s.touched = false, true
	}
	return map[string]any{"taskSet": x.em.taskSetOutput(s, ts, false)}, nil
}

func (x *ecsCall) updateServicePrimaryTaskSet(body []byte) (any, error) {
	_, s, ts, err := x.oneTaskSet(body, "primaryTaskSet")
	if err != nil {
		return nil, err
	}
	if ts.Status != "PRIMARY" {
		for _, other := range s.TaskSets {
			if other.Status == "PRIMARY" {
				other.Status, other.UpdatedAt = "ACTIVE", x.rc.Now
			}
		}
		ts.Status, ts.UpdatedAt = "PRIMARY", x.rc.Now
		s.TaskDefinition = ts.TaskDefinition
		s.touched = true
	}
	return map[string]any{"taskSet": x.em.taskSetOutput(s, ts, false)}, nil
}

func (x *ecsCall) deleteTaskSet(body []byte) (any, error) {
	in, s, ts, err := x.oneTaskSet(body, "taskSet")
	if err != nil {
		return nil, err
	}
	force := in.Force != nil && *in.Force
	if ts.Status == "PRIMARY" && !force {
		return nil, invalidParameter("Unable to delete the task set %s because it is the service's PRIMARY task set; make another task set primary first, or pass force.", ts.ID)
	}
	if ts.Scale > 0 && !force {
		return nil, invalidParameter("Unable to delete the task set %s while it is scaled above 0; scale it to 0 first, or pass force.", ts.ID)
	}
	ts.Status, ts.Scale, ts.Computed, ts.UpdatedAt = "DRAINING", 0, 0, x.rc.Now
	s.Steady, s.touched = false, true
	return map[string]any{"taskSet": x.em.taskSetOutput(s, ts, false)}, nil
}

func (x *ecsCall) describeTaskSets(body []byte) (any, error) {
	in, err := ecsDecode[taskSetInput](body)
	if err != nil {
		return nil, err
	}
	s, err := x.taskSetService(in, false)
	if err != nil {
		return nil, err
	}
	withTags := slices.Contains(in.Include, "TAGS")
	out := []taskSetOut{}
	failures := []map[string]string{}
	if len(in.TaskSets) == 0 {
		for _, ts := range s.TaskSets {
			out = append(out, x.em.taskSetOutput(s, ts, withTags))
		}
	}
	for _, ref := range in.TaskSets {
		if ts := s.taskSet(ref); ts != nil {
			out = append(out, x.em.taskSetOutput(s, ts, withTags))
			continue
		}
		arn := ref
		if !strings.HasPrefix(ref, "arn:") {
			arn = x.arn("task-set/" + clusterNameOf(s.ClusterARN) + "/" + s.Name + "/" + ref)
		}
		failures = append(failures, map[string]string{"arn": arn, "reason": "MISSING"})
	}
	return map[string]any{"taskSets": out, "failures": failures}, nil
}

type taskSetOut struct {
	ID                   string `json:"id"`
	TaskSetArn           string `json:"taskSetArn"`
	ServiceArn           string `json:"serviceArn"`
	ClusterArn           string `json:"clusterArn"`
	StartedBy            string `json:"startedBy,omitempty"`
	ExternalID           string `json:"externalId,omitempty"`
	Status               string `json:"status"`
	TaskDefinition       string `json:"taskDefinition"`
	ComputedDesiredCount int    `json:"computedDesiredCount"`
	PendingCount         int    `json:"pendingCount"`
	RunningCount         int    `json:"runningCount"`
	CreatedAt            epoch  `json:"createdAt"`
	UpdatedAt            epoch  `json:"updatedAt"`
	placementOut
	LoadBalancers     json.RawMessage `json:"loadBalancers"`
	ServiceRegistries json.RawMessage `json:"serviceRegistries"`
	Scale             struct {
		Value float64 `json:"value"`
		Unit  string  `json:"unit"`
	} `json:"scale"`
	StabilityStatus   string `json:"stabilityStatus"`
	StabilityStatusAt epoch  `json:"stabilityStatusAt"`
	Tags              []Tag  `json:"tags,omitempty"`
}

func (e *Emulator) taskSetOutput(s *service, ts *taskSet, withTags bool) taskSetOut {
	out := taskSetOut{
		ID: ts.ID, TaskSetArn: ts.ARN, ServiceArn: s.ARN, ClusterArn: s.ClusterARN, StartedBy: ts.StartedBy,
		ExternalID: ts.ExternalID, Status: ts.Status, TaskDefinition: ts.TaskDefinition,
		ComputedDesiredCount: ts.Computed, PendingCount: ts.Pending, RunningCount: ts.Running,
		CreatedAt: epoch(ts.CreatedAt), UpdatedAt: epoch(ts.UpdatedAt),
		placementOut:      placementOutput(ts.LaunchType, ts.CapacityProviders, ts.PlatformVersion, ts.Network, ts.RunLaunchType),
		LoadBalancers:     orEmptyList(ts.LoadBalancers),
		ServiceRegistries: orEmptyList(ts.ServiceRegistries), StabilityStatus: ts.Stability,
		StabilityStatusAt: epoch(ts.StabilityAt),
	}
	out.Scale.Value, out.Scale.Unit = ts.Scale, "PERCENT"
	if withTags {
		out.Tags = tagsOut(ts.Tags)
	}
	return out
}

// taskSetsOutput renders the service's task sets for DescribeServices.
func (e *Emulator) taskSetsOutput(s *service) []taskSetOut {
	if !s.usesTaskSets() {
		return nil
	}
	out := make([]taskSetOut, 0, len(s.TaskSets))
	for _, ts := range s.TaskSets {
		out = append(out, e.taskSetOutput(s, ts, false))
	}
	return out
}

// placeService adds a validated new service to c and starts it: a rolling
// deployment for the ECS controller, a PRIMARY task set for CODE_DEPLOY,
// nothing for EXTERNAL.
func (x *ecsCall) placeService(c *cluster, s *service) {
	c.Services[s.Name] = s
	switch s.controllerType() {
	case controllerCodeDeploy:
		x.startCodeDeployService(s)
	case controllerExternal: // task sets come from CreateTaskSet
	default:
		x.em.startDeployment(s, x.rc.Now)
	}
}

// serviceLaunch resolves how a new service's tasks launch. An EXTERNAL
// service has no task definition (its task sets bring their own), so only
// its network and launch type are checked here.
func (x *ecsCall) serviceLaunch(c *cluster, in *serviceInput) (launchSpec, error) {
	if (&service{DeploymentController: in.DeploymentController}).controllerType() != controllerExternal {
		if err := required("taskDefinition", in.TaskDefinition); err != nil {
			return launchSpec{}, err
		}
		return x.resolveLaunch(c, in.TaskDefinition, in.NetworkConfiguration, in.LaunchType, in.CapacityProviderStrategy,
			in.PlacementStrategy, in.PlacementConstraints)
	}
	var ls launchSpec
	var err error
	if ls.network, err = parseNetwork(in.NetworkConfiguration); err != nil {
		return ls, err
	}
	if ls.launchType, ls.runOn, ls.providers, err = launchTarget(in.LaunchType, in.CapacityProviderStrategy); err != nil {
		return ls, err
	}
	if ls.providers != nil {
		ls.strategy = in.CapacityProviderStrategy
	}
	return ls, nil
}

func (ls launchSpec) taskDefARN() string {
	if ls.td == nil {
		return ""
	}
	return ls.td.ARN
}

// InvokeECSAsController calls an ECS operation in-process on behalf of a
// deployment controller (CODE_DEPLOY): task set operations are then
// allowed on that controller's services, as they are to the real
// controller and to no one else.
func (e *Emulator) InvokeECSAsController(ctx context.Context, region, controller, operation string, input []byte) ([]byte, error) {
	if region == "" {
		region = e.opts.Region
	}
	rc := e.requestContext(ctx, newRequestID(), region, operation)
	h := &ecsAPI{em: e, controller: controller}
	out, err := protect(serverPanic, operation, func() (any, error) { return h.ServeJSON(rc, operation, input) })
	if err != nil {
		return nil, asAPIError(err)
	}
	return marshalJSONBody(out)
}

// updateTaskSetService is UpdateService on an EXTERNAL or CODE_DEPLOY
// service: only desiredCount, deploymentConfiguration, the grace period,
// placement, tags and a few flags may change; a new task definition,
// network, platform version or load balancer takes a new deployment of the
// controller.
func (x *ecsCall) updateTaskSetService(s *service, in *serviceInput) (any, error) {
	tdARN := s.TaskDefinition
	if in.TaskDefinition != "" {
		td, err := x.usableTaskDef(in.TaskDefinition)
		if err != nil {
			return nil, err
		}
		tdARN = td.ARN
	}
	if err := refuseControllerUpdate(s, in, tdARN); err != nil {
		return nil, err
	}
	cfg, err := checkUpdateCounts(s, in)
	if err != nil {
		return nil, err
	}
	s.Config = cfg
	if in.DesiredCount != nil {
		s.DesiredCount = *in.DesiredCount
	}
	applyInPlaceMembers(s, in)
	s.Steady, s.touched = false, true
	return map[string]any{"service": x.em.serviceOutput(s, false)}, nil
}

// applyInPlaceMembers sets the UpdateService members that change a service
// without a new deployment (desiredCount and the deployment configuration
// aside, which the callers handle); CreateService sets them the same way.
func applyInPlaceMembers(s *service, in *serviceInput) {
	if in.HealthCheckGracePeriodSeconds != nil {
		s.GracePeriod = in.HealthCheckGracePeriodSeconds
	}
	if in.PlacementConstraints != nil {
		s.PlacementConstraints = in.PlacementConstraints
	}
	if in.PlacementStrategy != nil {
		s.PlacementStrategy = in.PlacementStrategy
	}
	if in.EnableExecuteCommand != nil {
		s.EnableExecuteCommand = *in.EnableExecuteCommand
	}
	if in.EnableECSManagedTags != nil {
		s.EnableManagedTags = *in.EnableECSManagedTags
	}
	if in.PropagateTags != nil {
		s.PropagateTags = *in.PropagateTags
	}
}

// checkUpdateCounts checks UpdateService's desiredCount and grace period and
// returns the service's deployment configuration with the update applied.
func checkUpdateCounts(s *service, in *serviceInput) (deploymentConfiguration, error) {
	if in.DesiredCount != nil && (*in.DesiredCount < 0 || *in.DesiredCount > maxServiceTasks) {
		return s.Config, invalidParameter("desiredCount must be between 0 and %d.", maxServiceTasks)
	}
	if in.HealthCheckGracePeriodSeconds != nil && *in.HealthCheckGracePeriodSeconds < 0 {
		return s.Config, invalidParameter("healthCheckGracePeriodSeconds must be at least 0.")
	}
	cfg := s.Config
	err := applyDeploymentConfig(&cfg, in.DeploymentConfiguration)
	return cfg, err
}
