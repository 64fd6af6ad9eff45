package cli

import (
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
)

// runOpts says how a test runs ecsdeploy in-process.
type runOpts struct {
	AWS   awsconfig.Options // fixed AWS settings: retries, a handler, a call counter
	Local http.Handler      // what --local talks to; nil: the local ECS in its state file
}

// deps builds the dependency set of one command line on out and errOut.
func (o runOpts) deps(out, errOut io.Writer) *Deps {
	var backend LocalBackend = stateFileECS{}
	if o.Local != nil {
		backend = handlerECS{o.Local}
	}
	return NewDeps(&IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut}, nil, o.AWS, backend)
}

// handlerECS is a test's emulator as the local ECS of --local; nothing is
// saved (a test registers CloudFormation on its emulator itself).
type handlerECS struct{ h http.Handler }

func (b handlerECS) Open(context.Context, bool) (http.Handler, func() error, error) {
	return b.h, func() error { return nil }, nil
}
