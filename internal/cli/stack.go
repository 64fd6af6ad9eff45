package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/internal/failure"
	"github.com/ecsdeploy/ecsdeploy/progress"
	"github.com/ecsdeploy/ecsdeploy/stack"
	"github.com/ecsdeploy/ecsdeploy/stack/apply"
	"github.com/ecsdeploy/ecsdeploy/stack/cfn"
	"github.com/ecsdeploy/ecsdeploy/stack/lifecycle"
)

func init() { register(newStackCommand) }

func newStackCommand(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stack",
		Short: "Describe a Fargate service in one file and keep it deployed through CloudFormation",
		Long: `The stack commands turn a spec file describing one Fargate service (task size,
containers, volumes, network, load balancers, deployment settings) into a
CloudFormation stack, the same way on the first run and the hundredth.
See docs/stack.md for the spec and the naming rules.`,
	}
	cmd.AddCommand(newStackTemplateCommand(g), newStackDeployCommand(g), newStackDeleteCommand(g), newStackStatusCommand(g))
	return cmd
}

// stackSpecFlags name the spec file and its variables.
type stackSpecFlags struct {
	file     string
	varFlags []string
	varFiles []string
}

func (f *stackSpecFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&f.file, "file", "f", "", "stack spec file (YAML)")
	fs.StringArrayVar(&f.varFlags, "var", nil, "set a #{Name} variable: Name=value (repeatable; wins over --var-file)")
	fs.StringArrayVar(&f.varFiles, "var-file", nil, "read #{Name} variables from a KEY=VALUE or YAML file (repeatable)")
}

// load reads, substitutes and validates the spec, reporting every problem
// before any AWS call.
func (f *stackSpecFlags) load() (*stack.Spec, error) {
	var ps failure.Problems
	if f.file == "" {
		ps.Add("--file", 0, "is required: the stack spec to use (see examples/stack.yaml)")
		return nil, ps.Err()
	}
	resolver := loadVariables(f.varFiles, f.varFlags, &ps)
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

func newStackTemplateCommand(g *Globals) *cobra.Command {
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
			_, err = g.Streams.Out.Write(body)
			return err
		},
	}
	f.register(cmd.Flags())
	return reportErrorsAsJSON(g, cmd)
}

// stackDeployOptions are stack deploy's flags.
type stackDeployOptions struct {
	spec                stackSpecFlags
	timeout             time.Duration
	noWait              bool
	recreateFailedStack bool
	stackPoll           time.Duration
	wait                waitFlags
}

func newStackDeployCommand(g *Globals) *cobra.Command {
	o := &stackDeployOptions{}
	cmd := &cobra.Command{
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
		RunE: func(cmd *cobra.Command, args []string) error { return runStackDeploy(cmd, g, o) },
	}
	o.spec.register(cmd.Flags())
	fs := cmd.Flags()
	fs.DurationVarP(&o.timeout, "timeout", "t", 30*time.Minute, "how long the stack operation and the service's deployment may take together")
	fs.BoolVar(&o.noWait, "no-wait", false, "return once the stack operation is under way (created, or its change set executing), waiting for neither the stack nor the service")
	fs.BoolVar(&o.recreateFailedStack, "recreate-failed-stack", false, "delete and recreate a stack in UPDATE_ROLLBACK_FAILED that ContinueUpdateRollback cannot fix (deletes the running service)")
	fs.DurationVar(&o.stackPoll, "stack-poll-interval", 0, "pause between looks at the stack (default 5s)")
	_ = fs.MarkHidden("stack-poll-interval")
	o.wait.register(cmd)
	return reportErrorsAsJSON(g, cmd)
}

func runStackDeploy(cmd *cobra.Command, g *Globals, o *stackDeployOptions) error {
	if o.timeout <= 0 {
		return failure.Invalidf("--timeout: must be more than zero")
	}
	s, err := o.spec.load()
	if err != nil {
		return err
	}
	if err := withLocalCloudFormation(cmd.Context(), g); err != nil {
		return err
	}
	clients, err := g.Clients(cmd.Context())
	if err != nil {
		return err
	}
	stackTimeout := o.timeout
	if g.Local {
		// The local ECS's clock runs faster than the wall's: a creation
		// timeout in its minutes would cut deploys short.
		stackTimeout = 0
	}
	res, derr := apply.Deploy(cmd.Context(), apply.APIs{CloudFormation: clients.CloudFormation, ECS: clients.ECS}, s, apply.Options{
		Timeout: o.timeout, StackTimeout: stackTimeout, NoWait: o.noWait, RecreateFailedStack: o.recreateFailedStack,
		PollInterval: o.stackPoll, Watch: o.wait.options(), Reporter: reporterFor(g),
	})
	return finishStack(g, res, derr)
}

func newStackDeleteCommand(g *Globals) *cobra.Command {
	var f stackSpecFlags
	var stackName string
	var timeout, poll time.Duration
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete the stack of a spec (succeeds when there is nothing to delete)",
		Example: `  ecsdeploy stack delete -f stack.yaml
  ecsdeploy stack delete --stack-name ecsdeploy-web`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := stackNameOf(&f, stackName)
			if err != nil {
				return err
			}
			if err := withLocalCloudFormation(cmd.Context(), g); err != nil {
				return err
			}
			clients, err := g.Clients(cmd.Context())
			if err != nil {
				return err
			}
			res, derr := apply.Delete(cmd.Context(), clients.CloudFormation, name, apply.Options{Timeout: timeout, PollInterval: poll, Reporter: reporterFor(g)})
			return finishStack(g, res, derr)
		},
	}
	f.register(cmd.Flags())
	fs := cmd.Flags()
	fs.StringVar(&stackName, "stack-name", "", "the stack to delete, instead of the one a spec names")
	fs.DurationVarP(&timeout, "timeout", "t", 30*time.Minute, "how long the delete may take")
	fs.DurationVar(&poll, "stack-poll-interval", 0, "pause between looks at the stack (default 5s)")
	_ = fs.MarkHidden("stack-poll-interval")
	return reportErrorsAsJSON(g, cmd)
}

func newStackStatusCommand(g *Globals) *cobra.Command {
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
			if err := withLocalCloudFormation(cmd.Context(), g); err != nil {
				return err
			}
			clients, err := g.Clients(cmd.Context())
			if err != nil {
				return err
			}
			st, err := lifecycle.Status(cmd.Context(), clients.CloudFormation, name)
			if err != nil {
				return err
			}
			if g.JSON() {
				return writeJSON(g.Streams.Out, st)
			}
			printStackState(g.Streams.Out, st)
			return nil
		},
	}
	f.register(cmd.Flags())
	cmd.Flags().StringVar(&stackName, "stack-name", "", "the stack to show, instead of the one a spec names")
	return reportErrorsAsJSON(g, cmd)
}

// stackNameOf is --stack-name, or the name the spec file generates.
func stackNameOf(f *stackSpecFlags, explicit string) (string, error) {
	if explicit != "" {
		if f.file != "" {
			return "", failure.Invalidf("--stack-name and --file name the stack twice; give one")
		}
		return explicit, nil
	}
	if f.file == "" {
		return "", failure.Invalidf("--file or --stack-name is required")
	}
	s, err := f.load()
	if err != nil {
		return "", err
	}
	return s.StackName(), nil
}

// finishStack prints a stack command's result and returns its error, which
// keeps its exit code but is not printed twice.
func finishStack(g *Globals, res *apply.Result, err error) error {
	if res == nil || (err != nil && res.Outcome == "") {
		// Stopped before the stack was touched: the error is the report.
		return err
	}
	if g.JSON() {
		if werr := writeJSON(g.Streams.Out, res); werr != nil {
			return werr
		}
	} else if !g.Quiet || err != nil {
		printStackResult(g.Streams.Out, res, err)
	}
	if err != nil && res.Outcome != "" {
		if g.JSON() {
			fmt.Fprintln(g.Streams.ErrOut, "error: "+err.Error())
		}
		return Silent(err)
	}
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
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
