package cli

import (
	"encoding/json"
	"errors"

	"github.com/spf13/cobra"

	"github.com/ecsdeploy/ecsdeploy/internal/failure"
)

// errorReport is what run, status, scale, register, revisions and the
// stack commands print with --output json when they stop on an error
// before printing their own report: invalid input (with every problem) or
// an AWS error. It has deploy's outcome words, so a script reading stdout
// always gets one JSON object.
type errorReport struct {
	Outcome  string           `json:"outcome"` // invalid or error
	Reason   string           `json:"reason"`
	Problems failure.Problems `json:"problems,omitempty"`
}

// reportErrorsAsJSON makes cmd print an errorReport on stdout when it fails
// with --output json and has not reported the failure itself (a command
// that printed its report returns a Silent error). The error still goes to
// stderr and sets the exit code as usual.
func reportErrorsAsJSON(g *Globals, cmd *cobra.Command) *cobra.Command {
	run := cmd.RunE
	if run == nil {
		return cmd
	}
	cmd.RunE = func(c *cobra.Command, args []string) error {
		err := run(c, args)
		var silent *silentError
		if err == nil || !g.JSON() || errors.As(err, &silent) {
			return err
		}
		rep := errorReport{Outcome: "error", Reason: err.Error()}
		if failure.CodeOf(err) == failure.CodeInvalid {
			rep.Outcome = "invalid"
		}
		errors.As(err, &rep.Problems)
		enc := json.NewEncoder(g.Streams.Out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
		return err
	}
	return cmd
}
