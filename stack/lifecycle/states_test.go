package lifecycle

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

func TestNextStepForEveryStackState(t *testing.T) {
	want := map[types.StackStatus]step{
		"":                                                       stepCreate,
		types.StackStatusDeleteComplete:                          stepCreate,
		types.StackStatusCreateComplete:                          stepUpdate,
		types.StackStatusUpdateComplete:                          stepUpdate,
		types.StackStatusUpdateRollbackComplete:                  stepUpdate,
		types.StackStatusImportComplete:                          stepUpdate,
		types.StackStatusCreateFailed:                            stepRecreate,
		types.StackStatusRollbackComplete:                        stepRecreate,
		types.StackStatusRollbackFailed:                          stepRecreate,
		types.StackStatusReviewInProgress:                        stepRecreate,
		types.StackStatusDeleteFailed:                            stepRetryDelete,
		types.StackStatusUpdateRollbackFailed:                    stepContinueRollback,
		types.StackStatusCreateInProgress:                        stepWait,
		types.StackStatusUpdateInProgress:                        stepWait,
		types.StackStatusUpdateCompleteCleanupInProgress:         stepWait,
		types.StackStatusUpdateRollbackInProgress:                stepWait,
		types.StackStatusUpdateRollbackCompleteCleanupInProgress: stepWait,
		types.StackStatusRollbackInProgress:                      stepWait,
		types.StackStatusDeleteInProgress:                        stepWait,
	}
	for status, w := range want {
		if got := nextStep(status); got != w {
			t.Errorf("%q: %s, want %s", status, got, w)
		}
	}
}

func TestNoChangesIsRecognisedInEachWording(t *testing.T) {
	for _, text := range []string{
		"The submitted information didn't contain changes. Submit different information to create a change set.",
		"No updates are to be performed.",
	} {
		if !isNoChanges(text) {
			t.Errorf("%q not recognised", text)
		}
	}
	if isNoChanges("Template format error: Unresolved resource dependencies") {
		t.Errorf("a template error was taken for an empty change set")
	}
}
