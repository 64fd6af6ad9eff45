package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ecsdeploy/ecsdeploy/progress"
)

// asksOnInterrupt reports whether an interrupted fleet asks its user
// whether to roll back: on a terminal (stdin and stderr), unless
// --on-interrupt already says what to do or --quiet asks for silence.
func (d *Deps) asksOnInterrupt(flags *pflag.FlagSet) bool {
	return !flags.Changed("on-interrupt") && !d.Global.Quiet && d.IO.IsStdinTTY() && d.IO.IsStderrTTY()
}

// confirmRollback is the question an interrupted fleet asks once on the
// terminal, below its table: yes rolls back every service the command
// changed, anything else leaves them as they are.
func (d *Deps) confirmRollback(render *progress.Fleet) func(changed []string) bool {
	return func(changed []string) bool {
		q := fmt.Sprintf("\nInterrupted: nothing new starts, and the deployments under way are no longer followed (they go on in ECS).\n"+
			"Roll back %s to the task definition and desired count they had, newest wave first? [y/N] ", strings.Join(changed, ", "))
		switch strings.ToLower(render.Ask(q, d.IO.In)) {
		case "y", "yes":
			return true
		}
		return false
	}
}
