// Package console is the local ECS's web console: a page, embedded in the
// binary, that shows clusters, services, their deployments against the
// minimumHealthyPercent/maximumPercent bounds, tasks by Availability Zone,
// service events and deployment timelines, updated live from the
// emulator's change feed over server-sent events.
//
// The page can change two things only, both through the emulator's own
// endpoints: the scenario (POST /_local/scenario, validated there) and, on
// a manual clock, the time (POST /_local/advance).
package console

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// Path is where the console lives; no AWS client sends requests under it.
const Path = "/_local/console/"

//go:embed static
var staticFiles embed.FS

// Console serves the page and its live updates for one emulator.
type Console struct {
	em     *emulator.Emulator
	static http.Handler
	// ClusterInterval is the least time between two cluster lists sent to
	// a page (each lists every service; with thousands of services they
	// are the largest messages). Default one second.
	ClusterInterval time.Duration
	// ServiceInterval is the least time between two snapshots of the
	// focused service sent to a page; the first change after a quiet
	// spell is sent at once. Default 100 ms.
	ServiceInterval time.Duration
	// Heartbeat is how often an idle event stream sends a comment so that
	// proxies keep it open. Default 15 seconds.
	Heartbeat time.Duration

	// Traffic, when set, reports the traffic split between a service's
	// target groups; Stage the lifecycle stage of its blue/green
	// deployment. Either replaces what the emulator's snapshot says (which
	// covers ECS-native deployments and, through OnServiceSnapshot, those
	// of the local CodeDeploy). Nil keeps the snapshot's.
	Traffic func(region string, targetGroups []string) []emulator.TrafficShare
	Stage   func(region, cluster, service string) string

	done      chan struct{}
	closeOnce sync.Once
}

// Close ends every open event stream (pages reconnect to whatever serves
// next); call it when the server shuts down, for example with
// http.Server.RegisterOnShutdown, so that shutting down does not wait for
// open pages.
func (c *Console) Close() { c.closeOnce.Do(func() { close(c.done) }) }

// New returns the console of em.
func New(em *emulator.Emulator) *Console {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embedded directory is part of the build
	}
	return &Console{em: em, static: http.StripPrefix(Path, http.FileServerFS(sub)),
		ClusterInterval: time.Second, ServiceInterval: 100 * time.Millisecond, Heartbeat: 15 * time.Second, done: make(chan struct{})}
}

// Wrap returns a handler that serves the console under Path, redirects a
// browser's GET / there, and passes every other request to api.
func (c *Console) Wrap(api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, Path):
			c.serve(w, r)
		case r.URL.Path == strings.TrimSuffix(Path, "/"):
			http.Redirect(w, r, Path, http.StatusFound)
		case r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) && !fromAWSClient(r):
			http.Redirect(w, r, Path, http.StatusFound)
		default:
			api.ServeHTTP(w, r)
		}
	})
}

// fromAWSClient reports whether a request carries what every AWS SDK and
// the CLI send (a signature, a target or an AWS date); a browser sends none.
func fromAWSClient(r *http.Request) bool {
	return r.Header.Get("Authorization") != "" || r.Header.Get("X-Amz-Target") != "" ||
		r.Header.Get("X-Amz-Date") != "" || r.URL.Query().Get("Action") != "" || r.URL.RawQuery != ""
}

func (c *Console) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the console is read-only; change the scenario or the time through /_local/scenario and /_local/advance", http.StatusMethodNotAllowed)
		return
	}
	switch strings.TrimPrefix(r.URL.Path, Path) {
	case "events":
		c.serveEvents(w, r)
	case "api/clusters":
		writeJSON(w, c.em.ClusterSnapshots())
	case "api/service":
		q := r.URL.Query()
		snap, ok := c.serviceSnapshot(focus{region: q.Get("region"), cluster: q.Get("cluster"), service: q.Get("service")})
		if !ok {
			http.Error(w, "no such service", http.StatusNotFound)
			return
		}
		writeJSON(w, snap)
	default:
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		c.static.ServeHTTP(w, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}
