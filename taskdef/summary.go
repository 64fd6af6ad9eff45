package taskdef

import (
	"fmt"
	"sort"
	"strings"
)

// Summary says what Apply changed, per container, for reports. It names the
// keys of environment variables and secrets but never their values.
type Summary struct {
	Containers []ContainerSummary `json:"containers,omitempty"`
	TagsSet    []string           `json:"tagsSet,omitempty"` // task-definition tag keys set
	// Warnings are changes that had nothing to act on, such as unsetting a
	// variable the container does not have. They are not errors, but a
	// user who asked for them wants to know.
	Warnings []string `json:"warnings,omitempty"`
}

// ContainerSummary is what changed in one container.
type ContainerSummary struct {
	Name            string   `json:"name"`
	ImageBefore     string   `json:"imageBefore,omitempty"`
	ImageAfter      string   `json:"imageAfter,omitempty"`
	EnvSet          []string `json:"envSet,omitempty"` // keys only
	EnvRemoved      []string `json:"envRemoved,omitempty"`
	SecretsSet      []string `json:"secretsSet,omitempty"` // keys only
	SecretsRemoved  []string `json:"secretsRemoved,omitempty"`
	EnvFilesAdded   []string `json:"envFilesAdded,omitempty"`
	EnvFilesRemoved []string `json:"envFilesRemoved,omitempty"`
}

// Changed reports whether anything changed in the container.
func (c ContainerSummary) Changed() bool {
	return c.ImageBefore != c.ImageAfter || len(c.EnvSet)+len(c.EnvRemoved)+len(c.SecretsSet)+
		len(c.SecretsRemoved)+len(c.EnvFilesAdded)+len(c.EnvFilesRemoved) > 0
}

// String renders the summary as lines for a human, one change per line.
func (s Summary) String() string {
	var b strings.Builder
	for _, c := range s.Containers {
		if c.ImageBefore != c.ImageAfter {
			fmt.Fprintf(&b, "%s: image %s -> %s\n", c.Name, c.ImageBefore, c.ImageAfter)
		}
		list := func(what string, keys []string) {
			if len(keys) > 0 {
				fmt.Fprintf(&b, "%s: %s %s\n", c.Name, what, strings.Join(keys, ", "))
			}
		}
		list("environment set", c.EnvSet)
		list("environment removed", c.EnvRemoved)
		list("secrets set", c.SecretsSet)
		list("secrets removed", c.SecretsRemoved)
		list("environment files added", c.EnvFilesAdded)
		list("environment files removed", c.EnvFilesRemoved)
	}
	if len(s.TagsSet) > 0 {
		fmt.Fprintf(&b, "task definition tags set: %s\n", strings.Join(s.TagsSet, ", "))
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	return b.String()
}

func sortedUnique(xs []string) []string {
	if len(xs) == 0 {
		return nil
	}
	sort.Strings(xs)
	out := xs[:1]
	for _, x := range xs[1:] {
		if x != out[len(out)-1] {
			out = append(out, x)
		}
	}
	return out
}
