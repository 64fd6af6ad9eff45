package emulator

import (
	"fmt"
	"slices"
)

// placement is where a task goes: an AZ, and an instance (EC2) or subnet (awsvpc).
type placement struct {
	az          string
	subnet      string
	instanceARN string
	hostPorts   []int
	cpu, memory int
}

// placeFailure explains why a task could not be placed.
type placeFailure struct {
	reason   string // RunTask failure reason, e.g. RESOURCE:MEMORY
	instance string // the closest matching instance ARN, if any
	message  string // the service event text after "(service S) "
}

// groupCounts counts a group's live tasks per AZ and per instance, the
// basis of ECS's default spread placement.
type groupCounts struct {
	byAZ       map[string]int
	byInstance map[string]int
}

func countGroup(c *cluster, group string) groupCounts {
	g := groupCounts{byAZ: map[string]int{}, byInstance: map[string]int{}}
	for _, t := range c.Tasks {
		if t.Group == group && t.DesiredStatus == "RUNNING" && t.LastStatus != "STOPPED" {
			g.byAZ[t.AZ]++
			g.byInstance[t.InstanceARN]++
		}
	}
	return g
}

// placeTask picks a spot for one task of td in c: Fargate spreads across
// the AZs of the subnets; EC2 keeps the instances with enough CPU, memory
// and free host ports, prefers the AZ with the fewest tasks of the group,
// then the instance with the fewest.
func (e *Emulator) placeTask(r *regionState, c *cluster, td *taskDef, launchType string,
	network *networkConfiguration, g groupCounts, rules placementRules) (placement, *placeFailure) {
	cpu, mem := taskResources(td)
	if launchType == "FARGATE" {
		return e.placeFargate(r, network, g, cpu, mem)
	}
	return e.placeEC2(r, c, td, g, cpu, mem, rules)
}

func (e *Emulator) placeFargate(r *regionState, network *networkConfiguration, g groupCounts, cpu, mem int) (placement, *placeFailure) {
	subnets := []string{""}
	if network != nil && len(network.Subnets) > 0 {
		subnets = network.Subnets
	}
	best := placement{}
	bestCount := -1
	for _, sn := range subnets {
		az := e.subnetAZ(r, sn)
		if n := g.byAZ[az]; bestCount < 0 || n < bestCount {
			best, bestCount = placement{az: az, subnet: sn, cpu: cpu, memory: mem}, n
		}
	}
	return best, nil
}

// subnetAZ gives each subnet an AZ the first time it is seen, round robin
// over the scenario's zones, so that distinct subnets spread over zones.
func (e *Emulator) subnetAZ(r *regionState, subnet string) string {
	zones := e.zonesLocked(r.Name)
	if subnet == "" {
		return zones[0]
	}
	if az, ok := r.SubnetAZ[subnet]; ok {
		return az
	}
	az := zones[len(r.SubnetAZ)%len(zones)]
	r.SubnetAZ[subnet] = az
	return az
}

type instanceUse struct {
	cpu, mem int
	ports    map[int]bool
}

func instanceUsage(c *cluster) map[string]*instanceUse {
	use := map[string]*instanceUse{}
	for _, t := range c.Tasks {
		if t.InstanceARN == "" || t.LastStatus == "STOPPED" {
			continue
		}
		u := use[t.InstanceARN]
		if u == nil {
			u = &instanceUse{ports: map[int]bool{}}
			use[t.InstanceARN] = u
		}
		u.cpu += t.CPU
		u.mem += t.Memory
		for _, p := range t.HostPorts {
			u.ports[p] = true
		}
	}
	return use
}

func (e *Emulator) placeEC2(r *regionState, c *cluster, td *taskDef, g groupCounts, cpu, mem int, rules placementRules) (placement, *placeFailure) {
	active := slices.DeleteFunc(slices.Clone(c.Instances), func(ci *containerInstance) bool { return ci.Status != "ACTIVE" })
	if len(active) == 0 {
		return placement{}, &placeFailure{reason: "No Container Instances were found in your cluster.",
			message: "was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."}
	}
	allowed := slices.DeleteFunc(active, func(ci *containerInstance) bool { return !rules.allows(ci, g) })
	if len(allowed) == 0 {
		return placement{}, &placeFailure{reason: "MemberOf placement constraint unsatisfied.",
			message: "was unable to place a task because no container instance met all of its requirements. The closest matching container-instance does not satisfy the placement constraints. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."}
	}
	active = allowed
	use := instanceUsage(c)
	ports := fixedHostPorts(td)
	var fits []*containerInstance
	var closest *containerInstance
	closestWhy := ""
	for _, ci := range active {
		u := use[ci.ARN]
		if u == nil {
			u = &instanceUse{ports: map[int]bool{}}
		}
		why := ""
		switch {
		case ci.Memory-u.mem < mem:
			why = "memory"
		case ci.CPU-u.cpu < cpu:
			why = "CPU units"
		case slices.ContainsFunc(ports, func(p int) bool { return u.ports[p] }):
			why = "ports"
		}
		if why == "" {
			fits = append(fits, ci)
			continue
		}
		if closest == nil || ci.Memory-u.mem > closest.Memory-use[closest.ARN].memOrZero() {
			closest, closestWhy = ci, why
		}
	}
	if len(fits) == 0 {
		reason := map[string]string{"memory": "RESOURCE:MEMORY", "CPU units": "RESOURCE:CPU", "ports": "RESOURCE:PORTS"}[closestWhy]
		detail := fmt.Sprintf("has insufficient %s available", closestWhy)
		if closestWhy == "ports" {
			detail = "is already using a port required by your task"
		}
		return placement{}, &placeFailure{reason: reason, instance: closest.ARN,
			message: fmt.Sprintf("was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance %s) %s. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.", closest.ID, detail)}
	}
	salt := r.Sequence
	slices.SortStableFunc(fits, func(a, b *containerInstance) int { return rules.compare(a, b, g, use, salt) })
	ci := fits[0]
	return placement{az: ci.AZ, instanceARN: ci.ARN, hostPorts: ports, cpu: cpu, memory: mem}, nil
}

func (u *instanceUse) memOrZero() int {
	if u == nil {
		return 0
	}
	return u.mem
}

// pickTasksToStop chooses n of candidates to stop: tasks that are not yet
// healthy first, then from the AZ with the most tasks of the group, then the
// instance with the most, newest first.
func pickTasksToStop(candidates []*task, n int, g groupCounts, healthy func(*task) bool) []*task {
	pool := slices.Clone(candidates)
	var picked []*task
	for len(picked) < n && len(pool) > 0 {
		best := 0
		for i := 1; i < len(pool); i++ {
			if stopBefore(pool[i], pool[best], g, healthy) {
				best = i
			}
		}
		t := pool[best]
		picked = append(picked, t)
		pool = slices.Delete(pool, best, best+1)
		g.byAZ[t.AZ]--
		g.byInstance[t.InstanceARN]--
	}
	return picked
}

func stopBefore(a, b *task, g groupCounts, healthy func(*task) bool) bool {
	if ha, hb := healthy(a), healthy(b); ha != hb {
		return !ha
	}
	if d := g.byAZ[a.AZ] - g.byAZ[b.AZ]; d != 0 {
		return d > 0
	}
	if d := g.byInstance[a.InstanceARN] - g.byInstance[b.InstanceARN]; d != 0 {
		return d > 0
	}
	return a.Seq > b.Seq
}
