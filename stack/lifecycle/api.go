// Package lifecycle drives a CloudFormation stack to the wanted template,
// idempotently: it creates a missing stack, updates an existing one through
// a change set (an empty change set is a successful no-op), recovers stacks
// left in failed states, streams the stack events of its own operation, and
// on failure reports the failed resources' reasons from those events only.
package lifecycle

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go"
)

// CloudFormationAPI is the part of the CloudFormation client the lifecycle
// uses; *cloudformation.Client satisfies it.
type CloudFormationAPI interface {
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, opts ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
	DescribeStackEvents(ctx context.Context, in *cloudformation.DescribeStackEventsInput, opts ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error)
	CreateStack(ctx context.Context, in *cloudformation.CreateStackInput, opts ...func(*cloudformation.Options)) (*cloudformation.CreateStackOutput, error)
	DeleteStack(ctx context.Context, in *cloudformation.DeleteStackInput, opts ...func(*cloudformation.Options)) (*cloudformation.DeleteStackOutput, error)
	CreateChangeSet(ctx context.Context, in *cloudformation.CreateChangeSetInput, opts ...func(*cloudformation.Options)) (*cloudformation.CreateChangeSetOutput, error)
	DescribeChangeSet(ctx context.Context, in *cloudformation.DescribeChangeSetInput, opts ...func(*cloudformation.Options)) (*cloudformation.DescribeChangeSetOutput, error)
	ExecuteChangeSet(ctx context.Context, in *cloudformation.ExecuteChangeSetInput, opts ...func(*cloudformation.Options)) (*cloudformation.ExecuteChangeSetOutput, error)
	DeleteChangeSet(ctx context.Context, in *cloudformation.DeleteChangeSetInput, opts ...func(*cloudformation.Options)) (*cloudformation.DeleteChangeSetOutput, error)
	ContinueUpdateRollback(ctx context.Context, in *cloudformation.ContinueUpdateRollbackInput, opts ...func(*cloudformation.Options)) (*cloudformation.ContinueUpdateRollbackOutput, error)
	CancelUpdateStack(ctx context.Context, in *cloudformation.CancelUpdateStackInput, opts ...func(*cloudformation.Options)) (*cloudformation.CancelUpdateStackOutput, error)
}

var _ CloudFormationAPI = (*cloudformation.Client)(nil)

// isStackMissing recognises CloudFormation's answer for a stack that does
// not exist: a ValidationError "Stack with id NAME does not exist".
func isStackMissing(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "ValidationError" &&
		strings.Contains(api.ErrorMessage(), "does not exist")
}

// isNoChanges recognises the ways CloudFormation says a template and its
// parameters change nothing: a FAILED change set with this reason on AWS,
// and an error from CreateChangeSet or UpdateStack on some emulations.
func isNoChanges(text string) bool {
	return strings.Contains(text, "didn't contain changes") ||
		strings.Contains(text, "No updates are to be performed") ||
		strings.Contains(text, "no changes")
}

// apiErrorCode is the AWS error code of err, or "".
func apiErrorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func errorText(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorMessage()
	}
	return err.Error()
}
