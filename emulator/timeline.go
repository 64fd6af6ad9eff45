package emulator

import (
	"strings"
	"time"
)

// Timelines record each deployment of a service as it runs: how many tasks
// ran, were healthy and were pending against the desired count and the
// minimumHealthyPercent/maximumPercent bounds, and how many started and
// stopped, so that a finished deployment can be drawn afterwards. They live
// in memory only (they are not part of the saved state) and are bounded:
// at most maxTimelines in all, the oldest forgotten first, each with at most
// maxTimelinePoints points (halving its resolution when full).
const (
	maxTimelines       = 256
	maxTimelinePoints  = 240
	maxTimelineMarks   = 16
	maxTimelinesPerSvc = 4
)

// Timeline is one deployment of a service over time, from its start to its
// end (a rollback belongs to the deployment that failed).
type Timeline struct {
	Deployment string          `json:"deployment"` // the deployments-array id that started it
	Status     string          `json:"status"`     // the service deployment's status (IN_PROGRESS, SUCCESSFUL, ROLLBACK_SUCCESSFUL, ...)
	StartedAt  time.Time       `json:"startedAt"`
	EndedAt    time.Time       `json:"endedAt,omitzero"`
	Points     []TimelinePoint `json:"points"`
	Marks      []TimelineMark  `json:"marks,omitempty"`

	key      string // the service-deployment ARN, or the deployment id
	svcKey   string
	lastScan time.Time
	started  int
	stopped  int
	seen     map[string]string // rollout state last seen per deployment id
}

// TimelinePoint is the service's task counts at one moment, recorded when
// they change.
type TimelinePoint struct {
	At      time.Time `json:"at"`
	Desired int       `json:"desired"`
	Min     int       `json:"min"` // ceil(desired × minimumHealthyPercent / 100)
	Max     int       `json:"max"` // floor(desired × maximumPercent / 100)
	Running int       `json:"running"`
	Healthy int       `json:"healthy"`
	Pending int       `json:"pending"`
	Started int       `json:"started"` // tasks that reached RUNNING since the deployment began
	Stopped int       `json:"stopped"` // tasks that reached STOPPED since the deployment began
}

func (p TimelinePoint) sameCounts(q TimelinePoint) bool {
	p.At = q.At
	return p == q
}

// TimelineMark is a moment worth pointing at: a deployment failing, a
// rollback starting, the end.
type TimelineMark struct {
	At    time.Time `json:"at"`
	Label string    `json:"label"`
}

type timelineStore struct {
	byService map[string][]*Timeline // service ARN → oldest first
	all       []*Timeline            // oldest first
}

func (ts *timelineStore) current(svc string) *Timeline {
	l := ts.byService[svc]
	if len(l) == 0 {
		return nil
	}
	return l[len(l)-1]
}

func (ts *timelineStore) add(tl *Timeline) {
	if ts.byService == nil {
		ts.byService = map[string][]*Timeline{}
	}
	l := append(ts.byService[tl.svcKey], tl)
	if len(l) > maxTimelinesPerSvc {
		ts.drop(l[0])
		l = l[1:]
	}
	ts.byService[tl.svcKey] = l
	ts.all = append(ts.all, tl)
	for len(ts.all) > maxTimelines {
		old := ts.all[0]
		ts.drop(old)
		l := ts.byService[old.svcKey]
		if len(l) > 0 && l[0] == old {
			l = l[1:]
		}
		if len(l) == 0 {
			delete(ts.byService, old.svcKey)
		} else {
			ts.byService[old.svcKey] = l
		}
	}
}

// drop removes tl from the list of all timelines.
func (ts *timelineStore) drop(tl *Timeline) {
	for i, x := range ts.all {
		if x == tl {
			ts.all = append(ts.all[:i], ts.all[i+1:]...)
			return
		}
	}
}

// recordTimeline adds this step's counts to the service's current
// deployment timeline, starting one when a deployment starts and closing it
// when the deployment ends. Called under the state lock after stepService.
func (e *Emulator) recordTimeline(s *service, tasks []*task, now time.Time) {
	if len(s.Deployments) == 0 {
		return
	}
	p := s.Deployments[0]
	sd := s.history(p.ID)
	key := p.ID
	if sd != nil {
		key = sd.ARN
	}
	tl := e.timelines.current(s.ARN)
	if tl == nil || tl.key != key {
		if tl != nil && tl.EndedAt.IsZero() {
			tl.EndedAt, tl.Status = now, "STOPPED"
		}
		if p.RolloutState != "IN_PROGRESS" {
			return // nothing is deploying (for example a state loaded at rest)
		}
		tl = &Timeline{Deployment: p.ID, Status: "IN_PROGRESS", StartedAt: p.CreatedAt, key: key, svcKey: s.ARN,
			lastScan: p.CreatedAt.Add(-stepInterval), seen: map[string]string{}}
		e.timelines.add(tl)
	}
	if !tl.EndedAt.IsZero() {
		return
	}
	for _, t := range tasks {
		if t.StartedAt.After(tl.lastScan) && !t.StartedAt.After(now) {
			tl.started++
		}
		if t.StoppedAt.After(tl.lastScan) && !t.StoppedAt.After(now) {
			tl.stopped++
		}
	}
	tl.lastScan = now
	pt := TimelinePoint{At: now, Desired: s.DesiredCount, Started: tl.started, Stopped: tl.stopped,
		Min: ceilDiv(s.DesiredCount*s.Config.MinimumHealthyPercent, 100), Max: s.DesiredCount * s.Config.MaximumPercent / 100}
	for _, t := range tasks {
		switch {
		case t.LastStatus == "STOPPED":
		case t.LastStatus == "RUNNING":
			pt.Running++
			if healthyForService(t, now) {
				pt.Healthy++
			}
		case t.DesiredStatus == "RUNNING":
			pt.Pending++
		}
	}
	if n := len(tl.Points); n == 0 || !tl.Points[n-1].sameCounts(pt) {
		if n >= maxTimelinePoints {
			tl.Points = halvePoints(tl.Points)
		}
		tl.Points = append(tl.Points, pt)
	}
	for _, d := range s.Deployments {
		if prev, ok := tl.seen[d.ID]; !ok || prev != d.RolloutState {
			tl.seen[d.ID] = d.RolloutState
			switch {
			case ok && d.RolloutState == "FAILED":
				tl.mark(now, "deployment "+shortDeploymentID(d.ID)+" failed")
			case !ok && d.ID != tl.Deployment && strings.Contains(d.RolloutStateReason, "rolling back"):
				tl.mark(now, "rollback started")
			}
		}
	}
	status := p.RolloutState
	if sd != nil {
		status = sd.Status
	}
	tl.Status = status
	if status != "IN_PROGRESS" && status != "ROLLBACK_IN_PROGRESS" {
		tl.EndedAt = now
		tl.mark(now, strings.ToLower(strings.ReplaceAll(status, "_", " ")))
	}
}

func (tl *Timeline) mark(at time.Time, label string) {
	if len(tl.Marks) < maxTimelineMarks {
		tl.Marks = append(tl.Marks, TimelineMark{At: at, Label: label})
	}
}

// halvePoints keeps every other point (always the first), so a long
// deployment is drawn at a coarser resolution instead of growing without end.
func halvePoints(points []TimelinePoint) []TimelinePoint {
	out := points[:0]
	for i := 0; i < len(points); i += 2 {
		out = append(out, points[i])
	}
	return out
}

func shortDeploymentID(id string) string {
	id = strings.TrimPrefix(id, "ecs-svc/")
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}

// copyTimeline returns a deep copy of tl for readers outside the lock.
func copyTimeline(tl *Timeline) Timeline {
	out := *tl
	out.Points = append([]TimelinePoint(nil), tl.Points...)
	out.Marks = append([]TimelineMark(nil), tl.Marks...)
	out.seen = nil
	return out
}
