package rollout

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// RegisterAPI is the ECS client of Register.
type RegisterAPI interface {
	BaseAPI
	RegisterTaskDefinition(ctx context.Context, in *ecs.RegisterTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.RegisterTaskDefinitionOutput, error)
}

// Registration is what Register did.
type Registration struct {
	// Base is the starting point and the new revision's register input.
	Base *Base
	// Changed says the new revision differs from the one it starts from.
	Changed bool
	// Registered says a revision was registered: it changed and this was
	// not a dry run.
	Registered bool
	// TaskDefinition and Revision are the registered revision, or the
	// starting one when nothing changed; empty for a dry run.
	TaskDefinition string
	Revision       int32
}

// Register builds a new revision as deploy would (ResolveBase) and
// registers it, without touching a service: only when it differs from the
// revision it starts from, and not when dryRun.
func Register(ctx context.Context, api RegisterAPI, req BaseRequest, dryRun bool) (*Registration, error) {
	base, err := ResolveBase(ctx, api, req)
	if err != nil {
		return nil, err
	}
	r := &Registration{Base: base, Changed: base.Changed(req)}
	switch {
	case !r.Changed:
		r.TaskDefinition, r.Revision = aws.ToString(base.From.TaskDefinitionArn), base.From.Revision
	case dryRun:
	default:
		out, err := api.RegisterTaskDefinition(ctx, base.Input)
		if err != nil {
			return r, fmt.Errorf("register a revision of %s: %w", aws.ToString(base.Input.Family), err)
		}
		r.Registered = true
		r.TaskDefinition, r.Revision = aws.ToString(out.TaskDefinition.TaskDefinitionArn), out.TaskDefinition.Revision
	}
	return r, nil
}
