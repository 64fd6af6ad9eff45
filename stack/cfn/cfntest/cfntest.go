// Package cfntest helps tests check that every template they generate
// passes cfn-lint, with one cfn-lint run per test package (it takes seconds
// to start): tests Record the templates they deploy, and a test that runs
// after them calls Lint.
package cfntest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// Collector gathers distinct templates; the zero value is ready to use.
type Collector struct {
	mu     sync.Mutex
	bodies map[string]bool
}

// Record adds a template.
func (c *Collector) Record(body string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bodies == nil {
		c.bodies = map[string]bool{}
	}
	c.bodies[body] = true
}

// Lint runs cfn-lint once over every recorded template and fails t on any
// error; it skips when nothing was recorded (a filtered run).
func (c *Collector) Lint(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	bodies := make([]string, 0, len(c.bodies))
	for b := range c.bodies {
		bodies = append(bodies, b)
	}
	c.mu.Unlock()
	if len(bodies) == 0 {
		t.Skip("no test generated a template in this run")
	}
	sort.Strings(bodies)
	dir := t.TempDir()
	files := make([]string, 0, len(bodies))
	for i, body := range bodies {
		file := filepath.Join(dir, fmt.Sprintf("template-%d.yaml", i+1))
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	testenv.CfnLint(t, files...)
}
