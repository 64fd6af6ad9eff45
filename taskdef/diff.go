package taskdef

import "github.com/aws/aws-sdk-go-v2/service/ecs"

// DiffOptions tunes Diff.
type DiffOptions struct {
	ShowValues bool   // show plain environment values instead of "***"
	OldName    string // label of the old side in the header; default "current"
	NewName    string // label of the new side; default "new"
	Context    int    // lines of context; 0 means 3
}

// Diff returns a unified diff of old and new. PARTIAL: body being written.
func Diff(old, new *ecs.RegisterTaskDefinitionInput, opts DiffOptions) string {
	return ""
}
