package cli

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/internal/emuclock"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// runOpts says how a test runs ecsdeploy in-process.
type runOpts struct {
	AWS   awsconfig.Options // fixed AWS settings: retries, a handler, a call counter
	Local http.Handler      // what --local talks to; nil: the local ECS in its state file
	Clock watch.Clock       // nil: the wall clock
	// State is where the local ECS of --local keeps its state (a directory
	// or a .json file of the test's own, so that tests run in parallel);
	// empty: as $ECSDEPLOY_LOCAL_STATE says.
	State string
}

// deps builds the dependency set of one command line on out and errOut.
func (o runOpts) deps(out, errOut io.Writer) *Deps {
	streams := &IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut}
	if o.Local != nil {
		return NewDeps(streams, o.Clock, o.AWS, handlerECS{o.Local})
	}
	local := &stateFileECS{}
	d := NewDeps(streams, o.Clock, o.AWS, local)
	local.global = d.Global // as Main does
	if o.State != "" {
		d.Global.LocalState = o.State
	}
	return d
}

// handlerECS is a test's emulator as the local ECS of --local; nothing is
// saved (a test registers CloudFormation on its emulator itself).
type handlerECS struct{ h http.Handler }

func (b handlerECS) Open(context.Context, bool) (http.Handler, func() error, error) {
	return b.h, func() error { return nil }, nil
}

// emuStart is where the emulated clock of command tests starts.
var emuStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// newManualEmulator is a local ECS whose time moves only when a test or a
// command (through emuClock) moves it: runs are the same every time and cost
// no wall time.
func newManualEmulator(opts emulator.Options) *emulator.Emulator {
	opts.Clock = emulator.NewManualClock(emuStart)
	return emulator.New(opts)
}

// emuClock is the clock of command tests on a manual emulator (an
// emuclock.Clock): it reads the emulator's time, and a pause moves the
// emulator forward by that much at once, so that a wait of minutes takes
// milliseconds.
type emuClock struct{ em *emulator.Emulator }

func (c emuClock) Now() time.Time { return emuclock.Clock{Em: c.em}.Now() }

func (c emuClock) After(d time.Duration) <-chan time.Time { return emuclock.Clock{Em: c.em}.After(d) }
