package taskdef

import "github.com/ecsdeploy/ecsdeploy/internal/failure"

// Validate checks what can be checked without the task definition. PARTIAL.
func (c Changes) Validate() failure.Problems {
	return nil
}
