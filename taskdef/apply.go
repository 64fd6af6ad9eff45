package taskdef

import (
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/imageref"
)

// Apply applies c to in and says what changed. It is all or nothing: when
// any change cannot be applied, in is left as it was and the error is
// exitcode.Problems (exit code 2) listing every such change — a container the
// task definition lacks, an image reference no container's repository
// matches, a container left with more than MaxEnvFiles environment files —
// each reported against the change's origin, as Validate does.
//
// Order: TagOnly retags every container first, then Images set images (so
// an explicit image wins over --tag-only), then environment, secrets,
// environment files and tags. In merge mode other keys are kept; in replace
// mode a container's existing entries of a kind are dropped when it gets any
// change of that kind. Unsetting a key the container does not have is not an
// error — the result is what was asked for — but it is reported in
// Summary.Warnings, since it often means a typo.
func Apply(in *ecs.RegisterTaskDefinitionInput, c Changes) (Summary, error) {
	if in == nil {
		return Summary{}, fmt.Errorf("taskdef.Apply: nil task definition")
	}
	work := CloneInput(in)
	a := applier{td: work, byName: map[string]int{}, summaries: map[string]*ContainerSummary{}}
	for i, cd := range work.ContainerDefinitions {
		a.byName[aws.ToString(cd.Name)] = i
	}
	a.images(c)
	a.keyValues(c.Env, c.EnvMode, "env", envAccess)
	a.keyValues(c.Secrets, c.SecretMode, "secrets", secretAccess)
	a.envFiles(c.EnvFiles, c.EnvFileMode)
	a.tags(c.Tags)
	if err := a.probs.Err(); err != nil {
		return Summary{}, err
	}
	*in = *work
	return a.summary(), nil
}

type applier struct {
	td        *ecs.RegisterTaskDefinitionInput
	byName    map[string]int
	probs     exitcode.Problems
	summaries map[string]*ContainerSummary
	tagsSet   []string
	warnings  []string
}

func (a *applier) container(name string, at exitcode.Origin) *types.ContainerDefinition {
	i, ok := a.byName[name]
	if !ok {
		a.probs.At(at, "the task definition (family %s) has no container %q; it has %s",
			aws.ToString(a.td.Family), name, a.containerNames())
		return nil
	}
	return &a.td.ContainerDefinitions[i]
}

func (a *applier) containerNames() string {
	names := make([]string, 0, len(a.byName))
	for n := range a.byName {
		names = append(names, fmt.Sprintf("%q", n))
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "none"
	}
	return fmt.Sprint(names)
}

func (a *applier) summaryFor(cd *types.ContainerDefinition) *ContainerSummary {
	name := aws.ToString(cd.Name)
	s, ok := a.summaries[name]
	if !ok {
		img := aws.ToString(cd.Image)
		s = &ContainerSummary{Name: name, ImageBefore: img, ImageAfter: img}
		a.summaries[name] = s
	}
	return s
}

func (a *applier) setImage(cd *types.ContainerDefinition, image string) {
	s := a.summaryFor(cd)
	cd.Image = aws.String(image)
	s.ImageAfter = image
}

func (a *applier) images(c Changes) {
	if c.TagOnly != nil {
		for i := range a.td.ContainerDefinitions {
			cd := &a.td.ContainerDefinitions[i]
			ref, err := imageref.Parse(aws.ToString(cd.Image))
			if err != nil {
				a.probs.At(c.From.Of("tagOnly"), "container %q: cannot retag its image: %v", aws.ToString(cd.Name), err)
				continue
			}
			a.setImage(cd, ref.WithTag(*c.TagOnly).String())
		}
	}
	for i, ic := range c.Images {
		at := ic.origin(i)
		if ic.Container != "" {
			if cd := a.container(ic.Container, at); cd != nil {
				a.setImage(cd, ic.Image)
			}
			continue
		}
		want, err := imageref.Parse(ic.Image)
		if err != nil {
			a.probs.At(at, "%v", err)
			continue
		}
		matched := 0
		var seen []string
		for i := range a.td.ContainerDefinitions {
			cd := &a.td.ContainerDefinitions[i]
			have, err := imageref.Parse(aws.ToString(cd.Image))
			if err != nil {
				// An image we cannot parse is not in the repository asked for.
				continue
			}
			seen = append(seen, have.Name())
			if have.Name() == want.Name() {
				a.setImage(cd, ic.Image)
				matched++
			}
		}
		if matched == 0 {
			a.probs.At(at, "no container's image is in repository %s (the images are in %v); name the container: CONTAINER=%s",
				want.Name(), sortedUnique(seen), ic.Image)
		}
	}
}

// kvAccess reads and writes one kind of key/value list of a container.
type kvAccess struct {
	kind  string // for messages
	keys  func(cd *types.ContainerDefinition) []string
	clear func(cd *types.ContainerDefinition)
	set   func(cd *types.ContainerDefinition, key, value string)
	unset func(cd *types.ContainerDefinition, key string) bool
	mark  func(s *ContainerSummary, key string, removed bool)
}

var envAccess = kvAccess{
	kind: "environment variable",
	keys: func(cd *types.ContainerDefinition) []string {
		var out []string
		for _, kv := range cd.Environment {
			out = append(out, aws.ToString(kv.Name))
		}
		return out
	},
	clear: func(cd *types.ContainerDefinition) { cd.Environment = nil },
	set: func(cd *types.ContainerDefinition, key, value string) {
		for i := range cd.Environment {
			if aws.ToString(cd.Environment[i].Name) == key {
				cd.Environment[i].Value = aws.String(value)
				return
			}
		}
		cd.Environment = append(cd.Environment, types.KeyValuePair{Name: aws.String(key), Value: aws.String(value)})
	},
	unset: func(cd *types.ContainerDefinition, key string) bool {
		for i := range cd.Environment {
			if aws.ToString(cd.Environment[i].Name) == key {
				cd.Environment = append(cd.Environment[:i:i], cd.Environment[i+1:]...)
				return true
			}
		}
		return false
	},
	mark: func(s *ContainerSummary, key string, removed bool) {
		if removed {
			s.EnvRemoved = append(s.EnvRemoved, key)
		} else {
			s.EnvSet = append(s.EnvSet, key)
		}
	},
}

var secretAccess = kvAccess{
	kind: "secret",
	keys: func(cd *types.ContainerDefinition) []string {
		var out []string
		for _, s := range cd.Secrets {
			out = append(out, aws.ToString(s.Name))
		}
		return out
	},
	clear: func(cd *types.ContainerDefinition) { cd.Secrets = nil },
	set: func(cd *types.ContainerDefinition, key, value string) {
		for i := range cd.Secrets {
			if aws.ToString(cd.Secrets[i].Name) == key {
				cd.Secrets[i].ValueFrom = aws.String(value)
				return
			}
		}
		cd.Secrets = append(cd.Secrets, types.Secret{Name: aws.String(key), ValueFrom: aws.String(value)})
	},
	unset: func(cd *types.ContainerDefinition, key string) bool {
		for i := range cd.Secrets {
			if aws.ToString(cd.Secrets[i].Name) == key {
				cd.Secrets = append(cd.Secrets[:i:i], cd.Secrets[i+1:]...)
				return true
			}
		}
		return false
	},
	mark: func(s *ContainerSummary, key string, removed bool) {
		if removed {
			s.SecretsRemoved = append(s.SecretsRemoved, key)
		} else {
			s.SecretsSet = append(s.SecretsSet, key)
		}
	},
}

func (a *applier) keyValues(changes []KeyValueChange, mode Mode, field string, acc kvAccess) {
	cleared := map[string]bool{}
	for i, kv := range changes {
		at := kv.origin(field, i)
		cd := a.container(kv.Container, at)
		if cd == nil {
			continue
		}
		s := a.summaryFor(cd)
		if mode == ModeReplace && !cleared[kv.Container] {
			cleared[kv.Container] = true
			kept := map[string]bool{}
			for _, other := range changes {
				if other.Container == kv.Container && !other.Unset {
					kept[other.Key] = true
				}
			}
			for _, k := range acc.keys(cd) {
				if !kept[k] {
					acc.mark(s, k, true)
				}
			}
			acc.clear(cd)
		}
		if kv.Unset {
			if acc.unset(cd, kv.Key) {
				acc.mark(s, kv.Key, true)
			} else if mode != ModeReplace {
				a.warnings = append(a.warnings, fmt.Sprintf("%s: container %q has no %s %s; nothing to remove",
					at, kv.Container, acc.kind, kv.Key))
			}
			continue
		}
		acc.set(cd, kv.Key, kv.Value)
		acc.mark(s, kv.Key, false)
	}
}

func (a *applier) envFiles(changes []EnvFileChange, mode Mode) {
	cleared := map[string]bool{}
	touched := map[string]*types.ContainerDefinition{}
	last := map[string]exitcode.Origin{}
	for i, f := range changes {
		at := f.origin(i)
		cd := a.container(f.Container, at)
		if cd == nil {
			continue
		}
		s := a.summaryFor(cd)
		touched[f.Container] = cd
		last[f.Container] = at
		if mode == ModeReplace && !cleared[f.Container] {
			cleared[f.Container] = true
			for _, old := range cd.EnvironmentFiles {
				s.EnvFilesRemoved = append(s.EnvFilesRemoved, aws.ToString(old.Value))
			}
			cd.EnvironmentFiles = nil
		}
		present := false
		for _, old := range cd.EnvironmentFiles {
			if aws.ToString(old.Value) == f.ARN {
				present = true
			}
		}
		if present {
			a.warnings = append(a.warnings, fmt.Sprintf("%s: container %q already has this file", at, f.Container))
			continue
		}
		cd.EnvironmentFiles = append(cd.EnvironmentFiles, types.EnvironmentFile{Type: types.EnvironmentFileTypeS3, Value: aws.String(f.ARN)})
		s.EnvFilesAdded = append(s.EnvFilesAdded, f.ARN)
	}
	for name, cd := range touched {
		if n := len(cd.EnvironmentFiles); n > MaxEnvFiles {
			a.probs.At(last[name], "container %q would have %d environment files; ECS allows at most %d (the replace mode for environment files drops the existing ones)", name, n, MaxEnvFiles)
		}
	}
}

func (a *applier) tags(tags []types.Tag) {
	for _, t := range tags {
		key := aws.ToString(t.Key)
		replaced := false
		for i := range a.td.Tags {
			if aws.ToString(a.td.Tags[i].Key) == key {
				a.td.Tags[i].Value = aws.String(aws.ToString(t.Value))
				replaced = true
			}
		}
		if !replaced {
			a.td.Tags = append(a.td.Tags, types.Tag{Key: aws.String(key), Value: aws.String(aws.ToString(t.Value))})
		}
		a.tagsSet = append(a.tagsSet, key)
	}
}

func (a *applier) summary() Summary {
	var out Summary
	// Containers in task-definition order, only those that changed.
	for _, cd := range a.td.ContainerDefinitions {
		s, ok := a.summaries[aws.ToString(cd.Name)]
		if !ok {
			continue
		}
		s.EnvSet = sortedUnique(s.EnvSet)
		s.EnvRemoved = minus(sortedUnique(s.EnvRemoved), s.EnvSet)
		s.SecretsSet = sortedUnique(s.SecretsSet)
		s.SecretsRemoved = minus(sortedUnique(s.SecretsRemoved), s.SecretsSet)
		if s.Changed() {
			out.Containers = append(out.Containers, *s)
		}
	}
	out.TagsSet = sortedUnique(a.tagsSet)
	out.Warnings = a.warnings
	return out
}

// minus returns xs without the elements of ys (both sorted).
func minus(xs, ys []string) []string {
	drop := map[string]bool{}
	for _, y := range ys {
		drop[y] = true
	}
	var out []string
	for _, x := range xs {
		if !drop[x] {
			out = append(out, x)
		}
	}
	return out
}
