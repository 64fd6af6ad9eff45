package emulator

import (
	"sort"
	"time"
)

// LogLine is one line a container printed.
type LogLine struct {
	Time    time.Time
	Message string
}

// ContainerLog is what one container of a task has printed so far, with
// the log configuration of its container definition, so that an emulated
// CloudWatch Logs can file the lines under awslogs-group and a stream named
// "<awslogs-stream-prefix>/<container name>/<task id>".
type ContainerLog struct {
	Region     string
	Cluster    string
	TaskARN    string
	TaskID     string
	Container  string
	LogDriver  string
	LogOptions map[string]string
	Lines      []LogLine
}

// logLineInterval is how far apart a container's scripted lines are printed.
const logLineInterval = time.Second

// ContainerLogs returns, for every task in region that has started a
// container, the lines its containers printed up to now: the scenario's
// logs lines for the image, one per second from the container's start, plus
// a last line when the container exited. Tasks are in creation order.
func (e *Emulator) ContainerLogs(region string) []ContainerLog {
	e.catchUp()
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.state.Regions[region]
	if r == nil {
		return nil
	}
	now := e.nowLocked()
	var tasks []*task
	clusterOf := map[*task]string{}
	for _, c := range r.Clusters {
		for _, t := range c.Tasks {
			tasks = append(tasks, t)
			clusterOf[t] = c.Name
		}
	}
	sort.Slice(tasks, func(i, j int) bool { return tasks[i].Seq < tasks[j].Seq })
	var out []ContainerLog
	for _, t := range tasks {
		for _, ct := range t.Containers {
			if ct.StartedAt.IsZero() {
				continue
			}
			out = append(out, ContainerLog{
				Region: region, Cluster: clusterOf[t], TaskARN: t.ARN, TaskID: t.ID, Container: ct.Name,
				LogDriver: ct.LogDriver, LogOptions: ct.LogOptions, Lines: containerLines(ct, now),
			})
		}
	}
	return out
}

// containerLines lists the scripted lines printed by now (and before the
// container exited).
func containerLines(ct *container, now time.Time) []LogLine {
	end := now
	if !ct.ExitedAt.IsZero() && ct.ExitedAt.Before(end) {
		end = ct.ExitedAt
	}
	var lines []LogLine
	for i, msg := range ct.Behaviour.Logs {
		at := ct.StartedAt.Add(time.Duration(i) * logLineInterval)
		if at.After(end) {
			break
		}
		lines = append(lines, LogLine{Time: at, Message: msg})
	}
	return lines
}
