package progress

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Live redraws a block on a terminal: the deployments with their counts, the
// new and old tasks, the latest service events and the elapsed time. Steps,
// warnings, stopped tasks and the verdict are printed above the block and
// stay in the scrollback.
type Live struct {
	W     io.Writer
	Width int              // columns; lines are cut to fit so redraws stay aligned (default 120)
	Now   func() time.Time // for the elapsed time (default time.Now)

	start       time.Time
	drawn       int // lines of the block currently on screen
	deployments []Deployment
	tasks       map[string]Task
	events      []string
}

// NewLive returns a live renderer writing to the terminal w.
func NewLive(w io.Writer, width int) *Live {
	return &Live{W: w, Width: width}
}

const liveRecentEvents = 5

// Report implements Reporter.
func (l *Live) Report(e Event) {
	if l.Now == nil {
		l.Now = time.Now
	}
	if l.start.IsZero() {
		l.start = l.Now()
	}
	if l.tasks == nil {
		l.tasks = map[string]Task{}
	}
	switch e := e.(type) {
	case DeploymentChanged:
		l.setDeployment(e.Deployment)
	case TaskChanged:
		if e.Task.Stopped() {
			delete(l.tasks, e.Task.ID)
			if e.Task.Ours {
				l.printAbove(DescribeTask(e.Task))
			}
		} else {
			l.tasks[e.Task.ID] = e.Task
		}
	case ServiceEvent:
		l.events = append(l.events, e.Time().Local().Format("15:04:05")+" "+e.Message)
		if len(l.events) > liveRecentEvents {
			l.events = l.events[len(l.events)-liveRecentEvents:]
		}
	case Polled:
		// Nothing changed; redraw so that the elapsed time moves.
	case Verdict:
		l.redraw()
		l.drawn = 0 // keep the final block on screen
		fmt.Fprintln(l.W, Describe(e))
		l.reset()
		return
	default:
		l.printAbove(Describe(e))
		return
	}
	l.redraw()
}

// reset forgets the watched state so that a second wait (a rollback) starts clean.
func (l *Live) reset() {
	l.deployments = nil
	l.tasks = map[string]Task{}
	l.events = nil
	l.start = time.Time{}
}

func (l *Live) setDeployment(d Deployment) {
	for i := range l.deployments {
		if l.deployments[i].ID == d.ID {
			if d.Status == Gone {
				l.deployments = append(l.deployments[:i], l.deployments[i+1:]...)
			} else {
				l.deployments[i] = d
			}
			return
		}
	}
	if d.Status != Gone {
		l.deployments = append(l.deployments, d)
	}
}

// printAbove prints a line that stays in the scrollback, whole: only the
// redrawn block must not wrap (its cursor arithmetic counts lines), and a
// stopped task's line ends with what matters, its containers' exit codes.
func (l *Live) printAbove(line string) {
	l.clear()
	fmt.Fprintln(l.W, line)
	l.draw()
}

func (l *Live) redraw() {
	l.clear()
	l.draw()
}

func (l *Live) clear() {
	if l.drawn > 0 {
		fmt.Fprintf(l.W, "\x1b[%dA\x1b[J", l.drawn)
		l.drawn = 0
	}
}

func (l *Live) draw() {
	lines := l.block()
	for _, s := range lines {
		fmt.Fprintln(l.W, l.fit(s))
	}
	l.drawn = len(lines)
}

func (l *Live) block() []string {
	if len(l.deployments) == 0 && len(l.tasks) == 0 && len(l.events) == 0 {
		return nil
	}
	lines := []string{fmt.Sprintf("── elapsed %s", l.Now().Sub(l.start).Round(time.Second))}
	for _, d := range l.deployments {
		lines = append(lines, "  "+DescribeDeployment(d))
	}
	var newTasks, oldTasks []string
	ids := make([]string, 0, len(l.tasks))
	for id := range l.tasks {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		t := l.tasks[id]
		s := t.LastStatus
		if t.HealthStatus != "" && t.HealthStatus != "UNKNOWN" {
			s += "/" + t.HealthStatus
		}
		if t.Ours {
			newTasks = append(newTasks, shortID(id)+" "+s)
		} else {
			oldTasks = append(oldTasks, shortID(id)+" "+s)
		}
	}
	if len(newTasks) > 0 {
		lines = append(lines, "  new tasks: "+strings.Join(newTasks, ", "))
	}
	if len(oldTasks) > 0 {
		lines = append(lines, "  old tasks: "+strings.Join(oldTasks, ", "))
	}
	for _, ev := range l.events {
		lines = append(lines, "  "+ev)
	}
	return lines
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// fit cuts s to the terminal width, so that no line wraps and the cursor
// arithmetic of the next redraw stays right.
func (l *Live) fit(s string) string {
	width := l.Width
	if width <= 0 {
		width = 120
	}
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	return string(r[:width-1]) + "…"
}
