// Command ecsdeploy deploys applications to Amazon ECS.
package main

import (
	"os"
	"runtime/debug"
	"time"

	"github.com/ecsdeploy/ecsdeploy/internal/cli"
)

func main() {
	startupGC(os.LookupEnv, debug.SetGCPercent, time.AfterFunc)
	// Invoked as "ecs-deploy" (a symlink), it reads the script's command line.
	os.Exit(cli.Main(cli.ScriptArgs(os.Args[0], os.Args[1:])))
}

// Start-up (the AWS SDK's package initialisation, the command tree, the AWS
// configuration) allocates about 4 MB before the first API call: with the
// default GOGC that is one garbage collection on the way, several
// milliseconds of a short command's time. Unless GOGC is set, the first
// startupWindow runs with a heap goal startupGCPercent/100 times the
// default's; then the default resumes, so a long command (a deploy's wait,
// local serve) keeps the usual memory use.
const (
	startupGCPercent = 400
	startupWindow    = time.Second
	defaultGCPercent = 100
)

func startupGC(lookupEnv func(string) (string, bool), setGCPercent func(int) int, afterFunc func(time.Duration, func()) *time.Timer) {
	if _, set := lookupEnv("GOGC"); set {
		return
	}
	setGCPercent(startupGCPercent)
	afterFunc(startupWindow, func() { setGCPercent(defaultGCPercent) })
}
