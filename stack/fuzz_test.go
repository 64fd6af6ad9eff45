package stack

import (
	"os"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/vars"
)

// FuzzParse feeds arbitrary documents to the spec parser: it must never
// panic, and what it accepts must have the names and parameters a
// template needs.
func FuzzParse(f *testing.F) {
	for _, path := range []string{"testdata/minimal.yaml", "testdata/given-roles.yaml", "testdata/sidecars.yaml", "../examples/stack.yaml"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(validBase + "parameters: [desiredCount, network.subnets]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, vars.Resolver{LookupEnv: func(string) (string, bool) { return "", false }})
		if err != nil {
			return
		}
		if s.StackName() == StackNamePrefix || len(s.StackName()) > maxStackNameLength {
			t.Fatalf("accepted spec gives stack name %q", s.StackName())
		}
		seen := map[string]bool{}
		for _, p := range s.TemplateParameters() {
			if p.Name == "" || seen[p.Name] {
				t.Fatalf("accepted spec gives duplicate or empty parameter %q", p.Name)
			}
			seen[p.Name] = true
		}
	})
}
