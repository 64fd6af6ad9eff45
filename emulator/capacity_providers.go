package emulator

import (
	"cmp"
	"encoding/json"
	"slices"
)

// capacityProviderItem is one entry of a capacityProviderStrategy.
type capacityProviderItem struct {
	CapacityProvider string `json:"capacityProvider"`
	Weight           *int   `json:"weight"`
	Base             *int   `json:"base"`
}

// capacityStrategy is a checked capacity provider strategy.
type capacityStrategy []capacityProviderItem

// fargateProviders are the capacity providers every cluster can use without
// creating them; any other name stands for an Auto Scaling group provider,
// whose instances are the cluster's container instances.
var fargateProviders = []string{"FARGATE", "FARGATE_SPOT"}

// parseCapacityStrategy checks a capacity provider strategy as ECS does; an
// absent or empty one is nil. Providers need not be associated with the
// cluster (the emulator has no PutClusterCapacityProviders checks).
func parseCapacityStrategy(raw json.RawMessage) (capacityStrategy, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var items capacityStrategy
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, serializationError("capacityProviderStrategy must be a list of {capacityProvider, weight, base}.")
	}
	if len(items) == 0 {
		return nil, nil
	}
	if len(items) > 20 {
		return nil, invalidParameter("capacityProviderStrategy can have at most 20 capacity providers.")
	}
	bases, weighted, fargate := 0, 0, 0
	for i, it := range items {
		switch {
		case it.CapacityProvider == "":
			return nil, invalidParameter("capacityProviderStrategy[%d].capacityProvider is required.", i)
		case it.Weight != nil && (*it.Weight < 0 || *it.Weight > 1000):
			return nil, invalidParameter("capacityProviderStrategy[%d].weight must be between 0 and 1000.", i)
		case it.Base != nil && (*it.Base < 0 || *it.Base > 100000):
			return nil, invalidParameter("capacityProviderStrategy[%d].base must be between 0 and 100000.", i)
		}
		if deref(it.Base) > 0 {
			bases++
		}
		if deref(it.Weight) > 0 {
			weighted++
		}
		if slices.Contains(fargateProviders, it.CapacityProvider) {
			fargate++
		}
	}
	switch {
	case bases > 1:
		return nil, invalidParameter("Only one capacity provider in a capacity provider strategy can have a base defined.")
	case len(items) > 1 && weighted == 0:
		return nil, invalidParameter("At least one capacity provider in a capacity provider strategy must have a weight greater than zero.")
	case fargate > 0 && fargate < len(items):
		return nil, invalidParameter("A capacity provider strategy cannot contain a mix of Fargate capacity providers (FARGATE, FARGATE_SPOT) and Auto Scaling group capacity providers.")
	}
	return items, nil
}

// runsOn is the launch type of the strategy's tasks.
func (cs capacityStrategy) runsOn() string {
	if len(cs) > 0 && slices.Contains(fargateProviders, cs[0].CapacityProvider) {
		return "FARGATE"
	}
	return "EC2"
}

// next picks the provider of one more task, given how many tasks each
// provider already has: the provider with a base until it has base tasks,
// then the weighted provider furthest below its share of the tasks beyond
// the base (the first of equals).
func (cs capacityStrategy) next(counts map[string]int) string {
	best, bestLoad := "", 0.0
	for _, it := range cs {
		n := counts[it.CapacityProvider]
		base := deref(it.Base)
		if n < base {
			return it.CapacityProvider
		}
		w := deref(it.Weight)
		if w == 0 && len(cs) > 1 {
			continue
		}
		load := float64(n-base+1) / float64(max(w, 1))
		if best == "" || load < bestLoad {
			best, bestLoad = it.CapacityProvider, load
		}
	}
	return best
}

// launchTarget resolves a request's launchType and capacityProviderStrategy
// (ECS takes one or the other): the launch type to record, empty for a
// strategy, the launch type the tasks run on, and the strategy if any.
func launchTarget(launchType string, raw json.RawMessage) (recorded, runOn string, cs capacityStrategy, err error) {
	if cs, err = parseCapacityStrategy(raw); err != nil {
		return "", "", nil, err
	}
	if cs == nil {
		launchType = cmp.Or(launchType, "EC2")
		return launchType, launchType, nil, nil
	}
	if launchType != "" {
		return "", "", nil, invalidParameter("Specifying both a launchType and capacityProviderStrategy is not supported; remove one of them.")
	}
	return "", cs.runsOn(), cs, nil
}

// launchSpec is what CreateService and RunTask resolve, in the same order
// and with the same checks, before any task can start.
type launchSpec struct {
	td         *taskDef
	network    *networkConfiguration
	launchType string           // as recorded on a service: empty with a capacity provider strategy
	strategy   json.RawMessage  // the capacity provider strategy in force, as given
	providers  capacityStrategy // the same, checked; nil with a launch type
	runOn      string           // the launch type the tasks run on
	rules      placementRules
}

// With neither a launch type nor a strategy, the cluster's default
// capacity provider strategy applies, and without one the EC2 launch type.
func (x *ecsCall) resolveLaunch(c *cluster, taskDefRef string, network json.RawMessage, launchType string,
	strategy, placementStrategy, placementConstraints json.RawMessage) (launchSpec, error) {
	var ls launchSpec
	var err error
	if launchType == "" && isEmptyList(strategy) {
		strategy = c.DefaultStrategy
	}
	if ls.td, err = x.usableTaskDef(taskDefRef); err != nil {
		return ls, err
	}
	if ls.network, err = parseNetwork(network); err != nil {
		return ls, err
	}
	if ls.launchType, ls.runOn, ls.providers, err = launchTarget(launchType, strategy); err != nil {
		return ls, err
	}
	if ls.providers != nil {
		ls.strategy = strategy
	}
	if err := checkLaunch(ls.td, ls.runOn, ls.network); err != nil {
		return ls, err
	}
	ls.rules, err = placementFor(ls.runOn, placementStrategy, placementConstraints, ls.td)
	return ls, err
}

// isEmptyList reports whether raw is absent, null or [].
func isEmptyList(raw json.RawMessage) bool {
	var items []json.RawMessage
	return len(raw) == 0 || (json.Unmarshal(raw, &items) == nil && len(items) == 0)
}

// runLaunchType is the launch type a service's new tasks run on. Its
// strategy was checked when it was set.
func (s *service) runLaunchType() string { return runsOn(s.LaunchType, s.CapacityProviders) }

// runsOn is the launch type of tasks placed by a launch type or, without
// one, by a capacity provider strategy (checked when it was set).
func runsOn(launchType string, providers json.RawMessage) string {
	if launchType != "" {
		return launchType
	}
	cs, _ := parseCapacityStrategy(providers)
	return cs.runsOn()
}

// runLaunchType is the launch type the revision's tasks use.
func (rev *serviceRevision) runLaunchType() string {
	return runsOn(rev.LaunchType, rev.CapacityProviders)
}

// runLaunchType is the launch type of the deployment's tasks. Deployments
// saved before RunLaunchType existed fall back to their launch type.
func (d *deployment) runLaunchType() string {
	return cmp.Or(d.RunLaunchType, d.LaunchType, "EC2")
}

// providers is the deployment's checked capacity provider strategy (nil
// for a launch type); it was checked when it was set.
func (d *deployment) providers() capacityStrategy {
	if d.LaunchType != "" {
		return nil
	}
	cs, _ := parseCapacityStrategy(d.CapacityProviders)
	return cs
}
