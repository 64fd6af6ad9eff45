package emulator

import (
	"encoding/json"
	"slices"
	"strings"
)

func init() {
	registerECSOp("ListServiceDeployments", (*ecsCall).listServiceDeployments)
	registerECSOp("DescribeServiceDeployments", (*ecsCall).describeServiceDeployments)
	registerECSOp("DescribeServiceRevisions", (*ecsCall).describeServiceRevisions)
}

type listServiceDeploymentsInput struct {
	Service   string   `json:"service"`
	Cluster   string   `json:"cluster"`
	Status    []string `json:"status"`
	CreatedAt *struct {
		Before *json.Number `json:"before"`
		After  *json.Number `json:"after"`
	} `json:"createdAt"`
	NextToken  string `json:"nextToken"`
	MaxResults *int   `json:"maxResults"`
}

type serviceDeploymentBrief struct {
	ServiceDeploymentArn     string `json:"serviceDeploymentArn"`
	ServiceArn               string `json:"serviceArn"`
	ClusterArn               string `json:"clusterArn"`
	StartedAt                epoch  `json:"startedAt,omitzero"`
	CreatedAt                epoch  `json:"createdAt"`
	FinishedAt               epoch  `json:"finishedAt,omitzero"`
	TargetServiceRevisionArn string `json:"targetServiceRevisionArn"`
	Status                   string `json:"status"`
	StatusReason             string `json:"statusReason,omitempty"`
}

func (x *ecsCall) listServiceDeployments(body []byte) (any, error) {
	in, err := ecsDecode[listServiceDeploymentsInput](body)
	if err != nil {
		return nil, err
	}
	s, err := x.namedService(in.Cluster, in.Service)
	if err != nil {
		return nil, err
	}
	before, after := epochBound(in.CreatedAt, true), epochBound(in.CreatedAt, false)
	var briefs []serviceDeploymentBrief
	for i := len(s.History) - 1; i >= 0; i-- { // newest first
		sd := s.History[i]
		if len(in.Status) > 0 && !slices.Contains(in.Status, sd.Status) {
			continue
		}
		created := float64(sd.CreatedAt.UnixMilli()) / 1000
		if (before != nil && created >= *before) || (after != nil && created <= *after) {
			continue
		}
		briefs = append(briefs, serviceDeploymentBrief{
			ServiceDeploymentArn: sd.ARN, ServiceArn: s.ARN, ClusterArn: s.ClusterARN,
			StartedAt: epoch(sd.CreatedAt), CreatedAt: epoch(sd.CreatedAt), FinishedAt: epoch(sd.FinishedAt),
			TargetServiceRevisionArn: sd.Target, Status: sd.Status, StatusReason: sd.StatusReason,
		})
	}
	page, next, err := paginate(briefs, in.NextToken, in.MaxResults, 20)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"serviceDeployments": orEmpty(page)}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

func epochBound(c *struct {
	Before *json.Number `json:"before"`
	After  *json.Number `json:"after"`
}, before bool) *float64 {
	if c == nil {
		return nil
	}
	n := c.After
	if before {
		n = c.Before
	}
	if n == nil {
		return nil
	}
	f, err := n.Float64()
	if err != nil {
		return nil
	}
	return &f
}

func orEmpty[T any](items []T) []T {
	if items == nil {
		return []T{}
	}
	return items
}

// historyTarget resolves a service-deployment or service-revision ARN to its service.
func (x *ecsCall) historyTarget(arn, kind string) *service {
	_, rest, ok := strings.Cut(arn, ":"+kind+"/")
	if !ok || !strings.HasPrefix(arn, "arn:aws:ecs:"+x.rc.Region+":") {
		return nil
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 {
		return nil
	}
	c := x.reg.Clusters[parts[0]]
	if c == nil {
		return nil
	}
	return c.Services[parts[1]]
}

type revisionSummaryOut struct {
	Arn                string `json:"arn"`
	RequestedTaskCount int    `json:"requestedTaskCount"`
	RunningTaskCount   int    `json:"runningTaskCount"`
	PendingTaskCount   int    `json:"pendingTaskCount"`
}

type serviceDeploymentOut struct {
	ServiceDeploymentArn    string               `json:"serviceDeploymentArn"`
	ServiceArn              string               `json:"serviceArn"`
	ClusterArn              string               `json:"clusterArn"`
	CreatedAt               epoch                `json:"createdAt"`
	StartedAt               epoch                `json:"startedAt"`
	FinishedAt              epoch                `json:"finishedAt,omitzero"`
	StoppedAt               epoch                `json:"stoppedAt,omitzero"`
	UpdatedAt               epoch                `json:"updatedAt"`
	SourceServiceRevisions  []revisionSummaryOut `json:"sourceServiceRevisions"`
	TargetServiceRevision   revisionSummaryOut   `json:"targetServiceRevision"`
	Status                  string               `json:"status"`
	StatusReason            string               `json:"statusReason,omitempty"`
	DeploymentConfiguration deployConfigOut      `json:"deploymentConfiguration"`
	Rollback                *struct {
		Reason             string `json:"reason"`
		StartedAt          epoch  `json:"startedAt"`
		ServiceRevisionArn string `json:"serviceRevisionArn"`
	} `json:"rollback,omitempty"`
	DeploymentCircuitBreaker struct {
		Status       string `json:"status"`
		FailureCount int    `json:"failureCount"`
		Threshold    int    `json:"threshold"`
	} `json:"deploymentCircuitBreaker"`
	nativeDeploymentOut
}

type historyRefsInput struct {
	ServiceDeploymentArns []string `json:"serviceDeploymentArns"`
	ServiceRevisionArns   []string `json:"serviceRevisionArns"`
}

func (x *ecsCall) describeServiceDeployments(body []byte) (any, error) {
	in, err := ecsDecode[historyRefsInput](body)
	if err != nil {
		return nil, err
	}
	return describeHistory(x, in.ServiceDeploymentArns, "serviceDeploymentArns", "service-deployment", "serviceDeployments",
		func(s *service) []*serviceDeployment { return s.History },
		func(sd *serviceDeployment) string { return sd.ARN }, serviceDeploymentOutput)
}

// describeHistory answers a Describe operation of a service's history:
// for each of 1 to 20 ARNs (field names them in the error) of kind, the
// output of the item of its service's list that has it, or a MISSING
// failure; the items are under key.
func describeHistory[T, Out any](x *ecsCall, arns []string, field, kind, key string,
	list func(*service) []T, arnOf func(T) string, output func(*service, T) Out) (any, error) {
	if len(arns) == 0 || len(arns) > 20 {
		return nil, invalidParameter("%s must contain between 1 and 20 items.", field)
	}
	out := []Out{}
	fails := []failure{}
	for _, arn := range arns {
		s := x.historyTarget(arn, kind)
		i := -1
		if s != nil {
			i = slices.IndexFunc(list(s), func(item T) bool { return arnOf(item) == arn })
		}
		if i < 0 {
			fails = append(fails, failure{Arn: arn, Reason: "MISSING"})
			continue
		}
		out = append(out, output(s, list(s)[i]))
	}
	return map[string]any{key: out, "failures": fails}, nil
}

func serviceDeploymentOutput(s *service, sd *serviceDeployment) serviceDeploymentOut {
	o := serviceDeploymentOut{
		ServiceDeploymentArn: sd.ARN, ServiceArn: s.ARN, ClusterArn: s.ClusterARN,
		CreatedAt: epoch(sd.CreatedAt), StartedAt: epoch(sd.CreatedAt), FinishedAt: epoch(sd.FinishedAt),
		StoppedAt: epoch(sd.StoppedAt), UpdatedAt: epoch(sd.UpdatedAt), SourceServiceRevisions: []revisionSummaryOut{},
		TargetServiceRevision: revisionSummaryOut{Arn: sd.Target, RequestedTaskCount: sd.Requested,
			RunningTaskCount: sd.Running, PendingTaskCount: sd.Pending},
		Status: sd.Status, StatusReason: sd.StatusReason,
	}
	for _, src := range sd.Sources {
		o.SourceServiceRevisions = append(o.SourceServiceRevisions, revisionSummaryOut{Arn: src})
	}
	o.DeploymentConfiguration.DeploymentCircuitBreaker.Enable = sd.Config.CircuitBreaker
	o.DeploymentConfiguration.DeploymentCircuitBreaker.Rollback = sd.Config.Rollback
	o.DeploymentConfiguration.MaximumPercent = sd.Config.MaximumPercent
	o.DeploymentConfiguration.MinimumHealthyPercent = sd.Config.MinimumHealthyPercent
	o.DeploymentConfiguration.Alarms = sd.Config.Alarms
	o.DeploymentConfiguration.nativeStrategyOut = sd.Config.nativeStrategy.output()
	o.nativeDeploymentOut = sd.nativeHistory.output(sd.Config)
	if sd.RollbackReason != "" {
		o.Rollback = &struct {
			Reason             string `json:"reason"`
			StartedAt          epoch  `json:"startedAt"`
			ServiceRevisionArn string `json:"serviceRevisionArn"`
		}{sd.RollbackReason, epoch(sd.RollbackAt), sd.RollbackToRev}
	}
	cb := &o.DeploymentCircuitBreaker
	cb.FailureCount, cb.Threshold = sd.Failures, circuitBreakerThreshold(sd.Requested)
	switch {
	case !sd.Config.CircuitBreaker:
		cb.Status = "DISABLED"
	case sd.BreakerTripped:
		cb.Status = "TRIGGERED"
	case sd.Status == "IN_PROGRESS":
		cb.Status = "MONITORING"
	default:
		cb.Status = "MONITORING_COMPLETE"
	}
	return o
}

type serviceRevisionOut struct {
	ServiceRevisionArn string `json:"serviceRevisionArn"`
	ServiceArn         string `json:"serviceArn"`
	ClusterArn         string `json:"clusterArn"`
	TaskDefinition     string `json:"taskDefinition"`
	placementOut
	LoadBalancers     json.RawMessage `json:"loadBalancers"`
	ServiceRegistries json.RawMessage `json:"serviceRegistries"`
	ContainerImages   []containerImg  `json:"containerImages"`
	GuardDutyEnabled  bool            `json:"guardDutyEnabled"`
	CreatedAt         epoch           `json:"createdAt"`
	revisionMemberOut                 // service_passthrough.go
}

type containerImg struct {
	ContainerName string `json:"containerName"`
	Image         string `json:"image"`
}

func (x *ecsCall) describeServiceRevisions(body []byte) (any, error) {
	in, err := ecsDecode[historyRefsInput](body)
	if err != nil {
		return nil, err
	}
	return describeHistory(x, in.ServiceRevisionArns, "serviceRevisionArns", "service-revision", "serviceRevisions",
		func(s *service) []*serviceRevision { return s.Revisions },
		func(rev *serviceRevision) string { return rev.ARN }, x.serviceRevisionOutput)
}

// serviceRevisionOutput is a revision as DescribeServiceRevisions returns it.
func (x *ecsCall) serviceRevisionOutput(s *service, rev *serviceRevision) serviceRevisionOut {
	o := serviceRevisionOut{
		ServiceRevisionArn: rev.ARN, ServiceArn: s.ARN, ClusterArn: s.ClusterARN, TaskDefinition: rev.TaskDefinition,
		placementOut:  placementOutput(rev.LaunchType, rev.CapacityProviders, rev.PlatformVersion, rev.Network, rev.runLaunchType()),
		LoadBalancers: orEmptyList(rev.LoadBalancers), ServiceRegistries: orEmptyList(rev.ServiceRegistries),
		ContainerImages: []containerImg{}, CreatedAt: epoch(rev.CreatedAt),
		revisionMemberOut: rev.revisionMembers.output(),
	}
	if td := x.em.taskDefByARN(x.reg, rev.TaskDefinition); td != nil {
		for _, c := range td.Containers {
			o.ContainerImages = append(o.ContainerImages, containerImg{ContainerName: c.Name, Image: c.Image})
		}
	}
	return o
}
