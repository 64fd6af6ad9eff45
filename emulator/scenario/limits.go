package scenario

import (
	"fmt"
	"path"
)

// Limit is an API rate limit: a token bucket per account and region for the
// calls to the operations it matches, like the buckets ECS throttles with
// (ECS gives every account, per region, a bucket of Burst tokens per group
// of actions, refilled at Rate tokens a second; a call without a token is
// answered with ThrottlingException "Rate exceeded"). Limits count wall
// time, since they shape how fast a client may call, whatever the speed of
// the emulated clock.
type Limit struct {
	// Operation is the API operation ("DescribeServices") or a glob
	// ("Describe*", "List*", "*"). Operations matched by one entry share its
	// bucket, as ECS's groups of actions share theirs.
	Operation string `yaml:"operation" json:"operation"`
	// Burst is the bucket size: the most calls allowed in one instant.
	Burst int `yaml:"burst" json:"burst"`
	// Rate is the refill rate in tokens per second: the sustained call rate.
	Rate float64 `yaml:"rate" json:"rate"`
}

// checkOperation checks the operation of a fault or limit: an API
// operation name or a glob (example shows one in the error when it is
// missing).
func checkOperation(op, example string) error {
	if op == "" {
		return fmt.Errorf("operation is required (an API operation name or a glob such as %q)", example)
	}
	if _, err := path.Match(op, ""); err != nil {
		return fmt.Errorf("operation %q is not a valid pattern: %w", op, err)
	}
	return nil
}

func (l Limit) validate() error {
	if err := checkOperation(l.Operation, "Describe*"); err != nil {
		return err
	}
	if l.Burst < 1 {
		return fmt.Errorf("burst %d: the bucket must hold at least 1 token", l.Burst)
	}
	if l.Rate <= 0 {
		return fmt.Errorf("rate %v: the refill rate must be above 0 tokens per second", l.Rate)
	}
	return nil
}

// Matches reports whether the limit applies to op.
func (l Limit) Matches(op string) bool {
	ok, _ := path.Match(l.Operation, op)
	return ok
}
