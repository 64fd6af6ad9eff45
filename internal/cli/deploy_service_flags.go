package cli

import (
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// serviceFlags set UpdateService members beyond deploy's own settings:
// capacity providers, placement, alarms, execute command, tags, zone
// rebalancing. They win over the same members of a spec's service: mapping.
type serviceFlags struct {
	family               string
	capacityProviders    []string
	launchType           string
	placementConstraints []string
	placementStrategies  []string
	alarms               []string
	alarmRollback        bool
	executeCommand       string
	propagateTags        string
	managedTags          string
	zoneRebalancing      string
}

func (f *serviceFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.family, "family", "", "register the new revision into this family instead of the service's (Octopus's task definition name)")
	stringArrayVar(fs, &f.capacityProviders, "capacity-provider", "set the capacity provider strategy: NAME[:WEIGHT[:BASE]] (repeatable; starts a new deployment)")
	fs.StringVar(&f.launchType, "launch-type", "", "the launch type the service must run on (FARGATE, EC2, EXTERNAL); moves a service off a capacity provider strategy")
	stringArrayVar(fs, &f.placementConstraints, "placement-constraint", "set the placement constraints: distinctInstance or memberOf:EXPRESSION (repeatable)")
	stringArrayVar(fs, &f.placementStrategies, "placement-strategy", "set the placement strategy: random, spread:FIELD or binpack:cpu|memory (repeatable, in order)")
	stringArrayVar(fs, &f.alarms, "alarm", "watch this CloudWatch alarm during deployments (repeatable); the deployment fails when it fires")
	fs.BoolVar(&f.alarmRollback, "alarm-rollback", false, "with --alarm: ECS rolls the deployment back when an alarm fires")
	fs.StringVar(&f.executeCommand, "enable-execute-command", "", "allow ECS Exec into the tasks (=false to disallow)")
	fs.Lookup("enable-execute-command").NoOptDefVal = "true"
	fs.StringVar(&f.propagateTags, "propagate-tags", "", "copy tags to the tasks from SERVICE, TASK_DEFINITION or NONE")
	fs.StringVar(&f.managedTags, "enable-ecs-managed-tags", "", "let ECS tag the tasks with the cluster and service names (=false to stop)")
	fs.Lookup("enable-ecs-managed-tags").NoOptDefVal = "true"
	fs.StringVar(&f.zoneRebalancing, "zone-rebalancing", "", "availability zone rebalancing: ENABLED or DISABLED")
}

// apply writes the flags that were given into the request.
func (f *serviceFlags) apply(x *expander, req *rollout.Request) {
	if x.given("family") {
		req.Family = strings.TrimSpace(x.expand("family", f.family))
		req.Origins = req.Origins.Set("family", exitcode.FlagOrigin("--family"))
		if !familyNameRE().MatchString(req.Family) {
			x.problems.Add("--family", 0, "%q is not a task-definition family name (up to 255 letters, digits, '_' and '-')", req.Family)
		}
	}
	s := &req.Settings
	extra := func() *ecs.UpdateServiceInput {
		if s.Extra == nil {
			s.Extra = &ecs.UpdateServiceInput{}
		}
		return s.Extra
	}
	if x.given("capacity-provider") {
		items := []types.CapacityProviderStrategyItem{}
		for _, v := range x.expandAll("capacity-provider", f.capacityProviders) {
			item, err := rollout.ParseCapacityProvider(v)
			if err != nil {
				x.problems.Add("--capacity-provider", 0, "%v", err)
				continue
			}
			items = append(items, item)
		}
		extra().CapacityProviderStrategy = items
	}
	if x.given("launch-type") {
		lt := types.LaunchType(strings.ToUpper(strings.TrimSpace(x.expand("launch-type", f.launchType))))
		if !oneOfValues(lt, lt.Values()) {
			x.problems.Add("--launch-type", 0, "%q: use FARGATE, EC2 or EXTERNAL", lt)
		}
		if x.given("capacity-provider") {
			x.problems.Add("--launch-type", 0, "choose --launch-type or --capacity-provider, not both")
		}
		s.LaunchType = lt
		req.Origins = req.Origins.Set("launchType", exitcode.FlagOrigin("--launch-type"))
	}
	if x.given("placement-constraint") {
		pcs := []types.PlacementConstraint{}
		for _, v := range x.expandAll("placement-constraint", f.placementConstraints) {
			pc, err := rollout.ParsePlacementConstraint(v)
			if err != nil {
				x.problems.Add("--placement-constraint", 0, "%v", err)
				continue
			}
			pcs = append(pcs, pc)
		}
		extra().PlacementConstraints = pcs
	}
	if x.given("placement-strategy") {
		pss := []types.PlacementStrategy{}
		for _, v := range x.expandAll("placement-strategy", f.placementStrategies) {
			ps, err := rollout.ParsePlacementStrategy(v)
			if err != nil {
				x.problems.Add("--placement-strategy", 0, "%v", err)
				continue
			}
			pss = append(pss, ps)
		}
		extra().PlacementStrategy = pss
	}
	if x.given("alarm") {
		names := x.expandAll("alarm", f.alarms)
		s.Alarms = &types.DeploymentAlarms{AlarmNames: names, Enable: len(names) > 0, Rollback: f.alarmRollback}
	} else if x.given("alarm-rollback") {
		x.problems.Add("--alarm-rollback", 0, "needs --alarm NAME: the alarms whose firing rolls the deployment back")
	}
	boolFlag := func(name, v string) *bool {
		b, err := strconv.ParseBool(strings.TrimSpace(x.expand(name, v)))
		if err != nil {
			x.problems.Add("--"+name, 0, "%q: use --%s or --%s=false", v, name, name)
			return nil
		}
		return aws.Bool(b)
	}
	if x.given("enable-execute-command") {
		extra().EnableExecuteCommand = boolFlag("enable-execute-command", f.executeCommand)
	}
	if x.given("enable-ecs-managed-tags") {
		extra().EnableECSManagedTags = boolFlag("enable-ecs-managed-tags", f.managedTags)
	}
	if x.given("propagate-tags") {
		pt := types.PropagateTags(strings.ToUpper(strings.TrimSpace(x.expand("propagate-tags", f.propagateTags))))
		if !oneOfValues(pt, pt.Values()) {
			x.problems.Add("--propagate-tags", 0, "%q: use SERVICE, TASK_DEFINITION or NONE", pt)
		}
		extra().PropagateTags = pt
	}
	if x.given("zone-rebalancing") {
		z := types.AvailabilityZoneRebalancing(strings.ToUpper(strings.TrimSpace(x.expand("zone-rebalancing", f.zoneRebalancing))))
		if !oneOfValues(z, z.Values()) {
			x.problems.Add("--zone-rebalancing", 0, "%q: use ENABLED or DISABLED", z)
		}
		extra().AvailabilityZoneRebalancing = z
	}
}

func oneOfValues[T comparable](v T, values []T) bool {
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}
