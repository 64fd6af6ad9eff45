package emulator

import (
	"fmt"
	"strings"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// defaultCapacity is what every cluster gets without a scenario: three
// Availability Zones with two instances of 2 vCPU / 4 GiB each.
var defaultCapacity = scenario.Capacity{Zones: []scenario.Zone{
	{Name: "a", Instances: 2}, {Name: "b", Instances: 2}, {Name: "c", Instances: 2},
}}

func (e *Emulator) capacityLocked() scenario.Capacity {
	if e.scen != nil && e.scen.Capacity != nil {
		return *e.scen.Capacity
	}
	return defaultCapacity
}

// zoneName turns a scenario zone name into a full AZ name in region.
func zoneName(region, name string) string {
	if strings.Contains(name, "-") {
		return name
	}
	return region + name
}

// zonesLocked lists the region's Availability Zones, in scenario order.
func (e *Emulator) zonesLocked(region string) []string {
	capc := e.capacityLocked()
	zones := make([]string, 0, len(capc.Zones))
	for _, z := range capc.Zones {
		zones = append(zones, zoneName(region, z.Name))
	}
	if len(zones) == 0 {
		zones = []string{region + "a"}
	}
	return zones
}

// syncCapacityLocked makes the cluster's container instances match the
// scenario: missing instances are registered, surplus idle ones are
// deregistered (busy ones are set DRAINING), sizes are updated.
func (e *Emulator) syncCapacityLocked(r *regionState, c *cluster, now time.Time) {
	if c.Status != "ACTIVE" {
		return
	}
	capc := e.capacityLocked()
	busy := map[string]bool{}
	for _, t := range c.Tasks {
		if t.LastStatus != "STOPPED" && t.InstanceARN != "" {
			busy[t.InstanceARN] = true
		}
	}
	var kept []*containerInstance
	wanted := map[string]scenario.Zone{}
	for _, z := range capc.Zones {
		wanted[zoneName(r.Name, z.Name)] = z
	}
	have := map[string]int{}
	for _, ci := range c.Instances {
		z, ok := wanted[ci.AZ]
		if ok && have[ci.AZ] < z.Instances {
			have[ci.AZ]++
			ci.Status = "ACTIVE"
			ci.CPU, ci.Memory, ci.InstanceType = sizeOf(z)
			kept = append(kept, ci)
			continue
		}
		if busy[ci.ARN] {
			ci.Status = "DRAINING"
			kept = append(kept, ci)
		}
	}
	for _, z := range capc.Zones {
		az := zoneName(r.Name, z.Name)
		for have[az] < z.Instances {
			have[az]++
			id := e.ids.hex32()
			cpu, mem, typ := sizeOf(z)
			kept = append(kept, &containerInstance{
				ID: id, ARN: fmt.Sprintf("arn:aws:ecs:%s:%s:container-instance/%s/%s", r.Name, e.opts.AccountID, c.Name, id),
				EC2ID: "i-" + id[:17], AZ: az, InstanceType: typ, CPU: cpu, Memory: mem,
				Status: "ACTIVE", RegisteredAt: now, Seq: r.next(),
			})
		}
	}
	c.Instances = kept
}

func sizeOf(z scenario.Zone) (cpu, mem int, typ string) {
	cpu, mem, typ = z.CPU, z.Memory, z.InstanceType
	if cpu == 0 {
		cpu = 2048
	}
	if mem == 0 {
		mem = 4096
	}
	if typ == "" {
		typ = "t3.medium"
	}
	return cpu, mem, typ
}
