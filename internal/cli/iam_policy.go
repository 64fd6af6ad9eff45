package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/iampolicy"
)

type iamPolicyOptions struct {
	deps       *Deps
	commands   []string
	assumeRole bool
}

// NewCmdIAMPolicy is the iam-policy command.
func NewCmdIAMPolicy(d *Deps, runF func(context.Context, *iamPolicyOptions) error) *cobra.Command {
	o := &iamPolicyOptions{deps: d}
	cmd := &cobra.Command{
		Use:   "iam-policy [COMMAND…]",
		Short: "Print the least IAM policy the named commands need (all commands when none is named)",
		Long: `iam-policy prints, as JSON, the IAM policy that allows exactly the API calls
the named ecsdeploy commands make (name a subcommand as "stack deploy" or
stack-deploy). iam:PassRole is limited to roles passed to ECS tasks. Resources
are "*": narrow them to your clusters, services and task-definition families
where you can. --assume-role adds sts:AssumeRole for the role ecsdeploy
assumes. The end-to-end tests check that every call each command makes is in
its policy; docs/iam.md lists them per command.`,
		Example: `  ecsdeploy iam-policy deploy
  ecsdeploy iam-policy deploy run "stack deploy" > policy.json
  ecsdeploy iam-policy ecs-deploy --assume-role`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.commands = args
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runIAMPolicy(o)
		},
	}
	cmd.Flags().BoolVar(&o.assumeRole, "assume-role", false, "also allow sts:AssumeRole, for --assume-role")
	return cmd
}

func runIAMPolicy(o *iamPolicyOptions) error {
	var names []string
	for _, c := range o.commands {
		c = strings.Join(strings.Fields(c), " ")
		// "stack-deploy" and "stack deploy" name the same command.
		for _, group := range []string{"stack-", "revisions-"} {
			if rest, ok := strings.CutPrefix(c, group); ok {
				c = strings.TrimSuffix(group, "-") + " " + rest
			}
		}
		names = append(names, c)
	}
	actions, err := iampolicy.Actions(names...)
	if err != nil {
		return exitcode.Invalidf("%v", err)
	}
	fmt.Fprintln(o.deps.IO.Out, iampolicy.Document(actions, o.assumeRole).JSON())
	return nil
}
