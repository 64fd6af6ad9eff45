package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ecsdeploy/ecsdeploy/fleet"
	"github.com/ecsdeploy/ecsdeploy/inspect"
)

// fleetStatusReport is status --output json for several targets: one entry
// per target, in wave order.
type fleetStatusReport struct {
	Targets  []fleetStatusRow `json:"targets"`
	APICalls map[string]int   `json:"apiCalls,omitempty"`
}

type fleetStatusRow struct {
	Name    string                 `json:"name"`
	Wave    int                    `json:"wave"`
	Cluster string                 `json:"cluster"`
	Service string                 `json:"service"`
	Region  string                 `json:"region,omitempty"`
	Status  *inspect.ServiceStatus `json:"status,omitempty"`
	Error   string                 `json:"error,omitempty"`
}

// runStatusFleet shows several services: one snapshot of all of them,
// their DescribeServices calls merged ten services to a call per cluster
// (fleet.Batcher) and every call within the fleet's client-side rate
// limits. A table on a terminal, a line per target elsewhere, one JSON
// report with an entry per target; --watch refreshes it.
func runStatusFleet(ctx context.Context, o *statusOptions) error {
	d := o.deps
	waves, ps := selectTargets(o.flags, &o.target, o.fleetFile)
	o.Interval = o.interval.value("interval", nil, &ps)
	if o.Events < 0 {
		ps.Add("--events", 0, "must be 0 or more, not %d", o.Events)
	}
	if o.Watch && o.Interval < 100*time.Millisecond {
		ps.Add("--interval", 0, "must be at least 100ms, not %s", o.Interval)
	}
	targets := flat(waves)
	for _, t := range targets {
		if t.service == "" {
			ps.Add(t.name, 0, "names no service (--service, or service: in its spec)")
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}
	shared := newFleetClients(d)
	var readErr error
	snapshot := func() (*fleetStatusReport, error) {
		rows, rerr, err := fleetSnapshot(ctx, shared, targets, o.Events)
		readErr = rerr
		if err != nil {
			return nil, err
		}
		return &fleetStatusReport{Targets: rows, APICalls: d.Clients.Calls().Counts()}, nil
	}
	if !o.Watch {
		rep, err := snapshot()
		if rep == nil {
			return err
		}
		table := d.IO.IsStdoutTTY()
		if rerr := d.Render(rep, func(w io.Writer) { renderFleetStatus(w, rep.Targets, table) }); rerr != nil {
			return rerr
		}
		return Silent(readErr)
	}
	live := !d.Global.JSON() && d.IO.IsStdoutTTY()
	return refreshLoop(ctx, d, o.Interval, live, func(bool) (string, error) {
		rep, err := snapshot()
		if err != nil {
			return "", err
		}
		var b strings.Builder
		if d.Global.JSON() {
			rep.APICalls = nil // they change every time
			data, _ := json.Marshal(rep)
			b.Write(data)
			b.WriteByte('\n')
		} else {
			renderFleetStatus(&b, rep.Targets, live)
		}
		return b.String(), nil
	})
}

// fleetSnapshot reads every target at once over the shared clients
// (fleet.Snapshot). A target that cannot be read gets its error in its
// row; the error returned is one that stops the whole snapshot (no
// clients), or else the snapshot's (fleet.SnapshotError) in readErr.
func fleetSnapshot(ctx context.Context, shared *fleetClients, targets []selectedTarget, events int) (rows []fleetStatusRow, readErr, err error) {
	reads := make([]fleet.StatusTarget, len(targets))
	for i, t := range targets {
		bg, err := shared.blueGreen(ctx, t.where)
		if err != nil {
			return nil, nil, err
		}
		api, _ := shared.api(ctx, t.where) // made by blueGreen
		reads[i] = fleet.StatusTarget{Name: t.name, Cluster: t.cluster, Service: t.service, ECS: api, BlueGreen: bg}
	}
	snaps := fleet.Snapshot(ctx, reads, events)
	rows = make([]fleetStatusRow, len(targets))
	for i, t := range targets {
		rows[i] = fleetStatusRow{Name: t.name, Wave: t.wave, Cluster: t.cluster, Service: t.service, Region: t.where.Region, Status: snaps[i].Status}
		if snaps[i].Err != nil {
			rows[i].Error = snaps[i].Err.Error()
		}
	}
	return rows, fleet.SnapshotError(reads, snaps), nil
}

// renderFleetStatus writes one row per target: a table for a terminal,
// self-contained lines for logs.
func renderFleetStatus(w io.Writer, rows []fleetStatusRow, table bool) {
	if table {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TARGET\tWAVE\tCLUSTER\tSERVICE\tSTATUS\tTASK DEFINITION\tRUNNING\tROLLOUT\tLATEST EVENT")
		for _, r := range rows {
			if r.Status == nil {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\terror\t\t\t\t%s\n", r.Name, r.Wave, r.Cluster, r.Service, flatLine(r.Error))
				continue
			}
			s := r.Status
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\n", r.Name, r.Wave, r.Cluster, r.Service, s.Status,
				shortTaskDef(s.TaskDefinition), s.Running, s.Desired, rolloutOf(s), clip(latestEvent(s), 60))
		}
		_ = tw.Flush()
		return
	}
	for _, r := range rows {
		if r.Status == nil {
			fmt.Fprintf(w, "%s (wave %d): service %s in %s: error: %s\n", r.Name, r.Wave, r.Service, r.Cluster, flatLine(r.Error))
			continue
		}
		s := r.Status
		line := fmt.Sprintf("%s (wave %d): service %s in %s: %s, %s, %d/%d running, %d pending, %s", r.Name, r.Wave, r.Service, r.Cluster,
			s.Status, shortTaskDef(s.TaskDefinition), s.Running, s.Desired, s.Pending, rolloutOf(s))
		if e := latestEvent(s); e != "" {
			line += "; latest event: " + e
		}
		fmt.Fprintln(w, line)
	}
}

// rolloutOf is the state of the service's newest deployment, and how many
// deployments it has when more than one.
func rolloutOf(s *inspect.ServiceStatus) string {
	if len(s.Deployments) == 0 {
		return "-"
	}
	state := "-"
	for _, d := range s.Deployments {
		if d.Status == "PRIMARY" {
			state = d.RolloutState
			if state == "" {
				state = d.Status
			}
		}
	}
	if n := len(s.Deployments); n > 1 {
		state += fmt.Sprintf(" (%d deployments)", n)
	}
	return state
}

func latestEvent(s *inspect.ServiceStatus) string {
	if len(s.Events) == 0 {
		return ""
	}
	return s.Events[0].Message
}

func flatLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
