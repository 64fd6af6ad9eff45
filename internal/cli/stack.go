package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/stack"
	"github.com/ecsdeploy/ecsdeploy/stack/apply"
	"github.com/ecsdeploy/ecsdeploy/stack/cfn"
	"github.com/ecsdeploy/ecsdeploy/stack/lifecycle"
)

// NewCmdStack builds "stack" and its subcommands.
func NewCmdStack(d *Deps) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stack",
		Short: "Describe a Fargate service in one file and keep it deployed through CloudFormation",
		Long: `The stack commands turn a spec file describing one Fargate service (task size,
containers, volumes, network, load balancers, deployment settings) into a
CloudFormation stack, the same way on the first run and the hundredth.
See docs/stack.md for the spec and the naming rules.`,
	}
	cmd.AddCommand(newCmdStackTemplate(d), newCmdStackDeploy(d, nil), newCmdStackDelete(d, nil), newCmdStackStatus(d))
	return cmd
}

// stackSpecFlags name the spec file and its variables.
type stackSpecFlags struct {
	file     string
	varFlags []string
	varFiles []string
	now      func() time.Time // the command's clock, for #{ | NowDate}
}

// register adds the spec flags to cmd, their #{variables} dated by d's
// clock, and returns cmd's flag set.
func (f *stackSpecFlags) register(cmd *cobra.Command, d *Deps) *pflag.FlagSet {
	f.now = d.Clock.Now
	fs := cmd.Flags()
	fs.StringVarP(&f.file, "file", "f", "", "stack spec file (YAML)")
	stringArrayVar(fs, &f.varFlags, "var", "set a #{Name} variable: Name=value (repeatable; wins over --var-file)")
	stringArrayVar(fs, &f.varFiles, "var-file", "read #{Name} variables from a KEY=VALUE or YAML file (repeatable)")
	return fs
}

// load reads, substitutes and validates the spec, reporting every problem
// before any AWS call.
func (f *stackSpecFlags) load() (*stack.Spec, error) {
	var ps exitcode.Problems
	if f.file == "" {
		ps.Add("--file", 0, "is required: the stack spec to use (see examples/stack.yaml)")
		return nil, ps.Err()
	}
	resolver := loadVariables(f.now, f.varFiles, f.varFlags, &ps)
	data, err := os.ReadFile(f.file)
	if err != nil {
		ps.Add("--file", 0, "%v", err)
		return nil, ps.Err()
	}
	s, err := stack.Parse(data, resolver)
	ps.Extend(err)
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

func newCmdStackTemplate(d *Deps) *cobra.Command {
	var f stackSpecFlags
	cmd := &cobra.Command{
		Use:   "template",
		Short: "Print the CloudFormation template of a stack spec (YAML)",
		Long: `Template prints the CloudFormation template stack deploy would use. Container
images, and the values the spec lists under parameters, are template
Parameters whose defaults are the spec's values, so the template also works
on its own, e.g. with aws cloudformation deploy --capabilities CAPABILITY_IAM.`,
		Example: `  ecsdeploy stack template -f stack.yaml > template.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := f.load()
			if err != nil {
				return err
			}
			body, err := cfn.Generate(s)
			if err != nil {
				return err
			}
			_, err = d.IO.Out.Write(body)
			return err
		},
	}
	f.register(cmd, d)
	return cmd
}

// stackDeployOptions are stack deploy's flags.
type stackDeployOptions struct {
	deps                *Deps
	spec                stackSpecFlags
	times               stackTimeFlags
	noWait              bool
	recreateFailedStack bool
	wait                waitFlags
}

// stackTimeFlags bound a stack operation: --timeout, and the hidden pause
// between looks at the stack.
type stackTimeFlags struct {
	timeout   durationFlag
	stackPoll durationFlag
}

func (f *stackTimeFlags) register(fs *pflag.FlagSet, usage string) {
	durationVarP(fs, &f.timeout, "timeout", "t", 30*time.Minute, usage+" (30m, 90s; a bare number is seconds)")
	durationVarP(fs, &f.stackPoll, "stack-poll-interval", "", 0, "pause between looks at the stack (default 5s)")
	_ = fs.MarkHidden("stack-poll-interval")
}

// values returns the timeout and the poll interval, recording bad values.
func (f *stackTimeFlags) values(ps *exitcode.Problems) (timeout, poll time.Duration) {
	return f.timeout.value("timeout", nil, ps), f.stackPoll.value("stack-poll-interval", nil, ps)
}

func newCmdStackDeploy(d *Deps, runF func(context.Context, *stackDeployOptions) error) *cobra.Command {
	o := &stackDeployOptions{deps: d}
	cmd := runs(&cobra.Command{
		Use:   "deploy",
		Short: "Create or update the stack of a spec, then wait for the service's deployment",
		Long: `Deploy creates the stack when it is missing and otherwise updates it through a
change set, printing what will change; a change set without changes is a
successful no-op. It streams this operation's stack events, then (unless
--no-wait) follows the ECS service's deployment as deploy does.

Stacks left in CREATE_FAILED, ROLLBACK_COMPLETE or ROLLBACK_FAILED are deleted
and created again; DELETE_FAILED gets its delete retried first;
UPDATE_ROLLBACK_FAILED gets ContinueUpdateRollback, and is deleted and
recreated only with --recreate-failed-stack, because that deletes a live
service. A stack busy with another operation is waited for. When --timeout
passes during an update, the update is cancelled and its rollback followed.
Exit codes: 0 succeeded, 1 failed, 2 invalid input, 3 timed out, 4 AWS API error.`,
		Example: `  ecsdeploy stack deploy -f stack.yaml
  ecsdeploy stack deploy -f stack.yaml --var Tag=1.4.2 --timeout 20m --output json`,
		Args: cobra.NoArgs,
	}, o, runF, runStackDeploy)
	fs := o.spec.register(cmd, d)
	o.times.register(fs, "how long the stack operation and the service's deployment may take together")
	fs.BoolVar(&o.noWait, "no-wait", false, "return once the stack operation is under way (created, or its change set executing), waiting for neither the stack nor the service")
	fs.BoolVar(&o.recreateFailedStack, "recreate-failed-stack", false, "delete and recreate a stack in UPDATE_ROLLBACK_FAILED that ContinueUpdateRollback cannot fix (deletes the running service)")
	o.wait.register(cmd)
	return cmd
}

func runStackDeploy(ctx context.Context, o *stackDeployOptions) error {
	d := o.deps
	var ps exitcode.Problems
	timeout, poll := o.times.values(&ps)
	wopts := o.wait.options(d.Clock, &ps)
	if err := ps.Err(); err != nil {
		return err
	}
	s, err := o.spec.load()
	if err != nil {
		return err
	}
	clients, err := d.Clients.ClientsWithCloudFormation(ctx)
	if err != nil {
		return err
	}
	stackTimeout := timeout
	if d.Global.Local {
		// The local ECS's clock runs faster than the wall's: a creation
		// timeout in its minutes would cut deploys short.
		stackTimeout = 0
	}
	res, derr := apply.Deploy(ctx, apply.APIs{CloudFormation: clients.CloudFormation, ECS: clients.ECS}, s, apply.Options{
		Timeout: timeout, StackTimeout: stackTimeout, NoWait: o.noWait, RecreateFailedStack: o.recreateFailedStack,
		Origins:      settingOrigins(nil, "noWait", "recreateFailedStack"),
		PollInterval: poll, Watch: wopts, Reporter: d.Progress(),
	})
	return finishStack(d, res, derr)
}

func newCmdStackDelete(d *Deps, runF func(context.Context, *stackDeleteOptions) error) *cobra.Command {
	o := &stackDeleteOptions{deps: d}
	cmd := runs(&cobra.Command{
		Use:   "delete",
		Short: "Delete the stack of a spec (succeeds when there is nothing to delete)",
		Example: `  ecsdeploy stack delete -f stack.yaml
  ecsdeploy stack delete --stack-name ecsdeploy-web`,
		Args: cobra.NoArgs,
	}, o, runF, runStackDelete)
	fs := o.spec.register(cmd, d)
	fs.StringVar(&o.stackName, "stack-name", "", "the stack to delete, instead of the one a spec names")
	o.times.register(fs, "how long the delete may take")
	return cmd
}

// stackDeleteOptions are stack delete's flags.
type stackDeleteOptions struct {
	deps      *Deps
	spec      stackSpecFlags
	stackName string
	times     stackTimeFlags
}

func runStackDelete(ctx context.Context, o *stackDeleteOptions) error {
	d := o.deps
	var ps exitcode.Problems
	timeout, poll := o.times.values(&ps)
	if err := ps.Err(); err != nil {
		return err
	}
	name, err := stackNameOf(&o.spec, o.stackName)
	if err != nil {
		return err
	}
	clients, err := d.Clients.ClientsWithCloudFormation(ctx)
	if err != nil {
		return err
	}
	res, derr := apply.Delete(ctx, clients.CloudFormation, name, apply.Options{Timeout: timeout, PollInterval: poll, Reporter: d.Progress()})
	return finishStack(d, res, derr)
}

func newCmdStackStatus(d *Deps) *cobra.Command {
	var f stackSpecFlags
	var stackName string
	cmd := &cobra.Command{
		Use:     "status",
		Short:   "Show the state of a spec's stack and what deploy would do with it",
		Example: `  ecsdeploy stack status -f stack.yaml --output json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := stackNameOf(&f, stackName)
			if err != nil {
				return err
			}
			clients, err := d.Clients.ClientsWithCloudFormation(cmd.Context())
			if err != nil {
				return err
			}
			st, err := lifecycle.Status(cmd.Context(), clients.CloudFormation, name)
			if err != nil {
				return err
			}
			return d.Render(st, func(out io.Writer) { printStackState(out, st) })
		},
	}
	f.register(cmd, d).StringVar(&stackName, "stack-name", "", "the stack to show, instead of the one a spec names")
	return cmd
}

// stackNameOf is --stack-name, or the name the spec file generates.
func stackNameOf(f *stackSpecFlags, explicit string) (string, error) {
	if explicit != "" {
		if f.file != "" {
			return "", exitcode.Invalidf("--stack-name and --file name the stack twice; give one")
		}
		return explicit, nil
	}
	if f.file == "" {
		return "", exitcode.Invalidf("--file or --stack-name is required")
	}
	s, err := f.load()
	if err != nil {
		return "", err
	}
	return s.StackName(), nil
}

// finishStack prints a stack command's result and returns its error, which
// keeps its exit code but is not printed twice.
func finishStack(d *Deps, res *apply.Result, err error) error {
	if res == nil || (err != nil && res.Outcome == "") {
		// Stopped before the stack was touched: the error is the report.
		return err
	}
	if !d.Global.JSON() && d.Global.Quiet && err == nil {
		return nil
	}
	if rerr := d.Render(res, func(out io.Writer) { printStackResult(out, res, err) }); rerr != nil {
		return rerr
	}
	if err != nil && d.Global.JSON() {
		// The report has the outcome; stderr says the error too.
		return reported(err)
	}
	return Silent(err)
}

func printStackResult(w io.Writer, res *apply.Result, err error) {
	switch {
	case err != nil:
		// Most errors of the stack lifecycle already begin with the stack's name.
		msg := err.Error()
		if !strings.HasPrefix(msg, "stack "+res.StackName) {
			msg = "stack " + res.StackName + ": " + msg
		}
		fmt.Fprintln(w, msg)
		return
	case res.Outcome == apply.Deleted && res.Action == lifecycle.ActionAbsent:
		fmt.Fprintf(w, "stack %s does not exist: nothing to delete\n", res.StackName)
		return
	case res.Outcome == apply.Deleted:
		fmt.Fprintf(w, "stack %s deleted\n", res.StackName)
		return
	}
	fmt.Fprintf(w, "stack %s %s (%s)\n", res.StackName, res.Action, res.StackStatus)
	if res.Outcome == progress.Succeeded {
		fmt.Fprintf(w, "service %s in cluster %s: deployment %s succeeded\n", res.Service, res.Cluster, res.DeploymentID)
	}
	fmt.Fprintf(w, "stack id: %s\n", res.StackID)
	for _, k := range []string{cfn.OutputServiceArn, cfn.OutputTaskDefinitionArn, cfn.OutputLogGroupName} {
		if v := res.Outputs[k]; v != "" {
			fmt.Fprintf(w, "%s: %s\n", k, v)
		}
	}
}

func printStackState(w io.Writer, st *lifecycle.State) {
	if !st.Exists {
		fmt.Fprintf(w, "stack %s does not exist; deploy would %s it\n", st.StackName, st.Next)
		return
	}
	fmt.Fprintf(w, "stack %s: %s (updated %s)\n", st.StackName, st.Status, st.LastUpdated.UTC().Format(time.RFC3339))
	if st.Reason != "" {
		fmt.Fprintf(w, "reason: %s\n", st.Reason)
	}
	fmt.Fprintf(w, "stack id: %s\ndeploy would: %s\n", st.StackID, st.Next)
	for _, k := range []string{cfn.OutputClusterName, cfn.OutputServiceName, cfn.OutputServiceArn, cfn.OutputTaskDefinitionArn, cfn.OutputLogGroupName} {
		if v := st.Outputs[k]; v != "" {
			fmt.Fprintf(w, "%s: %s\n", k, v)
		}
	}
}
