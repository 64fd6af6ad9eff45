// Package cloudformation is the local ECS's CloudFormation: the Query
// protocol with XML replies, as the AWS CLI and SDKs speak it, served on
// the emulator's router. It provisions the resource types ecsdeploy's stack
// templates use — ECS clusters, task definitions and services into the
// emulated ECS (through its in-process invoke), IAM roles, log groups and
// ELBv2 target groups as plain records — with change sets, stack events,
// the stack states of AWS including the failed ones, and failures chosen by
// a Scenario.
//
// Stack operations advance with the emulator's clock, one resource step per
// emulated second, whenever a CloudFormation request arrives (callers poll
// DescribeStacks while they wait, as on AWS). A service resource completes
// when its ECS deployment does, so a crashing image fails the stack through
// the deployment circuit breaker exactly as on AWS.
package cloudformation

import (
	"sync"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// SigningName is the SigV4 service name CloudFormation requests carry.
const SigningName = "cloudformation"

// tickInterval is the emulated time one resource step takes at least.
const tickInterval = time.Second

// maxTicksPerRequest bounds the work one request can trigger after a long
// pause; beyond it, the stack catches up on the next requests.
const maxTicksPerRequest = 3600

// Service is the emulated CloudFormation of one emulator.
type Service struct {
	mu       sync.Mutex
	ecs      ECSInvoker
	account  string
	stacks   map[string]*stack            // by stack id, deleted stacks included
	live     map[string]map[string]string // region → stack name → id of the live stack
	scenario Scenario
	ruleUses map[int]int
	// savedUses are the rule counts of the scenario in use when the loaded
	// state was saved; SetScenario carries them on for the same rules.
	savedUses *savedRuleUses
	// loaded says whether the last UnmarshalState had a saved section.
	loaded bool
}

// New returns a CloudFormation that provisions ECS resources through ecs.
func New(ecs ECSInvoker, accountID string) *Service {
	return &Service{ecs: ecs, account: accountID, stacks: map[string]*stack{}, live: map[string]map[string]string{}, ruleUses: map[int]int{}}
}

// Register serves CloudFormation on em, saves the stacks with the
// emulator's state (under StateKey), and returns it (for SetScenario).
// Register it before the emulator's LoadState, like every state part.
func Register(em *emulator.Emulator) *Service {
	s := New(em, em.AccountID())
	em.RegisterQueryService(SigningName, s)
	em.RegisterStatePart(StateKey, s)
	return s
}

// XMLNamespace implements emulator.XMLNamespacer.
func (s *Service) XMLNamespace() string { return "http://cloudformation.amazonaws.com/doc/2010-05-15/" }

// advance moves every stack operation forward to now.
func (s *Service) advance(now time.Time) {
	for _, st := range s.stacks {
		if !inProgress(st.Status) {
			st.lastTick = now
			continue
		}
		for i := 0; i < maxTicksPerRequest && !st.lastTick.Add(tickInterval).After(now) && inProgress(st.Status); i++ {
			st.lastTick = st.lastTick.Add(tickInterval)
			s.tick(st, st.lastTick)
		}
	}
}

func inProgress(status string) bool {
	return len(status) > len("_IN_PROGRESS") && status[len(status)-len("_IN_PROGRESS"):] == "_IN_PROGRESS" && status != "REVIEW_IN_PROGRESS"
}
