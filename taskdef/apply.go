package taskdef

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// Apply applies c to in. PARTIAL: body being written.
func Apply(in *ecs.RegisterTaskDefinitionInput, c Changes) (Summary, error) {
	return Summary{}, fmt.Errorf("taskdef.Apply: not implemented yet")
}
