package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// update brings an existing, stable stack to the template through a change
// set, so that what will change is known (and printed) before it happens.
func (d *deployer) update(ctx context.Context, st types.Stack) (*Result, error) {
	o := d.o
	id := aws.ToString(st.StackId)
	tr := newEventTracker(d.api, id, o.Reporter)
	if err := tr.markStart(ctx); err != nil {
		return nil, d.timeoutOr(ctx, err, "read the stack's events")
	}
	name := "ecsdeploy-" + time.Now().UTC().Format("20060102-150405.000")
	name = sanitizeChangeSetName(name)
	o.Reporter.Step("computing the changes to stack " + o.StackName)
	// Change sets are addressed by the stack's name, which both AWS and moto
	// accept (moto does not find stacks by id here).
	created, err := d.api.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName:     aws.String(o.StackName),
		ChangeSetName: aws.String(name),
		ChangeSetType: types.ChangeSetTypeUpdate,
		TemplateBody:  aws.String(o.TemplateBody),
		Parameters:    o.sdkParameters(),
		Tags:          o.sdkTags(),
		Capabilities:  capabilities,
		Description:   aws.String("ecsdeploy stack deploy"),
	})
	if err != nil && apiErrorCode(err) == "AlreadyExistsException" {
		// The name is this run's own: an attempt whose reply was lost made
		// it, and the SDK's retry was refused. Use that change set.
		created, err = d.ownChangeSet(ctx, name)
	}
	if err != nil {
		if isNoChanges(errorText(err)) {
			return d.unchanged(st), nil
		}
		return nil, d.timeoutOr(ctx, fmt.Errorf("create a change set for stack %s: %w", o.StackName, err), "create a change set")
	}
	csID := aws.ToString(created.Id)
	changes, reason, err := d.waitChangeSet(ctx, csID)
	if err != nil {
		return nil, d.timeoutOr(ctx, err, "compute the change set")
	}
	if reason != "" {
		// A change set that could not be created is deleted so that failed
		// ones do not pile up on the stack.
		_, _ = d.api.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(csID), StackName: aws.String(o.StackName)})
		if isNoChanges(reason) {
			return d.unchanged(st), nil
		}
		return nil, exitcode.Failedf("stack %s: the change set could not be created: %s", o.StackName, reason)
	}
	o.Reporter.Changes(changes)
	o.Reporter.Step("updating stack " + o.StackName)
	if _, err := d.api.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: aws.String(csID), StackName: aws.String(o.StackName)}); err != nil {
		if !d.executedAnyway(ctx, err, st) {
			return nil, d.timeoutOr(ctx, fmt.Errorf("execute the change set of stack %s: %w", o.StackName, err), "execute the change set")
		}
	}
	if o.NoWait {
		o.Reporter.Step("the change set of stack " + o.StackName + " is executing; not waiting for it (" + o.Origins.Of("noWait").Name() + ")")
		return &Result{StackName: o.StackName, StackID: id, Status: string(types.StackStatusUpdateInProgress), Action: ActionUpdateStarted, Changes: changes}, nil
	}
	final, err := waitSettled(ctx, d.api, id, tr, o.PollInterval)
	if err != nil {
		if ctx.Err() != nil && d.parent.Err() == nil {
			return nil, d.cancelUpdate(id, tr, final.StackStatus)
		}
		return nil, err
	}
	if final.StackStatus != types.StackStatusUpdateComplete {
		return nil, &StackFailedError{Stack: o.StackName, StackID: aws.ToString(final.StackId), Status: string(final.StackStatus), Failures: tr.failuresOrStackReason(final)}
	}
	res := resultOf(final, ActionUpdated)
	res.Changes = changes
	return res, nil
}

// ownChangeSet reads back the change set named name that this run created.
func (d *deployer) ownChangeSet(ctx context.Context, name string) (*cloudformation.CreateChangeSetOutput, error) {
	out, err := d.api.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(name), StackName: aws.String(d.o.StackName)})
	if err != nil {
		return nil, err
	}
	return &cloudformation.CreateChangeSetOutput{Id: out.ChangeSetId, StackId: out.StackId}, nil
}

// executedAnyway tells whether a failed ExecuteChangeSet was in fact
// applied: a first attempt whose reply was lost started the update, and
// the SDK's retry found the change set gone (CloudFormation removes a
// stack's change sets once one is executed) or no longer executable. The
// stack then shows it: an operation in progress, or an update since st.
func (d *deployer) executedAnyway(ctx context.Context, err error, st types.Stack) bool {
	switch apiErrorCode(err) {
	case "ChangeSetNotFound", "ChangeSetNotFoundException", "InvalidChangeSetStatus", "InvalidChangeSetStatusException":
	default:
		return false
	}
	out, derr := d.api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: st.StackId})
	if derr != nil || len(out.Stacks) != 1 {
		return false
	}
	now := out.Stacks[0]
	if strings.HasSuffix(string(now.StackStatus), "_IN_PROGRESS") {
		return true
	}
	before, after := aws.ToTime(st.LastUpdatedTime), aws.ToTime(now.LastUpdatedTime)
	return after.After(before)
}

func (d *deployer) unchanged(st types.Stack) *Result {
	d.o.Reporter.Step("stack " + d.o.StackName + " is up to date: no changes")
	return resultOf(st, ActionUnchanged)
}

// waitChangeSet waits for the change set to be computed. It returns its
// changes, or the reason it failed.
func (d *deployer) waitChangeSet(ctx context.Context, csID string) ([]Change, string, error) {
	for {
		out, err := d.api.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(csID)})
		if err != nil {
			return nil, "", fmt.Errorf("describe change set: %w", err)
		}
		switch out.Status {
		case types.ChangeSetStatusCreateComplete:
			changes := changesOf(out.Changes)
			for token := out.NextToken; token != nil; {
				page, err := d.api.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(csID), NextToken: token})
				if err != nil {
					return nil, "", fmt.Errorf("describe change set: %w", err)
				}
				changes = append(changes, changesOf(page.Changes)...)
				token = page.NextToken
			}
			return changes, "", nil
		case types.ChangeSetStatusFailed:
			reason := aws.ToString(out.StatusReason)
			if reason == "" {
				reason = "no reason given"
			}
			return nil, reason, nil
		}
		select {
		case <-ctx.Done():
			return nil, "", ctx.Err()
		case <-time.After(changeSetPoll(d.o.PollInterval)):
		}
	}
}

// changeSetPoll is quicker than the stack poll: change sets take seconds.
func changeSetPoll(stackPoll time.Duration) time.Duration {
	if p := stackPoll / 3; p > 0 {
		return p
	}
	return stackPoll
}

func changesOf(in []types.Change) []Change {
	var out []Change
	for _, c := range in {
		rc := c.ResourceChange
		if rc == nil {
			continue
		}
		out = append(out, Change{Action: string(rc.Action), LogicalResourceID: aws.ToString(rc.LogicalResourceId),
			ResourceType: aws.ToString(rc.ResourceType), Replacement: string(rc.Replacement)})
	}
	return out
}

// cancelUpdate runs when the timeout passes during an update: it cancels
// the update and follows the rollback, so the stack is left stable (and the
// old service running) instead of half-updated.
func (d *deployer) cancelUpdate(id string, tr *eventTracker, status types.StackStatus) error {
	o := d.o
	ctx, cancel := context.WithTimeout(context.WithoutCancel(d.parent), o.RollbackWait)
	defer cancel()
	o.Reporter.Step(fmt.Sprintf("timed out after %s with stack %s in %s: cancelling the update", o.Timeout, o.StackName, status))
	if _, err := d.api.CancelUpdateStack(ctx, &cloudformation.CancelUpdateStackInput{StackName: aws.String(id)}); err != nil {
		// The update may have finished, or passed the point where it can be
		// cancelled (cleanup); report where it ends either way.
		o.Reporter.Step("the update could not be cancelled: " + errorText(err))
	}
	final, err := waitSettled(ctx, d.api, id, tr, o.PollInterval)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return exitcode.TimedOutf("stack %s: timed out after %s; the update was cancelled and the stack is %s%s",
		o.StackName, o.Timeout, final.StackStatus, formatFailures(tr.failures))
}

// sanitizeChangeSetName keeps the characters change set names allow.
func sanitizeChangeSetName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			b[i] = '-'
		}
	}
	return string(b)
}
