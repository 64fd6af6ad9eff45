package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// statusOptions are the status command's inputs.
type statusOptions struct {
	deps     *Deps
	flags    *pflag.FlagSet
	Cluster  string
	Service  string
	target   planFlags // the spec file, variables, --cluster and --service, as deploy takes them
	Events   int
	Watch    bool
	interval durationFlag
	Interval time.Duration
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
report per line each time something changes).`,
		Example: `  ecsdeploy status --cluster prod --service web
  ecsdeploy status -c prod -n web --watch
  ecsdeploy status -f deploy.yaml --var Env=prod --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, ps := resolveTarget(o.flags, &o.target)
			o.Interval = o.interval.value("interval", nil, &ps)
			if err := ps.Err(); err != nil {
				return err
			}
			o.Cluster, o.Service = t.Cluster, t.Service
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runStatus(cmd.Context(), o)
		},
	}
	o.flags = cmd.Flags()
	addDeployFlags(cmd, &o.target, targetFlagNames, map[string]string{
		"file":    "deploy spec file (YAML) naming the cluster and service; flags override it",
		"cluster": "cluster of the service (default \"default\")",
		"service": "service to show (required, here or in the spec file)",
	})
	f := cmd.Flags()
	f.IntVar(&o.Events, "events", 10, "how many recent service events to show")
	f.BoolVarP(&o.Watch, "watch", "w", false, "keep the view live until interrupted")
	durationVarP(f, &o.interval, "interval", "", 2*time.Second, "time between refreshes with --watch")
	return cmd
}

func (o *statusOptions) validate() error {
	var ps exitcode.Problems
	if strings.TrimSpace(o.Service) == "" {
		ps.Add("--service", 0, "name the service to show (--service, or service: in the spec file)")
	}
	if strings.TrimSpace(o.Cluster) == "" {
		ps.Add("--cluster", 0, "name the cluster (ECS's default cluster is \"default\")")
	}
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
		rep, err := readServiceStatus(ctx, api, o.Cluster, o.Service, o.Events)
		if err != nil {
			return err
		}
		return d.Render(rep, func(out io.Writer) { _, _ = io.WriteString(out, rep.render()) })
	}
	return watchStatus(ctx, d, api, o)
}

// watchStatus refreshes the view until ctx ends (Ctrl-C), which is success.
func watchStatus(ctx context.Context, d *Deps, api watch.ECSAPI, o *statusOptions) error {
	live := !d.Global.JSON() && d.IO.IsStdoutTTY()
	last := ""
	for {
		rep, err := readServiceStatus(ctx, api, o.Cluster, o.Service, o.Events)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if last == "" || exitcode.Of(err) == exitcode.Invalid {
				return err
			}
			// A failed refresh of a view that worked: say so and keep going.
			fmt.Fprintf(d.IO.ErrOut, "warning: refresh failed: %v\n", err)
		} else {
			view := rep.render()
			if d.Global.JSON() {
				data, _ := json.Marshal(rep)
				view = string(data) + "\n"
			}
			if view != last {
				switch {
				case live:
					fmt.Fprint(d.IO.Out, "\x1b[H\x1b[2J"+view)
				case d.Global.JSON():
					fmt.Fprint(d.IO.Out, view)
				default:
					fmt.Fprintf(d.IO.Out, "--- %s\n%s", d.Clock.Now().UTC().Format(time.RFC3339), view)
				}
				last = view
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-d.Clock.After(o.Interval):
		}
	}
}

// serviceStatus is the status report (what --output json prints).
type serviceStatus struct {
	Cluster        string             `json:"cluster"`
	Service        string             `json:"service"`
	Status         string             `json:"status"`
	TaskDefinition string             `json:"taskDefinition"`
	LaunchType     string             `json:"launchType,omitempty"`
	Desired        int32              `json:"desiredCount"`
	Running        int32              `json:"runningCount"`
	Pending        int32              `json:"pendingCount"`
	Deployments    []statusDeployment `json:"deployments"`
	Zones          []zoneTasks        `json:"tasksByZone"`
	Events         []statusEvent      `json:"events"`
}

type statusDeployment struct {
	ID                 string     `json:"id"`
	Status             string     `json:"status"`
	TaskDefinition     string     `json:"taskDefinition"`
	RolloutState       string     `json:"rolloutState,omitempty"`
	RolloutStateReason string     `json:"rolloutStateReason,omitempty"`
	Desired            int32      `json:"desiredCount"`
	Pending            int32      `json:"pendingCount"`
	Running            int32      `json:"runningCount"`
	Failed             int32      `json:"failedTasks"`
	CreatedAt          *time.Time `json:"createdAt,omitempty"`
	UpdatedAt          *time.Time `json:"updatedAt,omitempty"`
}

// zoneTasks counts the service's tasks in one Availability Zone.
type zoneTasks struct {
	Zone      string         `json:"zone"`
	Status    map[string]int `json:"byStatus"` // lastStatus → count
	Healthy   int            `json:"healthy"`
	Unhealthy int            `json:"unhealthy"`
	Unknown   int            `json:"unknownHealth"`
}

type statusEvent struct {
	At      *time.Time `json:"at,omitempty"`
	Message string     `json:"message"`
}

// readServiceStatus reads the service, its tasks (listed, then described a
// hundred at a time) and its newest events.
func readServiceStatus(ctx context.Context, api watch.ECSAPI, cluster, service string, events int) (*serviceStatus, error) {
	svc, err := rollout.DescribeService(ctx, api, cluster, service)
	if err != nil {
		return nil, err
	}
	rep := &serviceStatus{
		Cluster: cluster, Service: aws.ToString(svc.ServiceName), Status: aws.ToString(svc.Status),
		TaskDefinition: aws.ToString(svc.TaskDefinition), LaunchType: string(svc.LaunchType),
		Desired: svc.DesiredCount, Running: svc.RunningCount, Pending: svc.PendingCount,
		Deployments: []statusDeployment{}, Zones: []zoneTasks{}, Events: []statusEvent{},
	}
	for _, d := range svc.Deployments {
		rep.Deployments = append(rep.Deployments, statusDeployment{
			ID: aws.ToString(d.Id), Status: aws.ToString(d.Status), TaskDefinition: aws.ToString(d.TaskDefinition),
			RolloutState: string(d.RolloutState), RolloutStateReason: aws.ToString(d.RolloutStateReason),
			Desired: d.DesiredCount, Pending: d.PendingCount, Running: d.RunningCount, Failed: d.FailedTasks,
			CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		})
	}
	for i, e := range svc.Events {
		if i >= events {
			break
		}
		rep.Events = append(rep.Events, statusEvent{At: e.CreatedAt, Message: aws.ToString(e.Message)})
	}
	tasks, err := serviceTasks(ctx, api, cluster, aws.ToString(svc.ServiceName))
	if err != nil {
		return nil, err
	}
	rep.Zones = tasksByZone(tasks)
	return rep, nil
}

// serviceTasks lists the service's tasks that ECS wants running and
// describes them.
func serviceTasks(ctx context.Context, api watch.ECSAPI, cluster, service string) ([]types.Task, error) {
	var arns []string
	var next *string
	for {
		out, err := api.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(cluster), ServiceName: aws.String(service), NextToken: next})
		if err != nil {
			return nil, fmt.Errorf("list tasks of %s: %w", service, err)
		}
		arns = append(arns, out.TaskArns...)
		if next = out.NextToken; next == nil {
			break
		}
	}
	var tasks []types.Task
	for start := 0; start < len(arns); start += 100 {
		out, err := api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: arns[start:min(start+100, len(arns))]})
		if err != nil {
			return nil, fmt.Errorf("describe tasks of %s: %w", service, err)
		}
		tasks = append(tasks, out.Tasks...)
	}
	return tasks, nil
}

func tasksByZone(tasks []types.Task) []zoneTasks {
	byZone := map[string]*zoneTasks{}
	for _, t := range tasks {
		zone := aws.ToString(t.AvailabilityZone)
		if zone == "" {
			zone = "(no zone)"
		}
		z := byZone[zone]
		if z == nil {
			z = &zoneTasks{Zone: zone, Status: map[string]int{}}
			byZone[zone] = z
		}
		z.Status[aws.ToString(t.LastStatus)]++
		switch t.HealthStatus {
		case types.HealthStatusHealthy:
			z.Healthy++
		case types.HealthStatusUnhealthy:
			z.Unhealthy++
		default:
			z.Unknown++
		}
	}
	out := make([]zoneTasks, 0, len(byZone))
	for _, z := range byZone {
		out = append(out, *z)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Zone < out[j].Zone })
	return out
}

// render writes the report for people.
func (r *serviceStatus) render() string {
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

// shortTaskDef turns a task definition ARN into family:revision.
func shortTaskDef(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}
