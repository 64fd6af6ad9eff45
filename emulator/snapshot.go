package emulator

import (
	"bytes"
	"maps"
	"slices"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// The functions below copy the state deeply, so that a save can encode a
// consistent snapshot while requests go on changing the original. Only
// what is saved is copied (the indexes rebuilt after a load are not).
// TestSnapshotSharesNothing checks, field by field, that a copy shares no
// memory with the original: a field added to a type without a copy here
// fails it.

func cloneRaw(b []byte) []byte {
	if b == nil {
		return nil
	}
	return bytes.Clone(b)
}

func clonePtr[T any](p *T, clone func(T) T) *T {
	if p == nil {
		return nil
	}
	v := clone(*p)
	return &v
}

func cloneEach[T any](s []T, clone func(T) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = clone(v)
	}
	return out
}

func cloneMap[K comparable, V any](m map[K]V, clone func(V) V) map[K]V {
	if m == nil {
		return nil
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = clone(v)
	}
	return out
}

func same[T any](v T) T { return v }

func (s *state) clone() *state {
	return &state{Regions: cloneMap(s.Regions, (*regionState).clone)}
}

func (r *regionState) clone() *regionState {
	c := *r
	c.Clusters = cloneMap(r.Clusters, (*cluster).clone)
	c.Families = cloneMap(r.Families, (*family).clone)
	c.SubnetAZ = maps.Clone(r.SubnetAZ)
	return &c
}

func (c *cluster) clone() *cluster {
	return &cluster{
		Name: c.Name, ARN: c.ARN, Status: c.Status, Seq: c.Seq,
		Tags:              slices.Clone(c.Tags),
		Settings:          cloneRaw(c.Settings),
		Configuration:     cloneRaw(c.Configuration),
		CapacityProviders: slices.Clone(c.CapacityProviders),
		DefaultStrategy:   cloneRaw(c.DefaultStrategy),
		Services:          cloneMap(c.Services, (*service).clone),
		Tasks:             cloneTasks(c.Tasks),
		Instances:         cloneEach(c.Instances, func(i *containerInstance) *containerInstance { return clonePtr(i, same) }),
		RunTokens: cloneMap(c.RunTokens, func(r runToken) runToken {
			r.Tasks = slices.Clone(r.Tasks)
			return r
		}),
	}
}

func (f *family) clone() *family {
	return &family{Name: f.Name, Revisions: cloneEach(f.Revisions, (*taskDef).clone)}
}

// taskDefShared lists the members of a registered revision that never
// change after RegisterTaskDefinition: the snapshot shares them.
var taskDefShared = []string{"Members", "Containers", "Requires", "Compatibilities"}

func (td *taskDef) clone() *taskDef {
	c := *td // see taskDefShared
	c.Tags = slices.Clone(td.Tags)
	return &c
}

func (s *service) clone() *service {
	c := *s
	c.CapacityProviders = cloneRaw(s.CapacityProviders)
	c.Config = s.Config.clone()
	c.Deployments = cloneEach(s.Deployments, (*deployment).clone)
	c.LoadBalancers = cloneRaw(s.LoadBalancers)
	c.ServiceRegistries = cloneRaw(s.ServiceRegistries)
	c.Network = s.Network.clone()
	c.GracePeriod = clonePtr(s.GracePeriod, same)
	c.DeploymentController = cloneRaw(s.DeploymentController)
	c.PlacementConstraints = cloneRaw(s.PlacementConstraints)
	c.PlacementStrategy = cloneRaw(s.PlacementStrategy)
	c.Tags = slices.Clone(s.Tags)
	c.Events = slices.Clone(s.Events)
	c.LastCompleted = s.LastCompleted.clone()
	c.Revisions = cloneEach(s.Revisions, (*serviceRevision).clone)
	c.History = cloneEach(s.History, (*serviceDeployment).clone)
	c.BlueGreen = clonePtr(s.BlueGreen, func(b blueGreen) blueGreen { b.Pairs = slices.Clone(b.Pairs); return b })
	c.TaskSets = cloneEach(s.TaskSets, (*taskSet).clone)
	c.passThrough = s.passThrough.clone()
	return &c
}

func (ts *taskSet) clone() *taskSet {
	if ts == nil {
		return nil
	}
	c := *ts
	c.CapacityProviders = cloneRaw(ts.CapacityProviders)
	c.Network = ts.Network.clone()
	c.LoadBalancers = cloneRaw(ts.LoadBalancers)
	c.ServiceRegistries = cloneRaw(ts.ServiceRegistries)
	c.Tags = slices.Clone(ts.Tags)
	return &c
}

func (dc deploymentConfiguration) clone() deploymentConfiguration {
	dc.Alarms = cloneRaw(dc.Alarms)
	dc.configPassThrough = dc.configPassThrough.clone()
	dc.BakeMinutes = clonePtr(dc.BakeMinutes, same)
	dc.Hooks = cloneEach(dc.Hooks, func(h lifecycleHook) lifecycleHook {
		h.LifecycleStages = slices.Clone(h.LifecycleStages)
		h.HookDetails = cloneRaw(h.HookDetails)
		h.TimeoutConfiguration = clonePtr(h.TimeoutConfiguration, func(t hookTimeout) hookTimeout {
			t.TimeoutInMinutes = clonePtr(t.TimeoutInMinutes, same)
			return t
		})
		return h
	})
	return dc
}

func (n *networkConfiguration) clone() *networkConfiguration {
	if n == nil {
		return nil
	}
	c := *n
	c.Subnets = slices.Clone(n.Subnets)
	c.SecurityGroups = slices.Clone(n.SecurityGroups)
	c.Raw = cloneRaw(n.Raw)
	return &c
}

func (d *deployment) clone() *deployment {
	if d == nil {
		return nil
	}
	c := *d
	c.CapacityProviders = cloneRaw(d.CapacityProviders)
	c.Network = d.Network.clone()
	return &c
}

func (r *serviceRevision) clone() *serviceRevision {
	if r == nil {
		return nil
	}
	c := *r
	c.CapacityProviders = cloneRaw(r.CapacityProviders)
	c.LoadBalancers = cloneRaw(r.LoadBalancers)
	c.ServiceRegistries = cloneRaw(r.ServiceRegistries)
	c.Network = r.Network.clone()
	c.revisionMembers = r.revisionMembers.clone()
	return &c
}

func (sd *serviceDeployment) clone() *serviceDeployment {
	if sd == nil {
		return nil
	}
	c := *sd
	c.DeploymentIDs = slices.Clone(sd.DeploymentIDs)
	c.Sources = slices.Clone(sd.Sources)
	c.Config = sd.Config.clone()
	return &c
}

// cloneTasks copies a cluster's tasks with a handful of allocations (one
// array of tasks, one of containers, one of their pointers) instead of
// several per task: the copy is what holds requests during a save.
func cloneTasks(m map[string]*task) map[string]*task {
	if m == nil {
		return nil
	}
	nContainers := 0
	for _, t := range m {
		nContainers += len(t.Containers)
	}
	tasks := make([]task, len(m))
	containers := make([]container, nContainers)
	ptrs := make([]*container, nContainers)
	out := make(map[string]*task, len(m))
	i, j := 0, 0
	for id, t := range m {
		c := &tasks[i]
		i++
		t.cloneInto(c)
		if t.Containers != nil {
			n := len(t.Containers)
			c.Containers = ptrs[j : j+n : j+n]
			for k, ct := range t.Containers {
				if ct == nil {
					c.Containers[k] = nil
					continue
				}
				ct.cloneInto(&containers[j+k])
				c.Containers[k] = &containers[j+k]
			}
			j += n
		}
		out[id] = c
	}
	return out
}

func (t *task) clone() *task {
	c := &task{}
	t.cloneInto(c)
	c.Containers = cloneEach(t.Containers, (*container).clone)
	return c
}

// cloneInto copies t into c, all but the containers.
func (t *task) cloneInto(c *task) {
	*c = *t
	c.Containers = nil
	c.cl, c.wakeAt, c.wakePending = nil, 0, false
	c.HostPorts = slices.Clone(t.HostPorts)
	c.Overrides = cloneRaw(t.Overrides)
	c.Tags = slices.Clone(t.Tags)
	c.Network = t.Network.clone()
	c.Targets = slices.Clone(t.Targets)
}

func (ct *container) clone() *container {
	if ct == nil {
		return nil
	}
	c := &container{}
	ct.cloneInto(c)
	return c
}

func (ct *container) cloneInto(c *container) {
	*c = *ct
	c.Ports = slices.Clone(ct.Ports)
	c.ExitCode = clonePtr(ct.ExitCode, same)
	c.Health = clonePtr(ct.Health, same)
	c.Behaviour = cloneImage(ct.Behaviour)
	c.LogOptions = maps.Clone(ct.LogOptions)
}

func cloneImage(im scenario.Image) scenario.Image {
	im.ExitCode = clonePtr(im.ExitCode, same)
	im.Logs = slices.Clone(im.Logs)
	return im
}
