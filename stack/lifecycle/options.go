package lifecycle

import (
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// Options says which stack to bring to which template, and how patiently.
type Options struct {
	StackName    string
	TemplateBody string
	Parameters   map[string]string
	Tags         map[string]string

	// Timeout bounds the whole operation, waiting for a busy stack included;
	// 0 means no limit. When it passes during an update, the update is
	// cancelled and its rollback followed (for up to RollbackWait).
	Timeout time.Duration
	// StackTimeout, when set, is passed to CloudFormation as a new stack's
	// TimeoutInMinutes, so that CloudFormation rolls back a creation that
	// hangs even after ecsdeploy stopped watching. It is measured on
	// CloudFormation's clock (the local ECS's runs faster than the wall's).
	StackTimeout time.Duration
	// RollbackWait bounds following the rollback of a cancelled update
	// (default 30 minutes).
	RollbackWait time.Duration
	// PollInterval is the time between two looks at the stack (default 5s).
	PollInterval time.Duration
	// RecreateFailedStack allows deleting and recreating a stack in
	// UPDATE_ROLLBACK_FAILED when ContinueUpdateRollback does not bring it
	// back. It is off by default because it deletes a live service.
	RecreateFailedStack bool
	// NoWait returns as soon as CloudFormation accepted the operation: after
	// CreateStack, or once the change set is executing. The Result's Action
	// is then ActionCreateStarted or ActionUpdateStarted, and its Status the
	// stack's in-progress status. Waiting for a busy stack to settle before
	// starting, and recovering a failed one, still happen.
	NoWait bool
	// Origins says where the options were given: messages name
	// "noWait" and "recreateFailedStack" at Origins.Of(field) (a command
	// line records its flags there, also as where to give one not given).
	Origins exitcode.Origins

	Reporter Reporter
}

// Result is where a stack operation left the stack.
type Result struct {
	StackName string            `json:"stackName"`
	StackID   string            `json:"stackId,omitempty"`
	Status    string            `json:"status,omitempty"`
	Action    string            `json:"action"` // see the Action constants
	Changes   []Change          `json:"changes,omitempty"`
	Outputs   map[string]string `json:"outputs,omitempty"`
}

// Actions a Result reports.
const (
	ActionCreated   = "created"   // the stack did not exist and was created
	ActionRecreated = "recreated" // a failed stack was deleted and created again
	ActionUpdated   = "updated"   // a change set was executed
	ActionUnchanged = "unchanged" // the change set was empty: nothing to do
	ActionDeleted   = "deleted"   // the stack was deleted
	ActionAbsent    = "absent"    // delete found no stack: nothing to do

	ActionCreateStarted = "create-started" // NoWait: CreateStack was accepted
	ActionUpdateStarted = "update-started" // NoWait: the change set is executing
)

const (
	defaultPollInterval = 5 * time.Second
	defaultRollbackWait = 30 * time.Minute
)

func (o *Options) withDefaults() Options {
	c := *o
	if c.PollInterval <= 0 {
		c.PollInterval = defaultPollInterval
	}
	if c.RollbackWait <= 0 {
		c.RollbackWait = defaultRollbackWait
	}
	if c.Reporter == nil {
		c.Reporter = NopReporter{}
	}
	return c
}

func (o *Options) sdkParameters() []types.Parameter {
	params := make([]types.Parameter, 0, len(o.Parameters))
	for _, k := range slices.Sorted(maps.Keys(o.Parameters)) {
		params = append(params, types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(o.Parameters[k])})
	}
	return params
}

func (o *Options) sdkTags() []types.Tag {
	tags := make([]types.Tag, 0, len(o.Tags))
	for _, k := range slices.Sorted(maps.Keys(o.Tags)) {
		tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(o.Tags[k])})
	}
	return tags
}

// capabilities acknowledges the IAM role the templates may create.
var capabilities = []types.Capability{types.CapabilityCapabilityIam, types.CapabilityCapabilityNamedIam}
