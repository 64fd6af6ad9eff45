package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// maxSteps bounds how many recovery steps one Deploy takes before it gives
// up; a stack needs at most three (wait, delete, create).
const maxSteps = 6

// Deploy brings the stack to opts.TemplateBody. It returns a *Result on
// success; on failure a *StackFailedError (exit code 1) carrying the failed
// resources' reasons from this operation's events, a timeout (exit code 3),
// or the AWS error.
func Deploy(ctx context.Context, api CloudFormationAPI, opts Options) (*Result, error) {
	ctx, cancel, d := begin(ctx, api, opts)
	defer cancel()
	o := d.o
	recreated := false
	for i := 0; i < maxSteps; i++ {
		st, err := describe(ctx, api, o.StackName)
		if err != nil {
			return nil, d.timeoutOr(ctx, err, "look up the stack")
		}
		var status types.StackStatus
		if st != nil {
			status = st.StackStatus
		}
		switch next := nextStep(status); next {
		case stepCreate:
			action := ActionCreated
			if recreated {
				action = ActionRecreated
			}
			return d.create(ctx, action)
		case stepUpdate:
			return d.update(ctx, *st)
		case stepRecreate, stepRetryDelete:
			o.Reporter.Step(fmt.Sprintf("stack %s is in %s: deleting it to create it again", o.StackName, status))
			if err := d.delete(ctx, *st); err != nil {
				return nil, err
			}
			recreated = true
		case stepContinueRollback:
			deleted, err := d.continueRollback(ctx, *st)
			if err != nil {
				return nil, err
			}
			recreated = recreated || deleted
		case stepWait:
			o.Reporter.Step(fmt.Sprintf("stack %s is in %s: waiting for it to finish", o.StackName, status))
			tr := newEventTracker(api, aws.ToString(st.StackId), o.Reporter)
			if err := tr.markStart(ctx); err != nil {
				return nil, d.timeoutOr(ctx, err, "wait for the stack")
			}
			if _, err := waitSettled(ctx, api, aws.ToString(st.StackId), tr, o.PollInterval); err != nil {
				return nil, d.timeoutOr(ctx, err, fmt.Sprintf("wait for the stack's %s to finish", status))
			}
		}
	}
	return nil, fmt.Errorf("stack %s did not settle after %d recovery steps", o.StackName, maxSteps)
}

type deployer struct {
	api    CloudFormationAPI
	o      Options
	parent context.Context
}

// begin starts one operation: the options with their defaults, and ctx
// bounded by the operation's timeout (cancel releases it). The deployer
// keeps the caller's ctx to tell our timeout from the caller's cancellation.
func begin(ctx context.Context, api CloudFormationAPI, opts Options) (context.Context, context.CancelFunc, *deployer) {
	o := opts.withDefaults()
	d := &deployer{api: api, o: o, parent: ctx}
	if o.Timeout <= 0 {
		return ctx, func() {}, d
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	return ctx, cancel, d
}

// timeoutOr turns the operation's deadline into a timeout error.
func (d *deployer) timeoutOr(ctx context.Context, err error, doing string) error {
	if errors.Is(err, context.DeadlineExceeded) || (ctx.Err() != nil && d.parent.Err() == nil) {
		return exitcode.TimedOutf("stack %s: timed out after %s while trying to %s", d.o.StackName, d.o.Timeout, doing)
	}
	return err
}

func (d *deployer) create(ctx context.Context, action string) (*Result, error) {
	o := d.o
	o.Reporter.Step("creating stack " + o.StackName)
	in := &cloudformation.CreateStackInput{
		StackName:    aws.String(o.StackName),
		TemplateBody: aws.String(o.TemplateBody),
		Parameters:   o.sdkParameters(),
		Tags:         o.sdkTags(),
		Capabilities: capabilities,
	}
	if o.StackTimeout > 0 {
		// Let CloudFormation give up and roll back on its own too, so a stack
		// never stays CREATE_IN_PROGRESS for hours after we stopped watching.
		minutes := int32((o.StackTimeout + time.Minute - 1) / time.Minute)
		in.TimeoutInMinutes = aws.Int32(minutes)
	}
	out, err := d.api.CreateStack(ctx, in)
	if err != nil {
		return nil, d.timeoutOr(ctx, fmt.Errorf("create stack %s: %w", o.StackName, err), "create the stack")
	}
	id := aws.ToString(out.StackId)
	if o.NoWait {
		o.Reporter.Step("stack " + o.StackName + " is being created; not waiting for it (" + o.Origins.Of("noWait").Name() + ")")
		return &Result{StackName: o.StackName, StackID: id, Status: string(types.StackStatusCreateInProgress), Action: ActionCreateStarted}, nil
	}
	tr := newEventTracker(d.api, id, o.Reporter)
	st, err := waitSettled(ctx, d.api, id, tr, o.PollInterval)
	if err != nil {
		if ctx.Err() != nil && d.parent.Err() == nil {
			return nil, exitcode.TimedOutf("stack %s still %s after %s; CloudFormation rolls it back when its own timeout passes, and the next deploy creates it again",
				o.StackName, st.StackStatus, o.Timeout)
		}
		return nil, err
	}
	if st.StackStatus != types.StackStatusCreateComplete {
		return nil, &StackFailedError{Stack: o.StackName, StackID: aws.ToString(st.StackId), Status: string(st.StackStatus), Failures: tr.failuresOrStackReason(st)}
	}
	return resultOf(st, action), nil
}

// delete deletes the stack and waits until it is gone.
func (d *deployer) delete(ctx context.Context, st types.Stack) error {
	id := aws.ToString(st.StackId)
	tr := newEventTracker(d.api, id, d.o.Reporter)
	if err := tr.markStart(ctx); err != nil {
		return d.timeoutOr(ctx, err, "delete the stack")
	}
	if _, err := d.api.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(id)}); err != nil {
		return d.timeoutOr(ctx, fmt.Errorf("delete stack %s: %w", d.o.StackName, err), "delete the stack")
	}
	final, err := waitSettled(ctx, d.api, id, tr, d.o.PollInterval)
	if err != nil {
		return d.timeoutOr(ctx, err, "delete the stack")
	}
	if final.StackStatus != types.StackStatusDeleteComplete {
		return &StackFailedError{Stack: d.o.StackName, StackID: aws.ToString(final.StackId), Status: string(final.StackStatus), Failures: tr.failuresOrStackReason(final)}
	}
	return nil
}

// continueRollback gets a stack out of UPDATE_ROLLBACK_FAILED. It first asks
// CloudFormation to finish the rollback, which keeps the service running;
// only when that fails, and RecreateFailedStack allows it, is the stack
// deleted (the caller then creates it again).
// It reports whether the stack was deleted.
func (d *deployer) continueRollback(ctx context.Context, st types.Stack) (bool, error) {
	o := d.o
	id := aws.ToString(st.StackId)
	o.Reporter.Step(fmt.Sprintf("stack %s is in UPDATE_ROLLBACK_FAILED: continuing the rollback", o.StackName))
	tr := newEventTracker(d.api, id, o.Reporter)
	if err := tr.markStart(ctx); err != nil {
		return false, d.timeoutOr(ctx, err, "continue the rollback")
	}
	var failed error
	if _, err := d.api.ContinueUpdateRollback(ctx, &cloudformation.ContinueUpdateRollbackInput{StackName: aws.String(id)}); err != nil {
		if ctx.Err() != nil {
			return false, d.timeoutOr(ctx, err, "continue the rollback")
		}
		failed = fmt.Errorf("continue the rollback of stack %s: %w", o.StackName, err)
	} else {
		final, err := waitSettled(ctx, d.api, id, tr, o.PollInterval)
		if err != nil {
			return false, d.timeoutOr(ctx, err, "continue the rollback")
		}
		if final.StackStatus == types.StackStatusUpdateRollbackComplete {
			return false, nil
		}
		failed = &StackFailedError{Stack: o.StackName, StackID: aws.ToString(final.StackId), Status: string(final.StackStatus), Failures: tr.failuresOrStackReason(final)}
	}
	if !o.RecreateFailedStack {
		return false, exitcode.With(exitcode.Failed, fmt.Errorf("%w\nthe stack could not be rolled back; rerun with %s to delete and recreate it (this deletes the running service), or fix the resources named above and deploy again",
			failed, o.Origins.Of("recreateFailedStack").Name()))
	}
	o.Reporter.Step(fmt.Sprintf("the rollback of stack %s did not complete; deleting it to create it again (%s)", o.StackName, o.Origins.Of("recreateFailedStack").Name()))
	current, err := describe(ctx, d.api, id)
	if err != nil {
		return false, d.timeoutOr(ctx, err, "delete the stack")
	}
	if current == nil {
		return true, nil
	}
	return true, d.delete(ctx, *current)
}
