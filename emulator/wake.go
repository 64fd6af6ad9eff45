package emulator

import (
	"container/heap"
	"time"
)

// The scheduler does not look at every task every step: each task says
// when it next needs attention (a lifecycle transition, a health check, a
// scripted exit, the end of its visibility once stopped), and a per-cluster
// queue hands out the tasks that are due. With thousands of idle running
// tasks a step then costs what the busy ones cost.

// wakeItem is a task due at a time (unix nanoseconds; 0 means "next step").
type wakeItem struct {
	at int64
	t  *task
}

type wakeQueue []wakeItem

func (q wakeQueue) Len() int           { return len(q) }
func (q wakeQueue) Less(i, j int) bool { return q[i].at < q[j].at }
func (q wakeQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *wakeQueue) Push(x any)        { *q = append(*q, x.(wakeItem)) }
func (q *wakeQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// wake asks for t to be looked at by the step at or after at (zero: the
// next step). An earlier pending wake-up is kept.
func (c *cluster) wake(t *task, at time.Time) {
	n := int64(0)
	if !at.IsZero() {
		n = at.UnixNano()
	}
	if t.wakePending && t.wakeAt <= n {
		return
	}
	t.wakeAt, t.wakePending, t.cl = n, true, c
	heap.Push(&c.wakeQ, wakeItem{at: n, t: t})
}

// wakeTask is wake for code that holds only the task (StopTask, the scheduler).
func wakeTask(t *task) {
	if t.cl != nil {
		t.cl.wake(t, time.Time{})
	}
}

// due pops the tasks due by now, skipping superseded entries.
func (c *cluster) due(now time.Time) []*task {
	limit := now.UnixNano()
	var out []*task
	for len(c.wakeQ) > 0 && c.wakeQ[0].at <= limit {
		it := heap.Pop(&c.wakeQ).(wakeItem)
		if !it.t.wakePending || it.t.wakeAt != it.at {
			continue
		}
		it.t.wakePending = false
		out = append(out, it.t)
	}
	return out
}

// ensureIndexes builds the wake queue and the per-service task lists after
// a load (they are not saved): every task is due at once.
func (c *cluster) ensureIndexes() {
	if c.indexed {
		return
	}
	c.indexed = true
	c.wakeQ = nil
	c.byService = map[string][]*task{}
	for _, t := range c.Tasks {
		t.wakePending = false
		c.wake(t, time.Time{})
		if t.Service != "" {
			c.byService[t.Service] = append(c.byService[t.Service], t)
		}
	}
	for _, ts := range c.byService {
		sortBySeq(ts)
	}
}

// addTask registers a new task with the cluster and its indexes.
func (c *cluster) addTask(t *task) {
	c.ensureIndexes()
	c.Tasks[t.ID] = t
	if t.Service != "" {
		c.byService[t.Service] = append(c.byService[t.Service], t)
	}
	c.wake(t, time.Time{})
}

// removeTask forgets a task whose stopped visibility has ended.
func (c *cluster) removeTask(t *task) {
	delete(c.Tasks, t.ID)
	if t.Service == "" {
		return
	}
	ts := c.byService[t.Service]
	for i, x := range ts {
		if x == t {
			c.byService[t.Service] = append(ts[:i:i], ts[i+1:]...)
			break
		}
	}
}

// nextWake is when t next needs the scheduler, or zero for never (a
// running task with nothing scripted and no health check).
func nextWake(t *task) time.Time {
	var next time.Time
	consider := func(at time.Time) {
		if !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	switch t.LastStatus {
	case "STOPPED":
		return t.StoppedAt.Add(stoppedTaskTTL)
	case "RUNNING":
		for _, ct := range t.Containers {
			if ct.LastStatus != "RUNNING" {
				continue
			}
			if ct.Behaviour.OOMAfter > 0 {
				consider(ct.StartedAt.Add(ct.Behaviour.OOMAfter.D()))
			}
			if ct.Behaviour.ExitCode != nil {
				consider(ct.StartedAt.Add(ct.Behaviour.ExitAfter.D()))
			}
			if ct.Health != nil {
				consider(ct.NextCheckAt)
			}
		}
		consider(t.TargetCheckAt)
	case "STOPPING":
		for _, ct := range t.Containers {
			if ct.LastStatus == "RUNNING" {
				consider(ct.SignalExitAt)
			}
		}
	default:
		consider(t.NextAt)
	}
	return next
}
