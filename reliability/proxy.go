package reliability

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// Action is what the Proxy does to a call.
type Action int

const (
	// Forward passes the call on (what happens to calls no rule matches).
	Forward Action = iota
	// LoseReply passes the call on, so that it takes effect, and then
	// resets the connection instead of sending the reply: the caller cannot
	// tell whether it was applied.
	LoseReply
	// Reset resets the connection without passing the call on.
	Reset
)

func (a Action) String() string {
	return [...]string{"forward", "lose the reply", "reset"}[a]
}

// Rule picks calls of one operation by their rank.
type Rule struct {
	Operation string // "UpdateService", "RegisterTaskDefinition", "CreateChangeSet"...
	Calls     []int  // 1-based ranks among the calls of Operation; empty: every call
	// When, if set, must also hold; it is given the calls received so far
	// per operation, this one included (for example: after UpdateService).
	When   func(seen map[string]int) bool
	Action Action
	// Before, if set, runs before the action (for example to kill the
	// calling process at exactly this point).
	Before func()
}

// Proxy is an http.Handler in front of the local ECS that applies Rules to
// the calls it receives. Serve it on a real socket (httptest.NewServer):
// its resets are then real TCP resets.
type Proxy struct {
	Next http.Handler

	mu    sync.Mutex
	rules []Rule
	seen  map[string]int
	hits  int
}

// NewProxy returns a Proxy in front of next with no rules.
func NewProxy(next http.Handler) *Proxy { return &Proxy{Next: next, seen: map[string]int{}} }

// SetRules replaces the rules; call ranks count from now.
func (p *Proxy) SetRules(rules ...Rule) {
	p.mu.Lock()
	p.rules, p.seen, p.hits = rules, map[string]int{}, 0
	p.mu.Unlock()
}

// Hits is how many calls a rule has hit since SetRules.
func (p *Proxy) Hits() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits
}

// Calls is how many calls of operation the proxy received since SetRules.
func (p *Proxy) Calls(operation string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[operation]
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	op := operation(r, body)
	p.mu.Lock()
	p.seen[op]++
	n := p.seen[op]
	var hit *Rule
	for i := range p.rules {
		r := &p.rules[i]
		if r.Operation == op && (len(r.Calls) == 0 || contains(r.Calls, n)) && (r.When == nil || r.When(p.seen)) {
			hit = r
			p.hits++
			break
		}
	}
	p.mu.Unlock()
	if hit == nil {
		p.Next.ServeHTTP(w, r)
		return
	}
	if hit.Before != nil {
		hit.Before()
	}
	switch hit.Action {
	case Forward:
		p.Next.ServeHTTP(w, r)
	case LoseReply:
		p.Next.ServeHTTP(httptest.NewRecorder(), r)
		reset(w)
	case Reset:
		reset(w)
	}
}

// reset closes the client's connection with a TCP reset.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // RST instead of FIN
	}
	_ = conn.Close()
}

// operation names the AWS operation of a request: the X-Amz-Target suffix
// (JSON protocols) or the Action parameter (Query protocols).
func operation(r *http.Request, body []byte) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		_, op, _ := strings.Cut(t, ".")
		return op
	}
	if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
		return v.Get("Action")
	}
	return r.URL.Query().Get("Action")
}

func contains(s []int, n int) bool {
	for _, v := range s {
		if v == n {
			return true
		}
	}
	return false
}
