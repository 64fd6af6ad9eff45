package lifecycle

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// eventTracker follows the events of one stack operation. Events are told
// apart from older ones by position, not by clock: at the start it marks the
// newest event that already exists, and everything listed above it later
// belongs to this operation. That keeps old failures out of the report even
// when this machine's clock and AWS's disagree.
type eventTracker struct {
	api      CloudFormationAPI
	stackID  string
	marker   string // newest event before the operation; "" for a new stack
	seen     map[string]bool
	reporter Reporter
	failures []ResourceFailure
}

// maxEventPages bounds one poll; a stack emits far fewer events between polls.
const maxEventPages = 20

func newEventTracker(api CloudFormationAPI, stackID string, r Reporter) *eventTracker {
	return &eventTracker{api: api, stackID: stackID, seen: map[string]bool{}, reporter: r}
}

// markStart records the newest existing event; call it before the operation.
func (t *eventTracker) markStart(ctx context.Context) error {
	out, err := t.api.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(t.stackID)})
	if err != nil {
		if isStackMissing(err) {
			return nil
		}
		return fmt.Errorf("read events of stack %s: %w", t.stackID, err)
	}
	if len(out.StackEvents) > 0 {
		t.marker = aws.ToString(out.StackEvents[0].EventId)
	}
	return nil
}

// poll reports the events that arrived since the last poll, oldest first.
func (t *eventTracker) poll(ctx context.Context) error {
	var fresh []types.StackEvent
	var token *string
pages:
	for page := 0; page < maxEventPages; page++ {
		out, err := t.api.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(t.stackID), NextToken: token})
		if err != nil {
			if isStackMissing(err) {
				return nil
			}
			return fmt.Errorf("read events of stack %s: %w", t.stackID, err)
		}
		for _, e := range out.StackEvents {
			id := aws.ToString(e.EventId)
			if id == t.marker || t.seen[id] {
				break pages
			}
			fresh = append(fresh, e)
		}
		token = out.NextToken
		if token == nil {
			break
		}
	}
	for i := len(fresh) - 1; i >= 0; i-- {
		e := fresh[i]
		t.seen[aws.ToString(e.EventId)] = true
		ev := Event{
			Time:              aws.ToTime(e.Timestamp),
			LogicalResourceID: aws.ToString(e.LogicalResourceId),
			ResourceType:      aws.ToString(e.ResourceType),
			Status:            string(e.ResourceStatus),
			Reason:            aws.ToString(e.ResourceStatusReason),
		}
		t.reporter.StackEvent(ev)
		if failedResourceStatus(e.ResourceStatus) && ev.ResourceType != "AWS::CloudFormation::Stack" {
			t.failures = append(t.failures, ResourceFailure{LogicalResourceID: ev.LogicalResourceID,
				ResourceType: ev.ResourceType, Status: ev.Status, Reason: ev.Reason})
		}
	}
	return nil
}

// failuresOrStackReason returns the resource failures of this operation, or
// when none was reported the stack's own reason as the only entry.
func (t *eventTracker) failuresOrStackReason(st types.Stack) []ResourceFailure {
	if len(t.failures) > 0 || aws.ToString(st.StackStatusReason) == "" {
		return t.failures
	}
	return []ResourceFailure{{LogicalResourceID: aws.ToString(st.StackName), ResourceType: "AWS::CloudFormation::Stack",
		Status: string(st.StackStatus), Reason: aws.ToString(st.StackStatusReason)}}
}
