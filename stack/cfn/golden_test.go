package cfn

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
	"github.com/ecsdeploy/ecsdeploy/stack"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

var update = flag.Bool("update", false, "rewrite the golden templates in stack/testdata")

// specFiles are the specs whose templates are golden files: every spec in
// stack/testdata, plus the example that uses every field.
func specFiles(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	specs := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, ".template.yaml") {
			continue
		}
		specs[strings.TrimSuffix(filepath.Base(f), ".yaml")] = f
	}
	specs["example"] = filepath.Join("..", "..", "examples", "stack.yaml")
	return specs
}

func TestTemplatesMatchGoldenFilesAndPassCfnLint(t *testing.T) {
	var rendered []string
	for name, path := range specFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s, err := stack.Parse(data, vars.Resolver{})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got, err := Generate(s)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		golden := filepath.Join("..", "testdata", name+".template.yaml")
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./stack/cfn -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("template of %s differs from %s (review, then run with -update):\n%s", path, golden, lineDiff(string(want), string(got)))
		}
		rendered = append(rendered, golden)
	}
	// One cfn-lint run for all templates: it takes seconds to start.
	testenv.CfnLint(t, rendered...)
}

func TestGenerateIsDeterministic(t *testing.T) {
	for _, path := range specFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s, err := stack.Parse(data, vars.Resolver{})
		if err != nil {
			t.Fatal(err)
		}
		first, _ := Generate(s)
		for i := 0; i < 20; i++ {
			again, err := Generate(s)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, again) {
				t.Fatalf("%s: template changed between two renders", path)
			}
		}
	}
}

// lineDiff shows the first lines where two texts differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
			if shown++; shown == 10 {
				break
			}
		}
	}
	return b.String()
}
