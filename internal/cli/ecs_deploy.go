package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/scriptargs"
	"github.com/ecsdeploy/ecsdeploy/version"
)

// ScriptName is the ecs-deploy script's name: invoked under it (a symlink or
// a copy named ecs-deploy), ecsdeploy reads the script's command line.
const ScriptName = "ecs-deploy"

// ScriptArgs returns the arguments for Main when the program was invoked as
// argv0: under the script's name they are the ecs-deploy command's.
func ScriptArgs(argv0 string, args []string) []string {
	name := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	if name == ScriptName {
		return append([]string{ScriptName}, args...)
	}
	return args
}

// NewCmdEcsDeploy is the ecs-deploy command. runF, when set (tests),
// receives the raw arguments instead of running them.
func NewCmdEcsDeploy(d *Deps, runF func(context.Context, []string) error) *cobra.Command {
	return &cobra.Command{
		Use:   ScriptName + " [ecs-deploy arguments]",
		Short: "Run an ecs-deploy script command line unchanged, on ecsdeploy's engine",
		Long: `ecs-deploy takes the command line of the ecs-deploy shell script
(github.com/silinternational/ecs-deploy) exactly as its README documents it,
every short and long flag, and runs it as the matching native command:
deploy for -n, register for -d, run for -d --run-task. Progress, verdicts,
diagnosis, outputs ($GITHUB_OUTPUT) and exit codes are ecsdeploy's.
Invoked under the name ecs-deploy (a symlink), ecsdeploy behaves the same.

The script's defaults are kept (-t 90 seconds; -m, -M and -D sent only when
given), as are its image rules (no tag means latest; -e takes the tag from
an environment variable; -to retags every container) and its messages for
missing required arguments. --max-definitions prunes safely: revisions a
service runs or deploys, and the rollback target, are kept, and a note says
which ones the script would have deregistered. docs/migrating.md maps each
flag and example to the native command.

ecsdeploy's own --local, --output, --quiet and --endpoint-url may be given
too.`,
		Example: `  ecsdeploy ecs-deploy -c production1 -n doorman-service -i docker.repo.com/doorman:latest
  ecsdeploy ecs-deploy -c staging -n core-service -to 0.1.899 -i ignore
  ln -s "$(command -v ecsdeploy)" /usr/local/bin/ecs-deploy   # then call ecs-deploy as before`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), args)
			}
			return runEcsDeploy(cmd.Context(), d, args)
		},
	}
}

// ecsdeployGlobals are ecsdeploy's own global flags that the script does
// not have; they may be mixed with its arguments. The value says whether
// the flag takes one.
// (--poll-interval, hidden, tunes the watcher of deploy and run.)
var ecsdeployGlobals = map[string]bool{"--local": false, "--output": true, "--quiet": false, "-q": false, "--endpoint-url": true,
	"--poll-interval": true}

func runEcsDeploy(ctx context.Context, d *Deps, args []string) error {
	var script, globals, tuning []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, inline := strings.Cut(a, "=")
		takesValue, ok := ecsdeployGlobals[name]
		if !ok {
			if a == "-h" || a == "--help" {
				printEcsDeployHelp(d)
				return nil
			}
			script = append(script, a)
			continue
		}
		given := []string{a}
		if takesValue && !inline && i+1 < len(args) {
			i++
			given = append(given, args[i])
		}
		if name == "--poll-interval" {
			tuning = append(tuning, given...)
		} else {
			globals = append(globals, given...)
		}
	}
	inv, err := scriptargs.Parse(script, os.LookupEnv)
	if err != nil {
		if e := (*scriptargs.Error)(nil); errors.As(err, &e) && e.Usage {
			return exitcode.Invalidf("%s (see ecsdeploy ecs-deploy --help)", e.Message)
		}
		return exitcode.With(exitcode.Invalid, err)
	}
	if inv.Version {
		fmt.Fprintln(d.IO.Out, version.String())
		return nil
	}
	for _, n := range inv.Notes {
		fmt.Fprintln(d.IO.ErrOut, "note: "+n)
	}
	native := append(inv.NativeArgs(), globals...)
	if inv.Kind != scriptargs.RegisterRevision {
		native = append(native, tuning...)
	}
	var outputs string
	if inv.Kind == scriptargs.DeployService && inv.MaxDefinitions > 0 {
		f, err := os.CreateTemp("", "ecsdeploy-outputs-*")
		if err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		outputs = f.Name()
		defer func() { _ = os.Remove(outputs) }()
		native = append(native, "--outputs-file", outputs)
	}
	// The native command runs on the same dependencies: its flags are
	// parsed anew from the native command line.
	root := NewRootCmd(d)
	root.SetArgs(native)
	if err := root.ExecuteContext(ctx); err != nil {
		return err
	}
	if outputs != "" {
		// Save what the command changed (the local ECS's state) before
		// reading it again.
		if err := d.Clients.Close(); err != nil {
			return err
		}
		noteMaxDefinitions(ctx, d, inv.MaxDefinitions, outputs)
	}
	return nil
}

// noteMaxDefinitions prints which revisions safe pruning kept that the
// script would have deregistered. It only reads; a failure to read is noted
// and does not change the outcome.
func noteMaxDefinitions(ctx context.Context, d *Deps, n int, outputsFile string) {
	family := ""
	if f, err := os.Open(outputsFile); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "TaskDefinitionFamily="); ok {
				family = v
			}
		}
		_ = f.Close() // opened for reading only
	}
	if family == "" {
		return
	}
	clients, err := d.Clients.Clients(ctx)
	if err == nil {
		var active []string
		if active, err = rollout.ActiveRevisions(ctx, clients.ECS, family); err == nil {
			if note := scriptargs.MaxDefinitionsNote(n, active); note != "" {
				fmt.Fprintln(d.IO.ErrOut, "note: "+note)
			}
			return
		}
	}
	fmt.Fprintf(d.IO.ErrOut, "note: could not list the revisions of %s to compare with --max-definitions: %v\n", family, err)
}

func printEcsDeployHelp(d *Deps) {
	w := d.IO.Out
	fmt.Fprintln(w, "Usage: ecsdeploy ecs-deploy [ecs-deploy arguments]   (or: ecs-deploy [arguments])")
	fmt.Fprintln(w, "\nThe ecs-deploy script's arguments, with its meaning (docs/migrating.md):")
	for _, names := range scriptargs.FlagNames() {
		fmt.Fprintln(w, "  "+strings.Join(names, " | "))
	}
	fmt.Fprintln(w, "\nAlso ecsdeploy's --local, --output json, --quiet and --endpoint-url URL.")
}
