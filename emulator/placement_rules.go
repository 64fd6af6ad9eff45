package emulator

import (
	"encoding/json"
	"hash/fnv"
	"regexp"
	"strings"
	"sync"
)

// placementRules are a service's or RunTask's placement strategies and
// constraints, with the task definition's constraints added.
//
// PARTIAL: strategies spread (availability zone, instanceId/host), binpack
// (cpu, memory) and random are applied; of the constraints, distinctInstance
// and memberOf expressions on the availability zone or instance type
// ("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
// "attribute:ecs.instance-type == t3.large") are applied. Other memberOf
// expressions are accepted and not evaluated.
type placementRules struct {
	strategies       []placementStrategy
	distinctInstance bool
	zones            []string // memberOf on ecs.availability-zone
	instanceTypes    []string // memberOf on ecs.instance-type
}

type placementStrategy struct {
	Type  string `json:"type"`
	Field string `json:"field"`
}

type placementConstraint struct {
	Type       string `json:"type"`
	Expression string `json:"expression"`
}

// defaultStrategies is ECS's default for services: spread over zones, then instances.
var defaultStrategies = []placementStrategy{{"spread", "attribute:ecs.availability-zone"}, {"spread", "instanceId"}}

var memberOfPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s*attribute:(ecs\.availability-zone|ecs\.instance-type)\s*(==|in)\s*(.+?)\s*$`)
})

// parsePlacement reads strategies and constraints; errors are InvalidParameterException.
func parsePlacement(strategies json.RawMessage, constraints ...json.RawMessage) (placementRules, error) {
	var rules placementRules
	if len(strategies) > 0 && string(strategies) != "null" {
		if err := json.Unmarshal(strategies, &rules.strategies); err != nil {
			return rules, invalidParameter("placementStrategy must be a list of {type, field}.")
		}
	}
	if len(rules.strategies) > 5 {
		return rules, invalidParameter("A maximum of 5 placement strategies can be specified.")
	}
	for _, s := range rules.strategies {
		switch {
		case s.Type == "random":
		case s.Type == "spread" && s.Field != "":
		case s.Type == "binpack" && (strings.EqualFold(s.Field, "cpu") || strings.EqualFold(s.Field, "memory")):
		default:
			return rules, invalidParameter("Invalid placement strategy: type %q with field %q.", s.Type, s.Field)
		}
	}
	var all []placementConstraint
	for _, raw := range constraints {
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var cs []placementConstraint
		if err := json.Unmarshal(raw, &cs); err != nil {
			return rules, invalidParameter("placementConstraints must be a list of {type, expression}.")
		}
		all = append(all, cs...)
	}
	if len(all) > 10 {
		return rules, invalidParameter("A maximum of 10 placement constraints can be specified.")
	}
	for _, c := range all {
		switch c.Type {
		case "distinctInstance":
			if c.Expression != "" {
				return rules, invalidParameter("The distinctInstance constraint does not take an expression.")
			}
			rules.distinctInstance = true
		case "memberOf":
			if c.Expression == "" || len(c.Expression) > 2000 {
				return rules, invalidParameter("A memberOf constraint needs an expression of at most 2000 characters.")
			}
			if m := memberOfPattern().FindStringSubmatch(c.Expression); m != nil {
				values := strings.Split(strings.Trim(m[3], "[]() "), ",")
				for i := range values {
					values[i] = strings.TrimSpace(values[i])
				}
				if m[1] == "ecs.availability-zone" {
					rules.zones = append(rules.zones, values...)
				} else {
					rules.instanceTypes = append(rules.instanceTypes, values...)
				}
			}
		default:
			return rules, invalidParameter("Invalid placement constraint type %q: use distinctInstance or memberOf.", c.Type)
		}
	}
	return rules, nil
}

// placementFor parses the rules for a launch; Fargate takes none.
func placementFor(launchType string, strategies, constraints json.RawMessage, td *taskDef) (placementRules, error) {
	if launchType == "FARGATE" {
		if len(strategies) > 0 && string(strategies) != "null" && string(strategies) != "[]" {
			return placementRules{}, invalidParameter("Placement strategies are not supported with FARGATE launch type.")
		}
		if len(constraints) > 0 && string(constraints) != "null" && string(constraints) != "[]" {
			return placementRules{}, invalidParameter("Placement constraints are not supported with FARGATE launch type.")
		}
		return placementRules{}, nil
	}
	return parsePlacement(strategies, constraints, td.Members["placementConstraints"])
}

// allows reports whether the constraints let a task of the group run on ci.
func (p placementRules) allows(ci *containerInstance, g groupCounts) bool {
	if p.distinctInstance && g.byInstance[ci.ARN] > 0 {
		return false
	}
	if len(p.zones) > 0 && !contains(p.zones, ci.AZ) {
		return false
	}
	if len(p.instanceTypes) > 0 && !contains(p.instanceTypes, ci.InstanceType) {
		return false
	}
	return true
}

// compare orders two candidate instances by the strategies (negative: a first).
func (p placementRules) compare(a, b *containerInstance, g groupCounts, use map[string]*instanceUse, salt int64) int {
	strategies := p.strategies
	if len(strategies) == 0 {
		strategies = defaultStrategies
	}
	for _, s := range strategies {
		d := 0
		switch {
		case s.Type == "spread" && (s.Field == "instanceId" || s.Field == "host"):
			d = g.byInstance[a.ARN] - g.byInstance[b.ARN]
		case s.Type == "spread" && s.Field == "attribute:ecs.availability-zone":
			d = g.byAZ[a.AZ] - g.byAZ[b.AZ]
		case s.Type == "binpack" && strings.EqualFold(s.Field, "memory"):
			d = (a.Memory - use[a.ARN].memOrZero()) - (b.Memory - use[b.ARN].memOrZero())
		case s.Type == "binpack" && strings.EqualFold(s.Field, "cpu"):
			d = (a.CPU - use[a.ARN].cpuOrZero()) - (b.CPU - use[b.ARN].cpuOrZero())
		case s.Type == "random":
			d = int(shuffleKey(a.ID, salt)) - int(shuffleKey(b.ID, salt))
		}
		if d != 0 {
			return d
		}
	}
	return int(a.Seq - b.Seq)
}

// shuffleKey is a deterministic pseudo-random rank of an instance for one
// placement, so "random" is reproducible.
func shuffleKey(id string, salt int64) uint16 {
	h := fnv.New32a()
	h.Write([]byte(id))
	h.Write([]byte{byte(salt), byte(salt >> 8), byte(salt >> 16)})
	return uint16(h.Sum32())
}

func (u *instanceUse) cpuOrZero() int {
	if u == nil {
		return 0
	}
	return u.cpu
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
