package rollout

import (
	"fmt"
	"os"
	"strings"
)

// Output is one KEY=value pair for CI.
type Output struct{ Key, Value string }

// StrategyRolling is Result.Strategy of a rolling update.
const StrategyRolling = "rolling"

// Outputs are the values a CI job uses after a deploy, in a fixed order.
// DeploymentId is the ECS deployment of a rolling update, the CodeDeploy
// deployment id or the ECS service deployment ARN of a blue/green one.
func Outputs(res *Result) []Output {
	return []Output{
		{"TaskDefinitionRevision", fmt.Sprint(res.Revision)},
		{"TaskDefinitionFamily", res.Family},
		{"ClusterName", res.Cluster},
		{"ServiceName", res.Service},
		{"Region", res.Region},
		{"DeploymentId", res.DeploymentID}, // empty when no deployment was started
		{"Strategy", res.Strategy},
	}
}

// WriteOutputs appends the outputs as KEY=value lines to $GITHUB_OUTPUT when
// it is set (getenv is os.Getenv in the CLI) and writes them to outputsFile
// when it is not "".
func WriteOutputs(res *Result, outputsFile string, getenv func(string) string) error {
	return WriteOutputLines(Outputs(res), outputsFile, getenv)
}

// WriteOutputLines writes outputs as WriteOutputs does; a fleet writes the
// outputs of all its services, each prefixed with its target's name.
func WriteOutputLines(outs []Output, outputsFile string, getenv func(string) string) error {
	var b strings.Builder
	for _, o := range outs {
		// Values are names and numbers; a newline would corrupt the file format.
		fmt.Fprintf(&b, "%s=%s\n", o.Key, strings.ReplaceAll(o.Value, "\n", " "))
	}
	if gh := getenv("GITHUB_OUTPUT"); gh != "" {
		f, err := os.OpenFile(gh, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("write $GITHUB_OUTPUT: %w", err)
		}
		_, werr := f.WriteString(b.String())
		if err := f.Close(); werr == nil {
			werr = err
		}
		if werr != nil {
			return fmt.Errorf("write $GITHUB_OUTPUT: %w", werr)
		}
	}
	if outputsFile != "" {
		if err := os.WriteFile(outputsFile, []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("write the outputs file: %w", err)
		}
	}
	return nil
}
