package fleet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsdeploy/ecsdeploy/bluegreen"
	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// RollbackMember rolls one service of a fleet back to the revision that
// ran before the current one, with the same engine as a single-service
// rollback (rollout.RollbackTarget, rollout.Rollback). Plan finds that
// revision without changing anything; Do uses what Plan found.
type RollbackMember struct {
	Target           string
	Cluster, Service string
	API              rollout.ECSAPI
	// Options follow the rollback; Options.Watch.Reporter receives the
	// member's progress.
	Options rollout.RollbackOptions

	planned  bool
	planErr  error
	target   string // the task definition it returns to
	previous string // the one it ran when planned
	note     string // how target was found, when it is a guess
	result   *rollout.RollbackResult
}

// NotRollingError refuses a service that a blue/green controller deploys:
// its rollback stops or redeploys through that controller, which only a
// single-service rollback does.
type NotRollingError struct {
	Cluster, Service string
	Strategy         bluegreen.Strategy
}

func (e *NotRollingError) Error() string {
	return fmt.Sprintf("service %s is deployed by %s: roll it back on its own", e.Service, e.Strategy)
}

// Name implements Member.
func (m *RollbackMember) Name() string { return m.Target }

// Previous is the task definition the service ran when planned.
func (m *RollbackMember) Previous() string { return m.previous }

// Note says how the rollback target was found when it is not certain.
func (m *RollbackMember) Note() string { return m.note }

// Result is the rollback's own report, once Do has run.
func (m *RollbackMember) Result() *rollout.RollbackResult { return m.result }

// Plan finds the revision the service returns to. A service deployed by
// a blue/green controller is refused with a *NotRollingError (exit 2).
func (m *RollbackMember) Plan(ctx context.Context) error {
	target, svc, note, err := rollout.RollbackTarget(ctx, m.API, m.Cluster, m.Service, 0)
	m.target, m.previous, m.note = target, aws.ToString(svc.TaskDefinition), note
	if st := bluegreen.StrategyOf(svc); svc.ServiceName != nil && st != bluegreen.Rolling {
		err = exitcode.With(exitcode.Invalid, &NotRollingError{Cluster: m.Cluster, Service: m.Service, Strategy: st})
	}
	m.planned, m.planErr = err == nil, err
	return err
}

// NotRolling is the *NotRollingError Plan returned, if it did: the
// service is deployed by a blue/green controller.
func (m *RollbackMember) NotRolling() *NotRollingError {
	var nr *NotRollingError
	if errors.As(m.planErr, &nr) {
		return nr
	}
	return nil
}

// Do implements Member.
func (m *RollbackMember) Do(ctx context.Context) Outcome {
	if !m.planned {
		if err := m.Plan(ctx); err != nil {
			return Outcome{Outcome: progress.Failed, Reason: err.Error(), Err: err}
		}
	}
	if m.note != "" && m.Options.Watch.Reporter != nil {
		m.Options.Watch.Reporter.Report(progress.Step{At: m.Options.Watch.Clock.Now(), Message: "rollback target " + ecsref.Short(m.target) + ": " + m.note})
	}
	rb, err := rollout.Rollback(ctx, m.API, rollout.RollbackRequest{Cluster: m.Cluster, Service: m.Service, TaskDefinition: m.target}, m.Options)
	m.result = rb
	o := Outcome{Err: err, Detail: rb, Outcome: progress.Failed}
	if rb != nil {
		o.Outcome, o.Reason = rb.Outcome, rb.Reason
		o.Changed = rb.DeploymentID != ""
	}
	switch o.Outcome {
	case rollout.Updated:
		o.Outcome = progress.Succeeded // no wait
	case "":
		o.Outcome = progress.Failed
	}
	if o.Reason == "" && err != nil {
		o.Reason = err.Error()
	}
	return o
}

// Undo implements Member; a rollback's failure policies never undo.
func (m *RollbackMember) Undo(context.Context) Outcome {
	return Outcome{Outcome: progress.Succeeded, Reason: "a rollback is not undone"}
}

// PlanError is a member's planning failure that is not invalid input (AWS
// refused a read): planning stops at it, and it names the service.
type PlanError struct {
	Cluster, Service string
	Err              error
}

func (e *PlanError) Error() string { return e.Err.Error() }
func (e *PlanError) Unwrap() error { return e.Err }

// PlanRollbacks plans every member at once (the reads share the fleet's
// batched client). Invalid input anywhere (a service with no revision to
// return to, one that does not exist, one a blue/green controller deploys)
// is reported for every member together as exitcode.Problems, each under
// the member's name; another error (AWS refused a read) is returned as a
// *PlanError with its own exit code. Nothing has changed either way.
func PlanRollbacks(ctx context.Context, members []*RollbackMember) error {
	errs := AtOnce(len(members), func(i int) error { return members[i].Plan(ctx) })
	var ps exitcode.Problems
	for i, err := range errs {
		if err == nil {
			continue
		}
		if exitcode.Of(err) != exitcode.Invalid {
			return &PlanError{Cluster: members[i].Cluster, Service: members[i].Service, Err: err}
		}
		ps.Add(members[i].Target, 0, "%v", err)
	}
	return ps.Err()
}

// ReverseWaves is waves newest first: a rollback returns what was deployed
// last first.
func ReverseWaves(waves [][]Member) [][]Member {
	out := make([][]Member, 0, len(waves))
	for i := len(waves) - 1; i >= 0; i-- {
		out = append(out, waves[i])
	}
	return out
}

// TargetOutputs are the CI outputs of one target of a fleet, each key
// prefixed with the target's name made usable in an output name
// (<Name>_TaskDefinitionRevision).
func TargetOutputs(target string, res *rollout.Result) []rollout.Output {
	var outs []rollout.Output
	for _, out := range rollout.Outputs(res) {
		outs = append(outs, rollout.Output{Key: OutputName(target) + "_" + out.Key, Value: out.Value})
	}
	return outs
}

// Outputs are the CI outputs of a rolled-back member: those of a
// deploy of the revision it returned to. A member whose rollback started
// no deployment has none.
func (m *RollbackMember) Outputs(region string) []rollout.Output {
	rb := m.result
	if rb == nil || rb.DeploymentID == "" {
		return nil
	}
	family, revision := ecsref.FamilyRevision(rb.TaskDefinition)
	return TargetOutputs(m.Target, &rollout.Result{Cluster: m.Cluster, Service: m.Service, Region: region, Family: family, Revision: revision})
}

// OutputName makes a target name usable as an output name prefix: every
// character but ASCII letters, digits and "_" becomes "_".
func OutputName(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, name)
}

// ReadParallel bounds the targets read at once (plans, snapshots): enough
// to fill DescribeServices batches of ten for several clusters, while the
// fleet's client-side buckets pace the calls.
const ReadParallel = 50

// AtOnce calls f for every index below n, ReadParallel at a time, and
// returns each call's error at its index.
func AtOnce(n int, f func(i int) error) []error {
	errs := make([]error, n)
	slots := make(chan struct{}, ReadParallel)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	return errs
}
