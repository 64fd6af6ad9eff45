package cli

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/inspect"
	"github.com/ecsdeploy/ecsdeploy/rollout"
	"github.com/ecsdeploy/ecsdeploy/spec"
)

// familyNameRE is what ECS accepts as a task-definition family.
var familyNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`) })

// familyTarget is what both revisions commands take to name a family and
// the cluster whose services they look at.
type familyTarget struct {
	deps    *Deps
	flags   *pflag.FlagSet
	family  string
	cluster string
	target  planFlags // the spec file, variables and --cluster, as deploy takes them
}

type revisionsOptions struct {
	familyTarget
	inactive bool
	limit    int
}

type pruneOptions struct {
	familyTarget
	keep   int
	dryRun bool
}

// NewCmdRevisions builds "revisions" and "revisions prune".
func NewCmdRevisions(d *Deps) *cobra.Command {
	cmd := newCmdRevisionsList(d, nil)
	cmd.AddCommand(newCmdRevisionsPrune(d, nil))
	return cmd
}

func newCmdRevisionsList(d *Deps, runF func(context.Context, *revisionsOptions) error) *cobra.Command {
	o := &revisionsOptions{familyTarget: familyTarget{deps: d}}
	cmd := &cobra.Command{
		Use:   "revisions FAMILY",
		Short: "List a family's revisions with their images and the services that use them",
		Long: `List the revisions of a task-definition family, newest first, with when each
was registered, its images, and which services of the cluster run or are
deploying it. "revisions prune" deregisters old ones safely.`,
		Example: `  ecsdeploy revisions web --cluster prod
  ecsdeploy revisions web --inactive --limit 50 --output json
  ecsdeploy revisions prune web --cluster prod --keep 10 --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.resolve(args[0]); err != nil {
				return err
			}
			return dispatch(cmd.Context(), o, runF, runRevisions)
		},
	}
	f := o.addFlags(cmd, "cluster whose services are checked for use (default \"default\")")
	f.BoolVar(&o.inactive, "inactive", false, "also list INACTIVE (deregistered) revisions")
	f.IntVar(&o.limit, "limit", 20, "list at most this many revisions (each costs one describe call)")
	return cmd
}

func newCmdRevisionsPrune(d *Deps, runF func(context.Context, *pruneOptions) error) *cobra.Command {
	o := &pruneOptions{familyTarget: familyTarget{deps: d}}
	cmd := &cobra.Command{
		Use:   "prune FAMILY --keep N",
		Short: "Deregister a family's old revisions, keeping the newest N and every one in use",
		Long: `Deregister the ACTIVE revisions of a family beyond the newest N, with the same
safety rules as deploy --keep-revisions: never a revision that a service of
the cluster runs or is deploying, never the newest, and never the revision a
service of the cluster would roll back to (what "ecsdeploy rollback" would
choose). Services in other clusters are not checked: prune per cluster.`,
		Example: `  ecsdeploy revisions prune web --cluster prod --keep 10
  ecsdeploy revisions prune web -c prod --keep 5 --dry-run --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !o.flags.Changed("keep") {
				return exitcode.Invalidf("--keep: say how many of the newest revisions to keep")
			}
			if err := o.resolve(args[0]); err != nil {
				return err
			}
			return dispatch(cmd.Context(), o, runF, runPrune)
		},
	}
	f := o.addFlags(cmd, "cluster whose services' revisions must stay (default \"default\")")
	f.IntVar(&o.keep, "keep", 0, "how many of the newest ACTIVE revisions to keep (at least 1)")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would be deregistered and change nothing")
	return cmd
}

// familyTargetFlagNames are the target flags of the revisions commands,
// which name a family (FAMILY, where #{variables} work too) instead of a
// service.
var familyTargetFlagNames = []string{"file", "var", "var-file", "cluster"}

// addFlags gives cmd the target flags of the revisions commands, --cluster
// with clusterUsage as its help, and returns cmd's flag set.
func (o *familyTarget) addFlags(cmd *cobra.Command, clusterUsage string) *pflag.FlagSet {
	o.flags = addTargetFlags(cmd, o.deps, &o.target, familyTargetFlagNames, map[string]string{
		"file":    "deploy spec file (YAML) naming the cluster; flags override it",
		"cluster": clusterUsage,
	})
	return o.flags
}

// resolve resolves the target flags and FAMILY (familyArg) into o.cluster
// and o.family, which stay unset when there is a problem.
func (o *familyTarget) resolve(familyArg string) error {
	t, ps := resolveTarget(o.flags, &o.target)
	family, expandErr := t.x.resolver.Expand(familyArg)
	if expandErr != nil {
		ps.Add("FAMILY", 0, "%v", expandErr)
	}
	if t.Cluster == "" {
		ps.Add("--cluster", 0, "%s", spec.ClusterEmpty)
	}
	if err := ps.Err(); err != nil {
		return err
	}
	o.cluster, o.family = t.Cluster, strings.TrimSpace(family)
	return nil
}

func checkFamily(family string) error {
	if !familyNameRE().MatchString(family) {
		return exitcode.Invalidf("FAMILY %q is not a task-definition family name (up to 255 letters, digits, '_' and '-')", family)
	}
	return nil
}

func runRevisions(ctx context.Context, o *revisionsOptions) error {
	d, family := o.deps, o.family
	var ps exitcode.Problems
	if err := checkFamily(family); err != nil {
		ps.Extend(err)
	}
	if o.limit < 1 {
		ps.Add("--limit", 0, "must be at least 1, not %d", o.limit)
	}
	if err := ps.Err(); err != nil {
		return err
	}
	clients, err := d.Clients.Clients(ctx)
	if err != nil {
		return err
	}
	revs, err := inspect.Revisions(ctx, clients.ECS, o.cluster, family, o.inactive, o.limit)
	if err != nil {
		return err
	}
	return d.Render(map[string]any{"family": family, "cluster": o.cluster, "revisions": revs}, func(out io.Writer) {
		printRevisions(out, family, revs)
	})
}

func printRevisions(out io.Writer, family string, revs []inspect.Revision) {
	for _, r := range revs {
		at := "-"
		if r.RegisteredAt != nil {
			at = r.RegisteredAt.UTC().Format(time.RFC3339)
		}
		used := ""
		if len(r.UsedBy) > 0 {
			used = "  used by " + strings.Join(r.UsedBy, ", ")
		}
		fmt.Fprintf(out, "%s:%d  %-8s  %s  %s%s\n", family, r.Revision, r.Status, at, strings.Join(r.Images, " "), used)
	}
}

// pruneReport is what revisions prune prints with --output json.
type pruneReport struct {
	Family       string            `json:"family"`
	Cluster      string            `json:"cluster"`
	Keep         int               `json:"keep"`
	DryRun       bool              `json:"dryRun"`
	Deregistered []string          `json:"deregistered"`
	Kept         map[string]string `json:"keptForSafety"`
}

func runPrune(ctx context.Context, o *pruneOptions) error {
	d, family := o.deps, o.family
	var ps exitcode.Problems
	if err := checkFamily(family); err != nil {
		ps.Extend(err)
	}
	if o.keep < 1 {
		ps.Add("--keep", 0, "must be at least 1 (the newest revision always stays), not %d", o.keep)
	}
	if err := ps.Err(); err != nil {
		return err
	}
	clients, err := d.Clients.Clients(ctx)
	if err != nil {
		return err
	}
	res, err := inspect.PruneFamily(ctx, clients.ECS, rollout.PruneRequest{Cluster: o.cluster, Family: family, Keep: o.keep, DryRun: o.dryRun})
	if err != nil {
		return err
	}
	rep := pruneReport{Family: family, Cluster: o.cluster, Keep: o.keep, DryRun: o.dryRun,
		Deregistered: append([]string{}, res.Deregistered...), Kept: res.KeptInUse}
	return d.Render(rep, func(out io.Writer) { printPrune(out, rep) })
}

func printPrune(out io.Writer, rep pruneReport) {
	verb := "deregistered"
	if rep.DryRun {
		verb = "would deregister"
	}
	for _, arn := range rep.Deregistered {
		fmt.Fprintf(out, "%s %s\n", verb, shortTaskDef(arn))
	}
	kept := make([]string, 0, len(rep.Kept))
	for arn := range rep.Kept {
		kept = append(kept, arn)
	}
	sort.Slice(kept, func(i, j int) bool {
		_, a := ecsref.FamilyRevision(kept[i])
		_, b := ecsref.FamilyRevision(kept[j])
		return a > b
	})
	for _, arn := range kept {
		fmt.Fprintf(out, "kept %s: %s\n", shortTaskDef(arn), rep.Kept[arn])
	}
	if len(rep.Deregistered) == 0 {
		fmt.Fprintf(out, "nothing to prune: %s has no ACTIVE revision beyond the newest %d that is safe to deregister\n", rep.Family, rep.Keep)
	}
}
