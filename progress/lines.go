package progress

import (
	"fmt"
	"io"
	"time"
)

// Lines writes one timestamped line per event: the renderer for CI logs and
// anything that is not a terminal. Lines are in UTC so logs from different
// runners line up.
type Lines struct {
	W io.Writer
}

// NewLines returns a Lines renderer writing to w.
func NewLines(w io.Writer) *Lines { return &Lines{W: w} }

// Report implements Reporter.
func (l *Lines) Report(e Event) {
	if _, ok := e.(Polled); ok {
		return // nothing changed: no line
	}
	at := e.When()
	if at.IsZero() {
		at = time.Now()
	}
	fmt.Fprintf(l.W, "%s %s\n", at.UTC().Format("2006-01-02T15:04:05Z"), Describe(e))
}
