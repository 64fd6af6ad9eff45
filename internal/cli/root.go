// Package cli builds ecsdeploy's commands. The root (this file) builds the
// dependency set and lists every command; each command lives in its own file
// as NewCmdX(deps, runF): an options struct filled from the flags, handed to
// runF in tests or to the command's run function, which makes one engine call
// and renders its result.
package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator/statelock"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/version"
)

// Main runs ecsdeploy with args on the process's streams, with the local ECS
// kept in its state file, and returns the process exit code.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	local := &stateFileECS{}
	// AWS_CA_BUNDLE is parsed on the first TLS connection, not at every start.
	d := NewDeps(SystemIO(), nil, awsconfig.Options{CABundle: awsconfig.TakeCABundleEnv()}, local)
	local.global = d.Global
	return Execute(ctx, d, args)
}

// NewRootCmd builds the command tree on d. Every command is in the list below.
func NewRootCmd(d *Deps) *cobra.Command {
	root := &cobra.Command{
		Use:           "ecsdeploy",
		Short:         "Deploy applications to Amazon ECS, safely and fast",
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if d.Global.Output != "text" && d.Global.Output != "json" {
				return exitcode.Invalidf("--output: %q is not a format; use text or json", d.Global.Output)
			}
			if d.Global.AWS.AccessKey != "" && !d.Global.Quiet {
				fmt.Fprintln(d.IO.ErrOut, "warning: --access-key/--secret-key put credentials in your shell history and process list; prefer AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile")
			}
			return nil
		},
	}
	root.SetIn(d.IO.In)
	root.SetOut(d.IO.Out)
	root.SetErr(d.IO.ErrOut)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return exitcode.With(exitcode.Invalid, err)
	})
	g := d.Global
	pf := root.PersistentFlags()
	pf.StringVarP(&g.AWS.Region, "region", "r", "", "AWS region (default: AWS_REGION or the profile's)")
	pf.StringVarP(&g.AWS.Profile, "profile", "p", "", "shared config profile to use")
	pf.StringVar(&g.AWS.AssumeRoleARN, "assume-role", "", "ARN of a role to assume for all calls")
	pf.StringVar(&g.AWS.ExternalID, "external-id", "", "external id for --assume-role")
	pf.StringVar(&g.AWS.EndpointURL, "endpoint-url", "", "send AWS calls to this endpoint (default: AWS_ENDPOINT_URL)")
	pf.StringVar(&g.AWS.AccessKey, "access-key", "", "AWS access key id (prefer the environment)")
	pf.StringVar(&g.AWS.SecretKey, "secret-key", "", "AWS secret access key (prefer the environment)")
	pf.BoolVar(&g.Local, "local", false, "run against the embedded local ECS instead of AWS")
	pf.StringVar(&g.Output, "output", "text", "output format: text or json")
	pf.BoolVarP(&g.Verbose, "verbose", "v", false, "log every API call (credentials redacted)")
	pf.BoolVarP(&g.Quiet, "quiet", "q", false, "print nothing but errors and the final result")
	durationVarP(pf, &g.LockTimeout, "lock-timeout", "", statelock.DefaultTimeout, "with --local and local serve: how long to wait while another command uses the local ECS state")

	root.AddCommand(
		NewCmdDeploy(d, nil),
		NewCmdDiff(d, nil),
		NewCmdAppSpec(d, nil),
		NewCmdRollback(d, nil),
		NewCmdPromote(d, nil),
		NewCmdAbort(d, nil),
		NewCmdScale(d, nil),
		NewCmdStatus(d, nil),
		NewCmdRun(d, nil),
		NewCmdRegister(d, nil),
		NewCmdRevisions(d),
		NewCmdStack(d),
		NewCmdLocal(d),
		NewCmdEcsDeploy(d, nil),
		NewCmdIAMPolicy(d, nil),
	)
	return root
}

// Execute runs the command tree for args and returns the exit code. An error
// is reported once, by the one renderer: on stderr, and with --output json
// as a report on stdout.
func Execute(ctx context.Context, d *Deps, args []string) int {
	root := NewRootCmd(d)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if cerr := d.Clients.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if err == nil {
		return exitcode.OK
	}
	if exitcode.Of(err) == exitcode.Failed && isUsageError(err) {
		err = exitcode.With(exitcode.Invalid, err)
	}
	return d.renderError(err)
}

// isUsageError recognises cobra's own argument and command errors.
func isUsageError(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "invalid argument"} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}

// dispatch runs a command on its parsed options: with runF when a test
// gives one (to capture the options), else with the command's own run.
func dispatch[O any](ctx context.Context, o O, runF, run func(context.Context, O) error) error {
	if runF != nil {
		return runF(ctx, o)
	}
	return run(ctx, o)
}

// runs makes cmd run o through dispatch, and returns cmd.
func runs[O any](cmd *cobra.Command, o O, runF, run func(context.Context, O) error) *cobra.Command {
	cmd.RunE = func(c *cobra.Command, _ []string) error { return dispatch(c.Context(), o, runF, run) }
	return cmd
}
