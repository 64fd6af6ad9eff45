package emulator

import (
	"encoding/json"
	"fmt"
)

// Service members the local ECS accepts, stores and returns as given, but
// does not simulate: Service Connect, volume configurations (EBS volumes
// attached at launch), Availability Zone rebalancing; and ECS Exec and
// managed tags, which are stored as flags. Each is reported once per
// process through Options.Warn, so a user rehearsing with them is told.

type passThroughIn struct {
	ServiceConnectConfiguration json.RawMessage `json:"serviceConnectConfiguration"`
	VolumeConfigurations        json.RawMessage `json:"volumeConfigurations"`
	AvailabilityZoneRebalancing *string         `json:"availabilityZoneRebalancing"`
}

type passThrough struct {
	ServiceConnect json.RawMessage `json:"serviceConnect,omitempty"`
	Volumes        json.RawMessage `json:"volumes,omitempty"`
	AZRebalancing  string          `json:"azRebalancing,omitempty"`
}

// applyPassThrough stores the members given; changed reports a change that
// starts a new deployment (Service Connect or volumes).
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
	if len(in.ServiceConnectConfiguration) > 0 && string(in.ServiceConnectConfiguration) != "null" {
		changed = changed || !sameJSON(in.ServiceConnectConfiguration, s.ServiceConnect)
		s.ServiceConnect = in.ServiceConnectConfiguration
		e.warnOnce("serviceConnectConfiguration", "no Service Connect proxy runs and no names are registered")
	}
	if len(in.VolumeConfigurations) > 0 && string(in.VolumeConfigurations) != "null" {
		changed = changed || !sameJSON(in.VolumeConfigurations, s.Volumes)
		s.Volumes = in.VolumeConfigurations
		e.warnOnce("volumeConfigurations", "no volumes are created or attached")
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
