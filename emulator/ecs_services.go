package emulator

func init() {
	registerECSOp("CreateService", (*ecsCall).createService)
	registerECSOp("UpdateService", (*ecsCall).updateService)
	registerECSOp("DescribeServices", (*ecsCall).describeServices)
	registerECSOp("ListServices", (*ecsCall).listServices)
	registerECSOp("DeleteService", (*ecsCall).deleteService)
}

// maxServiceTasks is ECS's default quota of tasks per service.
const maxServiceTasks = 5000

func (x *ecsCall) createService(body []byte) (any, error) {
	in, err := ecsDecode[serviceInput](body)
	if err != nil {
		return nil, err
	}
	if err := checkRawMembers(body, serviceRawMembers); err != nil {
		return nil, err
	}
	if err := required("serviceName", in.ServiceName); err != nil {
		return nil, err
	}
	if !namePattern().MatchString(in.ServiceName) {
		return nil, invalidParameter("Service name must be up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.")
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if err := checkControllerInput(in.DeploymentController, in.TaskDefinition); err != nil {
		return nil, err
	}
	ls, err := x.serviceLaunch(c, in)
	if err != nil {
		return nil, err
	}
	td, network, launchType := ls.td, ls.network, ls.launchType
	if in.PlatformVersion != nil {
		if err := checkPlatformVersion(*in.PlatformVersion, ls.runOn, td); err != nil {
			return nil, err
		}
	}
	if td != nil { // an EXTERNAL service has none: its task sets are checked
		if err := x.em.checkLoadBalancers(in.LoadBalancers, td); err != nil {
			return nil, err
		}
	}
	strategy := in.SchedulingStrategy
	if strategy == "" {
		strategy = "REPLICA"
	}
	if strategy != "REPLICA" {
		return nil, Errorf("UnsupportedFeatureException", "The local ECS supports only the REPLICA scheduling strategy.")
	}
	// The API reference: desiredCount "is required if schedulingStrategy is
	// REPLICA or isn't specified" (only DAEMON services, not emulated, omit it).
	if in.DesiredCount == nil {
		return nil, invalidParameter("desiredCount is required for a service with the REPLICA scheduling strategy; set it to the number of tasks to keep running (0 or more).")
	}
	desired := *in.DesiredCount
	if desired < 0 || desired > maxServiceTasks {
		return nil, invalidParameter("desiredCount must be between 0 and %d.", maxServiceTasks)
	}
	if in.HealthCheckGracePeriodSeconds != nil && *in.HealthCheckGracePeriodSeconds < 0 {
		return nil, invalidParameter("healthCheckGracePeriodSeconds must be at least 0.")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	cfg := deploymentConfiguration{MaximumPercent: 200, MinimumHealthyPercent: 100}
	if err := applyDeploymentConfig(&cfg, in.DeploymentConfiguration); err != nil {
		return nil, err
	}
	if err := x.em.checkNativeStrategy(cfg, in.LoadBalancers); err != nil {
		return nil, err
	}
	if old := c.Services[in.ServiceName]; old != nil && old.Status != "INACTIVE" {
		return nil, invalidParameter("Creation of service was not idempotent.")
	}
	s := &service{
		Name: in.ServiceName, ARN: x.serviceARN(c.Name, in.ServiceName), ClusterARN: c.ARN, Status: "ACTIVE",
		Seq: x.reg.next(), DesiredCount: desired, LaunchType: launchType, CapacityProviders: ls.strategy,
		TaskDefinition: ls.taskDefARN(), Config: cfg, LoadBalancers: in.LoadBalancers, ServiceRegistries: in.ServiceRegistries,
		Network: network, GracePeriod: in.HealthCheckGracePeriodSeconds, SchedulingStrategy: strategy,
		DeploymentController: in.DeploymentController, PlacementConstraints: in.PlacementConstraints,
		PlacementStrategy: in.PlacementStrategy, Tags: in.Tags, RoleARN: in.Role, CreatedAt: x.rc.Now,
		CreatedBy: "arn:aws:iam::" + x.rc.AccountID + ":root",
	}
	if in.PlatformVersion != nil && *in.PlatformVersion != "" {
		s.PlatformVersion = *in.PlatformVersion
	} else if ls.runOn == "FARGATE" {
		s.PlatformVersion = "LATEST"
	}
	applyInPlaceMembers(s, in) // the flags; what else it sets, the literal above set the same
	if _, err := x.em.applyPassThrough(s, &in.passThroughIn, in.EnableExecuteCommand, in.EnableECSManagedTags); err != nil {
		return nil, err
	}
	x.placeService(c, s)
	return map[string]any{"service": x.em.serviceOutput(s, true)}, nil
}

// activeService is namedService for the calls that change a service, which
// ECS refuses on a service that is not ACTIVE.
func (x *ecsCall) activeService(clusterRef, serviceRef string) (*service, error) {
	s, err := x.namedService(clusterRef, serviceRef)
	if err != nil {
		return nil, err
	}
	if s.Status != "ACTIVE" {
		return nil, Errorf("ServiceNotActiveException", "Service was not ACTIVE.")
	}
	return s, nil
}

// namedService resolves the required service member (a name or ARN) in
// the cluster member, with ECS's errors for a missing member, an unknown
// cluster and an unknown service (INACTIVE services are still found).
func (x *ecsCall) namedService(clusterRef, serviceRef string) (*service, error) {
	if err := required("service", serviceRef); err != nil {
		return nil, err
	}
	c, err := x.cluster(clusterRef)
	if err != nil {
		return nil, err
	}
	s := findService(c, serviceRef)
	if s == nil {
		return nil, Errorf("ServiceNotFoundException", "Service not found.")
	}
	return s, nil
}

// findService resolves a service name or ARN in c.
func findService(c *cluster, ref string) *service {
	return c.Services[lastSegment(ref)]
}

func (x *ecsCall) updateService(body []byte) (any, error) {
	in, err := ecsDecode[serviceInput](body)
	if err != nil {
		return nil, err
	}
	if err := checkRawMembers(body, serviceRawMembers); err != nil {
		return nil, err
	}
	s, err := x.activeService(in.Cluster, in.Service)
	if err != nil {
		return nil, err
	}
	if err := updateController(s, in.DeploymentController); err != nil {
		return nil, err
	}
	if s.usesTaskSets() {
		return x.updateTaskSetService(s, in)
	}
	// Validate everything before changing anything.
	td := x.findTaskDef(s.TaskDefinition)
	if in.TaskDefinition != "" {
		if td, err = x.usableTaskDef(in.TaskDefinition); err != nil {
			return nil, err
		}
	}
	network := s.Network
	if in.NetworkConfiguration != nil {
		if network, err = parseNetwork(in.NetworkConfiguration); err != nil {
			return nil, err
		}
	}
	if td == nil {
		return nil, clientError("TaskDefinition not found.")
	}
	runOn := s.runLaunchType()
	launchType, strategy := s.LaunchType, s.CapacityProviders
	if in.CapacityProviderStrategy != nil {
		// A strategy replaces the launch type, and an empty list returns
		// to the launch type the tasks run on. Either applies from the
		// next deployment: the member does not start one.
		cs, err := parseCapacityStrategy(in.CapacityProviderStrategy)
		if err != nil {
			return nil, err
		}
		if cs != nil {
			launchType, strategy, runOn = "", in.CapacityProviderStrategy, cs.runsOn()
		} else {
			launchType, strategy = runOn, nil
		}
	}
	if err := checkLaunch(td, runOn, network); err != nil {
		return nil, err
	}
	if in.PlatformVersion != nil {
		if err := checkPlatformVersion(*in.PlatformVersion, runOn, td); err != nil {
			return nil, err
		}
	}
	strategies, constraints := s.PlacementStrategy, s.PlacementConstraints
	if in.PlacementStrategy != nil {
		strategies = in.PlacementStrategy
	}
	if in.PlacementConstraints != nil {
		constraints = in.PlacementConstraints
	}
	if _, err := placementFor(runOn, strategies, constraints, td); err != nil {
		return nil, err
	}
	cfg, err := checkUpdateCounts(s, in)
	if err != nil {
		return nil, err
	}
	lbs := s.LoadBalancers
	if in.LoadBalancers != nil {
		lbs = in.LoadBalancers
	}
	if err := x.em.checkLoadBalancers(lbs, td); err != nil {
		return nil, err
	}
	if err := x.em.checkNativeStrategy(cfg, lbs); err != nil {
		return nil, err
	}

	// Members that start a new deployment when they change (or with forceNewDeployment).
	redeploy := in.ForceNewDeployment
	if td.ARN != s.TaskDefinition {
		s.TaskDefinition, redeploy = td.ARN, true
	}
	if in.NetworkConfiguration != nil && !sameJSON(in.NetworkConfiguration, rawOf(s.Network)) {
		if addsSubnetsOnly(s.Network, network) {
			// More subnets for the same tasks: stored without a new
			// deployment; the tasks the current deployment starts from now
			// on may land in them.
			s.Network = network
			if len(s.Deployments) > 0 {
				s.Deployments[0].Network = network
			}
		} else {
			s.Network, redeploy = network, true
		}
	}
	if in.PlatformVersion != nil && *in.PlatformVersion != "" && *in.PlatformVersion != s.PlatformVersion {
		s.PlatformVersion, redeploy = *in.PlatformVersion, true
	}
	if in.LoadBalancers != nil && !sameJSON(in.LoadBalancers, s.LoadBalancers) {
		s.LoadBalancers, redeploy = in.LoadBalancers, true
	}
	if in.ServiceRegistries != nil && !sameJSON(in.ServiceRegistries, s.ServiceRegistries) {
		s.ServiceRegistries, redeploy = in.ServiceRegistries, true
	}
	// Members that apply in place.
	s.Config = cfg
	if in.DesiredCount != nil {
		s.DesiredCount = *in.DesiredCount
		if len(s.Deployments) > 0 {
			s.Deployments[0].DesiredCount = s.DesiredCount
		}
	}
	s.LaunchType, s.CapacityProviders = launchType, strategy
	applyInPlaceMembers(s, in)
	if changed, err := x.em.applyPassThrough(s, &in.passThroughIn, in.EnableExecuteCommand, in.EnableECSManagedTags); err != nil {
		return nil, err
	} else if changed {
		redeploy = true // Service Connect and volume changes start a deployment, as in ECS
	}
	if redeploy {
		x.em.startDeployment(s, x.rc.Now)
		x.em.beginBlueGreen(s, x.rc.Now)
	}
	s.touched = true
	return map[string]any{"service": x.em.serviceOutput(s, false)}, nil
}
