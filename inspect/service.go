package inspect

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/ecsdeploy/ecsdeploy/bluegreen"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// ServiceStatus is a snapshot of a service: its deployments, its tasks by
// Availability Zone and health, and its newest events.
type ServiceStatus struct {
	Cluster        string       `json:"cluster"`
	Service        string       `json:"service"`
	Status         string       `json:"status"`
	TaskDefinition string       `json:"taskDefinition"`
	LaunchType     string       `json:"launchType,omitempty"`
	Desired        int32        `json:"desiredCount"`
	Running        int32        `json:"runningCount"`
	Pending        int32        `json:"pendingCount"`
	Deployments    []Deployment `json:"deployments"`
	Zones          []ZoneTasks  `json:"tasksByZone"`
	Events         []Event      `json:"events"`
	// BlueGreen is, for a CodeDeploy or ECS blue/green, linear or canary
	// service, its task sets, traffic split, target health and the
	// deployment's lifecycle event or stage (see Snapshot).
	BlueGreen *bluegreen.State `json:"blueGreen,omitempty"`
}

type Deployment struct {
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

// ZoneTasks counts the service's tasks in one Availability Zone.
type ZoneTasks struct {
	Zone      string         `json:"zone"`
	Status    map[string]int `json:"byStatus"` // lastStatus → count
	Healthy   int            `json:"healthy"`
	Unhealthy int            `json:"unhealthy"`
	Unknown   int            `json:"unknownHealth"`
}

type Event struct {
	At      *time.Time `json:"at,omitempty"`
	Message string     `json:"message"`
}

// Service reads the service, its tasks (listed, then described a
// hundred at a time) and its newest events.
func Service(ctx context.Context, api watch.ECSAPI, cluster, service string, events int) (*ServiceStatus, error) {
	svc, err := rollout.DescribeService(ctx, api, cluster, service)
	if err != nil {
		return nil, err
	}
	return fromService(ctx, api, cluster, svc, events)
}

// fromService is the snapshot of a service already read.
func fromService(ctx context.Context, api watch.ECSAPI, cluster string, svc types.Service, events int) (*ServiceStatus, error) {
	rep := &ServiceStatus{
		Cluster: cluster, Service: aws.ToString(svc.ServiceName), Status: aws.ToString(svc.Status),
		TaskDefinition: aws.ToString(svc.TaskDefinition), LaunchType: string(svc.LaunchType),
		Desired: svc.DesiredCount, Running: svc.RunningCount, Pending: svc.PendingCount,
		Deployments: []Deployment{}, Zones: []ZoneTasks{}, Events: []Event{},
	}
	for _, d := range svc.Deployments {
		rep.Deployments = append(rep.Deployments, Deployment{
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
		rep.Events = append(rep.Events, Event{At: e.CreatedAt, Message: aws.ToString(e.Message)})
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

func tasksByZone(tasks []types.Task) []ZoneTasks {
	byZone := map[string]*ZoneTasks{}
	for _, t := range tasks {
		zone := aws.ToString(t.AvailabilityZone)
		if zone == "" {
			zone = "(no zone)"
		}
		z := byZone[zone]
		if z == nil {
			z = &ZoneTasks{Zone: zone, Status: map[string]int{}}
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
	out := make([]ZoneTasks, 0, len(byZone))
	for _, z := range byZone {
		out = append(out, *z)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Zone < out[j].Zone })
	return out
}
