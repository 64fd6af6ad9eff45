package emulator

import (
	"encoding/json"
	"fmt"
)

// Service members the local ECS accepts, stores and returns as given, but
// does not simulate: Service Connect, volume configurations (EBS volumes
// attached at launch), VPC Lattice, gateway connectors, the monitoring
// configuration, Availability Zone rebalancing; and ECS Exec and managed
// tags, which are stored as flags. Each is reported once per process
// through Options.Warn, so a user rehearsing with them is told.
//
// Where DescribeServices shows them: Service Connect, volume and VPC Lattice
// configurations on the PRIMARY deployment; every revision-level member
// (those and gateway connectors and monitoring, which the Service shape
// lacks) on the service revision through DescribeServiceRevisions.

type passThroughIn struct {
	ServiceConnectConfiguration json.RawMessage `json:"serviceConnectConfiguration"`
	VolumeConfigurations        json.RawMessage `json:"volumeConfigurations"`
	VpcLatticeConfigurations    json.RawMessage `json:"vpcLatticeConfigurations"`
	GatewayConnectors           json.RawMessage `json:"gatewayConnectors"`
	Monitoring                  json.RawMessage `json:"monitoring"`
	AvailabilityZoneRebalancing *string         `json:"availabilityZoneRebalancing"`
}

type passThrough struct {
	revisionMembers
	AZRebalancing string `json:"azRebalancing,omitempty"`
}

// revisionMembers are the stored members that belong to a service
// revision: a change starts a deployment, and each revision keeps the
// values it was deployed with.
type revisionMembers struct {
	ServiceConnect    json.RawMessage `json:"serviceConnect,omitempty"`
	Volumes           json.RawMessage `json:"volumes,omitempty"`
	VpcLattice        json.RawMessage `json:"vpcLattice,omitempty"`
	GatewayConnectors json.RawMessage `json:"gatewayConnectors,omitempty"`
	Monitoring        json.RawMessage `json:"monitoring,omitempty"`
}

func (r revisionMembers) clone() revisionMembers {
	return revisionMembers{
		ServiceConnect: cloneRaw(r.ServiceConnect), Volumes: cloneRaw(r.Volumes), VpcLattice: cloneRaw(r.VpcLattice),
		GatewayConnectors: cloneRaw(r.GatewayConnectors), Monitoring: cloneRaw(r.Monitoring),
	}
}

func (p passThrough) clone() passThrough {
	p.revisionMembers = p.revisionMembers.clone()
	return p
}

// revisionMemberOut are revisionMembers as the ServiceRevision shape
// shows them.
type revisionMemberOut struct {
	ServiceConnectConfiguration json.RawMessage `json:"serviceConnectConfiguration,omitempty"`
	VolumeConfigurations        json.RawMessage `json:"volumeConfigurations,omitempty"`
	VpcLatticeConfigurations    json.RawMessage `json:"vpcLatticeConfigurations,omitempty"`
	GatewayConnectors           json.RawMessage `json:"gatewayConnectors,omitempty"`
	Monitoring                  json.RawMessage `json:"monitoring,omitempty"`
}

func (r revisionMembers) output() revisionMemberOut {
	return revisionMemberOut{
		ServiceConnectConfiguration: r.ServiceConnect, VolumeConfigurations: r.Volumes, VpcLatticeConfigurations: r.VpcLattice,
		GatewayConnectors: r.GatewayConnectors, Monitoring: r.Monitoring,
	}
}

// given reports whether a raw member was sent with a value.
func given(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// applyPassThrough stores the members given; changed reports a change that
// starts a new deployment (every revision-level member).
func (e *Emulator) applyPassThrough(s *service, in *passThroughIn, execCommand, managedTags *bool) (changed bool, err error) {
	if in.AvailabilityZoneRebalancing != nil {
		switch v := *in.AvailabilityZoneRebalancing; v {
		case "ENABLED", "DISABLED":
			s.AZRebalancing = v
			e.warnOnce("availabilityZoneRebalancing", "tasks are not moved between zones")
		default:
			return false, invalidParameter("availabilityZoneRebalancing must be ENABLED or DISABLED, not %q.", v)
		}
	}
	members := []struct {
		in     json.RawMessage
		stored *json.RawMessage
		name   string
		what   string
	}{
		{in.ServiceConnectConfiguration, &s.ServiceConnect, "serviceConnectConfiguration", "no Service Connect proxy runs and no names are registered"},
		{in.VolumeConfigurations, &s.Volumes, "volumeConfigurations", "no volumes are created or attached"},
		{in.VpcLatticeConfigurations, &s.VpcLattice, "vpcLatticeConfigurations", "no tasks are registered with VPC Lattice target groups"},
		{in.GatewayConnectors, &s.GatewayConnectors, "gatewayConnectors", "no gateway routes traffic to the tasks"},
		{in.Monitoring, &s.Monitoring, "monitoring", "no CloudWatch metrics are published"},
	}
	for _, m := range members {
		if !given(m.in) {
			continue
		}
		changed = changed || !sameJSON(m.in, *m.stored)
		*m.stored = m.in
		e.warnOnce(m.name, m.what)
	}
	if execCommand != nil && *execCommand {
		e.warnOnce("enableExecuteCommand", "ECS Exec sessions cannot be opened")
	}
	if managedTags != nil && *managedTags {
		e.warnOnce("enableECSManagedTags", "tasks do not get the aws:ecs: managed tags")
	}
	return changed, nil
}

// warnOnce reports an accepted but not simulated member, once per process.
func (e *Emulator) warnOnce(member, what string) {
	if e.opts.Warn == nil {
		return
	}
	if _, seen := e.warned.LoadOrStore(member, true); seen {
		return
	}
	e.opts.Warn(fmt.Sprintf("%s is accepted and returned as given, but not simulated: %s.", member, what))
}

// configPassThrough are the deploymentConfiguration members stored and
// returned as given but not simulated: early success criteria, and the
// circuit breaker's resetOnHealthyTask and thresholdConfiguration (the
// local breaker keeps ECS's default threshold).
type configPassThrough struct {
	EarlySuccess     json.RawMessage `json:"earlySuccess,omitempty"`
	BreakerReset     *bool           `json:"breakerReset,omitempty"`
	BreakerThreshold json.RawMessage `json:"breakerThreshold,omitempty"`
}

func (c configPassThrough) clone() configPassThrough {
	c.EarlySuccess = cloneRaw(c.EarlySuccess)
	c.BreakerReset = clonePtr(c.BreakerReset, same)
	c.BreakerThreshold = cloneRaw(c.BreakerThreshold)
	return c
}

// breakerPassThroughOut is the part of deploymentCircuitBreaker that
// configPassThrough returns.
type breakerPassThroughOut struct {
	ResetOnHealthyTask     *bool           `json:"resetOnHealthyTask,omitempty"`
	ThresholdConfiguration json.RawMessage `json:"thresholdConfiguration,omitempty"`
}

func (c *configPassThrough) apply(in *deploymentConfigurationIn) error {
	if given(in.EarlySuccessCriteria) {
		if in.EarlySuccessCriteria[0] != '{' {
			return serializationError("Unexpected value for member %q: expected a structure.", "earlySuccessCriteria")
		}
		c.EarlySuccess = in.EarlySuccessCriteria
	}
	if cb := in.DeploymentCircuitBreaker; cb != nil {
		// A circuit breaker given replaces the stored one as a whole.
		c.BreakerReset, c.BreakerThreshold = cb.ResetOnHealthyTask, nil
		if given(cb.ThresholdConfiguration) {
			if cb.ThresholdConfiguration[0] != '{' {
				return serializationError("Unexpected value for member %q: expected a structure.", "thresholdConfiguration")
			}
			c.BreakerThreshold = cb.ThresholdConfiguration
		}
	}
	return nil
}

func (c configPassThrough) output(o *deployConfigOut) {
	o.EarlySuccessCriteria = c.EarlySuccess
	o.DeploymentCircuitBreaker.ResetOnHealthyTask = c.BreakerReset
	o.DeploymentCircuitBreaker.ThresholdConfiguration = c.BreakerThreshold
}

// updateController handles UpdateService's deploymentController: the
// service's own controller is accepted (and stored as sent); moving a
// service to another controller is not emulated, and is refused rather
// than ignored.
func updateController(s *service, raw json.RawMessage) error {
	if !given(raw) {
		return nil
	}
	if err := checkControllerInput(raw, ""); err != nil {
		return err
	}
	want := (&service{DeploymentController: raw}).controllerType()
	if have := s.controllerType(); want != have {
		return Errorf("UnsupportedFeatureException", "The local ECS does not move a service from the %s to the %s deployment controller; create the service again with deploymentController %s.", have, want, want)
	}
	s.DeploymentController = raw
	return nil
}
