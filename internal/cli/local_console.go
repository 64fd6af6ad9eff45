package cli

import (
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/console"
)

// localServeHandler is what `local serve` answers with: the emulator's API
// and, unless --console=false, the console in front of it. The server's
// shutdown ends the console's open event streams so that it does not wait
// for pages.
func localServeHandler(em *emulator.Emulator, withConsole bool, srv *http.Server) http.Handler {
	if !withConsole {
		return em
	}
	c := console.New(em)
	srv.RegisterOnShutdown(c.Close)
	return c.Wrap(em)
}

// printLocalServeAccess says where the console is and warns when the
// server is reachable from other machines: anyone who reaches it can read
// the state and change the scenario.
func printLocalServeAccess(out io.Writer, addr net.Addr, endpoint string, withConsole bool) {
	if withConsole {
		fmt.Fprintf(out, "Console: %s%s (open it in a browser; --console=false turns it off)\n", endpoint, console.Path)
	}
	if tcp, ok := addr.(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		fmt.Fprintf(out, "Note: listening on %s, which is not loopback: anyone who can reach it can read the local state and change the scenario. Use --addr 127.0.0.1:%d to keep it to this machine.\n", addr, tcp.Port)
	}
}
