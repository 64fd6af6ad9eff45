package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"

	"github.com/aws/smithy-go/middleware"
	"golang.org/x/term"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// Deps is what every command is built with. The root builds it once; commands
// only read it. It holds the standard streams, the clock, the global flags
// (filled in when the command line is parsed) and the factory of AWS clients.
type Deps struct {
	IO      *IOStreams
	Clock   watch.Clock
	Global  *GlobalOptions
	Clients *ClientFactory
}

// NewDeps builds the dependency set. base holds AWS settings the embedding
// program fixes (retries, an in-process handler, a call counter); the global
// flags are applied over it. local opens the local ECS for --local. A nil
// clock is the wall clock.
func NewDeps(streams *IOStreams, clock watch.Clock, base awsconfig.Options, local LocalBackend) *Deps {
	if clock == nil {
		clock = watch.WallClock{}
	}
	// The one place the environment is read for the local state; whoever
	// builds the Deps (a test, for one) may set another before running.
	global := &GlobalOptions{Output: "text", LocalState: os.Getenv(LocalStateEnv)}
	calls := base.Calls
	if calls == nil {
		calls = &awsconfig.CallCounter{}
	}
	return &Deps{
		IO: streams, Clock: clock, Global: global,
		Clients: &ClientFactory{base: base, global: global, local: local, calls: calls, log: streams.ErrOut},
	}
}

// GlobalOptions are the flags every command takes.
type GlobalOptions struct {
	AWS     awsconfig.Options // region, profile, role, endpoint, keys
	Local   bool              // run against the embedded local ECS
	Output  string            // "text" or "json"
	Verbose bool
	Quiet   bool
	// LockTimeout is how long --local waits for the state another command holds.
	LockTimeout durationFlag
	// LocalState is where the local ECS keeps its state (a directory, or a
	// file ending in .json); empty is the default place. Not a flag: NewDeps
	// takes it from $ECSDEPLOY_LOCAL_STATE.
	LocalState string
}

// JSON reports whether machine-readable output was asked for.
func (g *GlobalOptions) JSON() bool { return g.Output == "json" }

// IOStreams are the standard streams. Whether they are terminals is read
// from the files, unless a test says otherwise.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	inTTY, outTTY, errTTY *bool
}

// SystemIO is the process's standard streams.
func SystemIO() *IOStreams { return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr} }

// SetStdinTTY overrides whether stdin is taken for a terminal.
func (s *IOStreams) SetStdinTTY(tty bool) { s.inTTY = &tty }

// IsStdinTTY reports whether stdin is an interactive terminal (a command
// may ask its user a question there).
func (s *IOStreams) IsStdinTTY() bool {
	if s.inTTY != nil {
		return *s.inTTY
	}
	f, ok := s.In.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// SetStdoutTTY overrides whether stdout is taken for a terminal.
func (s *IOStreams) SetStdoutTTY(tty bool) { s.outTTY = &tty }

// SetStderrTTY overrides whether stderr is taken for a terminal.
func (s *IOStreams) SetStderrTTY(tty bool) { s.errTTY = &tty }

// IsStdoutTTY reports whether stdout is an interactive terminal.
func (s *IOStreams) IsStdoutTTY() bool { return isTerminal(s.Out, s.outTTY) }

// IsStderrTTY reports whether stderr is an interactive terminal.
func (s *IOStreams) IsStderrTTY() bool { return isTerminal(s.ErrOut, s.errTTY) }

// StderrWidth is the width in columns of the terminal on stderr, or 0 when
// unknown.
func (s *IOStreams) StderrWidth() int {
	f, ok := s.ErrOut.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

func isTerminal(w io.Writer, override *bool) bool {
	if override != nil {
		return *override
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Progress chooses how a command shows progress: nothing with --quiet, a
// live view on a terminal, and timestamped lines anywhere else (CI logs, and
// always with --output json, whose stdout is reserved for the report).
func (d *Deps) Progress() progress.Reporter {
	switch {
	case d.Global.Quiet:
		return progress.Discard
	case d.IO.IsStderrTTY() && !d.Global.JSON():
		return progress.NewLive(d.IO.ErrOut, d.IO.StderrWidth())
	default:
		return progress.NewLines(d.IO.ErrOut)
	}
}

// checkedClients returns the AWS clients once the input has no problem:
// invalid input is refused before any client is built or call made.
func (d *Deps) checkedClients(ctx context.Context, ps exitcode.Problems) (*awsconfig.Clients, error) {
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return d.Clients.Clients(ctx)
}

// LocalBackend opens the local ECS that --local talks to.
type LocalBackend interface {
	// Open returns the handler that answers AWS requests in-process and a
	// function that saves the state and stops it. With cloudFormation the
	// handler answers CloudFormation too (the stack commands).
	Open(ctx context.Context, cloudFormation bool) (http.Handler, func() error, error)
}

// ClientFactory builds AWS clients from the global flags: for AWS, or with
// --local for the local ECS. Every client of one command line counts its
// calls in the same counter.
type ClientFactory struct {
	base   awsconfig.Options
	global *GlobalOptions
	local  LocalBackend
	calls  *awsconfig.CallCounter
	log    io.Writer

	mu      sync.Mutex
	closers []func() error
	opened  map[bool]http.Handler // the local ECS, opened once per command line
}

// Clients returns the ECS, CloudWatch Logs and other clients.
func (f *ClientFactory) Clients(ctx context.Context) (*awsconfig.Clients, error) {
	return f.build(ctx, false)
}

// ClientsWithCloudFormation is Clients for the stack commands: with --local,
// the local ECS answers CloudFormation too.
func (f *ClientFactory) ClientsWithCloudFormation(ctx context.Context) (*awsconfig.Clients, error) {
	return f.build(ctx, true)
}

// Calls counts the API calls of this command line.
func (f *ClientFactory) Calls() *awsconfig.CallCounter { return f.calls }

// Target is where one target of a fleet lives, when it differs from the
// global flags: its region, profile and role to assume.
type Target struct {
	Region, Profile, Role string
}

// ClientsFor returns clients for one target of a fleet: the global flags
// with the target's own region, profile and role laid over them, and
// apiOptions (the fleet's rate limiter) added to every client's stack.
// With --local every target reaches the same local ECS.
func (f *ClientFactory) ClientsFor(ctx context.Context, t Target, apiOptions ...func(*middleware.Stack) error) (*awsconfig.Clients, error) {
	return f.buildWith(ctx, false, func(o *awsconfig.Options) {
		if t.Region != "" {
			o.Region = t.Region
		}
		if t.Profile != "" {
			o.Profile = t.Profile
		}
		if t.Role != "" {
			o.AssumeRoleARN = t.Role
		}
	}, apiOptions)
}

func (f *ClientFactory) build(ctx context.Context, cloudFormation bool) (*awsconfig.Clients, error) {
	return f.buildWith(ctx, cloudFormation, nil, nil)
}

func (f *ClientFactory) buildWith(ctx context.Context, cloudFormation bool, override func(*awsconfig.Options), apiOptions []func(*middleware.Stack) error) (*awsconfig.Clients, error) {
	opts := f.global.AWS
	if override != nil {
		override(&opts)
	}
	opts.Handler, opts.MaxAttempts, opts.Calls, opts.Log = f.base.Handler, f.base.MaxAttempts, f.calls, f.base.Log
	opts.CABundle = f.base.CABundle
	if f.global.Verbose && opts.Log == nil {
		opts.Log = f.log
	}
	if f.global.Local {
		h, err := f.openLocal(ctx, cloudFormation)
		if err != nil {
			return nil, err
		}
		opts.Handler = h
	}
	cfg, err := awsconfig.Load(ctx, opts)
	if err != nil {
		return nil, exitcode.With(exitcode.Invalid, err)
	}
	cfg.APIOptions = append(cfg.APIOptions, apiOptions...)
	return awsconfig.NewClients(cfg), nil
}

// openLocal opens the local ECS once per command line, however many
// clients are built on it (a fleet builds one per target).
func (f *ClientFactory) openLocal(ctx context.Context, cloudFormation bool) (http.Handler, error) {
	if f.local == nil {
		return nil, exitcode.Invalidf("--local is not available in this build")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if h := f.opened[cloudFormation]; h != nil {
		return h, nil
	}
	h, closeFn, err := f.local.Open(ctx, cloudFormation)
	if err != nil {
		err = fmt.Errorf("open the local ECS: %w", err)
		var coded *exitcode.Error
		if errors.As(err, &coded) { // the state is locked by another process (4)...
			return nil, err
		}
		return nil, exitcode.With(exitcode.Invalid, err) // ...or damaged
	}
	if f.opened == nil {
		f.opened = map[bool]http.Handler{}
	}
	f.opened[cloudFormation] = h
	f.closers = append(f.closers, closeFn)
	return h, nil
}

// Close releases what the clients opened (it saves the local ECS's state).
func (f *ClientFactory) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var errs []error
	for i := len(f.closers) - 1; i >= 0; i-- {
		errs = append(errs, f.closers[i]())
	}
	f.closers = nil
	return errors.Join(errs...)
}
