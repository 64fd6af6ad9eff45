package lifecycle

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// step is what Deploy does next for a stack found in some state.
type step int

const (
	stepCreate           step = iota // no stack: create it
	stepUpdate                       // a stable stack: update it through a change set
	stepRecreate                     // a stack that never came up: delete it, then create it
	stepRetryDelete                  // DELETE_FAILED: retry the delete first, then create
	stepContinueRollback             // UPDATE_ROLLBACK_FAILED: ContinueUpdateRollback first
	stepWait                         // an operation is running: wait for it to end
)

func (s step) String() string {
	return [...]string{"create", "update", "recreate", "retry delete", "continue rollback", "wait"}[s]
}

// nextStep decides how to bring a stack in status to the wanted template.
// status "" means the stack does not exist.
func nextStep(status types.StackStatus) step {
	switch status {
	case "", types.StackStatusDeleteComplete:
		return stepCreate
	case types.StackStatusCreateFailed, types.StackStatusRollbackComplete, types.StackStatusRollbackFailed,
		// A stack created by a change set that was never executed holds no
		// resources and cannot be updated; starting over is safe.
		types.StackStatusReviewInProgress:
		return stepRecreate
	case types.StackStatusDeleteFailed:
		return stepRetryDelete
	case types.StackStatusUpdateRollbackFailed:
		return stepContinueRollback
	}
	if inProgress(status) {
		return stepWait
	}
	// CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, IMPORT_COMPLETE,
	// IMPORT_ROLLBACK_COMPLETE, and states added later that are stable.
	return stepUpdate
}

// inProgress reports whether CloudFormation is still working on the stack.
// REVIEW_IN_PROGRESS is excluded: it waits for a person, not for AWS.
func inProgress(status types.StackStatus) bool {
	return strings.HasSuffix(string(status), "_IN_PROGRESS") && status != types.StackStatusReviewInProgress
}

// failedResourceStatus reports whether a resource event is a failure.
func failedResourceStatus(status types.ResourceStatus) bool {
	return strings.HasSuffix(string(status), "_FAILED")
}
