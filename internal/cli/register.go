package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/spec"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

// revisionFlags are the flags run and register share: which task definition
// to start from and how to change it. They are deploy's own flags (same
// names, parsing and variables), plus --family.
type revisionFlags struct {
	plan   planFlags
	family string
}

// revisionFlagNames are the deploy flags that make sense without touching a
// service: the spec file and variables, where the task definition comes
// from, and every task-definition change.
var revisionFlagNames = []string{
	"file", "var", "var-file", "cluster", "service",
	"use-latest-task-def", "template-family", "task-definition-file", "task-definition",
	"image", "tag-only", "tag-from-env", "env", "unset-env", "env-mode",
	"secret", "unset-secret", "secret-mode", "env-file", "env-file-mode",
	"tag", "copy-task-definition-tags",
}

// register adds deploy's flags named in names to cmd, bound to f.plan, with
// usage texts replaced where the command gives them a different meaning, and
// --family; it returns cmd's flag set.
func (f *revisionFlags) register(cmd *cobra.Command, d *Deps, names []string, usage map[string]string) *pflag.FlagSet {
	fs := addTargetFlags(cmd, d, &f.plan, names, usage)
	fs.StringVar(&f.family, "family", "", "register the new revision into this family (as on deploy); alone, start from its latest ACTIVE revision")
	return fs
}

// revisionRequest is what the flags and the spec file resolve to.
type revisionRequest struct {
	Cluster, Service string
	Family           string // --family: where the new revision is registered (alone: also the start)
	TaskDefinition   string // a revision to start from (family:revision or ARN)
	UseLatest        bool
	TemplateFamily   string
	File             *ecs.RegisterTaskDefinitionInput
	Changes          taskdef.Changes
	CopyTags         bool
	Origins          exitcode.Origins // where the source fields were given

	x *expander // for the command's own flags
}

// resolve reads the spec file and variables, applies the flags over them and
// checks everything that needs no AWS call, collecting every problem.
func (f *revisionFlags) resolve(flags *pflag.FlagSet) (*revisionRequest, exitcode.Problems) {
	var ps exitcode.Problems
	f.plan.checkOne(&ps)
	resolver := loadVariables(f.plan.now, f.plan.varFiles, f.plan.varFlags, &ps)
	d := &spec.Deploy{}
	if f.plan.file != "" {
		loaded, err := spec.LoadDeploy(f.plan.file, resolver)
		if err != nil {
			ps.Extend(err)
		} else {
			d = loaded
		}
	}
	x := &expander{resolver: resolver, problems: &ps, flags: flags}
	f.plan.applyTo(d, x)
	d.Override(f.plan.changes(x))
	ps = append(ps, d.ValidateCluster()...)
	ps = append(ps, d.ValidateChanges()...)

	r := &revisionRequest{
		Cluster: strings.TrimSpace(d.Cluster), Service: strings.TrimSpace(d.Service),
		TaskDefinition: strings.TrimSpace(aws.ToString(d.TaskDefinition)),
		UseLatest:      d.UseLatestTaskDef != nil && *d.UseLatestTaskDef,
		TemplateFamily: strings.TrimSpace(aws.ToString(d.TemplateFamily)),
		Changes:        d.Changes(),
		CopyTags:       d.CopyTaskDefinitionTags != nil && *d.CopyTaskDefinitionTags,
		Origins:        sourceOrigins(d),
		x:              x,
	}
	if x.given("family") {
		r.Family = strings.TrimSpace(x.expand("family", f.family))
		r.Origins = r.Origins.Set("family", exitcode.FlagOrigin("--family"))
		if !familyNameRE().MatchString(r.Family) {
			ps.Add("--family", 0, "%q is not a task-definition family name (up to 255 letters, digits, '_' and '-')", r.Family)
		}
	}
	r.Cluster = clusterOr(r.Cluster)
	r.File = readTaskDefinitionFile(d, &ps)
	if aws.ToString(d.TaskDefinitionFile) == "" && d.TaskDefinitionFile != nil {
		ps.At(d.Origin("taskDefinitionFile"), "empty: give the path of a task-definition JSON file")
	}
	r.checkSources(&ps, d.TaskDefinitionFile != nil)
	return r, ps
}

// checkSources makes sure exactly one starting point is named, naming each
// where it was given.
func (r *revisionRequest) checkSources(ps *exitcode.Problems, file bool) {
	var given []string
	name := func(field string) string { return r.Origins.Of(field).Name() }
	if r.TaskDefinition != "" {
		given = append(given, "taskDefinition")
	}
	if file {
		given = append(given, "taskDefinitionFile")
	}
	if r.TemplateFamily != "" {
		given = append(given, "templateFamily")
	}
	if r.UseLatest {
		given = append(given, "useLatestTaskDef")
	}
	if len(given) > 1 {
		names := make([]string, len(given))
		for i, g := range given {
			names[i] = name(g)
		}
		ps.At(r.Origins.Of(given[1]), "choose one starting point; %s are given", strings.Join(names, " and "))
	}
	switch {
	case r.TaskDefinition != "" || file:
	case r.TemplateFamily != "" && r.Family == "" && r.Service == "":
		ps.At(r.Origins.Of("templateFamily"), "needs --family or --service: the family to register the copy into")
	case r.Family == "" && r.Service == "":
		ps.Add("--task-definition", 0, "name the task definition: --task-definition family[:revision], --family, --service (its current one) or --task-definition-file")
	case r.UseLatest && r.Service == "" && r.Family == "":
		ps.At(r.Origins.Of("useLatestTaskDef"), "needs --service or --family")
	}
}

// base is the request for the revision the command starts from.
func (r *revisionRequest) base() rollout.BaseRequest {
	return rollout.BaseRequest{Cluster: r.Cluster, Service: r.Service, Family: r.Family,
		Source:  rollout.Source{Existing: r.TaskDefinition, UseLatest: r.UseLatest, TemplateFamily: r.TemplateFamily, File: r.File},
		Changes: r.Changes, CopyTags: r.CopyTags, Origins: r.Origins}
}

// registerOptions are the register command's inputs.
type registerOptions struct {
	deps       *Deps
	flags      *pflag.FlagSet
	rev        revisionFlags
	dryRun     bool
	showValues bool
}

// registerReport is what register prints with --output json.
type registerReport struct {
	Family         string          `json:"family"`
	Revision       int32           `json:"revision,omitempty"`
	TaskDefinition string          `json:"taskDefinitionArn,omitempty"`
	Base           string          `json:"base,omitempty"`
	Registered     bool            `json:"registered"`
	Changes        taskdef.Summary `json:"changes"`
	Diff           string          `json:"diff,omitempty"`
	Notes          []string        `json:"notes,omitempty"`
}

// NewCmdRegister builds "register".
func NewCmdRegister(d *Deps, runF func(context.Context, *registerOptions) error) *cobra.Command {
	o := &registerOptions{deps: d}
	cmd := runs(&cobra.Command{
		Use:   "register",
		Short: "Register a new task-definition revision with deploy's changes, without touching a service",
		Long: `Register builds a new revision the way deploy does — from a service's
current task definition (--service), a given revision (--task-definition),
a template family or a file, with any image, environment, secret,
environment-file and tag changes — registers it and prints it. --family is
the family it is registered into, as on deploy; alone, the start is that
family's latest ACTIVE revision. No service is updated (the ecs-deploy script's
-d mode). When nothing changes, nothing is registered. A deploy spec file
(-f) may give the cluster, service, source and changes; its service settings
are ignored here.`,
		Example: `  ecsdeploy register --family web -i web=registry.example.com/web:1.4.2
  ecsdeploy register -c prod -n web --tag-only 1.4.2 --env web:FEATURE=on
  ecsdeploy register --task-definition-file taskdef.json --family web --dry-run`,
		Args: cobra.NoArgs,
	}, o, runF, runRegister)
	o.flags = o.rev.register(cmd, d, revisionFlagNames, map[string]string{
		"cluster":             "cluster of --service (default \"default\")",
		"service":             "start from the task definition this service runs (nothing on the service changes)",
		"task-definition":     "start from this revision (family:revision or ARN)",
		"template-family":     "start from the latest revision of this family, registered into --family (or the service's family)",
		"tag":                 "tag the new revision: KEY=VALUE (repeatable)",
		"use-latest-task-def": "with --service, start from the latest ACTIVE revision of its family instead of the one it runs",
	})
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "print the diff of what would be registered and register nothing")
	cmd.Flags().BoolVar(&o.showValues, "show-values", false, "show plain environment values in the diff (masked by default)")
	return cmd
}

func runRegister(ctx context.Context, o *registerOptions) error {
	d := o.deps
	req, ps := o.rev.resolve(o.flags)
	if err := ps.Err(); err != nil {
		return err
	}
	clients, err := d.Clients.Clients(ctx)
	if err != nil {
		return err
	}
	reg, err := rollout.Register(ctx, clients.ECS, req.base(), o.dryRun)
	if err != nil {
		return err
	}
	base, changed := reg.Base, reg.Changed
	rep := registerReport{Family: aws.ToString(base.Input.Family), Changes: base.Summary, Notes: base.Notes,
		Registered: reg.Registered, TaskDefinition: reg.TaskDefinition, Revision: reg.Revision}
	if base.From != nil {
		rep.Base = aws.ToString(base.From.TaskDefinitionArn)
	}
	rep.Diff = taskdef.Diff(base.Before(), base.Input, taskdef.DiffOptions{ShowValues: o.showValues})
	switch {
	case !changed:
		rep.Notes = append(rep.Notes, "nothing changes; no revision registered")
	case o.dryRun:
		rep.Notes = append(rep.Notes, "dry run: nothing registered")
	}
	return d.Render(rep, func(out io.Writer) {
		for _, n := range append(rep.Notes, base.Summary.Warnings...) {
			fmt.Fprintln(d.IO.ErrOut, n)
		}
		if o.dryRun || !rep.Registered {
			fmt.Fprint(out, rep.Diff)
		}
		if rep.Registered || !changed {
			fmt.Fprintln(out, rep.TaskDefinition)
		}
	})
}
