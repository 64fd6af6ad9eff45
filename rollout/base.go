package rollout

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

// BaseRequest names the revision a new one starts from: a service's, a
// family's latest ACTIVE one, a given revision, a template family's or a
// file. Deploy, diff, register and run all resolve it the same way.
type BaseRequest struct {
	// Cluster and Service name a service (optional): its task definition is
	// the default starting point and its family the family registered into.
	Cluster, Service string
	// Family, when set, is the family the new revision is registered into
	// (the destination, as deploy's Request.Family). When nothing else
	// names a starting point, its latest ACTIVE revision is the start.
	Family string
	// Source says where to start; Source.Existing is a revision to start
	// from (deploy, which deploys it as it is, does not resolve it here).
	Source  Source
	Changes taskdef.Changes
	// CopyTags carries the starting revision's tags to the new one.
	CopyTags bool
	// Origins says where the request's fields were given (see
	// Request.Origins); problems are reported there.
	Origins exitcode.Origins
}

// Base is the revision a new one starts from and the register input with the
// changes applied. Nothing is registered.
type Base struct {
	// Service is the service named by the request, if any.
	Service *types.Service
	// From is the revision started from, with its tags; nil for a file.
	From     *types.TaskDefinition
	FromTags []types.Tag
	// Input is the new revision's register input, changes applied.
	Input   *ecs.RegisterTaskDefinitionInput
	Summary taskdef.Summary
	Notes   []string
}

// Before is From as a register input, the old side of a diff (with From's
// tags when the new revision carries tags, so that adding a tag shows); nil
// for a file.
func (b *Base) Before() *ecs.RegisterTaskDefinitionInput {
	if b.From == nil {
		return nil
	}
	var tags []types.Tag
	if len(b.Input.Tags) > 0 {
		tags = b.FromTags
	}
	return taskdef.RegisterInput(b.From, tags)
}

// Changed reports whether the new revision differs from the one it starts
// from: always for a file or a template (registered into another family).
func (b *Base) Changed(req BaseRequest) bool {
	before := b.Before()
	return before == nil || req.Source.TemplateFamily != "" || !sameTaskDefinition(before, b.Input)
}

// BaseAPI is what resolving a starting point reads.
type BaseAPI interface {
	ServiceDescriber
	DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
}

// ResolveBase reads the starting point and applies the changes. A service,
// family or revision that does not exist, an INACTIVE revision asked for by
// name, and a change naming a container the task definition lacks are
// invalid input (exit code 2); problems name where the request's fields were
// given (req.Origins), or the fields.
func ResolveBase(ctx context.Context, api BaseAPI, req BaseRequest) (*Base, error) {
	if req.Service == "" {
		return resolveBase(ctx, api, req, nil, nil, nil)
	}
	svc, err := DescribeService(ctx, api, req.Cluster, req.Service)
	if err != nil {
		return nil, err
	}
	memo := newTDMemo(api)
	current, currentTags, err := readCurrent(ctx, memo, aws.ToString(svc.TaskDefinition), req.wantsNewest)
	if err != nil {
		return nil, err
	}
	return resolveBase(ctx, memo, req, &svc, current, currentTags)
}

// wantsNewest reports whether resolving req reads the newest ACTIVE
// revision of family, the family of the revision the service runs: to start
// from it (Source.UseLatest), or to note a newer one than the
// service's (noteNewerInFamily).
func (req BaseRequest) wantsNewest(family string) bool {
	src := req.Source
	return src.Existing == "" && src.File == nil && src.TemplateFamily == "" && (src.UseLatest || req.Family == family)
}

// resolveBase is ResolveBase on a service and its task definition already
// read (nil: no service named).
func resolveBase(ctx context.Context, api BaseAPI, req BaseRequest, svc *types.Service, current *types.TaskDefinition, currentTags []types.Tag) (*Base, error) {
	b := &Base{Service: svc}
	target := req.Family
	if current != nil && target == "" {
		target = aws.ToString(current.Family)
	}
	src := req.Source
	var err error
	switch {
	case src.Existing != "":
		b.From, b.FromTags, err = describeActiveRevision(ctx, api, src.Existing, req.Origins.Of("taskDefinition"))
	case src.File != nil:
		b.Input = taskdef.CloneInput(src.File)
		if req.Family != "" || aws.ToString(b.Input.Family) == "" {
			if target == "" {
				return nil, invalidAt(req.Origins.Of("taskDefinitionFile"), "the file has no family; give the family to register it into")
			}
			b.Input.Family = aws.String(target)
		}
	case src.TemplateFamily != "":
		b.From, b.FromTags, err = describeActiveRevision(ctx, api, src.TemplateFamily, req.Origins.Of("templateFamily"))
		if err == nil {
			b.Notes = append(b.Notes, fmt.Sprintf("based on template %s:%d, registered into family %s", aws.ToString(b.From.Family), b.From.Revision, target))
		}
	case src.UseLatest && current != nil:
		family := aws.ToString(current.Family)
		b.From, b.FromTags, err = describeActiveRevision(ctx, api, family, req.Origins.Of("useLatestTaskDef"))
		if err == nil && b.From.Revision != current.Revision {
			b.Notes = append(b.Notes, fmt.Sprintf("based on the latest ACTIVE revision %s:%d (the service runs %d)", family, b.From.Revision, current.Revision))
		}
	case current != nil: // the service's own task definition, whatever its status
		b.From, b.FromTags = current, currentTags
		if req.Family == aws.ToString(current.Family) {
			err = noteNewerInFamily(ctx, api, req, b, current)
		}
	case req.Family != "": // nothing else named: the destination's latest ACTIVE revision
		b.From, b.FromTags, err = describeActiveRevision(ctx, api, req.Family, req.Origins.Of("family"))
	default:
		return nil, invalidAt(req.Origins.Of("taskDefinition"), "name the task definition to start from (a revision, a family, a service or a file)")
	}
	if err != nil {
		return nil, err
	}
	if b.Input == nil {
		var keep []types.Tag
		if req.CopyTags {
			keep = b.FromTags
		}
		b.Input = taskdef.RegisterInput(b.From, keep)
		if src.TemplateFamily != "" {
			b.Input.Family = aws.String(target)
		}
		if dest := req.Family; dest != "" && dest != aws.ToString(b.Input.Family) {
			b.Notes = append(b.Notes, fmt.Sprintf("registered into family %s (the base revision is of %s)", dest, aws.ToString(b.Input.Family)))
			b.Input.Family = aws.String(dest)
		}
	}
	if b.Summary, err = taskdef.Apply(b.Input, req.Changes); err != nil {
		return nil, err
	}
	return b, nil
}

// noteNewerInFamily says so when the family the service runs has an ACTIVE
// revision newer than the service's: Family names where the revision is
// registered, and no longer where it starts (it used to, on register and
// run), so the note shows how to start from that newer one: the setting
// useLatestTaskDef, named where req.Origins says to give it.
func noteNewerInFamily(ctx context.Context, api BaseAPI, req BaseRequest, b *Base, current *types.TaskDefinition) error {
	family := aws.ToString(current.Family)
	latest, _, err := describeActiveRevision(ctx, api, family, req.Origins.Of("family"))
	if err != nil {
		return err
	}
	if latest.Revision > current.Revision {
		at := req.Origins.Of("useLatestTaskDef")
		how := "add " + at.Name()
		if !at.IsFlag() && at.Line > 0 {
			how = "set " + at.Field + " at " + at.String() // given false in a file
		}
		b.Notes = append(b.Notes, fmt.Sprintf("based on %s:%d, the revision the service runs; the family's latest ACTIVE revision is %d (%s to start from it)",
			family, current.Revision, latest.Revision, how))
	}
	return nil
}

// describeActiveRevision reads a revision (or a family's latest ACTIVE one)
// with its tags. One that does not exist or is INACTIVE is invalid input,
// reported at the origin of the request field that asked for it.
func describeActiveRevision(ctx context.Context, api BaseAPI, ref string, at exitcode.Origin) (*types.TaskDefinition, []types.Tag, error) {
	out, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
		TaskDefinition: aws.String(ref), Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags},
	})
	var client *types.ClientException
	if errors.As(err, &client) {
		return nil, nil, invalidAt(at, "task definition %s not found (%s)", ref, client.ErrorMessage())
	}
	if err != nil {
		return nil, nil, fmt.Errorf("describe task definition %s: %w", ref, err)
	}
	td := out.TaskDefinition
	if td.Status != types.TaskDefinitionStatusActive {
		family := aws.ToString(td.Family)
		return nil, nil, invalidAt(at, "%s:%d is %s; only ACTIVE revisions can be used", family, td.Revision, td.Status)
	}
	return td, out.Tags, nil
}

// invalidAt is invalid input in one field of the request, reported where it
// was given.
func invalidAt(at exitcode.Origin, format string, args ...any) error {
	var ps exitcode.Problems
	ps.At(at, format, args...)
	return ps.Err()
}
