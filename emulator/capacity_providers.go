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

// fargateProviders are the capacity providers every cluster can use without
// creating them; any other name stands for an Auto Scaling group provider,
// whose instances are the cluster's container instances.
var fargateProviders = []string{"FARGATE", "FARGATE_SPOT"}

// resolveCapacityStrategy checks a capacity provider strategy and returns the
// launch type its tasks run on and the provider named on them.
//
// Partial: ECS splits a service's tasks between providers (base first, then
// by weight); the emulator runs every task on one provider — the one with a
// base, else the one with the highest weight (the first of equals) — so a
// FARGATE/FARGATE_SPOT mix runs wholly on one of them.
func resolveCapacityStrategy(raw json.RawMessage) (launchType, provider string, err error) {
	if len(raw) == 0 {
		return "", "", nil
	}
	var items []capacityProviderItem
	if err := json.Unmarshal(raw, &items); err != nil {
		return "", "", serializationError("capacityProviderStrategy must be a list of {capacityProvider, weight, base}.")
	}
	if len(items) == 0 {
		return "", "", nil
	}
	if len(items) > 20 {
		return "", "", invalidParameter("capacityProviderStrategy can have at most 20 capacity providers.")
	}
	chosen, bases := -1, 0
	for i, it := range items {
		switch {
		case it.CapacityProvider == "":
			return "", "", invalidParameter("capacityProviderStrategy[%d].capacityProvider is required.", i)
		case it.Weight != nil && (*it.Weight < 0 || *it.Weight > 1000):
			return "", "", invalidParameter("capacityProviderStrategy[%d].weight must be between 0 and 1000.", i)
		case it.Base != nil && (*it.Base < 0 || *it.Base > 100000):
			return "", "", invalidParameter("capacityProviderStrategy[%d].base must be between 0 and 100000.", i)
		}
		if deref(it.Base) > 0 {
			if bases++; bases > 1 {
				return "", "", invalidParameter("Only one capacity provider in a capacity provider strategy can have a base defined.")
			}
			chosen = i
		}
	}
	if chosen < 0 {
		for i, it := range items {
			if chosen < 0 || deref(it.Weight) > deref(items[chosen].Weight) {
				chosen = i
			}
		}
	}
	provider = items[chosen].CapacityProvider
	if slices.Contains(fargateProviders, provider) {
		return "FARGATE", provider, nil
	}
	return "EC2", provider, nil
}

// launchTarget resolves a request's launchType and capacityProviderStrategy
// (ECS takes one or the other): the launch type to record, empty for a
// strategy, and the launch type the tasks run on.
func launchTarget(launchType string, strategy json.RawMessage) (recorded, runOn, provider string, err error) {
	runOn, provider, err = resolveCapacityStrategy(strategy)
	if err != nil {
		return "", "", "", err
	}
	if provider == "" {
		launchType = cmp.Or(launchType, "EC2")
		return launchType, launchType, "", nil
	}
	if launchType != "" {
		return "", "", "", invalidParameter("Specifying both a launchType and capacityProviderStrategy is not supported; remove one of them.")
	}
	return "", runOn, provider, nil
}

// launchSpec is what CreateService and RunTask resolve, in the same order
// and with the same checks, before any task can start.
type launchSpec struct {
	td         *taskDef
	network    *networkConfiguration
	launchType string          // as recorded on a service: empty with a capacity provider strategy
	strategy   json.RawMessage // the capacity provider strategy in force, if any
	runOn      string          // the launch type the tasks run on
	provider   string          // the capacity provider named on the tasks, if any
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
	if ls.launchType, ls.runOn, ls.provider, err = launchTarget(launchType, strategy); err != nil {
		return ls, err
	}
	if ls.provider != "" {
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

// runTarget is the launch type a service's new tasks run on and the
// capacity provider named on them (none for a service with a launch type).
// The strategy was checked when it was set.
func (s *service) runTarget() (launchType, provider string) {
	if s.LaunchType != "" || len(s.CapacityProviders) == 0 {
		return cmp.Or(s.LaunchType, "EC2"), ""
	}
	launchType, provider, _ = resolveCapacityStrategy(s.CapacityProviders)
	return cmp.Or(launchType, "EC2"), provider
}

// runLaunchType is the launch type of the deployment's tasks. Deployments
// saved before RunLaunchType existed fall back to their launch type.
func (d *deployment) runLaunchType() string {
	return cmp.Or(d.RunLaunchType, d.LaunchType, "EC2")
}
