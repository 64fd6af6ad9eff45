package rollout

import (
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

// PlanReport is the plan in machine-readable form (diff --output json).
type PlanReport struct {
	Cluster            string          `json:"cluster"`
	Service            string          `json:"service"`
	CurrentTask        string          `json:"currentTaskDefinition"`
	RegistersRevision  bool            `json:"registersRevision"`
	DeploysRevision    string          `json:"deploysRevision,omitempty"`
	TaskDefinitionDiff string          `json:"taskDefinitionDiff"`
	Changes            taskdef.Summary `json:"changes"`
	ServiceChanges     []SettingChange `json:"serviceChanges"`
	Steps              []string        `json:"steps"`
	InProgress         string          `json:"deploymentInProgress,omitempty"`
	Notes              []string        `json:"notes,omitempty"`
}

// Report returns the plan in machine-readable form; environment values are
// masked in the diff unless opts.ShowValues.
func (p *Plan) Report(opts taskdef.DiffOptions) PlanReport {
	r := PlanReport{
		Cluster: p.Request.Cluster, Service: p.Request.Service,
		CurrentTask:        aws.ToString(p.Current.TaskDefinitionArn),
		RegistersRevision:  p.New != nil,
		Changes:            p.Summary,
		ServiceChanges:     p.SettingChanges,
		Steps:              p.Steps,
		Notes:              append(append([]string(nil), p.Notes...), p.Warnings...),
		TaskDefinitionDiff: p.diff(opts),
	}
	if p.Existing != nil {
		r.DeploysRevision = aws.ToString(p.Existing.TaskDefinitionArn)
	}
	if p.InProgress != nil {
		r.InProgress = aws.ToString(p.InProgress.Id)
	}
	if r.ServiceChanges == nil {
		r.ServiceChanges = []SettingChange{}
	}
	return r
}

func (p *Plan) diff(opts taskdef.DiffOptions) string {
	current := fmt.Sprintf("%s:%d", aws.ToString(p.Current.Family), p.Current.Revision)
	switch {
	case p.New != nil:
		opts.OldName, opts.NewName = current, aws.ToString(p.New.Family)+":new"
		return taskdef.Diff(p.CurrentInput, p.New, opts)
	case p.Existing != nil:
		opts.OldName = current
		opts.NewName = fmt.Sprintf("%s:%d", aws.ToString(p.Existing.Family), p.Existing.Revision)
		return taskdef.Diff(p.CurrentInput, taskdef.RegisterInput(p.Existing, nil), opts)
	}
	return ""
}

// Render writes the plan for people: the task-definition diff, the service
// settings that change, and the rollout steps.
func (p *Plan) Render(w io.Writer, opts taskdef.DiffOptions) {
	r := p.Report(opts)
	fmt.Fprintf(w, "service %s in cluster %s runs %s (desired %d, running %d)\n",
		r.Service, r.Cluster, ecsref.Short(r.CurrentTask), p.Service.DesiredCount, p.Service.RunningCount)
	if r.InProgress != "" {
		fmt.Fprintf(w, "deployment %s is in progress; deploy waits for it first\n", r.InProgress)
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
	// Changes that found nothing to act on (unsetting a variable the
	// container lacks) are usually typos: say so before the user deploys.
	for _, warning := range r.Changes.Warnings {
		fmt.Fprintln(w, "warning: "+warning)
	}
	fmt.Fprintln(w, "\ntask definition:")
	switch {
	case r.TaskDefinitionDiff != "":
		fmt.Fprint(w, indent(r.TaskDefinitionDiff))
	case r.DeploysRevision != "":
		fmt.Fprintf(w, "  deploys %s as it is (identical to the current one)\n", ecsref.Short(r.DeploysRevision))
	default:
		fmt.Fprintln(w, "  no change")
	}
	fmt.Fprintln(w, "\nservice settings:")
	if len(r.ServiceChanges) == 0 {
		fmt.Fprintln(w, "  no change")
	}
	for _, c := range r.ServiceChanges {
		fmt.Fprintln(w, "  "+c.String())
	}
	fmt.Fprintln(w, "\nrollout steps:")
	for i, s := range r.Steps {
		fmt.Fprintf(w, "  %d. %s\n", i+1, s)
	}
}

func indent(s string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString("  " + l)
		}
	}
	if !strings.HasSuffix(s, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}
