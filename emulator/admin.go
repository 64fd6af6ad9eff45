package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
)

// adminPrefix is where the emulator's own endpoints live; AWS never uses it.
const adminPrefix = "/_local/"

// serveAdmin answers the emulator's own endpoints:
//
//	GET  /_local/scenario          the scenario in force, as YAML
//	POST /_local/scenario          replace it (YAML or JSON body)
//	POST /_local/advance?by=90s    move emulated time forward and run the scheduler
//	POST /_local/reset             forget all ECS state (the scenario stays)
//	GET  /_local/health            {"now": <emulated time>}
func (e *Emulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead && crossOrigin(r) {
		adminError(w, http.StatusForbidden, "refused: a web page from "+r.Header.Get("Origin")+
			" may not change the local ECS; send the request from the same address, the command line or an SDK")
		return
	}
	switch r.URL.Path {
	case adminPrefix + "scenario":
		e.serveAdminScenario(w, r)
	case adminPrefix + "advance":
		if r.Method != http.MethodPost {
			adminError(w, http.StatusMethodNotAllowed, "use POST")
			return
		}
		d, err := time.ParseDuration(r.URL.Query().Get("by"))
		if err != nil || d < 0 {
			adminError(w, http.StatusBadRequest, "by must be a positive duration such as 90s")
			return
		}
		e.Advance(d)
		adminJSON(w, map[string]any{"now": e.Now().UTC().Format(time.RFC3339Nano)})
	case adminPrefix + "reset":
		if r.Method != http.MethodPost {
			adminError(w, http.StatusMethodNotAllowed, "use POST")
			return
		}
		e.Reset()
		adminJSON(w, map[string]any{"ok": true})
	case adminPrefix + "health":
		adminJSON(w, map[string]any{"now": e.Now().UTC().Format(time.RFC3339Nano)})
	default:
		adminError(w, http.StatusNotFound, "unknown admin endpoint "+r.URL.Path)
	}
}

func (e *Emulator) serveAdminScenario(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		data, err := e.Scenario().Marshal()
		if err != nil {
			adminError(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(data)
	case http.MethodPost, http.MethodPut:
		data, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
		if err != nil {
			adminError(w, http.StatusBadRequest, "could not read the body")
			return
		}
		s, err := scenario.Parse(data)
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		if err := e.SetScenario(s); err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		adminJSON(w, map[string]any{"ok": true})
	default:
		adminError(w, http.StatusMethodNotAllowed, "use GET or POST")
	}
}

// crossOrigin reports whether a browser sent r from a page of another
// origin. Browsers send simple POSTs across sites, so without this check any
// web page could change the scenario or reset a local ECS on loopback.
// Requests without an Origin header (curl, the AWS CLI, SDKs) are not
// from a page.
func crossOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return true // "null" and other opaque origins
	}
	return !strings.EqualFold(u.Host, r.Host)
}

func adminJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func adminError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
