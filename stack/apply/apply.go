// Package apply runs the stack commands end to end: it renders a spec's
// template, brings its CloudFormation stack there (stack/lifecycle), then
// follows the ECS service's deployment with the shared watcher, and
// explains a failure with the failed resources of this operation and the
// service's stopped tasks.
package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/stack"
	"github.com/ecsdeploy/ecsdeploy/stack/cfn"
	"github.com/ecsdeploy/ecsdeploy/stack/lifecycle"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// APIs are the AWS clients a stack deploy uses.
type APIs struct {
	CloudFormation lifecycle.CloudFormationAPI
	ECS            watch.ECSAPI
}

// Options tune a stack deploy or delete.
type Options struct {
	// Timeout bounds the stack operation and the wait for the service together.
	Timeout time.Duration
	// NoWait returns as soon as the stack operation is under way (the stack
	// created, or its change set executing), as Octopus's "don't wait"
	// does: neither the stack nor the service is waited for.
	NoWait bool
	// RecreateFailedStack allows deleting a stack stuck in UPDATE_ROLLBACK_FAILED.
	RecreateFailedStack bool
	// Origins says where NoWait and RecreateFailedStack were given, or are
	// to be given: messages name "noWait" and "recreateFailedStack" at
	// Origins.Of(field) (see lifecycle.Options).
	Origins exitcode.Origins
	// StackTimeout is CloudFormation's own creation timeout (see
	// lifecycle.Options); 0 leaves it unset.
	StackTimeout time.Duration
	// PollInterval is the time between looks at the stack (default 5 s).
	PollInterval time.Duration
	// Watch tunes the service watcher (its Reporter and Timeout are set here).
	Watch watch.Options
	// Reporter receives progress; nil discards it.
	Reporter progress.Reporter
}

// Result is the report of one stack command; it is what --output json prints.
type Result struct {
	StackName      string                      `json:"stackName"`
	StackID        string                      `json:"stackId,omitempty"`
	StackStatus    string                      `json:"stackStatus,omitempty"`
	Action         string                      `json:"action,omitempty"`  // empty when the stack operation failed
	Cluster        string                      `json:"cluster,omitempty"` // empty for delete, which knows only the stack
	Service        string                      `json:"service,omitempty"`
	TaskDefinition string                      `json:"taskDefinition,omitempty"`
	DeploymentID   string                      `json:"deploymentId,omitempty"`
	Outcome        progress.Outcome            `json:"outcome"`
	Reason         string                      `json:"reason,omitempty"`
	Changes        []lifecycle.Change          `json:"changes,omitempty"`
	Outputs        map[string]string           `json:"outputs,omitempty"`
	Failures       []lifecycle.ResourceFailure `json:"failures,omitempty"`
	StoppedTasks   []string                    `json:"stoppedTasks,omitempty"`
	Failure        *watch.Diagnosis            `json:"failure,omitempty"`
	Started        time.Time                   `json:"started"`
	Finished       time.Time                   `json:"finished"`
}

// Outcomes beyond the watcher's.
const (
	// StackStarted: NoWait returned once the stack operation was under
	// way (or found nothing to change).
	StackStarted progress.Outcome = "stack-started"
	// Deleted: stack delete removed the stack, or found none.
	Deleted progress.Outcome = "deleted"
)

// Parameters returns the template parameter values for a spec: the spec's
// own values, which are also the template's defaults.
func Parameters(s *stack.Spec) map[string]string {
	params := map[string]string{}
	for _, p := range s.TemplateParameters() {
		params[p.Name] = p.Default
	}
	return params
}

// Deploy creates or updates the spec's stack and, unless NoWait, watches
// the service's deployment to its end. The Result is returned with the
// error too, so a failure can still be printed in full.
func Deploy(ctx context.Context, apis APIs, s *stack.Spec, opts Options) (*Result, error) {
	rep := opts.Reporter
	if rep == nil {
		rep = progress.Discard
	}
	res := &Result{StackName: s.StackName(), Cluster: s.ClusterName(), Service: s.ServiceName(), Started: time.Now().UTC()}
	defer func() { res.Finished = time.Now().UTC() }()
	body, err := cfn.Generate(s)
	if err != nil {
		return res, err
	}
	if err := requireCluster(ctx, apis.ECS, s); err != nil {
		return res, err
	}
	ctxDeadline := time.Time{}
	if opts.Timeout > 0 {
		ctxDeadline = res.Started.Add(opts.Timeout)
	}
	var stopped []string
	var operationStart time.Time // of this operation's first stack event, in AWS's clock
	readStopped := func() {
		if stopped != nil {
			return
		}
		if operationStart.IsZero() {
			stopped = stoppedTaskReasons(context.WithoutCancel(ctx), apis.ECS, s, res.Started)
		} else {
			stopped = stoppedTaskReasonsSince(context.WithoutCancel(ctx), apis.ECS, s, operationStart)
		}
	}
	out, err := lifecycle.Deploy(ctx, apis.CloudFormation, lifecycle.Options{
		StackName: s.StackName(), TemplateBody: string(body), Parameters: Parameters(s), Tags: s.StackTags(),
		Timeout: opts.Timeout, StackTimeout: opts.StackTimeout, PollInterval: opts.PollInterval, RecreateFailedStack: opts.RecreateFailedStack,
		NoWait: opts.NoWait, Origins: opts.Origins,
		Reporter: stackReporter{r: rep, serviceFailed: readStopped, operationStart: &operationStart},
	})
	if err != nil {
		// The first line ends with a colon when the failures follow; they
		// are in Failures.
		res.Outcome, res.Reason = outcomeOf(err), strings.TrimSuffix(firstLine(err.Error()), ":")
		var failed *lifecycle.StackFailedError
		isFailed := errors.As(err, &failed)
		if isFailed {
			res.StackID, res.StackStatus = failed.StackID, failed.Status
			res.Failures = failed.Failures
		}
		// A timeout is most often a service whose tasks keep failing (the
		// update is cancelled then): say why they stopped, too.
		if isFailed || res.Outcome == progress.TimedOut {
			readStopped()
			res.StoppedTasks = stopped
			if len(res.StoppedTasks) > 0 {
				err = fmt.Errorf("%w\nstopped tasks of service %s:\n  - %s", err, s.ServiceName(), strings.Join(res.StoppedTasks, "\n  - "))
			}
		}
		return res, err
	}
	res.StackID, res.StackStatus, res.Action = out.StackID, out.Status, out.Action
	res.Changes, res.Outputs = out.Changes, out.Outputs
	res.TaskDefinition = out.Outputs[cfn.OutputTaskDefinitionArn]
	if opts.NoWait {
		res.Outcome = StackStarted
		noWait := opts.Origins.Of("noWait").Name()
		switch out.Action {
		case lifecycle.ActionCreateStarted:
			res.Reason = "the stack is being created; not waited for (" + noWait + ")"
		case lifecycle.ActionUpdateStarted:
			res.Reason = "the change set is executing; not waited for (" + noWait + ")"
		default:
			res.Reason = "the stack needs no change; the service was not watched (" + noWait + ")"
		}
		return res, nil
	}
	wopts := opts.Watch
	wopts.Reporter = rep
	if !ctxDeadline.IsZero() {
		wopts.Timeout = time.Until(ctxDeadline)
		if wopts.Timeout <= 0 {
			wopts.Timeout = time.Millisecond
		}
	}
	return res, watchService(ctx, apis.ECS, s, res, wopts)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
