package scriptargs

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestImagePrecedence covers -i, -e and -to in every combination: -i with
// no tag, a tag, a digest and a registry port; -e absent, naming a set
// variable, naming an empty one and naming an unset one; -to absent and
// given.
func TestImagePrecedence(t *testing.T) {
	env := envOf(map[string]string{"CI_TIMESTAMP": "20240101", "EMPTY": ""})
	const digest = "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	images := []struct{ arg, name, own string }{ // own: tag or digest the image carries
		{"docker.repo.com/doorman", "docker.repo.com/doorman", ""},
		{"docker.repo.com/doorman:17", "docker.repo.com/doorman", ":17"},
		{"docker.repo.com/doorman" + digest, "docker.repo.com/doorman", digest},
		{"private.registry.com:8000/repo/image:tag", "private.registry.com:8000/repo/image", ":tag"},
		{"private.registry.com:8000/repo/image", "private.registry.com:8000/repo/image", ""},
		{"mariadb", "mariadb", ""},
		{"mariadb:10.6", "mariadb", ":10.6"},
		{"mariadb" + digest, "mariadb", digest},
	}
	tagVars := []struct {
		arg string
		tag string // what the variable gives; "" when it gives nothing
	}{{"", ""}, {"CI_TIMESTAMP", "20240101"}, {"EMPTY", ""}, {"UNSET", ""}}
	for _, im := range images {
		for _, tv := range tagVars {
			for _, to := range []string{"", "0.1.899"} {
				args := []string{"-c", "c", "-n", "s", "-i", im.arg}
				if tv.arg != "" {
					args = append(args, "-e", tv.arg)
				}
				if to != "" {
					args = append(args, "-to", to)
				}
				inv, err := Parse(args, env)
				name := strings.Join(args, " ")
				if to != "" {
					// -to wins over everything; only bare words pass the
					// script's check of -i then.
					bare := !strings.Contains(im.arg, "/")
					if !bare {
						var e *Error
						if !errors.As(err, &e) || e.ScriptStatus != 13 || !strings.Contains(e.Message, "Unable to parse image name: "+im.arg) {
							t.Errorf("%s: err = %v, want the script's unparsable-image error", name, err)
						}
						continue
					}
					if err != nil {
						t.Errorf("%s: %v", name, err)
						continue
					}
					want := taskdef.Changes{TagOnly: &to, From: exitcode.Origins{"tagOnly": exitcode.FlagOrigin("-to/--tag-only")}}
					if !reflect.DeepEqual(inv.Deploy.Changes, want) || inv.Image != to {
						t.Errorf("%s: changes %+v image %q, want tag-only %s", name, inv.Deploy.Changes, inv.Image, to)
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				var want string
				switch {
				case tv.tag != "":
					want = im.name + ":" + tv.tag // the variable overrides a tag and a digest
				case im.own != "":
					want = im.name + im.own
				default:
					want = im.name + ":latest"
				}
				wantChanges := taskdef.Changes{Images: []taskdef.ImageChange{{Image: want, From: exitcode.FlagOrigin("-i/--image", im.arg)}}}
				if inv.Image != want || !reflect.DeepEqual(inv.Deploy.Changes, wantChanges) {
					t.Errorf("%s: image %q changes %+v, want %q", name, inv.Image, inv.Deploy.Changes, want)
				}
			}
		}
	}
}

func TestImageNames(t *testing.T) {
	ok := map[string]string{
		"repo/web":                    "repo/web:latest",
		"localhost:5000/team/api:1.2": "localhost:5000/team/api:1.2",
		"a.b-c/d_e/f.g:h_i-j.k":       "a.b-c/d_e/f.g:h_i-j.k",
		"123456789012.dkr.ecr.us-east-1.amazonaws.com/cluster-name/image_name:latest": "123456789012.dkr.ecr.us-east-1.amazonaws.com/cluster-name/image_name:latest",
	}
	for in, want := range ok {
		inv, err := Parse([]string{"-c", "c", "-n", "s", "-i", in}, envOf(nil))
		if err != nil || inv.Image != want {
			t.Errorf("-i %s: %v, %v; want %s", in, inv, err, want)
		}
	}
	for _, bad := range []string{"my_app", "repo/web:a:b", "host/web tag", "UPPER CASE", "-/"} {
		_, err := Parse([]string{"-c", "c", "-n", "s", "-i", bad}, envOf(nil))
		var e *Error
		if !errors.As(err, &e) || e.ScriptStatus != 13 {
			t.Errorf("-i %q: err = %v, want status 13", bad, err)
		}
	}
}

// TestRequiredOrder checks the script's messages in its order of checks:
// when several are missing, the first check's message is the one given.
func TestRequiredOrder(t *testing.T) {
	tests := []struct {
		args   []string
		status int
		msg    string
	}{
		{[]string{"-c", "c", "-i", "x/y", "--launch-type", "FARGATE"}, 5, "One of SERVICE or TASK DEFINITION is required."},
		{[]string{"-n", "s", "-d", "td"}, 6, "Only one of SERVICE or TASK DEFINITION may be specified, but you supplied both"},
		{[]string{"-n", "s", "--max-definitions", "x"}, 7, "CLUSTER is required. You can pass the value using -c or --cluster"},
		{[]string{"-n", "s", "-c", "c", "--max-definitions", "x"}, 8, "IMAGE is required. You can pass the value using -i or --image"},
		{[]string{"-d", "td"}, 8, "IMAGE is required."},
		{[]string{"-d", "td", "-i", "x/y", "--max-definitions", "two", "--launch-type", "EC2"}, 9, "MAX_DEFINITIONS must be numeric, or not defined."},
		{[]string{"-d", "td", "-i", "x/y", "--launch-type", "EC2", "--network-configuration", "{}"}, 10, "LAUNCH TYPE requires setting RUN TASK argument. You can set it using --run-task flag."},
		{[]string{"-d", "td", "-i", "x/y", "--network-configuration", "{}", "--wait-for-success"}, 11, "NETWORK CONFIGURATION requires setting RUN TASK argument."},
		{[]string{"-d", "td", "-i", "x/y", "--wait-for-success", "--platform-version", "1.4.0"}, 11, "WAIT FOR SUCCESS requires setting RUN TASK argument."},
		{[]string{"-d", "td", "-i", "x/y", "--platform-version", "1.4.0"}, 12, "PLATFORM VERSION requires setting RUN TASK argument."},
		{[]string{"-d", "td", "-i", "bad_name"}, 13, "Unable to parse image name: bad_name, check the format and try again"},
		{nil, 3, "no arguments"},
		{[]string{"-c", "c", "--cluster-name", "x"}, 3, `unknown argument "--cluster-name"`},
		{[]string{"--cluster=c"}, 3, "give the value as a separate argument (--cluster VALUE)"},
		{[]string{"-n", "s", "-c"}, 1, "-c needs a value"},
		{[]string{"-n", "s", "-c", "c", "-i", "x/y", "-t", "soon"}, 1, `-t/--timeout: "soon" is not a number of seconds`},
		{[]string{"-n", "s", "-c", "c", "-i", "x/y", "-D", "-1"}, 1, "-D/--desired-count"},
		{[]string{"-n", "s", "-c", "c", "-i", "x/y", "-m", "half"}, 1, "-m/--min"},
		{[]string{"-d", "t", "-i", "x/y", "--run-task", "--launch-type", "SPOT"}, 1, `--launch-type: "SPOT": use one of EC2, FARGATE, EXTERNAL`},
		{[]string{"-d", "t", "-i", "x/y", "--run-task", "--network-configuration", `{"awsvpcConfiguration":{"subnet":["a"]}}`}, 1, "--network-configuration: not a network configuration"},
		{[]string{"-n", "s", "-c", "c", "-to", "bad tag!", "-i", "ignore"}, 1, "--tag-only"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.args, envOf(nil))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%v: err = %v, want *Error", tt.args, err)
			continue
		}
		if e.ScriptStatus != tt.status || !strings.Contains(e.Message, tt.msg) {
			t.Errorf("%v: got (%d) %q, want (%d) containing %q", tt.args, e.ScriptStatus, e.Message, tt.status, tt.msg)
		}
	}
}

func TestReadmeExamples(t *testing.T) {
	env := envOf(map[string]string{"CI_TIMESTAMP": "1700000000"})
	// Simple deployment of a service.
	inv, err := Parse(strings.Fields("-c my-cluster-name -n my-service-name -i my.private.repo.com/frontend_container:latest"), env)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Kind != DeployService || inv.Deploy.Cluster != "my-cluster-name" || inv.Deploy.Service != "my-service-name" ||
		inv.Image != "my.private.repo.com/frontend_container:latest" || inv.Options.Timeout != 90*time.Second ||
		inv.Deploy.Settings.MinHealthyPercent != nil || inv.Deploy.Settings.MaxPercent != nil || inv.Deploy.Settings.DesiredCount != nil {
		t.Errorf("simple: %+v", inv)
	}

	// All options.
	inv, err = Parse(strings.Fields("-k ABC123 -s SECRETKEY -r us-east-1 -c my-cluster-name -n my-service-name -i my.private.repo.com/frontend_container -m 50 -M 100 -t 240 -D 2 -e CI_TIMESTAMP -v"), env)
	if err != nil {
		t.Fatal(err)
	}
	want := AWS{AccessKey: "ABC123", SecretKey: "SECRETKEY", Region: "us-east-1"}
	s := inv.Deploy.Settings
	if inv.AWS != want || !inv.Verbose || inv.Options.Timeout != 240*time.Second || aws.ToInt32(s.MinHealthyPercent) != 50 ||
		aws.ToInt32(s.MaxPercent) != 100 || aws.ToInt32(s.DesiredCount) != 2 || inv.Image != "my.private.repo.com/frontend_container:1700000000" {
		t.Errorf("all options: %+v", inv)
	}

	// A task definition with a new image.
	inv, err = Parse(strings.Fields("-d my-task-definition -i my.private.repo.com/frontend_container:17"), env)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Kind != RegisterRevision || inv.TaskDefinition != "my-task-definition" || inv.Image != "my.private.repo.com/frontend_container:17" || inv.Run != nil {
		t.Errorf("task definition: %+v", inv)
	}

	// Profiles.
	inv, err = Parse(strings.Fields("-p my-profile -c my-cluster-name -n my-service-name -i my.private.repo.com/frontend_container -t 240 -e CI_TIMESTAMP -v"), env)
	if err != nil || inv.AWS.Profile != "my-profile" || inv.Image != "my.private.repo.com/frontend_container:1700000000" {
		t.Errorf("profile: %+v %v", inv, err)
	}

	// Just the tag.
	inv, err = Parse(strings.Fields("-c staging -n core-service -to 0.1.899 -i ignore"), env)
	if err != nil || aws.ToString(inv.Deploy.Changes.TagOnly) != "0.1.899" || len(inv.Deploy.Changes.Images) != 0 {
		t.Errorf("tag only: %+v %v", inv, err)
	}
}

func TestOtherFlags(t *testing.T) {
	inv, err := Parse([]string{"-d", "migrate", "-i", "repo/app:3", "-c", "jobs", "--run-task", "--wait-for-success",
		"--launch-type", "fargate", "--platform-version", "1.4.0", "-t", "600",
		"--network-configuration", "awsvpcConfiguration={subnets=[subnet-1,subnet-2],securityGroups=[sg-1],assignPublicIp=DISABLED}",
		"-a", "arn:aws:iam::123456789012:role/deploy", "--aws-instance-profile", "--copy-task-definition-tags", "", "-D", "3"}, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	wantNet := &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
		Subnets: []string{"subnet-1", "subnet-2"}, SecurityGroups: []string{"sg-1"}, AssignPublicIp: types.AssignPublicIpDisabled}}
	wantRun := &Run{Cluster: "jobs", LaunchType: types.LaunchTypeFargate, PlatformVersion: "1.4.0", Network: wantNet, WaitForSuccess: true}
	if inv.Kind != RunTask || !reflect.DeepEqual(inv.Run, wantRun) || inv.Options.Timeout != 10*time.Minute ||
		inv.AWS.AssumeRole != "arn:aws:iam::123456789012:role/deploy" || !inv.AWS.InstanceProfile || !inv.Deploy.CopyTaskDefinitionTags {
		t.Errorf("run task: %+v run %+v", inv, inv.Run)
	}
	if len(inv.Notes) != 1 || !strings.Contains(inv.Notes[0], "--desired-count applies to a service") {
		t.Errorf("notes = %q", inv.Notes)
	}
	// The same network configuration as JSON.
	nc, err := ParseNetworkConfiguration(`{"awsvpcConfiguration":{"subnets":["subnet-1","subnet-2"],"securityGroups":["sg-1"],"assignPublicIp":"DISABLED"}}`)
	if err != nil || !reflect.DeepEqual(nc, wantNet) {
		t.Errorf("JSON network configuration: %+v, %v", nc, err)
	}

	inv, err = Parse(strings.Split("-c c -n s -i x/y:1 --max-definitions 5 --enable-rollback --skip-deployments-check --use-latest-task-def --task-definition-file td.json", " "), envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if inv.Options.KeepRevisions != 5 || inv.MaxDefinitions != 5 || !inv.Options.Rollback || !inv.Options.SkipDeploymentsCheck ||
		!inv.Deploy.Source.UseLatest || inv.TaskDefinitionFile != "td.json" {
		t.Errorf("deploy flags: %+v", inv)
	}
	// --max-definitions 0 (or less) prunes nothing, as in the script.
	inv, err = Parse(strings.Fields("-c c -n s -i x/y:1 --max-definitions 0"), envOf(nil))
	if err != nil || inv.Options.KeepRevisions != 0 {
		t.Errorf("max-definitions 0: %+v %v", inv, err)
	}

	// --force-new-deployment needs no image and ignores it and the counts.
	inv, err = Parse(strings.Fields("--cluster c --service-name s --force-new-deployment -i x/y:2 -D 4"), envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if inv.Kind != ForceNewDeployment || !inv.Deploy.Settings.ForceNewDeployment || !inv.Deploy.Changes.IsEmpty() ||
		inv.Deploy.Settings.DesiredCount != nil || len(inv.Notes) != 2 {
		t.Errorf("force: %+v", inv)
	}
	inv, err = Parse([]string{"-n", "s", "--version", "-x"}, envOf(nil))
	if err != nil || !inv.Version {
		t.Errorf("--version: %+v %v", inv, err)
	}
	// Every flag of the usage, long and short, is known.
	if n := len(FlagNames()); n != 30 {
		t.Errorf("%d flags, want the script's 30", n)
	}
}

func TestNativeArgs(t *testing.T) {
	env := envOf(map[string]string{"CI_TIMESTAMP": "1700000000"})
	tests := []struct{ script, native string }{
		{"-c my-cluster-name -n my-service-name -i my.private.repo.com/frontend_container:latest",
			"deploy --cluster my-cluster-name --service my-service-name --image my.private.repo.com/frontend_container:latest --timeout 90s"},
		{"-k ABC123 -s SECRETKEY -r us-east-1 -c my-cluster-name -n my-service-name -i my.private.repo.com/frontend_container -m 50 -M 100 -t 240 -D 2 -e CI_TIMESTAMP -v",
			"deploy --cluster my-cluster-name --service my-service-name --image my.private.repo.com/frontend_container:1700000000 --desired-count 2 --min-healthy-percent 50 --max-percent 100 --timeout 240s --region us-east-1 --access-key ABC123 --secret-key SECRETKEY -v"},
		{"-d my-task-definition -i my.private.repo.com/frontend_container:17",
			"register --family my-task-definition --image my.private.repo.com/frontend_container:17"},
		{"-p my-profile -c my-cluster-name -n my-service-name -i my.private.repo.com/frontend_container -t 240 -e CI_TIMESTAMP -v",
			"deploy --cluster my-cluster-name --service my-service-name --image my.private.repo.com/frontend_container:1700000000 --timeout 240s --profile my-profile -v"},
		{"-c staging -n core-service -to 0.1.899 -i ignore",
			"deploy --cluster staging --service core-service --tag-only 0.1.899 --timeout 90s"},
		{"-c c -n s -i r/w:1 --max-definitions 3 --enable-rollback --skip-deployments-check --use-latest-task-def --copy-task-definition-tags -a arn:aws:iam::1:role/x",
			"deploy --cluster c --service s --use-latest-task-def --image r/w:1 --copy-task-definition-tags --keep-revisions 3 --timeout 90s --rollback --skip-deployments-check --assume-role arn:aws:iam::1:role/x"},
		{"-c c -n s --force-new-deployment --max-definitions 3",
			"deploy --cluster c --service s --force-new-deployment --timeout 90s"},
		{"-d job:4 -i r/w:5 -c b#{x} --run-task --wait-for-success --launch-type FARGATE --platform-version 1.4.0 -t 600 --network-configuration {\"awsvpcConfiguration\":{\"subnets\":[\"s-1\",\"s-2\"],\"assignPublicIp\":\"ENABLED\"}}",
			"run --cluster b##{x} --task-definition job:4 --image r/w:5 --launch-type FARGATE --platform-version 1.4.0 --subnets s-1,s-2 --assign-public-ip ENABLED --timeout 600s"},
		{"-d job --run-task -i r/w",
			"run --cluster default --family job --image r/w:latest --no-wait"},
		{"-d job --task-definition-file td.json -i r/w:2",
			"register --task-definition-file td.json --image r/w:2"},
	}
	for _, tt := range tests {
		inv, err := Parse(strings.Fields(tt.script), env)
		if err != nil {
			t.Errorf("%s: %v", tt.script, err)
			continue
		}
		if got := strings.Join(inv.NativeArgs(), " "); got != tt.native {
			t.Errorf("%s:\n got %s\nwant %s", tt.script, got, tt.native)
		}
	}
}

func TestMaxDefinitionsNote(t *testing.T) {
	arn := func(r int) string { return fmt.Sprintf("arn:aws:ecs:us-east-1:1:task-definition/web:%d", r) }
	if got := MaxDefinitionsNote(3, []string{arn(9), arn(8), arn(7)}); got != "" {
		t.Errorf("nothing kept: %q", got)
	}
	if got := MaxDefinitionsNote(0, []string{arn(9), arn(8)}); got != "" {
		t.Errorf("no pruning asked: %q", got)
	}
	got := MaxDefinitionsNote(2, []string{arn(9), arn(8), arn(5), arn(2)})
	if !strings.HasPrefix(got, "--max-definitions 2: kept web:5, web:2, which ecs-deploy would have deregistered") {
		t.Errorf("note = %q", got)
	}
}
