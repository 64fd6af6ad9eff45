package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/inspect"
)

// statusOptions are the status command's inputs.
type statusOptions struct {
	deps    *Deps
	flags   *pflag.FlagSet
	Cluster string
	Service string
	target  planFlags // the spec file, variables, --cluster and --service, as deploy takes them
	// fleetFile, several -n or several -f select several services (fleet_status.go).
	fleetFile string
	Events    int
	Watch     bool
	interval  durationFlag
	Interval  time.Duration
}

// NewCmdStatus builds "status".
func NewCmdStatus(d *Deps, runF func(context.Context, *statusOptions) error) *cobra.Command {
	o := &statusOptions{deps: d}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what a service is doing: deployments, tasks by zone and health, recent events",
		Long: `Show a service's deployments with their counts and rolloutState, its running
tasks by Availability Zone and health, the task definition in use and the
most recent service events. --watch keeps the view live until interrupted
(on a terminal it redraws; elsewhere it prints the view again when it
changes). With --output json it prints one JSON report (with --watch, one
report per line each time something changes). Several services (several -n
or -f, or --fleet) are read in one snapshot, shown as a table on a terminal
and a line per service elsewhere.`,
		Example: `  ecsdeploy status --cluster prod --service web
  ecsdeploy status -c prod -n web --watch
  ecsdeploy status -f deploy.yaml --var Env=prod --output json
  ecsdeploy status -c prod -n api -n worker -n cron
  ecsdeploy status --fleet release.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if severalTargets(&o.target, o.fleetFile) && runF == nil {
				return runStatusFleet(cmd.Context(), o)
			}
			t, ps := resolveTarget(o.flags, &o.target)
			o.Interval = o.interval.value("interval", nil, &ps)
			if err := ps.Err(); err != nil {
				return err
			}
			o.Cluster, o.Service = t.Cluster, t.Service
			return dispatch(cmd.Context(), o, runF, runStatus)
		},
	}
	o.flags = addServiceFlags(cmd, d, &o.target, "service to show (required, here or in the spec file; repeatable: several services)")
	f := o.flags
	f.StringVar(&o.fleetFile, "fleet", "", "show every service of a fleet file (docs/fleet.md); or give several -n or -f")
	f.IntVar(&o.Events, "events", 10, "how many recent service events to show")
	f.BoolVarP(&o.Watch, "watch", "w", false, "keep the view live until interrupted")
	durationVarP(f, &o.interval, "interval", "", 2*time.Second, "time between refreshes with --watch")
	return cmd
}

func (o *statusOptions) validate() error {
	var ps exitcode.Problems
	requireService(o.Cluster, o.Service, &ps)
	if o.Events < 0 {
		ps.Add("--events", 0, "must be 0 or more, not %d", o.Events)
	}
	if o.Watch && o.Interval < 100*time.Millisecond {
		ps.Add("--interval", 0, "must be at least 100ms, not %s", o.Interval)
	}
	return ps.Err()
}

func runStatus(ctx context.Context, o *statusOptions) error {
	d := o.deps
	if err := o.validate(); err != nil {
		return err
	}
	clients, err := d.Clients.Clients(ctx)
	if err != nil {
		return err
	}
	api := clients.ECS
	if !o.Watch {
		rep, err := inspect.Snapshot(ctx, api, blueGreenAPIs(clients), o.Cluster, o.Service, o.Events)
		if err != nil {
			return err
		}
		return d.Render(rep, func(out io.Writer) { _, _ = io.WriteString(out, renderStatus(rep)) })
	}
	return watchStatus(ctx, d, clients, o)
}

// watchStatus refreshes the view until ctx ends (Ctrl-C), which is success.
func watchStatus(ctx context.Context, d *Deps, clients *awsconfig.Clients, o *statusOptions) error {
	live := !d.Global.JSON() && d.IO.IsStdoutTTY()
	return refreshLoop(ctx, d, o.Interval, live, func(first bool) (string, error) {
		rep, err := inspect.Snapshot(ctx, clients.ECS, blueGreenAPIs(clients), o.Cluster, o.Service, o.Events)
		if err != nil {
			if first || exitcode.Of(err) == exitcode.Invalid {
				return "", err
			}
			// A failed refresh of a view that worked: say so and keep going.
			fmt.Fprintf(d.IO.ErrOut, "warning: refresh failed: %v\n", err)
			return "", nil
		}
		if d.Global.JSON() {
			data, _ := json.Marshal(rep)
			return string(data) + "\n", nil
		}
		return renderStatus(rep), nil
	})
}

// refreshLoop shows next's view every interval, when it changed, until ctx
// ends (which is success) or next fails; an empty view shows nothing.
func refreshLoop(ctx context.Context, d *Deps, interval time.Duration, live bool, next func(first bool) (string, error)) error {
	last := ""
	for {
		view, err := next(last == "")
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		if view != "" && view != last {
			showView(d, live, view)
			last = view
		}
		select {
		case <-ctx.Done():
			return nil
		case <-d.Clock.After(interval):
		}
	}
}

// showView prints one refresh of status --watch: redrawn on a terminal, a
// line of JSON, or the view under a timestamp.
func showView(d *Deps, live bool, view string) {
	switch {
	case live:
		fmt.Fprint(d.IO.Out, "\x1b[H\x1b[2J"+view)
	case d.Global.JSON():
		fmt.Fprint(d.IO.Out, view)
	default:
		fmt.Fprintf(d.IO.Out, "--- %s\n%s", d.Clock.Now().UTC().Format(time.RFC3339), view)
	}
}

// renderStatus writes the snapshot for people.
func renderStatus(r *inspect.ServiceStatus) string {
	var b strings.Builder
	fmt.Fprintf(&b, "service %s (cluster %s): %s, %d desired, %d running, %d pending\n",
		r.Service, r.Cluster, r.Status, r.Desired, r.Running, r.Pending)
	fmt.Fprintf(&b, "task definition: %s\n", shortTaskDef(r.TaskDefinition))
	b.WriteString("deployments:\n")
	if len(r.Deployments) == 0 {
		b.WriteString("  (none: the service is not deployed by ECS's rolling scheduler)\n")
	}
	for _, d := range r.Deployments {
		state := d.RolloutState
		if state == "" {
			state = "-"
		}
		fmt.Fprintf(&b, "  %-7s %s %s %s: %d desired, %d running, %d pending, %d failed\n",
			d.Status, d.ID, shortTaskDef(d.TaskDefinition), state, d.Desired, d.Running, d.Pending, d.Failed)
		if d.RolloutStateReason != "" {
			fmt.Fprintf(&b, "          %s\n", d.RolloutStateReason)
		}
	}
	b.WriteString("tasks by zone:\n")
	if len(r.Zones) == 0 {
		b.WriteString("  (no tasks)\n")
	}
	for _, z := range r.Zones {
		var statuses []string
		for st, n := range z.Status {
			statuses = append(statuses, fmt.Sprintf("%d %s", n, strings.ToLower(st)))
		}
		sort.Strings(statuses)
		fmt.Fprintf(&b, "  %-12s %s; health: %d healthy, %d unhealthy, %d unknown\n",
			z.Zone, strings.Join(statuses, ", "), z.Healthy, z.Unhealthy, z.Unknown)
	}
	renderBlueGreen(&b, r.BlueGreen)
	if len(r.Events) > 0 {
		b.WriteString("recent events:\n")
		for _, e := range r.Events {
			at := ""
			if e.At != nil {
				at = e.At.UTC().Format("15:04:05") + " "
			}
			fmt.Fprintf(&b, "  %s%s\n", at, e.Message)
		}
	}
	return b.String()
}
