package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// familyNameRE is what ECS accepts as a task-definition family.
var familyNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

type revisionsOptions struct {
	deps     *Deps
	flags    *pflag.FlagSet
	family   string
	cluster  string
	target   planFlags // the spec file, variables and --cluster, as deploy takes them
	inactive bool
	limit    int
}

type pruneOptions struct {
	deps    *Deps
	flags   *pflag.FlagSet
	family  string
	cluster string
	target  planFlags // the spec file, variables and --cluster, as deploy takes them
	keep    int
	dryRun  bool
}

// revisionsAPI is what listing and pruning revisions read and write;
// *ecs.Client satisfies it.
type revisionsAPI interface {
	rollout.ECSAPI
}

// revisionInfo is one revision in the listing (what --output json prints).
type revisionInfo struct {
	Revision     int32      `json:"revision"`
	ARN          string     `json:"taskDefinitionArn"`
	Status       string     `json:"status"`
	RegisteredAt *time.Time `json:"registeredAt,omitempty"`
	Images       []string   `json:"images"`
	UsedBy       []string   `json:"usedBy"` // services of the cluster running or deploying it
}

// NewCmdRevisions builds "revisions" and "revisions prune".
func NewCmdRevisions(d *Deps) *cobra.Command {
	cmd := newCmdRevisionsList(d, nil)
	cmd.AddCommand(newCmdRevisionsPrune(d, nil))
	return cmd
}

func newCmdRevisionsList(d *Deps, runF func(context.Context, *revisionsOptions) error) *cobra.Command {
	o := &revisionsOptions{deps: d}
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
			cluster, family, err := resolveFamilyTarget(o.flags, &o.target, args[0])
			if err != nil {
				return err
			}
			o.cluster, o.family = cluster, family
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runRevisions(cmd.Context(), o)
		},
	}
	o.flags = cmd.Flags()
	addDeployFlags(cmd, &o.target, familyTargetFlagNames, map[string]string{
		"file":    "deploy spec file (YAML) naming the cluster; flags override it",
		"cluster": "cluster whose services are checked for use (default \"default\")",
	})
	f := cmd.Flags()
	f.BoolVar(&o.inactive, "inactive", false, "also list INACTIVE (deregistered) revisions")
	f.IntVar(&o.limit, "limit", 20, "list at most this many revisions (each costs one describe call)")
	return cmd
}

func newCmdRevisionsPrune(d *Deps, runF func(context.Context, *pruneOptions) error) *cobra.Command {
	o := &pruneOptions{deps: d}
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
			cluster, family, err := resolveFamilyTarget(o.flags, &o.target, args[0])
			if err != nil {
				return err
			}
			o.cluster, o.family = cluster, family
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runPrune(cmd.Context(), o)
		},
	}
	o.flags = cmd.Flags()
	addDeployFlags(cmd, &o.target, familyTargetFlagNames, map[string]string{
		"file":    "deploy spec file (YAML) naming the cluster; flags override it",
		"cluster": "cluster whose services' revisions must stay (default \"default\")",
	})
	f := cmd.Flags()
	f.IntVar(&o.keep, "keep", 0, "how many of the newest ACTIVE revisions to keep (at least 1)")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would be deregistered and change nothing")
	return cmd
}

// familyTargetFlagNames are the target flags of the revisions commands,
// which name a family (FAMILY, where #{variables} work too) instead of a
// service.
var familyTargetFlagNames = []string{"file", "var", "var-file", "cluster"}

// resolveFamilyTarget resolves the target flags and FAMILY.
func resolveFamilyTarget(flags *pflag.FlagSet, plan *planFlags, familyArg string) (cluster, family string, err error) {
	t, ps := resolveTarget(flags, plan)
	family, expandErr := t.x.resolver.Expand(familyArg)
	if expandErr != nil {
		ps.Add("FAMILY", 0, "%v", expandErr)
	}
	if t.Cluster == "" {
		ps.Add("--cluster", 0, "name the cluster (ECS's default cluster is \"default\")")
	}
	return t.Cluster, strings.TrimSpace(family), ps.Err()
}

func checkFamily(family string) error {
	if !familyNameRE.MatchString(family) {
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
	revs, err := listRevisions(ctx, clients.ECS, o.cluster, family, o.inactive, o.limit)
	if err != nil {
		return err
	}
	return d.Render(map[string]any{"family": family, "cluster": o.cluster, "revisions": revs}, func(out io.Writer) {
		printRevisions(out, family, revs)
	})
}

func printRevisions(out io.Writer, family string, revs []revisionInfo) {
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

// listRevisions lists the family's revisions newest first (ACTIVE, and
// INACTIVE when asked), describes the newest limit of them, and notes which
// services of the cluster use each.
func listRevisions(ctx context.Context, api revisionsAPI, cluster, family string, inactive bool, limit int) ([]revisionInfo, error) {
	statuses := []types.TaskDefinitionStatus{types.TaskDefinitionStatusActive}
	if inactive {
		statuses = append(statuses, types.TaskDefinitionStatusInactive)
	}
	var arns []string
	for _, st := range statuses {
		got, err := familyARNs(ctx, api, family, st)
		if err != nil {
			return nil, err
		}
		arns = append(arns, got...)
	}
	if len(arns) == 0 {
		if !inactive {
			if old, err := familyARNs(ctx, api, family, types.TaskDefinitionStatusInactive); err == nil && len(old) > 0 {
				return nil, exitcode.Invalidf("family %s has no ACTIVE revision (%d INACTIVE; list them with --inactive)", family, len(old))
			}
		}
		return nil, exitcode.Invalidf("task definition family %s not found", family)
	}
	sort.Slice(arns, func(i, j int) bool { return revisionOf(arns[i]) > revisionOf(arns[j]) })
	if len(arns) > limit {
		arns = arns[:limit]
	}
	users, err := serviceUsers(ctx, api, cluster)
	if err != nil {
		return nil, err
	}
	out := make([]revisionInfo, 0, len(arns))
	for _, arn := range arns {
		d, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)})
		if err != nil {
			return nil, fmt.Errorf("describe %s: %w", shortTaskDef(arn), err)
		}
		td := d.TaskDefinition
		info := revisionInfo{Revision: td.Revision, ARN: arn, Status: string(td.Status), RegisteredAt: td.RegisteredAt,
			Images: []string{}, UsedBy: users[arn]}
		if info.UsedBy == nil {
			info.UsedBy = []string{}
		}
		for _, c := range td.ContainerDefinitions {
			info.Images = append(info.Images, aws.ToString(c.Name)+"="+aws.ToString(c.Image))
		}
		out = append(out, info)
	}
	return out, nil
}

// familyARNs lists the family's revisions with one status. ECS matches
// familyPrefix as a prefix ("web" also lists "web-worker"), so the ARNs are
// filtered to the family itself.
func familyARNs(ctx context.Context, api revisionsAPI, family string, status types.TaskDefinitionStatus) ([]string, error) {
	var arns []string
	p := ecs.NewListTaskDefinitionsPaginator(api, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: status})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list revisions of %s: %w", family, err)
		}
		for _, arn := range out.TaskDefinitionArns {
			if familyOf(arn) == family {
				arns = append(arns, arn)
			}
		}
	}
	return arns, nil
}

// familyOf and revisionOf split ".../task-definition/FAMILY:REVISION".
func familyOf(arn string) string {
	name := shortTaskDef(arn)
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		return name[:i]
	}
	return name
}

func revisionOf(arn string) int {
	name := shortTaskDef(arn)
	n := 0
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		fmt.Sscanf(name[i+1:], "%d", &n)
	}
	return n
}

// serviceUsers maps each task definition ARN that a service of the cluster
// runs or is deploying to the names of those services, sorted.
func serviceUsers(ctx context.Context, api revisionsAPI, cluster string) (map[string][]string, error) {
	var names []string
	p := ecs.NewListServicesPaginator(api, &ecs.ListServicesInput{Cluster: aws.String(cluster)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		var noCluster *types.ClusterNotFoundException
		if errors.As(err, &noCluster) {
			return nil, exitcode.Invalidf("cluster %s not found", cluster)
		}
		if err != nil {
			return nil, fmt.Errorf("list services of %s: %w", cluster, err)
		}
		names = append(names, out.ServiceArns...)
	}
	users := map[string][]string{}
	add := func(arn, svc string) {
		for _, s := range users[arn] {
			if s == svc {
				return
			}
		}
		users[arn] = append(users[arn], svc)
	}
	for start := 0; start < len(names); start += 10 {
		out, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: names[start:min(start+10, len(names))]})
		if err != nil {
			return nil, fmt.Errorf("describe services of %s: %w", cluster, err)
		}
		for _, s := range out.Services {
			name := aws.ToString(s.ServiceName)
			add(aws.ToString(s.TaskDefinition), name)
			for _, d := range s.Deployments {
				add(aws.ToString(d.TaskDefinition), name)
			}
			for _, ts := range s.TaskSets {
				add(aws.ToString(ts.TaskDefinition), name)
			}
		}
	}
	for _, v := range users {
		sort.Strings(v)
	}
	return users, nil
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
	res, err := pruneFamily(ctx, clients.ECS, o, family)
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
	sort.Slice(kept, func(i, j int) bool { return revisionOf(kept[i]) > revisionOf(kept[j]) })
	for _, arn := range kept {
		fmt.Fprintf(out, "kept %s: %s\n", shortTaskDef(arn), rep.Kept[arn])
	}
	if len(rep.Deregistered) == 0 {
		fmt.Fprintf(out, "nothing to prune: %s has no ACTIVE revision beyond the newest %d that is safe to deregister\n", rep.Family, rep.Keep)
	}
}

// pruneFamily applies rollout's prune rules (the same as deploy
// --keep-revisions) and also protects the revision each service of the
// cluster running this family would roll back to, which a standalone prune
// cannot know from a deploy it just made.
func pruneFamily(ctx context.Context, api revisionsAPI, o *pruneOptions, family string) (*rollout.PruneResult, error) {
	active, err := familyARNs(ctx, api, family, types.TaskDefinitionStatusActive)
	if err != nil {
		return nil, err
	}
	if len(active) == 0 {
		if old, err := familyARNs(ctx, api, family, types.TaskDefinitionStatusInactive); err == nil && len(old) > 0 {
			return nil, exitcode.Invalidf("family %s has no ACTIVE revision to prune", family)
		}
		return nil, exitcode.Invalidf("task definition family %s not found", family)
	}
	users, err := serviceUsers(ctx, api, o.cluster)
	if err != nil {
		return nil, err
	}
	var protect []string
	seen := map[string]bool{}
	for arn, services := range users {
		if familyOf(arn) != family {
			continue
		}
		for _, svc := range services {
			if seen[svc] {
				continue
			}
			seen[svc] = true
			target, _, _, err := rollout.RollbackTarget(ctx, api, o.cluster, svc, 0)
			if err != nil {
				// No older revision to roll back to is fine; AWS refusing a call stops the prune.
				if exitcode.Of(err) != exitcode.AWS {
					continue
				}
				return nil, fmt.Errorf("find the rollback target of %s: %w", svc, err)
			}
			protect = append(protect, target)
		}
	}
	sort.Strings(protect)
	return rollout.Prune(ctx, api, rollout.PruneRequest{Cluster: o.cluster, Family: family, Keep: o.keep, Protect: protect, DryRun: o.dryRun}, nil)
}
