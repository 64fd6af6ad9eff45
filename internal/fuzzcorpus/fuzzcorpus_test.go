package fuzzcorpus

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// target is one fuzz target: its package directory and name.
type target struct {
	dir, name string
	adds      int // f.Add calls in its body
}

func moduleRoot(t *testing.T) string {
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s", dir)
	}
	return dir
}

// targets finds every func FuzzXxx(f *testing.F) in the module's tests.
func targets(t *testing.T, root string) []target {
	var out []target
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Fuzz") || fn.Type.Params.NumFields() != 1 {
				continue
			}
			tg := target{dir: filepath.Dir(path), name: fn.Name.Name}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Add" {
						tg.adds++
					}
				}
				return true
			})
			out = append(out, tg)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEveryFuzzTargetHasSeeds(t *testing.T) {
	root := moduleRoot(t)
	tgs := targets(t, root)
	if len(tgs) < 5 {
		t.Fatalf("found only %d fuzz targets under %s", len(tgs), root)
	}
	for _, tg := range tgs {
		rel, _ := filepath.Rel(root, tg.dir)
		files, _ := os.ReadDir(filepath.Join(tg.dir, "testdata", "fuzz", tg.name))
		if tg.adds == 0 && len(files) == 0 {
			t.Errorf("%s: %s has no seed (no f.Add, nothing in testdata/fuzz/%s): go test would not run it", rel, tg.name, tg.name)
		}
		t.Logf("%-28s %-20s %d f.Add, %d corpus files", rel, tg.name, tg.adds, len(files))
	}
}

// TestEveryCorpusHasItsTarget: a corpus directory must belong to a target
// of its package (a renamed target leaves its crashers unrun), and every
// file in it must be in the corpus format, or go test fails on it.
func TestEveryCorpusHasItsTarget(t *testing.T) {
	root := moduleRoot(t)
	have := map[string]bool{}
	for _, tg := range targets(t, root) {
		have[filepath.Join(tg.dir, "testdata", "fuzz", tg.name)] = true
	}
	corpora := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() || filepath.Base(filepath.Dir(path)) != "fuzz" || filepath.Base(filepath.Dir(filepath.Dir(path))) != "testdata" {
			return nil
		}
		corpora++
		rel, _ := filepath.Rel(root, path)
		if !have[path] {
			t.Errorf("%s: no fuzz target %s in that package; its inputs never run", rel, d.Name())
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(path, e.Name()))
			if err != nil {
				return err
			}
			if !strings.HasPrefix(string(data), "go test fuzz v1\n") {
				t.Errorf("%s/%s is not a corpus file (it must start with \"go test fuzz v1\")", rel, e.Name())
			}
		}
		return filepath.SkipDir
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d corpus directories", corpora)
}
