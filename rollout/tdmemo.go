package rollout

import (
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// tdMemo answers DescribeTaskDefinition once per reference (and extra
// fields) while one plan is made: planning writes nothing, so a revision or
// a family's newest ACTIVE revision read twice would be read the same.
// Errors are not kept; the next call asks again.
type tdMemo struct {
	BaseAPI

	mu   sync.Mutex
	seen map[string]*ecs.DescribeTaskDefinitionOutput
}

func newTDMemo(api BaseAPI) *tdMemo {
	return &tdMemo{BaseAPI: api, seen: map[string]*ecs.DescribeTaskDefinitionOutput{}}
}

func tdMemoKey(ref string, include []types.TaskDefinitionField) string {
	k := ref
	for _, f := range include {
		k += "\x00" + string(f)
	}
	return k
}

// DescribeTaskDefinition implements BaseAPI.
func (m *tdMemo) DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error) {
	key := tdMemoKey(aws.ToString(in.TaskDefinition), in.Include)
	m.mu.Lock()
	out, ok := m.seen[key]
	m.mu.Unlock()
	if ok {
		return out, nil
	}
	out, err := m.BaseAPI.DescribeTaskDefinition(ctx, in, optFns...)
	if err != nil {
		return nil, err
	}
	m.remember(key, out)
	return out, nil
}

func (m *tdMemo) remember(key string, out *ecs.DescribeTaskDefinitionOutput) {
	m.mu.Lock()
	m.seen[key] = out
	m.mu.Unlock()
}

// familyOfARN is the family of a task definition ARN
// (arn:...:task-definition/FAMILY:REVISION) or of FAMILY:REVISION.
func familyOfARN(ref string) (string, bool) {
	name := ref[strings.LastIndex(ref, "/")+1:]
	i := strings.LastIndex(name, ":")
	if i <= 0 || i == len(name)-1 {
		return "", false
	}
	return name[:i], true
}

// readCurrent reads the revision the service runs. When the plan will also
// want its family's newest ACTIVE revision (wantsNewest), that one is read
// first: a service usually runs its family's newest revision, and then the
// one read answers both questions. Otherwise, or when the family read
// fails (a family with no ACTIVE revision left), the revision is read by
// its ARN as before, and a later read of the family asks again.
func readCurrent(ctx context.Context, memo *tdMemo, arn string, wantsNewest func(family string) bool) (*types.TaskDefinition, []types.Tag, error) {
	include := []types.TaskDefinitionField{types.TaskDefinitionFieldTags}
	if family, ok := familyOfARN(arn); ok && wantsNewest(family) {
		out, err := memo.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(family), Include: include})
		if err == nil && out.TaskDefinition != nil && aws.ToString(out.TaskDefinition.TaskDefinitionArn) == arn {
			memo.remember(tdMemoKey(arn, include), out)
		}
	}
	return describeTaskDefinition(ctx, memo, arn)
}

// wantsNewest reports whether planning req reads the newest ACTIVE
// revision of family, the family of the revision the service runs: to
// start from it (--use-latest-task-def), or to look for an unused newer
// revision before registering one into that family.
func (req Request) wantsNewest(family string) bool {
	src := req.Source
	if src.Existing != "" || (req.Family != "" && req.Family != family) {
		return false
	}
	if src.File != nil && req.Family == "" {
		if f := aws.ToString(src.File.Family); f != "" && f != family {
			return false
		}
	}
	return true
}
