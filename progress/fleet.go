package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Fleet renders the progress of many targets deployed at once. On a
// terminal it redraws a table, one row per target (wave, state, counts,
// elapsed time, latest event) and prints steps above it; elsewhere each
// target's events are Lines prefixed with the target's name, written whole
// so that lines of different targets never interleave mid-line.
type Fleet struct {
	W     io.Writer
	Live  bool
	Width int              // columns of the live table (default 120)
	Now   func() time.Time // default time.Now

	mu    sync.Mutex
	rows  map[string]*fleetRow
	order []string
	drawn int
}

type fleetRow struct {
	name    string
	wave    int
	state   string
	running int32
	desired int32
	started time.Time
	ended   time.Time
	last    string
}

// NewFleetLines returns a Fleet writing prefixed lines to w.
func NewFleetLines(w io.Writer) *Fleet { return &Fleet{W: w} }

// NewFleetTable returns a Fleet redrawing a table on the terminal w.
func NewFleetTable(w io.Writer, width int) *Fleet { return &Fleet{W: w, Live: true, Width: width} }

// Target returns the reporter for one target's events. Every target
// reports from its own goroutine; Fleet serialises them.
func (f *Fleet) Target(name string, wave int) Reporter {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rows == nil {
		f.rows = map[string]*fleetRow{}
	}
	if _, ok := f.rows[name]; !ok {
		f.rows[name] = &fleetRow{name: name, wave: wave, state: "waiting"}
		f.order = append(f.order, name)
	}
	if f.Live {
		return ReporterFunc(func(e Event) { f.reportRow(name, e) })
	}
	lines := &Lines{W: &lockedPrefix{f: f, prefix: "[" + name + "] "}}
	return ReporterFunc(func(e Event) {
		f.mu.Lock()
		defer f.mu.Unlock()
		lines.Report(e)
	})
}

// Steps returns the reporter for the fleet's own progress (waves starting,
// targets ending).
func (f *Fleet) Steps() Reporter {
	return ReporterFunc(func(e Event) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.Live {
			f.clearLocked()
			fmt.Fprintln(f.W, Describe(e))
			f.drawLocked()
			return
		}
		at := e.When()
		if at.IsZero() {
			at = f.now()
		}
		fmt.Fprintf(f.W, "%s %s\n", at.UTC().Format("2006-01-02T15:04:05Z"), Describe(e))
	})
}

// Ask writes question below the table and reads one line of answer from
// in, holding the table still meanwhile; the table is drawn afresh under
// the answer at the next event.
func (f *Fleet) Ask(question string, in io.Reader) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	fmt.Fprint(f.W, question)
	var answer []byte
	buf := make([]byte, 1)
	for {
		n, err := in.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			answer = append(answer, buf[0])
		}
		if err != nil {
			fmt.Fprintln(f.W)
			break
		}
	}
	f.drawn = 0
	return strings.TrimSpace(string(answer))
}

func (f *Fleet) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *Fleet) reportRow(name string, e Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.rows[name]
	if r.started.IsZero() {
		r.started = f.now()
	}
	switch e := e.(type) {
	case DeploymentChanged:
		if d := e.Deployment; d.Ours && !d.Awaited {
			r.running, r.desired = d.Running, d.Desired
			r.state = strings.ToLower(or(d.RolloutState, d.Status))
		}
	case ServiceEvent:
		r.last = e.Message
	case Step:
		r.last = e.Message
	case Warning:
		r.last = "warning: " + e.Message
	case TaskChanged:
		if e.Task.Ours && e.Task.LastStatus == "STOPPED" {
			r.last = DescribeTask(e.Task)
		}
	case Verdict:
		if !e.Awaited {
			r.state = string(e.Outcome)
			r.ended = f.now()
			if e.Reason != "" {
				r.last = e.Reason
			}
		}
	}
	f.clearLocked()
	f.drawLocked()
}

func (f *Fleet) clearLocked() {
	for range f.drawn {
		fmt.Fprint(f.W, "\x1b[1A\x1b[2K")
	}
	f.drawn = 0
}

func (f *Fleet) drawLocked() {
	width := f.Width
	if width <= 0 {
		width = 120
	}
	now := f.now()
	lines := []string{fmt.Sprintf("%-24s %4s  %-12s %9s %8s  %s", "TARGET", "WAVE", "STATE", "RUNNING", "ELAPSED", "LATEST")}
	for _, name := range f.order {
		r := f.rows[name]
		elapsed := ""
		if !r.started.IsZero() {
			end := now
			if !r.ended.IsZero() {
				end = r.ended
			}
			elapsed = end.Sub(r.started).Round(time.Second).String()
		}
		counts := ""
		if r.desired > 0 || r.running > 0 {
			counts = fmt.Sprintf("%d/%d", r.running, r.desired)
		}
		lines = append(lines, fmt.Sprintf("%-24s %4d  %-12s %9s %8s  %s", r.name, r.wave, r.state, counts, elapsed, r.last))
	}
	for _, l := range lines {
		if len(l) > width {
			l = l[:width]
		}
		fmt.Fprintln(f.W, l)
	}
	f.drawn = len(lines)
}

// lockedPrefix prefixes every line written through it; its caller holds
// the Fleet's lock.
type lockedPrefix struct {
	f      *Fleet
	prefix string
}

func (p *lockedPrefix) Write(b []byte) (int, error) {
	text := strings.TrimSuffix(string(b), "\n")
	for _, line := range strings.Split(text, "\n") {
		// Lines stamps each line first; the target's name goes after the stamp.
		stamp, rest, ok := strings.Cut(line, " ")
		if !ok {
			stamp, rest = "", line
		}
		if _, err := fmt.Fprintf(p.f.W, "%s %s%s\n", stamp, p.prefix, rest); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
