package rollout

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// SettingChange is one service setting that the update changes.
type SettingChange struct {
	Name string `json:"name"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

func (c SettingChange) String() string { return fmt.Sprintf("%s: %s → %s", c.Name, c.Old, c.New) }

// serviceUpdate builds the UpdateService input for the settings (without the
// task definition, which is known only after registering) and lists what
// changes. Settings equal to the service's are left out of both.
func serviceUpdate(svc types.Service, s ServiceSettings) (*ecs.UpdateServiceInput, []SettingChange) {
	in := &ecs.UpdateServiceInput{Cluster: svc.ClusterArn, Service: svc.ServiceName}
	var changes []SettingChange
	note := func(name, old, new string) {
		if old != new {
			changes = append(changes, SettingChange{Name: name, Old: old, New: new})
		}
	}
	if s.DesiredCount != nil && *s.DesiredCount != svc.DesiredCount {
		in.DesiredCount = s.DesiredCount
		note("desiredCount", fmt.Sprint(svc.DesiredCount), fmt.Sprint(*s.DesiredCount))
	}
	if dc := deploymentConfig(svc, s, note); dc != nil {
		in.DeploymentConfiguration = dc
	}
	if s.HealthCheckGracePeriod != nil && aws.ToInt32(svc.HealthCheckGracePeriodSeconds) != *s.HealthCheckGracePeriod {
		in.HealthCheckGracePeriodSeconds = s.HealthCheckGracePeriod
		note("healthCheckGracePeriodSeconds", fmt.Sprint(aws.ToInt32(svc.HealthCheckGracePeriodSeconds)), fmt.Sprint(*s.HealthCheckGracePeriod))
	}
	if nc := networkConfig(svc, s, note); nc != nil {
		in.NetworkConfiguration = nc
	}
	if s.PlatformVersion != nil && aws.ToString(svc.PlatformVersion) != *s.PlatformVersion {
		in.PlatformVersion = s.PlatformVersion
		note("platformVersion", orNone(aws.ToString(svc.PlatformVersion)), *s.PlatformVersion)
	}
	if s.LaunchType != "" && len(svc.CapacityProviderStrategy) > 0 {
		// Back from a capacity provider strategy to a launch type: an empty
		// strategy, taking effect with a new deployment.
		in.CapacityProviderStrategy = []types.CapacityProviderStrategyItem{}
		note("capacityProviderStrategy", APIText(svc.CapacityProviderStrategy), "(none: launch type "+string(s.LaunchType)+")")
	}
	applyExtra(svc, in, s.Extra, note)
	if s.ForceNewDeployment {
		in.ForceNewDeployment = true
		changes = append(changes, SettingChange{Name: "forceNewDeployment", Old: "-", New: "true"})
	} else if in.CapacityProviderStrategy != nil {
		// A new strategy applies to the tasks of the next deployment only.
		in.ForceNewDeployment = true
		changes = append(changes, SettingChange{Name: "forceNewDeployment", Old: "-", New: "true (a capacity provider strategy applies to new tasks)"})
	}
	return in, changes
}

// deploymentConfig merges the requested percentages and circuit breaker into
// the service's deployment configuration, so that settings not named (alarms,
// the other percentage) are kept. It returns nil when nothing changes.
func deploymentConfig(svc types.Service, s ServiceSettings, note func(name, old, new string)) *types.DeploymentConfiguration {
	var cur types.DeploymentConfiguration
	if svc.DeploymentConfiguration != nil {
		cur = *svc.DeploymentConfiguration
	}
	next := cur
	changed := false
	if s.MinHealthyPercent != nil && aws.ToInt32(cur.MinimumHealthyPercent) != *s.MinHealthyPercent {
		note("minimumHealthyPercent", pct(cur.MinimumHealthyPercent), fmt.Sprint(*s.MinHealthyPercent))
		next.MinimumHealthyPercent = s.MinHealthyPercent
		changed = true
	}
	if s.MaxPercent != nil && aws.ToInt32(cur.MaximumPercent) != *s.MaxPercent {
		note("maximumPercent", pct(cur.MaximumPercent), fmt.Sprint(*s.MaxPercent))
		next.MaximumPercent = s.MaxPercent
		changed = true
	}
	if s.CircuitBreaker != nil {
		old := types.DeploymentCircuitBreaker{}
		if cur.DeploymentCircuitBreaker != nil {
			old = *cur.DeploymentCircuitBreaker
		}
		if old.Enable != s.CircuitBreaker.Enable || old.Rollback != s.CircuitBreaker.Rollback {
			note("deploymentCircuitBreaker", breakerText(old), breakerText(*s.CircuitBreaker))
			cb := *s.CircuitBreaker
			next.DeploymentCircuitBreaker = &cb
			changed = true
		}
	}
	if s.Alarms != nil && APIText(cur.Alarms) != APIText(s.Alarms) {
		note("alarms", APIText(cur.Alarms), APIText(s.Alarms))
		a := *s.Alarms
		next.Alarms = &a
		changed = true
	}
	if s.Extra != nil {
		skip := map[string]bool{"MinimumHealthyPercent": s.MinHealthyPercent != nil, "MaximumPercent": s.MaxPercent != nil,
			"DeploymentCircuitBreaker": s.CircuitBreaker != nil, "Alarms": s.Alarms != nil}
		if overlayDeploymentConfig(cur, &next, s.Extra.DeploymentConfiguration, skip, note) {
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return &next
}

func breakerText(b types.DeploymentCircuitBreaker) string {
	switch {
	case b.Enable && b.Rollback:
		return "enabled with rollback"
	case b.Enable:
		return "enabled"
	default:
		return "disabled"
	}
}

func pct(p *int32) string {
	if p == nil {
		return "default"
	}
	return fmt.Sprint(*p)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// networkConfig merges subnets, security groups and public IP into the
// service's awsvpc configuration; nil when nothing changes.
func networkConfig(svc types.Service, s ServiceSettings, note func(name, old, new string)) *types.NetworkConfiguration {
	if len(s.Subnets) == 0 && len(s.SecurityGroups) == 0 && s.AssignPublicIP == nil {
		return nil
	}
	var cur types.AwsVpcConfiguration
	if svc.NetworkConfiguration != nil && svc.NetworkConfiguration.AwsvpcConfiguration != nil {
		cur = *svc.NetworkConfiguration.AwsvpcConfiguration
	}
	next := cur
	changed := false
	if len(s.Subnets) > 0 && !sameSet(cur.Subnets, s.Subnets) {
		note("subnets", listText(cur.Subnets), listText(s.Subnets))
		next.Subnets = s.Subnets
		changed = true
	}
	if len(s.SecurityGroups) > 0 && !sameSet(cur.SecurityGroups, s.SecurityGroups) {
		note("securityGroups", listText(cur.SecurityGroups), listText(s.SecurityGroups))
		next.SecurityGroups = s.SecurityGroups
		changed = true
	}
	if s.AssignPublicIP != nil {
		want := types.AssignPublicIpDisabled
		if *s.AssignPublicIP {
			want = types.AssignPublicIpEnabled
		}
		if cur.AssignPublicIp != want {
			note("assignPublicIp", orNone(string(cur.AssignPublicIp)), string(want))
			next.AssignPublicIp = want
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return &types.NetworkConfiguration{AwsvpcConfiguration: &next}
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

func listText(xs []string) string {
	if len(xs) == 0 {
		return "(none)"
	}
	return strings.Join(xs, ",")
}
