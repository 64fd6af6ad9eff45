package watch

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/progress"
)

// Diagnosis is what went wrong with one deployment, restricted to what
// belongs to it: its own stopped tasks and the service events since it began.
type Diagnosis struct {
	StoppedTasks []progress.Task `json:"stoppedTasks,omitempty"`
	Events       []EventSummary  `json:"events,omitempty"`
	Hints        []string        `json:"hints,omitempty"`
}

// EventSummary is a service event message with how often it repeated.
type EventSummary struct {
	At      string `json:"at"`
	Message string `json:"message"`
	Count   int    `json:"count"`
}

// summarizeEvents deduplicates messages that repeat (ECS repeats placement
// and health messages), keeping the first time each was seen, oldest first.
func summarizeEvents(events []progress.ServiceEvent) []EventSummary {
	index := map[string]int{}
	var out []EventSummary
	for _, e := range events {
		key := normalizeEvent(e.Message)
		if i, ok := index[key]; ok {
			out[i].Count++
			continue
		}
		index[key] = len(out)
		out = append(out, EventSummary{At: e.Time().UTC().Format("2006-01-02T15:04:05Z"), Message: e.Message, Count: 1})
	}
	return out
}

// normalizeEvent drops task ids so "has started 1 tasks: (task a)" and
// "(task b)" count as the same message.
func normalizeEvent(msg string) string {
	if i := strings.Index(msg, "(task "); i >= 0 {
		return msg[:i]
	}
	return msg
}

// hint is one recognisable cause and the advice for it.
type hint struct {
	match  func(text string) bool
	advice string
}

func containsAny(subs ...string) func(string) bool {
	return func(text string) bool {
		for _, s := range subs {
			if strings.Contains(text, s) {
				return true
			}
		}
		return false
	}
}

var hints = []hint{
	{containsAny("cannotpullcontainer", "pull image manifest", "failed to resolve ref", "image not found", "manifest unknown"),
		"the image could not be pulled: check that the repository and tag exist, that the task execution role may read it (ecr:GetAuthorizationToken, ecr:BatchGetImage), and that private subnets reach the registry (NAT gateway or VPC endpoints)"},
	{containsAny("outofmemory", "out of memory", "oomkilled", "exit 137"),
		"a container ran out of memory: raise its memory (or the task's), or find what grows"},
	{containsAny("health check"),
		"tasks failed their health checks: check the health check command and path, its startPeriod, and the service's healthCheckGracePeriodSeconds"},
	{containsAny("unable to place a task", "insufficient memory", "insufficient cpu", "no container instance met"),
		"no capacity to place the tasks: add instances or capacity, lower maximumPercent, or reduce the task's CPU/memory reservation"},
	{containsAny("unable to assume the role", "executionrolearn", "execution role", "resourceinitializationerror", "accessdenied", "not authorized"),
		"the task execution role is missing or lacks permissions: set executionRoleArn to a role with AmazonECSTaskExecutionRolePolicy (and access to any secrets)"},
	{containsAny("essential container in task exited", "essentialcontainerexited"),
		"an essential container exited: read its logs for the error (exit codes are listed above)"},
}

// diagnose builds the diagnosis for our deployment from its stopped tasks and
// the events since it began.
func diagnose(stopped []progress.Task, events []progress.ServiceEvent) Diagnosis {
	d := Diagnosis{Events: summarizeEvents(events)}
	sort.SliceStable(stopped, func(i, j int) bool {
		a, b := stopped[i].StoppedAt, stopped[j].StoppedAt
		return a != nil && b != nil && a.Before(*b)
	})
	d.StoppedTasks = stopped
	var text strings.Builder
	for _, t := range stopped {
		text.WriteString(strings.ToLower(progress.DescribeTask(t)))
		text.WriteByte('\n')
	}
	for _, e := range events {
		text.WriteString(strings.ToLower(e.Message))
		text.WriteByte('\n')
	}
	all := text.String()
	for _, h := range hints {
		if h.match(all) {
			d.Hints = append(d.Hints, h.advice)
		}
	}
	return d
}

// Lines renders the diagnosis for people, one line each.
func (d Diagnosis) Lines() []string {
	var out []string
	for _, t := range d.StoppedTasks {
		out = append(out, "stopped "+progress.DescribeTask(t))
	}
	for _, e := range d.Events {
		line := e.At + " " + e.Message
		if e.Count > 1 {
			// The repeats name other tasks; show the message they share.
			line = fmt.Sprintf("%s %s… (×%d, first at this time)", e.At, strings.TrimSpace(normalizeEvent(e.Message)), e.Count)
		}
		out = append(out, "event "+line)
	}
	for _, h := range d.Hints {
		out = append(out, "hint: "+h)
	}
	return out
}

// DiagnoseStopped is the diagnosis of the tasks startedBy (a deployment or
// task set id) started that stopped because they failed, with hints; tasks
// stopped on purpose (scale-in, a deleted task set) are left out.
func DiagnoseStopped(ctx context.Context, api ECSAPI, cluster, startedBy string) (Diagnosis, error) {
	tasks, err := fetchTasks(ctx, api, Target{Cluster: cluster, DeploymentID: startedBy}, false, func(*ecs.Options) {})
	if err != nil {
		return Diagnosis{}, err
	}
	var failed []progress.Task
	for _, t := range tasks {
		if v := taskView(t, startedBy); taskFailed(v) {
			failed = append(failed, v)
		}
	}
	return diagnose(failed, nil), nil
}
