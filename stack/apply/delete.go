package apply

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/stack/lifecycle"
)

// Delete deletes the named stack; a stack that does not exist is a success.
func Delete(ctx context.Context, api lifecycle.CloudFormationAPI, stackName string, opts Options) (*Result, error) {
	rep := opts.Reporter
	if rep == nil {
		rep = progress.Discard
	}
	res := &Result{StackName: stackName, Started: time.Now().UTC()}
	defer func() { res.Finished = time.Now().UTC() }()
	out, err := lifecycle.Delete(ctx, api, lifecycle.Options{StackName: stackName, Timeout: opts.Timeout,
		PollInterval: opts.PollInterval, Reporter: stackReporter{r: rep}})
	if err != nil {
		res.Outcome, res.Reason = outcomeOf(err), strings.TrimSuffix(firstLine(err.Error()), ":")
		var failed *lifecycle.StackFailedError
		if errors.As(err, &failed) {
			res.StackID, res.StackStatus, res.Failures = failed.StackID, failed.Status, failed.Failures
		}
		return res, err
	}
	res.StackID, res.StackStatus, res.Action, res.Outputs = out.StackID, out.Status, out.Action, out.Outputs
	res.Outcome = Deleted
	return res, nil
}
