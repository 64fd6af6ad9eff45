package emulator

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// The snapshots below are read-only copies of the emulator's state for
// viewers such as the local console. They are taken under the state lock
// and share nothing with it.

// ClockInfo says what time it is in the emulator and how time moves.
type ClockInfo struct {
	Now time.Time `json:"now"`
	// Manual is true when time moves only through Advance.
	Manual bool `json:"manual"`
	// Speed is emulated seconds per wall second (0 with a manual clock).
	Speed float64 `json:"speed"`
}

// Clock returns the emulated time and how it moves.
func (e *Emulator) Clock() ClockInfo {
	info := ClockInfo{Now: e.Now()}
	switch c := e.clock.(type) {
	case *ManualClock:
		info.Manual = !e.opts.Background
	case *ScaledClock:
		info.Speed = c.Speed()
	}
	return info
}

// ClusterSnapshot is a cluster and a summary of its services.
type ClusterSnapshot struct {
	Region       string           `json:"region"`
	Name         string           `json:"name"`
	Status       string           `json:"status"`
	RunningTasks int              `json:"runningTasks"`
	PendingTasks int              `json:"pendingTasks"`
	Services     []ServiceSummary `json:"services"`
	Zones        []string         `json:"zones,omitempty"`
	Instances    map[string]int   `json:"instances,omitempty"` // per zone
	Draining     map[string]int   `json:"draining,omitempty"`  // DRAINING instances per zone
}

// ServiceSummary is one line of a cluster's service list.
type ServiceSummary struct {
	Name         string `json:"name"`
	Status       string `json:"status"`
	Desired      int    `json:"desired"`
	Running      int    `json:"running"`
	Pending      int    `json:"pending"`
	Deployments  int    `json:"deployments"`
	RolloutState string `json:"rolloutState"` // of the primary deployment
}

// ClusterSnapshots returns every cluster of every region, sorted by region
// and name, with a summary of each service.
func (e *Emulator) ClusterSnapshots() []ClusterSnapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []ClusterSnapshot
	e.forEachCluster(func(r *regionState, c *cluster) {
		cs := ClusterSnapshot{Region: r.Name, Name: c.Name, Status: c.Status}
		for _, t := range c.Tasks {
			switch {
			case t.LastStatus == "RUNNING":
				cs.RunningTasks++
			case t.LastStatus != "STOPPED" && t.DesiredStatus == "RUNNING":
				cs.PendingTasks++
			}
		}
		for _, ci := range c.Instances {
			if cs.Instances == nil {
				cs.Instances, cs.Draining = map[string]int{}, map[string]int{}
			}
			if _, ok := cs.Instances[ci.AZ]; !ok {
				cs.Zones = append(cs.Zones, ci.AZ)
			}
			cs.Instances[ci.AZ]++
			if ci.Status == "DRAINING" {
				cs.Draining[ci.AZ]++
			}
		}
		slices.Sort(cs.Zones)
		for _, s := range c.Services {
			if s.Status == "INACTIVE" {
				continue
			}
			sum := ServiceSummary{Name: s.Name, Status: s.Status, Desired: s.DesiredCount, Deployments: len(s.Deployments)}
			for _, d := range s.Deployments {
				sum.Running += d.RunningCount
				sum.Pending += d.PendingCount
			}
			if len(s.Deployments) > 0 {
				sum.RolloutState = s.Deployments[0].RolloutState
			}
			cs.Services = append(cs.Services, sum)
		}
		slices.SortFunc(cs.Services, func(a, b ServiceSummary) int { return strings.Compare(a.Name, b.Name) })
		out = append(out, cs)
	})
	return out
}

// ServiceSnapshot is everything a viewer shows about one service.
type ServiceSnapshot struct {
	Region         string `json:"region"`
	Cluster        string `json:"cluster"`
	Name           string `json:"name"`
	ARN            string `json:"arn"`
	Status         string `json:"status"`
	TaskDefinition string `json:"taskDefinition"`
	LaunchType     string `json:"launchType,omitempty"`
	Controller     string `json:"controller"` // ECS, CODE_DEPLOY or EXTERNAL
	Desired        int    `json:"desired"`
	// MinimumHealthyPercent and MaximumPercent with the task counts they
	// allow for the desired count: at least MinHealthy healthy tasks, at
	// most MaxTasks tasks in all.
	MinimumHealthyPercent int                  `json:"minimumHealthyPercent"`
	MaximumPercent        int                  `json:"maximumPercent"`
	MinHealthy            int                  `json:"minHealthy"`
	MaxTasks              int                  `json:"maxTasks"`
	CircuitBreaker        bool                 `json:"circuitBreaker"`
	Rollback              bool                 `json:"rollback"`
	Steady                bool                 `json:"steady"`
	Deployments           []DeploymentSnapshot `json:"deployments"`
	// TargetGroups are the target groups of the service's load balancers.
	TargetGroups []string `json:"targetGroups,omitempty"`
	// TaskSets are the service's task sets (EXTERNAL and CODE_DEPLOY
	// deployment controllers). (ECS-native blue/green needs none: its blue
	// and green are deployments.)
	TaskSets []TaskSetSnapshot `json:"taskSets,omitempty"`
	// Traffic is each target group's share of the production traffic and
	// Stage the lifecycle stage of a blue/green deployment in progress:
	// ECS-native ones from the emulator, others from the services that
	// run them (OnServiceSnapshot; the local CodeDeploy reports its
	// lifecycle event).
	Traffic   []TrafficShare  `json:"traffic,omitempty"`
	Stage     string          `json:"stage,omitempty"`
	Tasks     []TaskSnapshot  `json:"tasks"`
	Events    []EventSnapshot `json:"events"`
	Timelines []Timeline      `json:"timelines"`
	Zones     []string        `json:"zones"`
}

// DeploymentSnapshot is one entry of the service's deployments.
type DeploymentSnapshot struct {
	ID                 string    `json:"id"`
	Status             string    `json:"status"` // PRIMARY, ACTIVE
	TaskDefinition     string    `json:"taskDefinition"`
	Desired            int       `json:"desired"`
	Running            int       `json:"running"`
	Pending            int       `json:"pending"`
	Failed             int       `json:"failed"`
	RolloutState       string    `json:"rolloutState"`
	RolloutStateReason string    `json:"rolloutStateReason"`
	CreatedAt          time.Time `json:"createdAt"`
	UpdatedAt          time.Time `json:"updatedAt"`
}

// TaskSetSnapshot is one task set of a service.
type TaskSetSnapshot struct {
	ID              string   `json:"id"`
	Status          string   `json:"status"` // PRIMARY, ACTIVE, DRAINING
	TaskDefinition  string   `json:"taskDefinition"`
	Scale           float64  `json:"scale"` // percent of the service's desired count
	ComputedDesired int      `json:"computedDesiredCount"`
	Running         int      `json:"running"`
	Pending         int      `json:"pending"`
	Stability       string   `json:"stability"` // STEADY_STATE or STABILIZING
	TargetGroups    []string `json:"targetGroups,omitempty"`
}

// TrafficShare is the percentage of a listener's traffic a target group gets.
type TrafficShare struct {
	TargetGroup string  `json:"targetGroup"`
	Percent     float64 `json:"percent"`
}

// TaskSnapshot is one task of the service, including recently stopped ones.
type TaskSnapshot struct {
	ID             string    `json:"id"`
	TaskSet        string    `json:"taskSet,omitempty"`      // the task set it belongs to, if any
	TargetHealth   string    `json:"targetHealth,omitempty"` // initial, healthy, unhealthy: the worst of its targets
	TargetGroup    string    `json:"targetGroup,omitempty"`  // the target group of its first target
	AZ             string    `json:"az"`
	DeploymentID   string    `json:"deploymentId,omitempty"`
	TaskDefinition string    `json:"taskDefinition"`
	LastStatus     string    `json:"lastStatus"`
	DesiredStatus  string    `json:"desiredStatus"`
	HealthStatus   string    `json:"healthStatus"`
	Healthy        bool      `json:"healthy"` // counts as healthy for the deployment's bounds
	StopCode       string    `json:"stopCode,omitempty"`
	StoppedReason  string    `json:"stoppedReason,omitempty"`
	ExitCode       *int      `json:"exitCode,omitempty"` // of the first essential container that exited
	CreatedAt      time.Time `json:"createdAt"`
	StartedAt      time.Time `json:"startedAt,omitzero"`
	StoppedAt      time.Time `json:"stoppedAt,omitzero"`
}

// EventSnapshot is a service event.
type EventSnapshot struct {
	At      time.Time `json:"at"`
	Message string    `json:"message"`
}

// ServiceSnapshot returns a copy of the service's state, its recent tasks
// (stopped ones for as long as ECS lists them), its events and the
// timelines of its recent deployments. ok is false when there is no such
// service.
func (e *Emulator) ServiceSnapshot(region, clusterName, name string) (snap ServiceSnapshot, ok bool) {
	if snap, ok = e.serviceSnapshot(region, clusterName, name); !ok {
		return snap, false
	}
	e.hookMu.Lock()
	hooks := append([]func(*ServiceSnapshot){}, e.onSnap...)
	e.hookMu.Unlock()
	for _, fn := range hooks {
		fn(&snap)
	}
	return snap, true
}

func (e *Emulator) serviceSnapshot(region, clusterName, name string) (snap ServiceSnapshot, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.state.Regions[region]
	if r == nil {
		return snap, false
	}
	c := r.Clusters[clusterName]
	if c == nil {
		return snap, false
	}
	s := c.Services[name]
	if s == nil {
		return snap, false
	}
	now := e.nowLocked()
	c.ensureIndexes()
	snap = ServiceSnapshot{Region: region, Cluster: c.Name, Name: s.Name, ARN: s.ARN, Status: s.Status,
		TaskDefinition: s.TaskDefinition, LaunchType: s.LaunchType, Controller: "ECS", Desired: s.DesiredCount,
		MinimumHealthyPercent: s.Config.MinimumHealthyPercent, MaximumPercent: s.Config.MaximumPercent,
		MinHealthy:     ceilDiv(s.DesiredCount*s.Config.MinimumHealthyPercent, 100),
		MaxTasks:       s.DesiredCount * s.Config.MaximumPercent / 100,
		CircuitBreaker: s.Config.CircuitBreaker, Rollback: s.Config.Rollback, Steady: s.Steady,
		Deployments: []DeploymentSnapshot{}, Tasks: []TaskSnapshot{}, Events: []EventSnapshot{}, Timelines: []Timeline{}}
	var ctl struct {
		Type string `json:"type"`
	}
	if len(s.DeploymentController) > 0 && json.Unmarshal(s.DeploymentController, &ctl) == nil && ctl.Type != "" {
		snap.Controller = ctl.Type
	}
	var lbs []struct {
		TargetGroupArn string `json:"targetGroupArn"`
	}
	if len(s.LoadBalancers) > 0 && json.Unmarshal(s.LoadBalancers, &lbs) == nil {
		for _, lb := range lbs {
			if lb.TargetGroupArn != "" {
				snap.TargetGroups = append(snap.TargetGroups, lb.TargetGroupArn)
			}
		}
	}
	if bg := s.BlueGreen; bg != nil {
		snap.Stage = bg.Stage
		if bg.Done {
			snap.Stage = ""
		}
		if len(bg.Pairs) > 0 && bg.Pairs[0].ProdRule != "" && e.lb != nil {
			// The load balancer may be asked under the lock (see LoadBalancing).
			if ws, err := e.lb.TrafficWeights(bg.Pairs[0].ProdRule); err == nil {
				total := 0
				for _, w := range ws {
					total += w.Weight
				}
				for _, w := range ws {
					share := TrafficShare{TargetGroup: w.TargetGroupARN}
					if total > 0 {
						share.Percent = float64(w.Weight) * 100 / float64(total)
					}
					snap.Traffic = append(snap.Traffic, share)
				}
			}
		}
	}
	for _, ts := range s.TaskSets {
		tss := TaskSetSnapshot{ID: ts.ID, Status: ts.Status, TaskDefinition: ts.TaskDefinition, Scale: ts.Scale,
			ComputedDesired: ts.Computed, Running: ts.Running, Pending: ts.Pending, Stability: ts.Stability}
		for _, sp := range parseLBSpecs(ts.LoadBalancers) {
			if sp.TargetGroupARN != "" {
				tss.TargetGroups = append(tss.TargetGroups, sp.TargetGroupARN)
			}
		}
		snap.TaskSets = append(snap.TaskSets, tss)
	}
	for i, d := range s.Deployments {
		desired := d.DesiredCount
		if i == 0 {
			desired = s.DesiredCount
		}
		snap.Deployments = append(snap.Deployments, DeploymentSnapshot{ID: d.ID, Status: d.Status,
			TaskDefinition: d.TaskDefinition, Desired: desired, Running: d.RunningCount, Pending: d.PendingCount,
			Failed: d.FailedTasks, RolloutState: d.RolloutState, RolloutStateReason: d.RolloutStateReason,
			CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt})
	}
	zones := map[string]bool{}
	for _, ci := range c.Instances {
		zones[ci.AZ] = true
	}
	for _, t := range c.byService[s.Name] {
		ts := TaskSnapshot{ID: t.ID, AZ: t.AZ, DeploymentID: t.DeploymentID, TaskDefinition: t.TaskDefinition,
			LastStatus: t.LastStatus, DesiredStatus: t.DesiredStatus, HealthStatus: t.HealthStatus,
			Healthy: healthyForService(t, now), StopCode: t.StopCode, StoppedReason: t.StoppedReason,
			CreatedAt: t.CreatedAt, StartedAt: t.StartedAt, StoppedAt: t.StoppedAt, TargetHealth: t.TargetState}
		if len(t.Targets) > 0 {
			ts.TargetGroup = t.Targets[0].TargetGroupARN
		}
		if s.taskSet(t.DeploymentID) != nil {
			ts.TaskSet = t.DeploymentID
		}
		for _, ct := range t.Containers {
			if ct.Essential && ct.ExitCode != nil {
				code := *ct.ExitCode
				ts.ExitCode = &code
				break
			}
		}
		if t.AZ != "" {
			zones[t.AZ] = true
		}
		snap.Tasks = append(snap.Tasks, ts)
	}
	slices.SortFunc(snap.Tasks, func(a, b TaskSnapshot) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for z := range zones {
		snap.Zones = append(snap.Zones, z)
	}
	slices.Sort(snap.Zones)
	for _, ev := range s.Events {
		snap.Events = append(snap.Events, EventSnapshot{At: ev.CreatedAt, Message: ev.Message})
	}
	for _, tl := range e.timelines.byService[s.ARN] {
		snap.Timelines = append(snap.Timelines, copyTimeline(tl))
	}
	return snap, true
}
