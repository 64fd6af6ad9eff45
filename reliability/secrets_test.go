package reliability

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Markers planted where secrets live. None may appear in any output.
const (
	markEnv        = "mkEnvValue7Q"     // a plain environment value given to deploy
	markState      = "mkStateValue3Z"   // an environment value already in the service's task definition
	markVar        = "mkVarValue5K"     // a #{variable}'s value
	markSecretKey  = "mkSecretKey9J"    // AWS_SECRET_ACCESS_KEY and --secret-key
	markSession    = "mkSessionTok2W"   // AWS_SESSION_TOKEN
	markNoEquals   = "mkNoEquals4R"     // an --env entry without '='
	markBadSecret  = "mkBadSecretArn8D" // inside a malformed secret ARN
	markSpaced     = "mkSpaced1V"       // a secret "reference" that is a value with spaces
	markVarNoName  = "mkVarNoName6T"    // a --var without a name
	markSpecScalar = "mkSpecScalar0P"   // a scalar where the spec wants a map
)

var allMarks = []string{markEnv, markState, markVar, markSecretKey, markSession, markNoEquals, markBadSecret, markSpaced, markVarNoName, markSpecScalar}

// TestNoSecretInAnyOutput runs every command, at every verbosity and in
// both output formats, on success and failure paths and on malformed
// input, with markers planted in environment values (given and already
// deployed), #{variables}, credentials and the malformed values, and fails
// if any marker appears in anything printed.
func TestNoSecretInAnyOutput(t *testing.T) {
	t.Parallel() // with the fault matrix: both mostly wait on the local ECS
	// TestMain planted the credential markers in the environment.
	if os.Getenv("AWS_SECRET_ACCESS_KEY") != markSecretKey || os.Getenv("AWS_SESSION_TOKEN") != markSession {
		t.Fatal("the environment lacks the credential markers TestMain plants")
	}
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(spec, []byte("cluster: c\nservice: web\ncontainers:\n  app:\n    environment: "+markSpecScalar+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	plant := []string{"--env", "app:API_KEY=" + markEnv, "--var", "Token=" + markVar, "--env", "app:TOKEN=#{Token}"}
	type run struct {
		name string
		args []string
		exit int // the exit code the case is about (it must be reached, or the case tests nothing)
	}
	deploy := func(image string, extra ...string) []string {
		return append(append(deployArgs(image), plant...), extra...)
	}
	cases := []run{
		{"deploy succeeds", deploy("v2"), 0},
		{"deploy fails (crash, breaker rolls back)", deploy("crash"), 1},
		{"deploy --rollback fails", deploy("pullfail", "--rollback"), 1},
		{"deploy with credentials in flags", deploy("v2", "--access-key", "AKIDFLAG", "--secret-key", markSecretKey), 0},
		{"diff", append([]string{"diff", "-c", "c", "-n", "web", "-i", "app=app:v3"}, plant...), 0},
		{"register", append([]string{"register", "--family", "web", "-i", "app=app:v3"}, plant...), 0},
		{"register --dry-run", append([]string{"register", "--dry-run", "--family", "web", "-i", "app=app:v3"}, plant...), 0},
		{"run", append([]string{"run", "-c", "c", "--family", "web", "-i", "app=app:exit0", "--subnets", "subnet-1"}, waitFlags...), 0},
		{"run fails", append([]string{"run", "-c", "c", "--family", "web", "-i", "app=app:crash", "--subnets", "subnet-1"}, waitFlags...), 1},
		{"scale", append([]string{"scale", "3", "-c", "c", "-n", "web"}, waitFlags...), 0},
		{"rollback", append([]string{"rollback", "-c", "c", "-n", "web", "--to-revision", "1"}, waitFlags...), 0},
		{"status", []string{"status", "-c", "c", "-n", "web"}, 0},
		{"revisions", []string{"revisions", "web", "-c", "c"}, 0},
		{"malformed: env without =", deployArgs("v2", "--env", "app:"+markNoEquals), 2},
		{"malformed: secret ARN", deployArgs("v2", "--secret", "app:DB=arn:aws:secretsmanager:us-east-1:"+markBadSecret), 2},
		{"malformed: secret value with spaces", deployArgs("v2", "--secret", "app:DB=not a reference "+markSpaced), 2},
		{"malformed: var without a name", deployArgs("v2", "--var", "="+markVarNoName), 2},
		{"malformed: scalar for a map in the spec", append([]string{"deploy", "-f", spec, "-i", "app=app:v2"}, waitFlags...), 2},
	}
	type result struct {
		name, out  string
		exit, want int
	}
	var mu sync.Mutex
	var results []result
	work := make(chan func())
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for fn := range work {
				fn()
			}
		}()
	}
	for _, c := range cases {
		for _, verbosity := range [][]string{nil, {"-v"}, {"-q"}} {
			for _, format := range []string{"text", "json"} {
				c, verbosity, format := c, verbosity, format
				work <- func() {
					r := &recorder{}
					defer r.done()
					name := fmt.Sprintf("%s %v --output %s", c.name, verbosity, format)
					res := result{name: name, want: c.exit}
					defer func() {
						if p := recover(); p != nil {
							res.exit, res.out = -1, fmt.Sprint("set-up failed: ", r.msg, p)
						}
						mu.Lock()
						results = append(results, res)
						mu.Unlock()
					}()
					e := newEnv(r, breakerRollback, steppedTime)
					e.deployStateWithSecrets(r)
					args := append(append(append([]string{}, c.args...), verbosity...), "--output", format)
					ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
					defer cancel()
					res.exit, res.out = e.run(ctx, args...)
				}
			}
		}
	}
	close(work)
	wg.Wait()
	for _, res := range results {
		for _, m := range allMarks {
			if strings.Contains(res.out, m) {
				t.Errorf("%s: output shows %s:\n%s", res.name, m, lineWith(res.out, m))
			}
		}
		if res.exit != res.want {
			t.Errorf("%s: exit %d, want %d (the case does not test what it says)\n%s", res.name, res.exit, res.want, trimLines(res.out, 6))
		}
	}
	t.Logf("%d command lines checked for %d markers", len(results), len(allMarks))
}

// deployStateWithSecrets makes the service run a revision (2) whose
// environment holds markState, so that reads of the service see it.
func (e *env) deployStateWithSecrets(t tb) {
	ctx := context.Background()
	out, err := e.client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"), NetworkMode: types.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("app:good"), Essential: aws.Bool(true),
			Environment: []types.KeyValuePair{{Name: aws.String("DB_PASSWORD"), Value: aws.String(markState)}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("c"), Service: aws.String("web"),
		TaskDefinition: out.TaskDefinition.TaskDefinitionArn}); err != nil {
		t.Fatal(err)
	}
	e.em.Advance(3 * time.Minute)
}

func lineWith(out, mark string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, mark) {
			return l
		}
	}
	return ""
}
