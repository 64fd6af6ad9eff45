package lifecycle

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// Delete deletes the stack and waits until it is gone. A stack that does
// not exist is a success (Action "absent"): deleting twice is safe. A stack
// busy with another operation is waited for first.
func Delete(ctx context.Context, api CloudFormationAPI, opts Options) (*Result, error) {
	ctx, cancel, d := begin(ctx, api, opts)
	defer cancel()
	o := d.o
	st, err := describe(ctx, api, o.StackName)
	if err != nil {
		return nil, d.timeoutOr(ctx, err, "look up the stack")
	}
	if st == nil || st.StackStatus == types.StackStatusDeleteComplete {
		o.Reporter.Step("stack " + o.StackName + " does not exist: nothing to delete")
		return &Result{StackName: o.StackName, Action: ActionAbsent}, nil
	}
	id := aws.ToString(st.StackId)
	if inProgress(st.StackStatus) {
		o.Reporter.Step(fmt.Sprintf("stack %s is in %s: waiting for it to finish", o.StackName, st.StackStatus))
		tr := newEventTracker(api, id, o.Reporter)
		if err := tr.markStart(ctx); err != nil {
			return nil, d.timeoutOr(ctx, err, "wait for the stack")
		}
		settled, err := waitSettled(ctx, api, id, tr, o.PollInterval)
		if err != nil {
			return nil, d.timeoutOr(ctx, err, "wait for the stack")
		}
		if settled.StackStatus == types.StackStatusDeleteComplete {
			return &Result{StackName: o.StackName, StackID: id, Status: string(settled.StackStatus), Action: ActionDeleted}, nil
		}
		st = &settled
	}
	o.Reporter.Step("deleting stack " + o.StackName)
	if err := d.delete(ctx, *st); err != nil {
		return nil, err
	}
	return &Result{StackName: o.StackName, StackID: id, Status: string(types.StackStatusDeleteComplete), Action: ActionDeleted,
		Outputs: map[string]string{"StackId": id}}, nil
}

// State is what `stack status` shows.
type State struct {
	StackName   string            `json:"stackName"`
	Exists      bool              `json:"exists"`
	StackID     string            `json:"stackId,omitempty"`
	Status      string            `json:"status,omitempty"`
	Reason      string            `json:"reason,omitempty"`
	LastUpdated time.Time         `json:"lastUpdated,omitempty"`
	Outputs     map[string]string `json:"outputs,omitempty"`
	// Next says what `stack deploy` would do with the stack now.
	Next string `json:"next"`
}

// Status reads the stack's state.
func Status(ctx context.Context, api CloudFormationAPI, stackName string) (*State, error) {
	st, err := describe(ctx, api, stackName)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return &State{StackName: stackName, Next: stepCreate.String()}, nil
	}
	updated := aws.ToTime(st.LastUpdatedTime)
	if updated.IsZero() {
		updated = aws.ToTime(st.CreationTime)
	}
	return &State{
		StackName: stackName, Exists: st.StackStatus != types.StackStatusDeleteComplete,
		StackID: aws.ToString(st.StackId), Status: string(st.StackStatus), Reason: aws.ToString(st.StackStatusReason),
		LastUpdated: updated, Outputs: outputsOf(*st), Next: nextStep(st.StackStatus).String(),
	}, nil
}
