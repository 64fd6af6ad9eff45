// Command ecsdeploy deploys applications to Amazon ECS.
package main

import (
	"os"

	"github.com/ecsdeploy/ecsdeploy/internal/cli"
)

func main() {
	// Invoked as "ecs-deploy" (a symlink), it reads the script's command line.
	os.Exit(cli.Main(cli.ScriptArgs(os.Args[0], os.Args[1:])))
}
