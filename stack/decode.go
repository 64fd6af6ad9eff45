package stack

import (
	"github.com/ecsdeploy/ecsdeploy/spec"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

// decode decodes data into s with the shared spec loader: #{variables} are
// substituted from r, unknown fields and wrong types are refused, and every
// problem carries its line and field path.
func decode(data []byte, r vars.Resolver, s *Spec) error {
	return spec.Decode(data, r, s)
}
