package lifecycle

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// callLog records the CloudFormation calls made after a starting call.
type callLog struct {
	CloudFormationAPI
	mu    sync.Mutex
	after []string
	start bool
}

func (c *callLog) note(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.start {
		c.after = append(c.after, name)
	}
}

func (c *callLog) CreateStack(ctx context.Context, in *cloudformation.CreateStackInput, o ...func(*cloudformation.Options)) (*cloudformation.CreateStackOutput, error) {
	out, err := c.CloudFormationAPI.CreateStack(ctx, in, o...)
	c.mu.Lock()
	c.start = true
	c.mu.Unlock()
	return out, err
}

func (c *callLog) ExecuteChangeSet(ctx context.Context, in *cloudformation.ExecuteChangeSetInput, o ...func(*cloudformation.Options)) (*cloudformation.ExecuteChangeSetOutput, error) {
	out, err := c.CloudFormationAPI.ExecuteChangeSet(ctx, in, o...)
	c.mu.Lock()
	c.start = true
	c.mu.Unlock()
	return out, err
}

func (c *callLog) DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, o ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	c.note("DescribeStacks")
	return c.CloudFormationAPI.DescribeStacks(ctx, in, o...)
}

func (c *callLog) DescribeStackEvents(ctx context.Context, in *cloudformation.DescribeStackEventsInput, o ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error) {
	c.note("DescribeStackEvents")
	return c.CloudFormationAPI.DescribeStackEvents(ctx, in, o...)
}

// With NoWait, Deploy returns right after CreateStack or ExecuteChangeSet:
// not one look at the stack follows, and the operation still completes.
func TestLocalNoWaitReturnsOnceTheOperationIsUnderWay(t *testing.T) {
	l := startLocal(t)
	s, opts := localSpec(t, "nginx:1.27", 1)
	opts.NoWait = true
	log := &callLog{CloudFormationAPI: l.cfn}
	res, err := Deploy(context.Background(), log, opts)
	if err != nil || res.Action != ActionCreateStarted || res.Status != "CREATE_IN_PROGRESS" || res.StackID == "" {
		t.Fatalf("create: %+v %v", res, err)
	}
	if len(log.after) != 0 {
		t.Errorf("calls after CreateStack: %v", log.after)
	}
	waitForStatus(t, l, opts.StackName, "CREATE_COMPLETE")
	first := l.serviceTaskDefinition(t, s)

	_, opts2 := localSpec(t, "nginx:1.29", 1)
	opts2.NoWait = true
	log = &callLog{CloudFormationAPI: l.cfn}
	res, err = Deploy(context.Background(), log, opts2)
	if err != nil || res.Action != ActionUpdateStarted || res.Status != "UPDATE_IN_PROGRESS" || len(res.Changes) == 0 {
		t.Fatalf("update: %+v %v", res, err)
	}
	if len(log.after) != 0 {
		t.Errorf("calls after ExecuteChangeSet: %v", log.after)
	}
	waitForStatus(t, l, opts.StackName, "UPDATE_COMPLETE")
	if l.serviceTaskDefinition(t, s) == first {
		t.Errorf("the update executed without waiting never reached the service")
	}
	// Nothing to change: the same answer as without NoWait.
	deployOK(t, l, opts2, ActionUnchanged)
}

func waitForStatus(t *testing.T, l *localECS, name, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := l.status(t, name)
		if st == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("stack %s is %s, want %s", name, st, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
