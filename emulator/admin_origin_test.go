package emulator

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAdminRefusesChangesFromOtherOrigins(t *testing.T) {
	em, _ := newTestEmulator(t)
	srv := httptest.NewServer(em)
	defer srv.Close()
	post := func(path, origin, body string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close() // read already; a close error changes nothing here
		return res.StatusCode
	}
	crash := "images:\n  - match: '*'\n    exitCode: 1\n"
	for _, origin := range []string{"http://evil.example", "null", "http://127.0.0.1:1"} {
		if code := post("/_local/scenario", origin, crash); code != http.StatusForbidden {
			t.Errorf("scenario from origin %q: HTTP %d, want 403", origin, code)
		}
		if code := post("/_local/reset", origin, ""); code != http.StatusForbidden {
			t.Errorf("reset from origin %q: HTTP %d, want 403", origin, code)
		}
	}
	if len(em.Scenario().Images) != 0 {
		t.Fatal("a cross-origin request changed the scenario")
	}
	// The console's own page (same origin) and clients without an Origin may.
	if code := post("/_local/scenario", srv.URL, crash); code != http.StatusOK {
		t.Fatalf("same-origin scenario: HTTP %d", code)
	}
	if code := post("/_local/advance?by=1s", "", ""); code != http.StatusOK {
		t.Fatalf("advance without an Origin: HTTP %d", code)
	}
	if len(em.Scenario().Images) != 1 {
		t.Fatal("the same-origin scenario was not applied")
	}
}
