package cfn

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/stack"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

// BenchmarkGenerateExample measures parsing, validating and rendering the
// example that uses every field.
func BenchmarkGenerateExample(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "stack.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var size int
	for i := 0; i < b.N; i++ {
		s, err := stack.Parse(data, vars.Resolver{LookupEnv: func(string) (string, bool) { return "", false }})
		if err != nil {
			b.Fatal(err)
		}
		out, err := Generate(s)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size), "template-bytes")
}
