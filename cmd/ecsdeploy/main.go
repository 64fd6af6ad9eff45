// Command ecsdeploy deploys applications to Amazon ECS.
package main

import (
	"os"

	"github.com/ecsdeploy/ecsdeploy/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
