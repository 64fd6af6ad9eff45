package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/ecsdeploy/ecsdeploy/bluegreen"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/spec"
)

// appSpecOptions are appspec's inputs.
type appSpecOptions struct {
	deps           *Deps
	cluster        string
	service        string
	taskDefinition string
	hooks          []string
}

// NewCmdAppSpec builds "appspec".
func NewCmdAppSpec(d *Deps, runF func(context.Context, *appSpecOptions) error) *cobra.Command {
	o := &appSpecOptions{deps: d}
	cmd := runs(&cobra.Command{
		Use:   "appspec",
		Short: "Print the CodeDeploy AppSpec a deploy would send for a CODE_DEPLOY service",
		Long: `AppSpec prints the AppSpec that deploy sends to CodeDeploy for a service
whose deployment controller is CODE_DEPLOY: the task definition, the
container and port of the service's load balancer, its network
configuration, platform version and capacity provider strategy, and the
hooks given. YAML by default, JSON with --output json. It changes nothing.`,
		Example: `  ecsdeploy appspec -c prod -n web --task-definition web:42
  ecsdeploy appspec -c prod -n web --hook AfterAllowTestTraffic=smoke-tests --output json`,
		Args: cobra.NoArgs,
	}, o, runF, runAppSpec)
	fs := cmd.Flags()
	fs.StringVarP(&o.cluster, "cluster", "c", spec.DefaultCluster, "cluster of the service")
	fs.StringVarP(&o.service, "service", "n", "", "the CODE_DEPLOY service (required)")
	fs.StringVar(&o.taskDefinition, "task-definition", "", "revision to deploy, family:revision or ARN (default: the one the service runs)")
	stringArrayVar(fs, &o.hooks, "hook", "Lambda hook, Event=FunctionNameOrArn (repeatable)")
	return cmd
}

func runAppSpec(ctx context.Context, o *appSpecOptions) error {
	d := o.deps
	var ps exitcode.Problems
	if o.service == "" {
		ps.Add("--service", 0, "%s", spec.ServiceRequired)
	}
	var hooks []bluegreen.Hook
	for _, s := range o.hooks {
		h, err := bluegreen.ParseHook(s)
		if err != nil {
			ps.Add("--hook", 0, "%q: %v", s, err)
			continue
		}
		hooks = append(hooks, h)
	}
	if err := ps.Err(); err != nil {
		return err
	}
	clients, err := d.Clients.Clients(ctx)
	if err != nil {
		return err
	}
	spec, err := bluegreen.ServiceAppSpec(ctx, clients.ECS, bluegreen.AppSpecRequest{Cluster: o.cluster, Service: o.service,
		TaskDefinition: o.taskDefinition, Hooks: hooks, Origins: settingOrigins(nil, "taskDefinition")})
	if err != nil {
		return aboutService(err, o.cluster, o.service)
	}
	text, err := spec.YAML()
	if err != nil {
		return err
	}
	return d.Render(spec, func(w io.Writer) { fmt.Fprint(w, text) })
}
