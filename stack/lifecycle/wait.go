package lifecycle

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// describe returns the stack named (or with the id) name, or nil when there is none.
func describe(ctx context.Context, api CloudFormationAPI, name string) (*types.Stack, error) {
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		if isStackMissing(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("describe stack %s: %w", name, err)
	}
	if len(out.Stacks) == 0 {
		return nil, nil
	}
	return &out.Stacks[0], nil
}

// waitSettled polls the stack until CloudFormation stops working on it,
// reporting its events on the way. A stack that disappears (deleted, looked
// up by name) is returned as DELETE_COMPLETE. On ctx's end it returns the
// last state seen with ctx's error.
func waitSettled(ctx context.Context, api CloudFormationAPI, stackID string, tr *eventTracker, every time.Duration) (types.Stack, error) {
	last := types.Stack{StackId: aws.String(stackID), StackName: aws.String(stackID)}
	for {
		st, err := describe(ctx, api, stackID)
		if err != nil {
			if ctx.Err() != nil {
				return last, ctx.Err()
			}
			return last, err
		}
		if st == nil {
			last.StackStatus = types.StackStatusDeleteComplete
		} else {
			last = *st
		}
		if err := tr.poll(ctx); err != nil {
			if ctx.Err() != nil {
				return last, ctx.Err()
			}
			return last, err
		}
		if !inProgress(last.StackStatus) {
			return last, nil
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-time.After(every):
		}
	}
}

func outputsOf(st types.Stack) map[string]string {
	out := map[string]string{}
	for _, o := range st.Outputs {
		out[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	out["StackId"] = aws.ToString(st.StackId)
	return out
}

func resultOf(st types.Stack, action string) *Result {
	return &Result{StackName: aws.ToString(st.StackName), StackID: aws.ToString(st.StackId),
		Status: string(st.StackStatus), Action: action, Outputs: outputsOf(st)}
}
