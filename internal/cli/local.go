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
	"github.com/ecsdeploy/ecsdeploy/emulator/logs"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/internal/failure"
)

// LocalStateEnv overrides where the local ECS keeps its state: a directory
// (the state is state.json inside it) or a file ending in .json.
const LocalStateEnv = "ECSDEPLOY_LOCAL_STATE"

func init() {
	register(newLocalCommand)
	openLocalBackend = openLocalECS
}

// localStatePath is the local ECS's state file: $ECSDEPLOY_LOCAL_STATE, or
// ecsdeploy/local/state.json under the user's configuration directory.
func localStatePath() (string, error) {
	if v := strings.TrimSpace(os.Getenv(LocalStateEnv)); v != "" {
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
	em := emulator.New(emulator.Options{Speed: speed, DefaultCluster: true})
	logs.Register(em) // CloudWatch Logs for awslogs containers (run --logs, aws logs get-log-events)
	if err := em.LoadState(file); err != nil && !errors.Is(err, os.ErrNotExist) {
		em.Close()
		return nil, err
	}
	return em, nil
}

// openLocalECS implements --local: the emulator in-process on the shared
// state file; closing it saves the state.
func openLocalECS(ctx context.Context) (http.Handler, func() error, error) {
	file, err := localStatePath()
	if err != nil {
		return nil, nil, err
	}
	em, err := openLocalEmulator(file, emulator.DefaultSpeed)
	if err != nil {
		return nil, nil, err
	}
	closeFn := func() error {
		defer em.Close()
		if err := em.SaveState(file); err != nil {
			return failure.WithCode(failure.CodeFailed, err)
		}
		return nil
	}
	return em, closeFn, nil
}

func newLocalCommand(g *Globals) *cobra.Command {
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
	cmd.AddCommand(newLocalServeCommand(g), newLocalResetCommand(g), newLocalPathCommand(g), newLocalScenarioCommand(g))
	return cmd
}

type localServeOptions struct {
	Addr     string
	State    string
	Scenario string
	Speed    float64
}

func newLocalServeCommand(g *Globals) *cobra.Command {
	o := &localServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the local ECS API over HTTP until interrupted",
		Example: `  ecsdeploy local serve
  ecsdeploy local serve --addr 127.0.0.1:4566 --scenario failures.yaml --speed 30
  AWS_ENDPOINT_URL=http://127.0.0.1:4566 aws ecs list-clusters`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runLocalServe(cmd.Context(), g, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.Addr, "addr", "127.0.0.1:4566", "address to listen on")
	f.StringVar(&o.State, "state", "", "state file (default: the --local state file, see `ecsdeploy local path`)")
	f.StringVar(&o.Scenario, "scenario", "", "scenario file (YAML): capacity, image behaviours, API faults")
	f.Float64Var(&o.Speed, "speed", emulator.DefaultSpeed, "emulated seconds per wall-clock second")
	return cmd
}

// autosaveInterval bounds how much a crash of `local serve` can lose.
const autosaveInterval = 30 * time.Second

func runLocalServe(ctx context.Context, g *Globals, o *localServeOptions) error {
	if o.Speed <= 0 {
		return failure.Invalidf("--speed must be greater than 0")
	}
	file := o.State
	if file == "" {
		var err error
		if file, err = localStatePath(); err != nil {
			return failure.WithCode(failure.CodeInvalid, err)
		}
	}
	var sc *scenario.Scenario
	if o.Scenario != "" {
		var err error
		if sc, err = scenario.Load(o.Scenario); err != nil {
			return failure.WithCode(failure.CodeInvalid, err)
		}
	}
	_, statErr := os.Stat(file)
	em, err := openLocalEmulator(file, o.Speed)
	if err != nil {
		return failure.WithCode(failure.CodeInvalid, err)
	}
	defer em.Close()
	// CloudFormation too, with the stacks the stack commands keep next to
	// the state (ignored when the ECS state is new: they describe nothing).
	cfFile := filepath.Join(filepath.Dir(file), localCloudFormationFile)
	cf := localcfn.Register(em)
	if statErr == nil {
		if err := cf.LoadState(cfFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return failure.WithCode(failure.CodeInvalid, err)
		}
	}
	if err := loadLocalCloudFormationScenario(cf, file); err != nil {
		return err
	}
	save := func() error { return errors.Join(em.SaveState(file), cf.SaveState(cfFile)) }
	if sc != nil {
		if err := em.SetScenario(sc); err != nil {
			return failure.WithCode(failure.CodeInvalid, err)
		}
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return failure.Invalidf("listen on %s: %v (choose another address with --addr; port 0 picks a free one)", o.Addr, err)
	}
	srv := &http.Server{Handler: em, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	endpoint := "http://" + ln.Addr().String()
	out := g.Streams.Out
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
	fmt.Fprintf(out, "Press Ctrl-C to stop.\n")

	tick := time.NewTicker(autosaveInterval)
	defer tick.Stop()
	for {
		select {
		case err := <-served:
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				return failure.WithCode(failure.CodeFailed, fmt.Errorf("serve: %w", err))
			}
			return nil
		case <-tick.C:
			if err := save(); err != nil {
				fmt.Fprintf(g.Streams.ErrOut, "warning: %v\n", err)
			}
		case <-ctx.Done():
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = srv.Shutdown(shutdownCtx)
			cancel()
			if err := save(); err != nil {
				return failure.WithCode(failure.CodeFailed, err)
			}
			fmt.Fprintf(out, "Stopped; state saved to %s\n", file)
			return nil
		}
	}
}

func newLocalResetCommand(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "reset",
		Short: "Forget the local ECS state used by --local (clusters, services, tasks)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			file, err := localStatePath()
			if err != nil {
				return failure.WithCode(failure.CodeInvalid, err)
			}
			if err := os.Remove(file); err != nil {
				if errors.Is(err, os.ErrNotExist) {
					fmt.Fprintf(g.Streams.Out, "Nothing to reset: %s does not exist\n", file)
					return nil
				}
				return failure.WithCode(failure.CodeFailed, err)
			}
			fmt.Fprintf(g.Streams.Out, "Removed %s; the next --local command starts a fresh local ECS\n", file)
			return nil
		},
	}
}

func newLocalPathCommand(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "path",
		Short: "Print where the local ECS keeps its state (override with " + LocalStateEnv + ")",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			file, err := localStatePath()
			if err != nil {
				return failure.WithCode(failure.CodeInvalid, err)
			}
			fmt.Fprintln(g.Streams.Out, file)
			return nil
		},
	}
}

func newLocalScenarioCommand(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "scenario FILE",
		Short: "Set the scenario (capacity, image behaviours, API faults) used by --local",
		Example: `  ecsdeploy local scenario docs/scenarios/crash.yaml
  ecsdeploy deploy --local ...   # now runs against that scenario`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := scenario.Load(args[0])
			if err != nil {
				return failure.WithCode(failure.CodeInvalid, err)
			}
			file, err := localStatePath()
			if err != nil {
				return failure.WithCode(failure.CodeInvalid, err)
			}
			em, err := openLocalEmulator(file, emulator.DefaultSpeed)
			if err != nil {
				return failure.WithCode(failure.CodeInvalid, err)
			}
			defer em.Close()
			if err := em.SetScenario(sc); err != nil {
				return failure.WithCode(failure.CodeInvalid, err)
			}
			if err := em.SaveState(file); err != nil {
				return failure.WithCode(failure.CodeFailed, err)
			}
			fmt.Fprintf(g.Streams.Out, "Scenario %s is now used by --local (state in %s)\n", args[0], file)
			return nil
		},
	}
}
