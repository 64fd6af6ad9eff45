package progress

import (
	"fmt"
	"io"
	"time"
)

// Lines writes one timestamped line per event: the renderer for CI logs and
// anything that is not a terminal. Lines are in UTC so logs from different
// runners line up. Each line is stamped with the time the engine saw the
// event, so the log reads in order whatever clock ECS keeps.
type Lines struct {
	W io.Writer
	// Heartbeat is how long the log may stay silent while nothing changes
	// before a "still waiting" line says the wait goes on (default 30 s;
	// negative turns it off). A CI log that stops for minutes looks hung.
	Heartbeat time.Duration

	last time.Time  // when the last line was written
	ours Deployment // the latest state of the deployment being waited for
}

// NewLines returns a Lines renderer writing to w.
func NewLines(w io.Writer) *Lines { return &Lines{W: w} }

const defaultHeartbeat = 30 * time.Second

// Report implements Reporter.
func (l *Lines) Report(e Event) {
	at := e.When()
	if at.IsZero() {
		at = time.Now()
	}
	switch e := e.(type) {
	case Polled:
		l.heartbeat(at)
		return
	case DeploymentChanged:
		if e.Deployment.Ours {
			l.ours = e.Deployment
		}
	case Verdict:
		l.ours = Deployment{}
	}
	l.write(at, Describe(e))
}

// heartbeat writes a "still waiting" line when nothing was written for a
// Heartbeat; polls that change nothing print nothing otherwise.
func (l *Lines) heartbeat(at time.Time) {
	every := l.Heartbeat
	if every == 0 {
		every = defaultHeartbeat
	}
	if every < 0 || l.ours.ID == "" || l.last.IsZero() || at.Sub(l.last) < every {
		return
	}
	d := l.ours
	state := d.RolloutState
	if state == "" {
		state = d.Status
	}
	l.write(at, fmt.Sprintf("still waiting for deployment %s: %s, %d of %d running, %d pending", d.ID, state, d.Running, d.Desired, d.Pending))
}

func (l *Lines) write(at time.Time, line string) {
	fmt.Fprintf(l.W, "%s %s\n", at.UTC().Format("2006-01-02T15:04:05Z"), line)
	l.last = at
}
