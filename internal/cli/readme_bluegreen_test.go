package cli

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEBlueGreenExampleIsTheScript: the blue/green example in
// README.md is, line for line, what examples/bluegreen/run.sh runs (between
// its "README begin" and "README end" markers), so that the script, which
// CI runs, keeps the example true.
func TestREADMEBlueGreenExampleIsTheScript(t *testing.T) {
	t.Parallel()
	script, err := os.ReadFile("../../examples/bluegreen/run.sh")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(script), "# README begin\n")
	block, _, ok2 := strings.Cut(rest, "# README end\n")
	if !ok || !ok2 || strings.TrimSpace(block) == "" {
		t.Fatal("examples/bluegreen/run.sh lacks its README begin/end markers")
	}
	var want strings.Builder
	for _, line := range strings.Split(strings.TrimRight(block, "\n"), "\n") {
		if line != "" {
			want.WriteString("    " + line)
		}
		want.WriteString("\n")
	}
	if !strings.Contains(string(readme), want.String()) {
		t.Errorf("README.md does not show examples/bluegreen/run.sh's example as it is; the script runs:\n%s", want.String())
	}
}
