package spec

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkDecodeExample measures loading the example deploy spec, which
// uses every field.
func BenchmarkDecodeExample(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "examples", "deploy.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	r := resolver(map[string]string{"Env": "prod", "Tag": "1.4.2"})
	b.ReportAllocs()
	for b.Loop() {
		var d Deploy
		if err := Decode(data, r, &d); err != nil {
			b.Fatal(err)
		}
	}
}
