// Package cfntest helps tests check that every template they generate
// passes cfn-lint, with one cfn-lint run per test package (it takes seconds
// to start): tests Record the templates they deploy, and TestMain calls
// LintMain after them.
package cfntest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"

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

// LintMain runs in TestMain, after m.Run: it lints, with one cfn-lint
// process, every template the tests recorded, prints what is wrong, and
// returns the exit code. Nothing recorded, or cfn-lint missing outside CI,
// is success.
func (c *Collector) LintMain() int {
	if c.empty() {
		return 0
	}
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		if testenv.InCI() {
			fmt.Fprintln(os.Stderr, "cfn-lint is required in CI but was not found on PATH")
			return 1
		}
		fmt.Fprintln(os.Stderr, "cfn-lint not found on PATH; generated templates not linted (required when CI=true)")
		return 0
	}
	dir, err := os.MkdirTemp("", "cfntest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	files, err := c.write(dir)
	if err == nil {
		_, err = testenv.CfnLintFiles(bin, files...)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "generated templates: %v\n", err)
		return 1
	}
	return 0
}

func (c *Collector) empty() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.bodies) == 0
}

// write writes every recorded template into dir, in a stable order.
func (c *Collector) write(dir string) ([]string, error) {
	c.mu.Lock()
	bodies := make([]string, 0, len(c.bodies))
	for b := range c.bodies {
		bodies = append(bodies, b)
	}
	c.mu.Unlock()
	sort.Strings(bodies)
	files := make([]string, 0, len(bodies))
	for i, body := range bodies {
		file := filepath.Join(dir, fmt.Sprintf("template-%d.yaml", i+1))
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			return nil, err
		}
		files = append(files, file)
	}
	return files, nil
}
