package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/bluegreen"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/fleet"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/spec"
)

// fleetFlags are deploy's flags for several targets at once.
type fleetFlags struct {
	file        string
	maxParallel int
	wavePause   durationFlag
	onFailure   string
	onInterrupt string
	skipMissing bool
}

func (f *fleetFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.file, "fleet", "", "deploy the targets of a fleet file, in its waves (docs/fleet.md)")
	fs.IntVar(&f.maxParallel, "max-parallel", 0, "with several targets: how many of one wave deploy at once (default: all)")
	durationVarP(fs, &f.wavePause, "wave-pause", "", 0, "with several targets: pause between waves (30s, 2m)")
	fs.StringVar(&f.onFailure, "on-failure", "", "with several targets: stop (default: no new wave), continue, or rollback-all")
	fs.StringVar(&f.onInterrupt, "on-interrupt", "", "with several targets, when interrupted (Ctrl-C) and not asked on a terminal: stop (default: stop following), continue (follow the running ones to their verdict) or rollback-all")
	fs.BoolVar(&f.skipMissing, "skip-missing", false, "with several services: skip a service that has none of the containers a change names, instead of refusing")
}

// fleetOnly are the flags that mean something only with several targets.
var fleetOnly = []string{"max-parallel", "wave-pause", "on-failure", "on-interrupt", "skip-missing"}

// checkNotFleet refuses the fleet flags on a single-service deploy, where
// they would be silently ignored.
func (o *deployOptions) checkNotFleet(ps *exitcode.Problems) {
	for _, name := range fleetOnly {
		if o.flags.Changed(name) {
			ps.Add("--"+name, 0, "applies to several targets (several -n or -f, or --fleet); this deploy has one")
		}
	}
}

// isFleet reports whether deploy was asked for more than one target.
func (o *deployOptions) isFleet() bool {
	return o.fleet.file != "" || len(o.plan.services) > 1 || len(o.plan.files) > 1
}

// fleetTarget is one target resolved from the command line or a fleet file.
type fleetTarget struct {
	name    string
	where   Target
	request *rollout.Request // a service to deploy
	run     []string         // or: the arguments of a run step
}

// fleetReport is deploy's JSON report for several targets: the fleet's
// verdict and each target's own deploy report.
type fleetReport struct {
	fleetVerdict
	Targets  []fleetTargetRow `json:"targets"`
	APICalls map[string]int   `json:"apiCalls,omitempty"`
}

// fleetVerdict heads the JSON report of every command run on several
// targets: the verdict of fleet.Run.
type fleetVerdict struct {
	Outcome  progress.Outcome `json:"outcome"`
	Reason   string           `json:"reason,omitempty"`
	ExitCode int              `json:"exitCode"`
}

func verdictOf(res *fleet.Result) fleetVerdict {
	return fleetVerdict{Outcome: res.Outcome, Reason: res.Reason, ExitCode: res.ExitCode}
}

// print writes the verdict's line, after the targets' own.
func (v fleetVerdict) print(w io.Writer, what string) {
	fmt.Fprintf(w, "%s %s", what, v.Outcome)
	if v.Reason != "" {
		fmt.Fprintf(w, ": %s", v.Reason)
	}
	fmt.Fprintln(w)
}

type fleetTargetRow struct {
	Name     string           `json:"name"`
	Wave     int              `json:"wave"`
	Outcome  progress.Outcome `json:"outcome"`
	Reason   string           `json:"reason,omitempty"`
	Deploy   *rollout.Result  `json:"deploy,omitempty"`
	Rollback *fleet.Outcome   `json:"rollback,omitempty"`
}

// runDeployFleet deploys several targets in waves over one shared,
// batched and rate-limited client per account and region. Every target is
// resolved and planned before the first wave changes anything, so invalid
// input anywhere exits 2 with nothing changed.
func runDeployFleet(ctx context.Context, o *deployOptions) error {
	d := o.deps
	var ps exitcode.Problems
	policy, err := fleet.ParseFailurePolicy(o.fleet.onFailure)
	if err != nil {
		ps.Add("--on-failure", 0, "%v", err)
	}
	onInterrupt, err := fleet.ParseInterruptPolicy(o.fleet.onInterrupt)
	if err != nil {
		ps.Add("--on-interrupt", 0, "%v", err)
	}
	if o.fleet.maxParallel < 0 {
		ps.Add("--max-parallel", 0, "must be at least 1, got %d", o.fleet.maxParallel)
	}
	pause := o.fleet.wavePause.value("wave-pause", nil, &ps)
	if o.dryRun {
		ps.Add("--dry-run", 0, "shows one service's plan; for several targets run diff with the same targets")
	}
	waves, file := o.fleetWaves(&ps)
	if file != nil {
		if file.MaxParallel != nil && !o.flags.Changed("max-parallel") {
			o.fleet.maxParallel = *file.MaxParallel
		}
		if file.WavePause != nil && !o.fleet.wavePause.Given() {
			pause = file.WavePause.Std()
		}
		if file.OnFailure != nil && !o.flags.Changed("on-failure") {
			policy, _ = fleet.ParseFailurePolicy(*file.OnFailure)
		}
	}
	total := 0
	for _, w := range waves {
		total += len(w)
	}
	if err := fleet.CheckSize(total, o.fleet.maxParallel, settingOrigin("maxParallel")); err != nil {
		ps.Extend(err)
	}
	opts := o.rolloutOptions(&ps)
	if err := dedupe(ps).Err(); err != nil {
		return err
	}

	shared := newFleetClients(d)
	render := d.fleetProgress()
	var members [][]fleet.Member
	for w, wave := range waves {
		var ms []fleet.Member
		for _, t := range wave {
			if t.run != nil {
				ms = append(ms, &runMember{name: t.name, d: d, args: t.run, rep: render.Target(t.name, w+1)})
				continue
			}
			api, err := shared.api(ctx, t.where)
			if err != nil {
				return err
			}
			tOpts := opts
			tOpts.Reporter = render.Target(t.name, w+1)
			tOpts.Watch.Reporter = nil
			ms = append(ms, &fleet.DeployMember{Target: t.name, API: api, Request: *t.request, Options: tOpts})
		}
		members = append(members, ms)
	}
	members, skipped, err := fleet.PlanDeploys(ctx, members, o.fleet.skipMissing)
	if err != nil {
		return err
	}
	runOpts := fleet.Options{MaxParallel: o.fleet.maxParallel, WavePause: pause, OnFailure: policy, OnInterrupt: onInterrupt, Reporter: render.Steps()}
	if d.asksOnInterrupt(o.flags) {
		runOpts.ConfirmRollback = d.confirmRollback(render)
	}
	res := fleet.Run(ctx, members, runOpts)
	report := fleetReport{fleetVerdict: verdictOf(res), APICalls: d.Clients.Calls().Counts()}
	for _, t := range res.Targets {
		row := fleetTargetRow{Name: t.Name, Wave: t.Wave, Outcome: t.Result.Outcome, Reason: t.Result.Reason, Rollback: t.Rollback}
		if r, ok := t.Result.Detail.(*rollout.Result); ok {
			row.Deploy = r
		}
		report.Targets = append(report.Targets, row)
	}
	for name, why := range skipped {
		report.Targets = append(report.Targets, fleetTargetRow{Name: name, Outcome: fleet.Skipped, Reason: "--skip-missing: " + why})
	}
	if err := writeFleetOutputs(report, o.outputsFile); err != nil && res.ExitCode == 0 {
		return exitcode.With(exitcode.Failed, err)
	}
	if err := d.Render(report, func(w io.Writer) { printFleetResult(w, report) }); err != nil {
		return err
	}
	if res.ExitCode != exitcode.OK {
		return Silent(exitcode.With(res.ExitCode, fmt.Errorf("%s", res.Reason)))
	}
	return nil
}

// fleetWaves resolves the targets: from the fleet file, or one per -n, or
// one per -f; the command line's changes apply to every target.
func (o *deployOptions) fleetWaves(ps *exitcode.Problems) ([][]fleetTarget, *fleet.File) {
	return resolveFleetWaves(&o.plan, o.flags, o.fleet.file, ps)
}

// resolveFleetWaves resolves deploy's (and diff's) targets: the waves of
// fleetFile, or one wave of one target per -n or per -f, with the command
// line's changes over each. A service given twice is a problem.
func resolveFleetWaves(p *planFlags, flags *pflag.FlagSet, fleetFile string, ps *exitcode.Problems) ([][]fleetTarget, *fleet.File) {
	if !checkSelection(p, fleetFile, ps) {
		return nil, nil
	}
	if fleetFile != "" {
		waves, file := fleetFileWaves(p, flags, fleetFile, ps)
		*ps = append(*ps, distinctServices(waves)...)
		return waves, file
	}
	var wave []fleetTarget
	add := func(name string, one planFlags) {
		r := one.resolveOver(loadSpecFile(p, one.file, ps), loadVariables(p.now, p.varFiles, p.varFlags, ps), flags, ps)
		if name == "" {
			name = r.request.Service
		}
		req := r.request
		wave = append(wave, fleetTarget{name: name, request: &req})
	}
	if len(p.services) > 1 {
		for _, s := range p.services {
			add(s, p.forTarget(s, p.file))
		}
	} else {
		for _, f := range p.files {
			add("", p.forTarget(p.service, f))
		}
	}
	waves := [][]fleetTarget{wave}
	*ps = append(*ps, distinctServices(waves)...)
	return waves, nil
}

// distinctServices refuses a service that two targets deploy (two -n, two
// specs, or two targets of a fleet file naming the same service): their
// deployments would replace each other.
func distinctServices(waves [][]fleetTarget) exitcode.Problems {
	var sel [][]selectedTarget
	for _, w := range waves {
		var sw []selectedTarget
		for _, t := range w {
			if t.request != nil {
				sw = append(sw, selectedTarget{name: t.name, where: t.where, cluster: t.request.Cluster, service: t.request.Service})
			}
		}
		sel = append(sel, sw)
	}
	return checkDistinct(sel)
}

func fleetFileWaves(p *planFlags, flags *pflag.FlagSet, path string, ps *exitcode.Problems) ([][]fleetTarget, *fleet.File) {
	resolver := loadVariables(p.now, p.varFiles, p.varFlags, ps)
	file, err := fleet.Load(path, resolver)
	if err != nil {
		ps.Extend(err)
		return nil, file
	}
	var waves [][]fleetTarget
	for _, wave := range file.Plan() {
		var w []fleetTarget
		for _, t := range wave {
			ft := fleetTarget{name: t.Name, where: Target{Region: t.Region, Profile: t.Profile, Role: t.Role}}
			if t.Run != nil {
				ft.run = runStepArgs(t)
			} else {
				one := p.forTarget("", "")
				r := one.resolveOver(t.Deploy, resolver, flags, ps)
				req := r.request
				ft.request = &req
			}
			w = append(w, ft)
		}
		waves = append(waves, w)
	}
	return waves, file
}

// loadSpecFile reads one target's spec file, or none.
func loadSpecFile(p *planFlags, path string, ps *exitcode.Problems) *spec.Deploy {
	d := &spec.Deploy{}
	if path == "" {
		return d
	}
	loaded, err := spec.LoadDeploy(path, loadVariables(p.now, p.varFiles, p.varFlags, ps))
	if err != nil {
		ps.Extend(err)
	}
	if loaded != nil {
		d = loaded
	}
	return d
}

// runStepArgs are the arguments of `ecsdeploy run` for a run step, so that
// a fleet's migration runs exactly as `ecsdeploy run` runs it.
func runStepArgs(t fleet.Target) []string {
	r := t.Run
	args := []string{"--cluster", r.Cluster}
	if r.TaskDefinition != "" {
		args = append(args, "--task-definition", r.TaskDefinition)
	}
	if r.Service != "" {
		args = append(args, "--service", r.Service)
	}
	for _, c := range r.Command {
		args = append(args, "--command", c)
	}
	if len(r.Subnets) > 0 {
		args = append(args, "--subnets", strings.Join(r.Subnets, ","))
	}
	if len(r.SecurityGroups) > 0 {
		args = append(args, "--security-groups", strings.Join(r.SecurityGroups, ","))
	}
	if r.Timeout != nil {
		args = append(args, "--timeout", r.Timeout.Std().String())
	}
	if t.Region != "" {
		args = append(args, "--region", t.Region)
	}
	if t.Profile != "" {
		args = append(args, "--profile", t.Profile)
	}
	if t.Role != "" {
		args = append(args, "--assume-role", t.Role)
	}
	return args
}

// rolloutOptions are the deploy flags that apply to every target.
func (o *deployOptions) rolloutOptions(ps *exitcode.Problems) rollout.Options {
	opts := rollout.Options{Timeout: rollout.DefaultTimeout, Watch: o.wait.options(o.deps.Clock, ps)}
	if o.timeout.Given() {
		opts.Timeout = o.timeout.value("timeout", nil, ps)
	}
	opts.Rollback = o.rollback
	opts.NoWait = o.noWait
	opts.SkipDeploymentsCheck = o.skipDeployment
	if o.keepRevisions != "" {
		var n int
		if _, err := fmt.Sscan(o.keepRevisions, &n); err != nil || n < 1 {
			ps.Add("--keep-revisions", 0, "must be a number of at least 1, got %q", o.keepRevisions)
		}
		opts.KeepRevisions = n
	}
	return opts
}

// fleetClients share one batched, rate-limited ECS client per account
// and region (per target location) between the targets of a fleet.
type fleetClients struct {
	d    *Deps
	mu   sync.Mutex
	apis map[Target]*fleet.Batcher
	all  map[Target]*awsconfig.Clients // the same location's other clients, under the same limiter
}

func newFleetClients(d *Deps) *fleetClients {
	return &fleetClients{d: d, apis: map[Target]*fleet.Batcher{}, all: map[Target]*awsconfig.Clients{}}
}

func (c *fleetClients) api(ctx context.Context, t Target) (rollout.ECSAPI, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if api := c.apis[t]; api != nil {
		return api, nil
	}
	limiter := fleet.NewLimiter()
	clients, err := c.d.Clients.ClientsFor(ctx, t, limiter.Middleware)
	if err != nil {
		return nil, err
	}
	api := fleet.NewBatcher(clients.ECS, 0)
	c.apis[t], c.all[t] = api, clients
	return api, nil
}

// blueGreen returns the clients that read a service's blue/green state
// at t, their DescribeServices calls batched with the fleet's.
func (c *fleetClients) blueGreen(ctx context.Context, t Target) (bluegreen.APIs, error) {
	api, err := c.api(ctx, t)
	if err != nil {
		return bluegreen.APIs{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	all := c.all[t]
	return bluegreen.APIs{ECS: batchedECS{Client: all.ECS, batched: api}, CodeDeploy: all.CodeDeploy, ELB: all.ELBv2}, nil
}

// batchedECS is an ECS client whose DescribeServices calls go through a
// fleet's Batcher.
type batchedECS struct {
	*ecs.Client
	batched rollout.ECSAPI
}

func (b batchedECS) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	return b.batched.DescribeServices(ctx, in, optFns...)
}

// fleetProgress renders the fleet: a table on a terminal, prefixed lines
// elsewhere, nothing with --quiet.
func (d *Deps) fleetProgress() *progress.Fleet {
	switch {
	case d.Global.Quiet:
		return progress.NewFleetLines(io.Discard)
	case d.IO.IsStderrTTY() && !d.Global.JSON():
		return progress.NewFleetTable(d.IO.ErrOut, d.IO.StderrWidth())
	default:
		return progress.NewFleetLines(d.IO.ErrOut)
	}
}

func printFleetResult(w io.Writer, r fleetReport) {
	for _, t := range r.Targets {
		line := fmt.Sprintf("%-24s wave %d  %s", t.Name, t.Wave, t.Outcome)
		if t.Deploy != nil && t.Deploy.TaskDefinition != "" {
			line += "  " + shortName(t.Deploy.TaskDefinition)
		}
		if t.Reason != "" {
			line += ": " + t.Reason
		}
		if t.Rollback != nil {
			line += fmt.Sprintf(" (rolled back: %s)", t.Rollback.Outcome)
		}
		fmt.Fprintln(w, line)
	}
	r.print(w, "fleet")
}

// writeFleetOutputs writes each deployed service's CI outputs prefixed
// with its target name (<Name>_TaskDefinitionRevision), and the fleet's
// outcome, to $GITHUB_OUTPUT and --outputs-file.
func writeFleetOutputs(r fleetReport, outputsFile string) error {
	var outs []rollout.Output
	for _, t := range r.Targets {
		if t.Deploy == nil || t.Deploy.Revision == 0 || t.Deploy.OrphanDeregistered != "" {
			continue
		}
		outs = append(outs, fleet.TargetOutputs(t.Name, t.Deploy)...)
	}
	outs = append(outs, rollout.Output{Key: "FleetOutcome", Value: string(r.Outcome)})
	return rollout.WriteOutputLines(outs, outputsFile, os.Getenv)
}

// dedupe drops repeated problems: the command line's changes are checked
// once per target and would otherwise say the same thing N times.
func dedupe(ps exitcode.Problems) exitcode.Problems {
	seen := map[string]bool{}
	var out exitcode.Problems
	for _, p := range ps {
		if k := p.String(); !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out
}

// runMember is a run step of a fleet: `ecsdeploy run` with the step's
// arguments, in-process on the same clients, its report kept out of the
// fleet's output and its progress among the fleet's lines.
type runMember struct {
	name string
	d    *Deps
	args []string
	rep  progress.Reporter
}

func (m *runMember) Name() string { return m.name }

func (m *runMember) Do(ctx context.Context) fleet.Outcome {
	m.rep.Report(progress.Step{At: m.d.Clock.Now(), Message: "ecsdeploy run " + strings.Join(m.args, " ")})
	var out strings.Builder
	sub := *m.d
	sub.IO = &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out}
	sub.Global = &GlobalOptions{AWS: m.d.Global.AWS, Local: m.d.Global.Local, Output: "text", Quiet: true}
	cmd := NewCmdRun(&sub, nil)
	cmd.SetArgs(m.args)
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	err := cmd.ExecuteContext(ctx)
	// run's last line is its result ("succeeded: …", or why it failed).
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	result := strings.TrimSpace(lines[len(lines)-1])
	if err != nil {
		code := exitcode.Of(err)
		reason := fmt.Sprintf("exit code %d: %v", code, err)
		if result != "" {
			reason = fmt.Sprintf("exit code %d: %s", code, result)
		}
		m.rep.Report(progress.Step{At: m.d.Clock.Now(), Message: "run failed, " + reason})
		return fleet.Outcome{Outcome: progress.Failed, Reason: reason, Err: err}
	}
	m.rep.Report(progress.Step{At: m.d.Clock.Now(), Message: "run " + result})
	return fleet.Outcome{Outcome: progress.Succeeded, Reason: result}
}

// Undo implements fleet.Member: a finished task changed nothing to return.
func (m *runMember) Undo(context.Context) fleet.Outcome {
	return fleet.Outcome{Outcome: progress.Succeeded, Reason: "a task run has nothing to roll back"}
}
