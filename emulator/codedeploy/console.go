package codedeploy

import (
	"strings"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// annotateSnapshot adds to the emulator's snapshot of a CODE_DEPLOY service
// what CodeDeploy knows of it: the lifecycle event its deployment in
// progress is at, and how the production listener splits the traffic
// between the target groups of its latest deployment. Viewers such as the
// local console show them (emulator.OnServiceSnapshot).
func (s *Service) annotateSnapshot(snap *emulator.ServiceSnapshot) {
	if snap.Controller != "CODE_DEPLOY" {
		return
	}
	s.mu.Lock()
	var latest *deployment
	for _, d := range s.st.Deployments {
		if d.Region != snap.Region || lastPart(d.Cluster) != snap.Cluster || lastPart(d.Service) != snap.Name {
			continue
		}
		if latest == nil || d.Seq > latest.Seq {
			latest = d
		}
	}
	var listener string
	if latest != nil {
		if !latest.done() && latest.Stage < len(latest.Events) {
			snap.Stage = latest.Events[latest.Stage].Name
		}
		if len(latest.ProdListeners) > 0 {
			listener = latest.ProdListeners[0]
		}
	}
	s.mu.Unlock()
	if listener == "" || s.traffic == nil {
		return
	}
	forwards, err := s.traffic.Forwards(listener)
	if err != nil {
		return
	}
	total := 0
	for _, f := range forwards {
		total += f.Weight
	}
	snap.Traffic = nil
	for _, f := range forwards {
		share := emulator.TrafficShare{TargetGroup: f.TargetGroupARN}
		if total > 0 {
			share.Percent = float64(f.Weight) * 100 / float64(total)
		}
		snap.Traffic = append(snap.Traffic, share)
	}
}

// lastPart is the name at the end of an ARN (or the name itself).
func lastPart(ref string) string {
	return ref[strings.LastIndex(ref, "/")+1:]
}
