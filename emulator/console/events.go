package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// focus is the service a page is looking at (empty: none).
type focus struct{ region, cluster, service string }

func (f focus) set() bool { return f.service != "" }

// touches reports whether a change may concern the focused service.
func (f focus) touches(ch emulator.Change) bool {
	switch {
	case ch.All || ch.Scenario:
		return true
	case ch.Region != f.region:
		return false
	case ch.Cluster == "":
		return true
	case ch.Cluster != f.cluster:
		return false
	}
	return ch.Service == "" || ch.Service == f.service
}

// serveEvents streams server-sent events to one page:
//
//	event: clock      {"now":…, "manual":…, "speed":…}
//	event: clusters   every cluster with a summary of its services (at most once per ClusterInterval)
//	event: service    the focused service (?region=&cluster=&service=), whenever it may have changed (at most once per ServiceInterval)
//	event: scenario   the scenario in force, as YAML, when it is replaced
//
// Updates come from the emulator's change feed: nothing is sent while
// nothing changes, and a page that reads slowly gets coalesced updates, never
// a backlog.
func (c *Console) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming is not supported", http.StatusInternalServerError)
		return
	}
	q := r.URL.Query()
	f := focus{region: q.Get("region"), cluster: q.Get("cluster"), service: q.Get("service")}
	sub := c.em.SubscribeChanges(0)
	defer sub.Close()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	send := func(event string, v any) bool {
		var data []byte
		switch x := v.(type) {
		case string:
			data, _ = json.Marshal(x)
		default:
			var err error
			if data, err = json.Marshal(v); err != nil {
				return false
			}
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data); err != nil {
			return false
		}
		return true
	}
	sendService := func() bool {
		if !f.set() {
			return true
		}
		snap, ok := c.serviceSnapshot(f)
		if !ok {
			return send("service", map[string]any{"missing": true, "region": f.region, "cluster": f.cluster, "name": f.service})
		}
		return send("service", snap)
	}
	sendScenario := func() bool {
		data, err := c.em.Scenario().Marshal()
		if err != nil {
			return true
		}
		return send("scenario", string(data))
	}

	if !send("clock", c.em.Clock()) || !send("clusters", c.em.ClusterSnapshots()) || !sendScenario() || !sendService() {
		return
	}
	flusher.Flush()

	lastClusters, lastService := time.Now(), time.Now()
	clustersDirty, serviceDirty := false, false
	var clusterTimer, serviceTimer <-chan time.Time
	heartbeat := time.NewTicker(c.Heartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-c.done:
			return
		case <-heartbeat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			flusher.Flush()
			continue
		case <-clusterTimer:
			clusterTimer = nil
		case <-serviceTimer:
			serviceTimer = nil
		case <-sub.C():
			scenarioDirty := false
			for _, ch := range sub.Take() {
				clustersDirty = true
				if ch.Scenario || ch.All {
					scenarioDirty = true
				}
				if f.set() && f.touches(ch) {
					serviceDirty = true
				}
			}
			if !send("clock", c.em.Clock()) {
				return
			}
			if scenarioDirty && !sendScenario() {
				return
			}
		}
		// The first change after a quiet spell goes out at once; while
		// changes keep coming (every emulated second during a rollout) the
		// service is sent at most once per ServiceInterval.
		if serviceDirty {
			if wait := c.ServiceInterval - time.Since(lastService); wait > 0 {
				if serviceTimer == nil {
					serviceTimer = time.After(wait)
				}
			} else {
				if !sendService() {
					return
				}
				serviceDirty, lastService = false, time.Now()
			}
		}
		if clustersDirty {
			if wait := c.ClusterInterval - time.Since(lastClusters); wait > 0 {
				if clusterTimer == nil {
					clusterTimer = time.After(wait)
				}
			} else {
				if !send("clusters", c.em.ClusterSnapshots()) {
					return
				}
				clustersDirty, lastClusters = false, time.Now()
			}
		}
		flusher.Flush()
	}
}

// serviceSnapshot is the emulator's snapshot of the focused service with
// what other local services report about it.
func (c *Console) serviceSnapshot(f focus) (emulator.ServiceSnapshot, bool) {
	snap, ok := c.em.ServiceSnapshot(f.region, f.cluster, f.service)
	if !ok {
		return snap, false
	}
	if c.Traffic != nil && len(snap.TargetGroups) > 0 {
		groups := append([]string(nil), snap.TargetGroups...)
		for _, ts := range snap.TaskSets {
			groups = append(groups, ts.TargetGroups...)
		}
		snap.Traffic = c.Traffic(f.region, groups)
	}
	if c.Stage != nil {
		snap.Stage = c.Stage(f.region, f.cluster, f.service)
	}
	return snap, true
}
