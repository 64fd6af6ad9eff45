// Package cli builds ecsdeploy's commands. Each command lives in its own file
// as an options struct plus a run function, and registers itself with
// register() so that commands can be added without touching this file.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/internal/failure"
)

// Version is set at build time with -ldflags "-X github.com/ecsdeploy/ecsdeploy/internal/cli.Version=...".
var Version = "dev"

// Streams are the command's standard streams, injected so tests can capture them.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// IsTerminal reports whether w is an interactive terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Globals are the flags every command shares and what they lead to.
type Globals struct {
	Streams Streams
	AWS     awsconfig.Options
	Local   bool   // run against the embedded local ECS
	Output  string // "text" or "json"
	Verbose bool
	Quiet   bool

	// LocalHandler, when set (tests), is used for --local instead of opening
	// the local ECS's state file.
	LocalHandler http.Handler

	closers []func() error
}

// JSON reports whether machine-readable output was asked for.
func (g *Globals) JSON() bool { return g.Output == "json" }

// Clients returns SDK clients configured from the global flags. With --local
// it opens the embedded local ECS; its state is saved when the command ends.
func (g *Globals) Clients(ctx context.Context) (*awsconfig.Clients, error) {
	opts := g.AWS
	if g.Verbose && opts.Log == nil {
		opts.Log = g.Streams.ErrOut
	}
	if g.Local {
		switch {
		case g.LocalHandler != nil:
			opts.Handler = g.LocalHandler
		case openLocalBackend != nil:
			h, closeFn, err := openLocalBackend(ctx)
			if err != nil {
				return nil, failure.WithCode(failure.CodeInvalid, fmt.Errorf("open the local ECS: %w", err))
			}
			opts.Handler = h
			g.closers = append(g.closers, closeFn)
		default:
			return nil, failure.Invalidf("--local is not available in this build")
		}
	}
	cfg, err := awsconfig.Load(ctx, opts)
	if err != nil {
		return nil, failure.WithCode(failure.CodeInvalid, err)
	}
	return awsconfig.NewClients(cfg), nil
}

// Close releases what Clients opened (it saves the local ECS's state).
func (g *Globals) Close() error {
	var errs []error
	for i := len(g.closers) - 1; i >= 0; i-- {
		errs = append(errs, g.closers[i]())
	}
	g.closers = nil
	return errors.Join(errs...)
}

// openLocalBackend opens the embedded local ECS for --local: it returns the
// handler that answers AWS requests and a function that saves its state and
// stops it. It is set by the file that implements the local commands.
var openLocalBackend func(ctx context.Context) (http.Handler, func() error, error)

var commandBuilders []func(*Globals) *cobra.Command

// register adds a command builder; command files call it from init.
func register(build func(*Globals) *cobra.Command) {
	commandBuilders = append(commandBuilders, build)
}

// NewRootCommand builds the ecsdeploy command tree around g.
func NewRootCommand(g *Globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "ecsdeploy",
		Short:         "Deploy applications to Amazon ECS, safely and fast",
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if g.Output != "text" && g.Output != "json" {
				return failure.Invalidf("--output: %q is not a format; use text or json", g.Output)
			}
			if g.AWS.AccessKey != "" && !g.Quiet {
				fmt.Fprintln(g.Streams.ErrOut, "warning: --access-key/--secret-key put credentials in your shell history and process list; prefer AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile")
			}
			return nil
		},
	}
	root.SetIn(g.Streams.In)
	root.SetOut(g.Streams.Out)
	root.SetErr(g.Streams.ErrOut)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return failure.WithCode(failure.CodeInvalid, err)
	})
	pf := root.PersistentFlags()
	pf.StringVarP(&g.AWS.Region, "region", "r", "", "AWS region (default: AWS_REGION or the profile's)")
	pf.StringVarP(&g.AWS.Profile, "profile", "p", "", "shared config profile to use")
	pf.StringVar(&g.AWS.AssumeRoleARN, "assume-role", "", "ARN of a role to assume for all calls")
	pf.StringVar(&g.AWS.ExternalID, "external-id", "", "external id for --assume-role")
	pf.StringVar(&g.AWS.EndpointURL, "endpoint-url", "", "send AWS calls to this endpoint (default: AWS_ENDPOINT_URL)")
	pf.StringVar(&g.AWS.AccessKey, "access-key", "", "AWS access key id (prefer the environment)")
	pf.StringVar(&g.AWS.SecretKey, "secret-key", "", "AWS secret access key (prefer the environment)")
	// The default is what the caller set, so that Globals{Local: true} (tests) is kept.
	pf.BoolVar(&g.Local, "local", g.Local, "run against the embedded local ECS instead of AWS")
	pf.StringVar(&g.Output, "output", "text", "output format: text or json")
	pf.BoolVarP(&g.Verbose, "verbose", "v", false, "log every API call (credentials redacted)")
	pf.BoolVarP(&g.Quiet, "quiet", "q", false, "print nothing but errors and the final result")
	for _, build := range commandBuilders {
		root.AddCommand(build(g))
	}
	return root
}

// Main runs ecsdeploy with args and returns the process exit code.
func Main(args []string, streams Streams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g := &Globals{Streams: streams}
	return Execute(ctx, g, args)
}

// Execute runs the command tree for args with g and returns the exit code,
// printing the error, if any, to g's error stream.
func Execute(ctx context.Context, g *Globals, args []string) int {
	root := NewRootCommand(g)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if cerr := g.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if err == nil {
		return failure.CodeOK
	}
	var silent *silentError
	if !errors.As(err, &silent) {
		fmt.Fprintln(g.Streams.ErrOut, "error: "+err.Error())
	}
	code := failure.CodeOf(err)
	if code == failure.CodeFailed && isUsageError(err) {
		code = failure.CodeInvalid
	}
	return code
}

// silentError carries an exit code for a failure the command has already reported.
type silentError struct{ error }

// Silent wraps err so that Execute does not print it again; its exit code is kept.
func Silent(err error) error {
	if err == nil {
		return nil
	}
	return &silentError{err}
}

func (s *silentError) Unwrap() error { return s.error }

// isUsageError recognises cobra's own argument and command errors.
func isUsageError(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "invalid argument"} {
		if len(msg) >= len(prefix) && msg[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}
