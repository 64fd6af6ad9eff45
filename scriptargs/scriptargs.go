// Package scriptargs reads the command line of the ecs-deploy shell script
// (github.com/silinternational/ecs-deploy) and turns it into ecsdeploy's own
// requests, so that a CI file calling the script runs unchanged on
// ecsdeploy's engine.
//
// Every flag of the script's usage is accepted with its meaning there:
// a service deploy (-n), a new revision of a task definition (-d) that may be
// run once (--run-task, --wait-for-success), or a forced redeploy
// (--force-new-deployment). Its defaults are kept: a 90 second timeout, and
// the deployment percentages and desired count sent only when given. Missing
// required arguments are reported with the script's own messages, in the
// order the script checks them.
//
// Where the script's documentation and its code disagree, the documentation
// is followed: -e takes the tag from the environment variable even when the
// image names a tag (the script's code uses the variable only for an image
// without a tag).
package scriptargs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/rollout"
)

// DefaultTimeout is the script's default -t.
const DefaultTimeout = 90 * time.Second

// Kind is what the command line asks for.
type Kind int

const (
	// DeployService registers a new revision and deploys it to a service (-n).
	DeployService Kind = iota
	// ForceNewDeployment only redeploys the service as it is
	// (--force-new-deployment); the script ignores -i, -D, -m and -M then.
	ForceNewDeployment
	// RegisterRevision registers a new revision of a task definition (-d).
	RegisterRevision
	// RunTask registers a new revision (-d) and runs it once (--run-task).
	RunTask
)

func (k Kind) String() string {
	return [...]string{"deploy", "force-new-deployment", "register", "run-task"}[k]
}

// AWS holds the script's credential and region flags.
type AWS struct {
	AccessKey, SecretKey string // -k, -s
	Region               string // -r
	Profile              string // -p
	AssumeRole           string // -a: role ARN
	InstanceProfile      bool   // --aws-instance-profile: the instance's role (the SDK's default chain)
}

// Run is a task run once with the new revision (--run-task).
type Run struct {
	Cluster         string // -c; "default" when not given
	LaunchType      types.LaunchType
	PlatformVersion string
	Network         *types.NetworkConfiguration
	WaitForSuccess  bool // wait for the task to stop, and fail unless it exited 0
}

// Invocation is a parsed command line.
type Invocation struct {
	Kind Kind
	// Version is set by --version: print the version and stop.
	Version bool
	Verbose bool // -v
	AWS     AWS

	// Deploy is the native deploy request (DeployService and
	// ForceNewDeployment). Changes and Source are also those of
	// RegisterRevision and RunTask.
	Deploy rollout.Request
	// Options are the native deploy options: -t, --enable-rollback,
	// --skip-deployments-check, --max-definitions (as KeepRevisions).
	Options rollout.Options
	// MaxDefinitions is --max-definitions as given; the script prunes only
	// when it is above 0.
	MaxDefinitions int

	// TaskDefinition is -d: the family, family:revision or ARN a new revision
	// is based on (RegisterRevision, RunTask).
	TaskDefinition string
	Run            *Run // RunTask only
	// TaskDefinitionFile is --task-definition-file: the revision is based on
	// this file (register input or describe-task-definition output), which
	// the caller reads.
	TaskDefinitionFile string

	// Image is the image name the script would use ("Using image name: …");
	// with -to it is the tag. Empty for ForceNewDeployment.
	Image string
	// Notes are flags accepted and ignored, as the script ignores them.
	Notes []string
}

// Error is a command line the script would refuse. Message is the script's
// own message where it has one; ScriptStatus is the exit status the script
// gives it (ecsdeploy exits 2 for every invalid input).
type Error struct {
	Message      string
	ScriptStatus int
	// Usage is set when the script would print its usage (no arguments, an
	// unknown argument).
	Usage bool
}

func (e *Error) Error() string { return e.Message }

// flag describes one of the script's flags.
type flag struct {
	names    []string
	hasValue bool
	set      func(p *parser, v string)
}

type parser struct {
	inv       Invocation
	given     map[string]bool // by canonical (first long) name
	cluster   string
	service   string
	image     string
	tagVar    string
	tagOnly   string
	timeout   string
	min, max  string
	desired   string
	maxDefs   string
	tdFile    string
	launch    string
	platform  string
	network   string
	runTask   bool
	waitOK    bool
	forceNew  bool
	useLatest bool
	skipCheck bool
	rollback  bool
	copyTags  bool
}

var flags = []flag{
	{[]string{"-k", "--aws-access-key"}, true, func(p *parser, v string) { p.inv.AWS.AccessKey = v }},
	{[]string{"-s", "--aws-secret-key"}, true, func(p *parser, v string) { p.inv.AWS.SecretKey = v }},
	{[]string{"-r", "--region"}, true, func(p *parser, v string) { p.inv.AWS.Region = v }},
	{[]string{"-p", "--profile"}, true, func(p *parser, v string) { p.inv.AWS.Profile = v }},
	{[]string{"--aws-instance-profile"}, false, func(p *parser, _ string) { p.inv.AWS.InstanceProfile = true }},
	{[]string{"-a", "--aws-assume-role"}, true, func(p *parser, v string) { p.inv.AWS.AssumeRole = v }},
	{[]string{"-c", "--cluster"}, true, func(p *parser, v string) { p.cluster = v }},
	{[]string{"-n", "--service-name"}, true, func(p *parser, v string) { p.service = v }},
	{[]string{"-d", "--task-definition"}, true, func(p *parser, v string) { p.inv.TaskDefinition = v }},
	{[]string{"-i", "--image"}, true, func(p *parser, v string) { p.image = v }},
	{[]string{"-t", "--timeout"}, true, func(p *parser, v string) { p.timeout = v }},
	{[]string{"-m", "--min"}, true, func(p *parser, v string) { p.min = v }},
	{[]string{"-M", "--max"}, true, func(p *parser, v string) { p.max = v }},
	{[]string{"-D", "--desired-count"}, true, func(p *parser, v string) { p.desired = v }},
	{[]string{"-e", "--tag-env-var"}, true, func(p *parser, v string) { p.tagVar = v }},
	{[]string{"-to", "--tag-only"}, true, func(p *parser, v string) { p.tagOnly = v }},
	{[]string{"--max-definitions"}, true, func(p *parser, v string) { p.maxDefs = v }},
	{[]string{"--task-definition-file"}, true, func(p *parser, v string) { p.tdFile = v }},
	{[]string{"--enable-rollback"}, false, func(p *parser, _ string) { p.rollback = true }},
	{[]string{"--use-latest-task-def"}, false, func(p *parser, _ string) { p.useLatest = true }},
	{[]string{"--force-new-deployment"}, false, func(p *parser, _ string) { p.forceNew = true }},
	{[]string{"--skip-deployments-check"}, false, func(p *parser, _ string) { p.skipCheck = true }},
	{[]string{"--run-task"}, false, func(p *parser, _ string) { p.runTask = true }},
	{[]string{"--wait-for-success"}, false, func(p *parser, _ string) { p.waitOK = true }},
	{[]string{"--launch-type"}, true, func(p *parser, v string) { p.launch = v }},
	{[]string{"--platform-version"}, true, func(p *parser, v string) { p.platform = v }},
	{[]string{"--network-configuration"}, true, func(p *parser, v string) { p.network = v }},
	{[]string{"--copy-task-definition-tags"}, false, func(p *parser, _ string) { p.copyTags = true }},
	{[]string{"-v", "--verbose"}, false, func(p *parser, _ string) { p.inv.Verbose = true }},
}

var flagByName = func() map[string]*flag {
	m := map[string]*flag{}
	for i := range flags {
		for _, n := range flags[i].names {
			m[n] = &flags[i]
		}
	}
	return m
}()

// FlagNames lists every flag the script takes (and so Parse accepts), short
// spelling first, plus --version.
func FlagNames() [][]string {
	out := make([][]string, 0, len(flags)+1)
	for _, f := range flags {
		out = append(out, f.names)
	}
	return append(out, []string{"--version"})
}

// Parse reads the script's arguments (without the program name). lookupEnv
// reads the variable named by -e (os.LookupEnv outside tests).
func Parse(args []string, lookupEnv func(string) (string, bool)) (*Invocation, error) {
	if len(args) == 0 {
		return nil, &Error{Message: "no arguments: give at least -n SERVICE -c CLUSTER -i IMAGE, or -d TASK_DEFINITION -i IMAGE", ScriptStatus: 3, Usage: true}
	}
	p := &parser{given: map[string]bool{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--version" {
			return &Invocation{Version: true}, nil
		}
		if a == "" {
			continue // the script skips empty arguments
		}
		f, ok := flagByName[a]
		if !ok {
			msg := fmt.Sprintf("unknown argument %q", a)
			if name, _, found := strings.Cut(a, "="); found && flagByName[name] != nil {
				msg = fmt.Sprintf("%q: give the value as a separate argument (%s VALUE), as ecs-deploy expects", a, name)
			}
			return nil, &Error{Message: msg, ScriptStatus: 3, Usage: true}
		}
		canon := f.names[len(f.names)-1]
		p.given[canon] = true
		v := ""
		if f.hasValue {
			if i+1 >= len(args) {
				return nil, &Error{Message: fmt.Sprintf("%s needs a value", a), ScriptStatus: 1}
			}
			i++
			v = args[i]
		}
		f.set(p, v)
	}
	if err := p.checkRequired(); err != nil {
		return nil, err
	}
	return p.build(lookupEnv)
}

// checkRequired makes the script's checks of required arguments, in its
// order, with its messages.
func (p *parser) checkRequired() error {
	svc, td := p.given["--service-name"], p.given["--task-definition"]
	fail := func(status int, msg string) error { return &Error{Message: msg, ScriptStatus: status} }
	switch {
	case !svc && !td:
		return fail(5, "One of SERVICE or TASK DEFINITION is required. You can pass the value using -n / --service-name for a service, or -d / --task-definition for a task")
	case svc && td:
		return fail(6, "Only one of SERVICE or TASK DEFINITION may be specified, but you supplied both")
	case svc && !p.given["--cluster"]:
		return fail(7, "CLUSTER is required. You can pass the value using -c or --cluster")
	case !p.given["--image"] && !p.forceNew:
		return fail(8, "IMAGE is required. You can pass the value using -i or --image")
	case p.given["--max-definitions"] && !maxDefsRE().MatchString(p.maxDefs):
		return fail(9, "MAX_DEFINITIONS must be numeric, or not defined.")
	case !p.runTask && p.given["--launch-type"]:
		return fail(10, "LAUNCH TYPE requires setting RUN TASK argument. You can set it using --run-task flag.")
	case !p.runTask && p.given["--network-configuration"]:
		return fail(11, "NETWORK CONFIGURATION requires setting RUN TASK argument. You can set it using --run-task flag.")
	case !p.runTask && p.waitOK:
		return fail(11, "WAIT FOR SUCCESS requires setting RUN TASK argument. You can set it using --run-task flag.")
	case !p.runTask && p.given["--platform-version"]:
		return fail(12, "PLATFORM VERSION requires setting RUN TASK argument. You can set it using --run-task flag.")
	}
	return nil
}

var maxDefsRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-?[0-9]+$`) })

// invalid is a problem the script has no message for; ecsdeploy names the
// flag.
func invalid(flagName, format string, args ...any) error {
	return &Error{Message: flagName + ": " + fmt.Sprintf(format, args...), ScriptStatus: 1}
}

func (p *parser) build(lookupEnv func(string) (string, bool)) (*Invocation, error) {
	inv := &p.inv
	switch {
	case p.given["--service-name"] && p.forceNew:
		inv.Kind = ForceNewDeployment
	case p.given["--service-name"]:
		inv.Kind = DeployService
	case p.runTask:
		inv.Kind = RunTask
	default:
		inv.Kind = RegisterRevision
	}
	inv.Deploy.Cluster, inv.Deploy.Service = p.cluster, p.service

	inv.Options.Timeout = DefaultTimeout
	if p.given["--timeout"] {
		n, err := strconv.Atoi(strings.TrimSpace(p.timeout))
		if err != nil || n <= 0 {
			return nil, invalid("-t/--timeout", "%q is not a number of seconds above 0", p.timeout)
		}
		inv.Options.Timeout = time.Duration(n) * time.Second
	}
	inv.Options.Rollback = p.rollback
	inv.Options.SkipDeploymentsCheck = p.skipCheck
	if p.given["--max-definitions"] {
		n, _ := strconv.Atoi(p.maxDefs) // checked numeric above
		inv.MaxDefinitions = n
		if n > 0 {
			inv.Options.KeepRevisions = n
		}
	}
	if p.rollback && inv.Kind != DeployService && inv.Kind != ForceNewDeployment {
		inv.Notes = append(inv.Notes, "--enable-rollback applies to a service deploy; ignored with -d")
	}

	if inv.Kind == ForceNewDeployment {
		inv.Deploy.Settings.ForceNewDeployment = true
		for _, n := range []string{"--image", "--desired-count", "--min", "--max", "--tag-only", "--tag-env-var", "--task-definition-file", "--use-latest-task-def"} {
			if p.given[n] {
				inv.Notes = append(inv.Notes, fmt.Sprintf("%s is ignored with --force-new-deployment, as ecs-deploy ignores it: the service is redeployed as it is", n))
			}
		}
		return inv, nil
	}

	image, changes, err := imageChanges(p.image, p.tagOnly, p.tagVar, lookupEnv)
	if err != nil {
		return nil, err
	}
	inv.Image = image
	inv.Deploy.Changes = changes
	if ps := changes.Validate(); len(ps) > 0 {
		return nil, invalid("-i/--image", "%v", ps.Err())
	}
	inv.Deploy.Source.UseLatest = p.useLatest
	inv.Deploy.CopyTaskDefinitionTags = p.copyTags
	if p.given["--task-definition-file"] {
		// Read by the caller, which knows the working directory; an empty
		// path is refused here.
		if strings.TrimSpace(p.tdFile) == "" {
			return nil, invalid("--task-definition-file", "empty: give the path of a task-definition JSON file")
		}
		inv.TaskDefinitionFile = p.tdFile
	}

	if inv.Kind == DeployService {
		s := &inv.Deploy.Settings
		var err error
		if s.DesiredCount, err = count("-D/--desired-count", p.desired, p.given["--desired-count"]); err != nil {
			return nil, err
		}
		if s.MinHealthyPercent, err = count("-m/--min", p.min, p.given["--min"]); err != nil {
			return nil, err
		}
		if s.MaxPercent, err = count("-M/--max", p.max, p.given["--max"]); err != nil {
			return nil, err
		}
		if p.runTask {
			inv.Notes = append(inv.Notes, "--run-task applies to -d; with -n the service is deployed and no task is run, as ecs-deploy does")
		}
		return inv, nil
	}

	for _, n := range []string{"--desired-count", "--min", "--max", "--skip-deployments-check", "--use-latest-task-def"} {
		if p.given[n] {
			inv.Notes = append(inv.Notes, fmt.Sprintf("%s applies to a service (-n); ignored with -d, as ecs-deploy ignores it", n))
		}
	}
	if inv.Kind == RunTask {
		r := &Run{Cluster: p.cluster, WaitForSuccess: p.waitOK, PlatformVersion: p.platform}
		if r.Cluster == "" {
			r.Cluster = "default"
		}
		if p.given["--launch-type"] {
			lt := types.LaunchType(strings.ToUpper(strings.TrimSpace(p.launch)))
			known := false
			for _, v := range lt.Values() {
				known = known || v == lt
			}
			if !known {
				return nil, invalid("--launch-type", "%q: use one of %s", p.launch, joinLaunchTypes())
			}
			r.LaunchType = lt
		}
		if p.given["--network-configuration"] {
			nc, err := ParseNetworkConfiguration(p.network)
			if err != nil {
				return nil, invalid("--network-configuration", "%v", err)
			}
			r.Network = nc
		}
		inv.Run = r
	}
	return inv, nil
}

func joinLaunchTypes() string {
	var out []string
	for _, v := range types.LaunchType("").Values() {
		out = append(out, string(v))
	}
	return strings.Join(out, ", ")
}

func count(name, v string, given bool) (*int32, error) {
	if !given {
		return nil, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
	if err != nil || n < 0 {
		return nil, invalid(name, "%q is not a whole number of at least 0", v)
	}
	n32 := int32(n)
	return &n32, nil
}
