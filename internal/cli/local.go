package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	localcfn "github.com/ecsdeploy/ecsdeploy/emulator/cloudformation"
	"github.com/ecsdeploy/ecsdeploy/emulator/cloudwatch"
	"github.com/ecsdeploy/ecsdeploy/emulator/codedeploy"
	"github.com/ecsdeploy/ecsdeploy/emulator/elbv2"
	"github.com/ecsdeploy/ecsdeploy/emulator/logs"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// LocalStateEnv overrides where the local ECS keeps its state: a directory
// (the state is state.json inside it) or a file ending in .json.
const LocalStateEnv = "ECSDEPLOY_LOCAL_STATE"

// localStatePath is the local ECS's state file: the place g names
// (GlobalOptions.LocalState, from $ECSDEPLOY_LOCAL_STATE), or
// ecsdeploy/local/state.json under the user's configuration directory.
func localStatePath(g *GlobalOptions) (string, error) {
	v := ""
	if g != nil {
		v = strings.TrimSpace(g.LocalState)
	}
	if v != "" {
		if strings.HasSuffix(v, ".json") {
			return v, nil
		}
		return filepath.Join(v, "state.json"), nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user configuration directory (set %s instead): %w", LocalStateEnv, err)
	}
	return filepath.Join(dir, "ecsdeploy", "local", "state.json"), nil
}

// openLocalEmulator starts an emulator on the state in file (a missing file
// is a fresh start); a damaged file is an error and is left as it is.
func openLocalEmulator(file string, speed float64) (*emulator.Emulator, error) {
	em, _, err := openLocalEmulatorWarning(file, speed, nil)
	return em, err
}

// openLocalEmulatorWarning is openLocalEmulator with warn receiving the
// emulator's "accepted but not simulated" warnings (local serve logs them);
// it also returns the local CloudFormation, whose stacks are saved in the
// same state.
func openLocalEmulatorWarning(file string, speed float64, warn func(string)) (*emulator.Emulator, *localcfn.Service, error) {
	em := emulator.New(emulator.Options{Speed: speed, DefaultCluster: true, Warn: warn})
	logs.Register(em)        // CloudWatch Logs for awslogs containers (run --logs, aws logs get-log-events)
	lb := elbv2.Register(em) // load balancers and target health, saved in the same state
	cloudwatch.Register(em)  // DescribeAlarms, from the scenario's alarms
	// CodeDeploy blue/green for CODE_DEPLOY services, shifting traffic on lb.
	codedeploy.Register(em, codedeploy.NewELBTraffic(lb))
	// CloudFormation, for the stack commands; its stacks are part of the
	// state even for the commands that do not use them, so that they keep them.
	cf := localcfn.Register(em)
	err := em.LoadState(file)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		_ = em.Close() // the error being returned matters more
		return nil, nil, err
	}
	// A state saved before the stacks moved into it has none of its own:
	// it takes those of the file earlier versions kept beside it, once (the
	// next save gives the state its own). A new state (first use, or
	// `local reset`) takes none: stacks describe what is in the local ECS.
	if err == nil && !cf.HasSavedState() {
		legacy := filepath.Join(filepath.Dir(file), legacyCloudFormationFile)
		if err := cf.ImportLegacyState(legacy); err != nil && !errors.Is(err, os.ErrNotExist) {
			_ = em.Close() // the error being returned matters more
			return nil, nil, err
		}
	}
	return em, cf, nil
}

// stateFileECS is the local ECS of --local: an emulator in-process on the
// state file shared by successive commands; closing it saves the state. It
// also serves CloudFormation, whose stacks are saved in the same state; the
// stack commands get its failure rules too.
//
// The state file is locked from Open until the returned function has saved
// it (see lockLocalState).
type stateFileECS struct {
	global *GlobalOptions // for --lock-timeout and where the state is; nil means the defaults
}

// Open implements LocalBackend.
func (s stateFileECS) Open(ctx context.Context, cloudFormation bool) (_ http.Handler, _ func() error, err error) {
	file, err := localStatePath(s.global)
	if err != nil {
		return nil, nil, err
	}
	lock, err := lockLocalState(ctx, file, s.global)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			_ = lock.Release()
		}
	}()
	em, cf, err := openLocalEmulatorWarning(file, emulator.DefaultSpeed, nil)
	if err != nil {
		return nil, nil, err
	}
	if cloudFormation {
		if err := setLocalCloudFormationScenario(cf, file); err != nil {
			_ = em.Close() // the error being returned matters more
			return nil, nil, err
		}
	}
	save := func() error { return em.SaveState(file) }
	closeFn := func() error {
		defer func() { _ = lock.Release() }()
		defer func() { _ = em.Close() }() // after SaveState, which reports what matters
		if err := save(); err != nil {
			return exitcode.With(exitcode.Failed, err)
		}
		return nil
	}
	return em, closeFn, nil
}

// legacyCloudFormationFile is where earlier versions kept the local
// CloudFormation's stacks: beside the state file, shared by every state
// file of the directory.
const legacyCloudFormationFile = "cloudformation.json"

// localCloudFormationScenario, when present next to it, holds failure rules
// for the local CloudFormation (emulator/cloudformation.Scenario, as YAML):
// failures of the local CloudFormation itself, for trying out how stack
// deploy recovers (see docs/stack.md).
const localCloudFormationScenario = "cloudformation-scenario.yaml"

// setLocalCloudFormationScenario gives cf the failure rules kept beside the
// state file at statePath, if any. Both --local and `local serve` use it.
func setLocalCloudFormationScenario(cf *localcfn.Service, statePath string) error {
	sc, err := localcfn.LoadScenario(filepath.Join(filepath.Dir(statePath), localCloudFormationScenario))
	switch {
	case err == nil:
		cf.SetScenario(sc)
	case !errors.Is(err, os.ErrNotExist):
		return exitcode.With(exitcode.Invalid, err)
	}
	return nil
}

// NewCmdLocal builds "local" and its subcommands.
func NewCmdLocal(d *Deps) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "local",
		Short: "Run and manage the built-in local ECS",
		Long: `The local ECS emulates the Amazon ECS control plane: rolling deployments,
placement across Availability Zones, health checks, the circuit breaker and
service events, on a clock that runs faster than real time.

Every command accepts --local to run against it in-process; its state is
kept in one file (see "ecsdeploy local path") so that successive commands
see the same cluster. "ecsdeploy local serve" serves it over HTTP for the
AWS CLI and SDKs.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newCmdLocalServe(d, nil), newCmdLocalReset(d), newCmdLocalPath(d), newCmdLocalScenario(d))
	return cmd
}

type localServeOptions struct {
	deps     *Deps
	Addr     string
	State    string
	Scenario string
	Speed    float64
	Console  bool
}

func newCmdLocalServe(d *Deps, runF func(context.Context, *localServeOptions) error) *cobra.Command {
	o := &localServeOptions{deps: d}
	cmd := runs(&cobra.Command{
		Use:   "serve",
		Short: "Serve the local ECS API over HTTP until interrupted",
		Example: `  ecsdeploy local serve
  ecsdeploy local serve --addr 127.0.0.1:4566 --scenario failures.yaml --speed 30
  ecsdeploy local serve --console=false
  AWS_ENDPOINT_URL=http://127.0.0.1:4566 aws ecs list-clusters`,
		Args: cobra.NoArgs,
	}, o, runF, runLocalServe)
	f := cmd.Flags()
	f.StringVar(&o.Addr, "addr", "127.0.0.1:4566", "address to listen on")
	f.StringVar(&o.State, "state", "", "state file (default: the --local state file, see `ecsdeploy local path`)")
	f.StringVar(&o.Scenario, "scenario", "", "scenario file (YAML): capacity, image behaviours, API faults")
	f.Float64Var(&o.Speed, "speed", emulator.DefaultSpeed, "emulated seconds per wall-clock second")
	f.BoolVar(&o.Console, "console", true, "serve the web console on the same address (under /_local/console/)")
	return cmd
}

// autosaveInterval bounds how much a crash of `local serve` can lose.
const autosaveInterval = 30 * time.Second

func runLocalServe(ctx context.Context, o *localServeOptions) error {
	d := o.deps
	if o.Speed <= 0 {
		return exitcode.Invalidf("--speed must be greater than 0")
	}
	file := o.State
	if file == "" {
		var err error
		if file, err = localStatePath(d.Global); err != nil {
			return exitcode.With(exitcode.Invalid, err)
		}
	}
	var sc *scenario.Scenario
	if o.Scenario != "" {
		var err error
		if sc, err = scenario.Load(o.Scenario); err != nil {
			return exitcode.With(exitcode.Invalid, err)
		}
	}
	lock, err := lockLocalState(ctx, file, d.Global)
	if err != nil {
		return err
	}
	defer func() { _ = lock.Release() }() // a lock the process holds goes with it anyway
	errOut := d.IO.ErrOut
	em, cf, err := openLocalEmulatorWarning(file, o.Speed, func(msg string) { fmt.Fprintln(errOut, "warning: "+msg) })
	if err != nil {
		return exitcode.With(exitcode.Invalid, err)
	}
	defer func() { _ = em.Close() }() // after SaveState, which reports what matters
	// CloudFormation too, with its stacks in the same state.
	if err := setLocalCloudFormationScenario(cf, file); err != nil {
		return err
	}
	save := func() error { return em.SaveState(file) }
	if sc != nil {
		if err := em.SetScenario(sc); err != nil {
			return exitcode.With(exitcode.Invalid, err)
		}
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return exitcode.Invalidf("listen on %s: %v (choose another address with --addr; port 0 picks a free one)", o.Addr, err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second}
	srv.Handler = localServeHandler(em, o.Console, srv)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	endpoint := "http://" + ln.Addr().String()
	out := d.IO.Out
	fmt.Fprintf(out, "Local ECS listening on %s (%gx real time)\n\n", endpoint, o.Speed)
	fmt.Fprintf(out, "Point the AWS CLI and SDKs at it (any credentials are accepted; the region is taken from each request):\n")
	fmt.Fprintf(out, "  export AWS_ENDPOINT_URL=%s\n", endpoint)
	fmt.Fprintf(out, "  aws ecs list-clusters            # or: aws --endpoint-url %s ecs list-clusters\n", endpoint)
	// The CLI and SDKs refuse to send a request without some credentials
	// and a region, even to an endpoint that ignores them.
	fmt.Fprintf(out, "Without AWS credentials or a region configured, any will do:\n")
	fmt.Fprintf(out, "  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1\n\n")
	fmt.Fprintf(out, "State: %s (saved on exit)\n", file)
	fmt.Fprintf(out, "Change the scenario while it runs: curl -X POST --data-binary @scenario.yaml %s/_local/scenario\n", endpoint)
	printLocalServeAccess(out, ln.Addr(), endpoint, o.Console)
	fmt.Fprintf(out, "Press Ctrl-C to stop.\n")

	tick := time.NewTicker(autosaveInterval)
	defer tick.Stop()
	for {
		select {
		case err := <-served:
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				return exitcode.With(exitcode.Failed, fmt.Errorf("serve: %w", err))
			}
			return nil
		case <-tick.C:
			if err := save(); err != nil {
				fmt.Fprintf(d.IO.ErrOut, "warning: %v\n", err)
			}
		case <-ctx.Done():
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = srv.Shutdown(shutdownCtx)
			cancel()
			if err := save(); err != nil {
				return exitcode.With(exitcode.Failed, err)
			}
			fmt.Fprintf(out, "Stopped; state saved to %s\n", file)
			return nil
		}
	}
}

func newCmdLocalReset(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "reset",
		Short: "Forget the local ECS state used by --local (clusters, services, tasks)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			file, lock, err := lockDefaultLocalState(cmd.Context(), d.Global)
			if err != nil {
				return err
			}
			defer func() { _ = lock.Release() }() // a lock the process holds goes with it anyway
			if err := os.Remove(file); err != nil {
				if errors.Is(err, os.ErrNotExist) {
					fmt.Fprintf(d.IO.Out, "Nothing to reset: %s does not exist\n", file)
					return nil
				}
				return exitcode.With(exitcode.Failed, err)
			}
			fmt.Fprintf(d.IO.Out, "Removed %s; the next --local command starts a fresh local ECS\n", file)
			return nil
		},
	}
}

func newCmdLocalPath(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "path",
		Short: "Print where the local ECS keeps its state (override with " + LocalStateEnv + ")",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			file, err := localStatePath(d.Global)
			if err != nil {
				return exitcode.With(exitcode.Invalid, err)
			}
			fmt.Fprintln(d.IO.Out, file)
			return nil
		},
	}
}

func newCmdLocalScenario(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "scenario FILE",
		Short: "Set the scenario (capacity, image behaviours, API faults) used by --local",
		Example: `  ecsdeploy local scenario docs/scenarios/crash.yaml
  ecsdeploy deploy --local ...   # now runs against that scenario`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := scenario.Load(args[0])
			if err != nil {
				return exitcode.With(exitcode.Invalid, err)
			}
			file, lock, err := lockDefaultLocalState(cmd.Context(), d.Global)
			if err != nil {
				return err
			}
			defer func() { _ = lock.Release() }() // a lock the process holds goes with it anyway
			em, err := openLocalEmulator(file, emulator.DefaultSpeed)
			if err != nil {
				return exitcode.With(exitcode.Invalid, err)
			}
			defer func() { _ = em.Close() }() // after SaveState, which reports what matters
			if err := em.SetScenario(sc); err != nil {
				return exitcode.With(exitcode.Invalid, err)
			}
			if err := em.SaveState(file); err != nil {
				return exitcode.With(exitcode.Failed, err)
			}
			fmt.Fprintf(d.IO.Out, "Scenario %s is now used by --local (state in %s)\n", args[0], file)
			return nil
		},
	}
}
