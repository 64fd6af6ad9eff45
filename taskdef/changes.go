// Package taskdef holds pure functions on ECS task definitions: building a
// register input from a described revision without losing fields, reading
// task-definition files, applying image, environment, secret, environment
// file and tag changes, and diffing two revisions for review.
package taskdef

import (
	"fmt"
	"strings"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/imageref"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Mode says how changes of one kind combine with what a container has.
type Mode string

const (
	// ModeMerge keeps the container's other environment variables or secrets
	// and sets or removes only the keys named. It is the default.
	ModeMerge Mode = "merge"
	// ModeReplace drops the container's existing entries of a kind as soon as
	// the container gets any change of that kind.
	ModeReplace Mode = "replace"
	// ModeAppend adds environment files after the existing ones. It is the
	// default for environment files.
	ModeAppend Mode = "append"
)

// ImageChange sets a container's image. With Container "", every container
// whose image is in the same repository as Image (same registry and path,
// any tag or digest) gets Image, as the ecs-deploy script does.
type ImageChange struct {
	Container string
	Image     string
	// From is where the change was given (a flag, or a file's field and
	// line); problems with it are reported there.
	From exitcode.Origin
}

// KeyValueChange sets or removes one environment variable or secret of a
// container. For secrets Value is the valueFrom: a Secrets Manager ARN, an
// SSM parameter ARN, or an SSM parameter name.
type KeyValueChange struct {
	Container string
	Key       string
	Value     string
	Unset     bool
	From      exitcode.Origin // where the change was given
}

// EnvFileChange adds an environment file (an S3 object ARN) to a container.
type EnvFileChange struct {
	Container string
	ARN       string
	From      exitcode.Origin // where the change was given
}

// Changes is everything a deploy changes in a task definition.
type Changes struct {
	Images []ImageChange
	// TagOnly, when set, retags every container's image with this tag
	// (applied before Images). Set but empty is invalid input (see
	// CheckTagOnly), never "no change": an unset CI variable must not
	// deploy the old image and succeed.
	TagOnly *string

	Env     []KeyValueChange
	EnvMode Mode // "" means merge

	Secrets    []KeyValueChange
	SecretMode Mode // "" means merge

	EnvFiles    []EnvFileChange
	EnvFileMode Mode // "" means append

	// Tags are set on the task definition, overriding existing values of the
	// same keys.
	Tags []types.Tag

	// From records where the changes that are not list items were given,
	// by field: "tagOnly", "envMode", "secretMode", "envFileMode" and
	// "tags.KEY". Problems with a change it does not name are named after
	// the field (see exitcode.Origins).
	From exitcode.Origins
}

// IsEmpty reports whether c changes nothing.
func (c Changes) IsEmpty() bool {
	return len(c.Images) == 0 && c.TagOnly == nil && len(c.Env) == 0 && len(c.Secrets) == 0 &&
		len(c.EnvFiles) == 0 && len(c.Tags) == 0
}

// ParseImageFlag parses "container=ref" or "ref". References never contain
// '=', so the first '=' separates a container name; ':' and '@' belong to the
// reference.
func ParseImageFlag(s string) (ImageChange, error) {
	if container, ref, ok := strings.Cut(s, "="); ok {
		if err := checkContainerName(container); err != nil {
			return ImageChange{}, fmt.Errorf("%q: %w (expected container=image or image)", s, err)
		}
		if ref == "" {
			return ImageChange{}, fmt.Errorf("%q: no image after '='", s)
		}
		return ImageChange{Container: container, Image: ref}, nil
	}
	if s == "" {
		return ImageChange{}, fmt.Errorf("empty value (expected container=image or image)")
	}
	return ImageChange{Image: s}, nil
}

// ParseEnvFlag parses "container:KEY=VALUE". Container names cannot contain
// ':', so the first ':' ends the container; the first '=' after it ends the
// key, and the value may contain anything, including ':' and '='.
func ParseEnvFlag(s string) (KeyValueChange, error) {
	container, rest, ok := strings.Cut(s, ":")
	if !ok {
		return KeyValueChange{}, fmt.Errorf("%q: expected container:KEY=VALUE", withoutValue(s))
	}
	if checkContainerName(container) != nil {
		return KeyValueChange{}, fmt.Errorf("%q: the container name may only have letters, digits, '_' and '-' (expected container:KEY=VALUE)", withoutValue(s))
	}
	key, value, ok := strings.Cut(rest, "=")
	if !ok {
		// The text after the container is not shown: without '=' it may
		// be the value itself, perhaps a secret.
		return KeyValueChange{}, fmt.Errorf("%q: expected container:KEY=VALUE, but there is no '=' after the key (the text after %q is not shown)", container+":…", container+":")
	}
	if key == "" {
		return KeyValueChange{}, fmt.Errorf("%q: empty key (expected container:KEY=VALUE)", withoutValue(s))
	}
	return KeyValueChange{Container: container, Key: key, Value: value}, nil
}

// ParseUnsetFlag parses "container:KEY" for --unset-env and --unset-secret.
func ParseUnsetFlag(s string) (KeyValueChange, error) {
	container, key, ok := strings.Cut(s, ":")
	if !ok {
		return KeyValueChange{}, fmt.Errorf("expected container:KEY, but there is no ':' (the text is not shown)")
	}
	if err := checkContainerName(container); err != nil {
		return KeyValueChange{}, fmt.Errorf("%q: %w (expected container:KEY)", withoutValue(s), err)
	}
	if key == "" || strings.Contains(key, "=") {
		return KeyValueChange{}, fmt.Errorf("%q: expected container:KEY with a non-empty key and no '='", withoutValue(s))
	}
	return KeyValueChange{Container: container, Key: key, Unset: true}, nil
}

// ParseEnvFileFlag parses "container:ARN".
func ParseEnvFileFlag(s string) (EnvFileChange, error) {
	container, arn, ok := strings.Cut(s, ":")
	if !ok || arn == "" {
		return EnvFileChange{}, fmt.Errorf("%q: expected container:ARN (an S3 object ARN ending in .env)", s)
	}
	if err := checkContainerName(container); err != nil {
		return EnvFileChange{}, fmt.Errorf("%q: %w (expected container:ARN)", s, err)
	}
	return EnvFileChange{Container: container, ARN: arn}, nil
}

// ParseTagFlag parses "KEY=VALUE"; the value may be empty and may contain
// '=', the key may not.
func ParseTagFlag(s string) (types.Tag, error) {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return types.Tag{}, fmt.Errorf("%q: expected KEY=VALUE", s)
	}
	return types.Tag{Key: aws.String(key), Value: aws.String(value)}, nil
}

// withoutValue shows a flag's text up to its first '=': error messages must
// not echo values, since a secret's value may have been typed by mistake
// where its reference or an environment value belongs.
func withoutValue(s string) string {
	if i := strings.IndexByte(s, '='); i >= 0 {
		return s[:i] + "=…"
	}
	return s
}

// checkContainerName applies ECS's rule: up to 255 letters, digits, '_' and '-'.
func checkContainerName(name string) error {
	if name == "" {
		return fmt.Errorf("empty container name")
	}
	if len(name) > 255 {
		return fmt.Errorf("container name longer than 255 characters")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("container name %q: character %q is not allowed (letters, digits, '_', '-')", name, c)
		}
	}
	return nil
}

// RetagImages gives every image change the tag tag (dropping a digest),
// for -e/--tag-from-env: the tag of the images given with --image comes from
// a variable. Each keeps its origin.
func RetagImages(images []ImageChange, tag string) ([]ImageChange, error) {
	out := make([]ImageChange, len(images))
	for i, ic := range images {
		ref, err := imageref.Parse(ic.Image)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ic.Image, err)
		}
		out[i] = ImageChange{Container: ic.Container, Image: ref.WithTag(tag).String(), From: ic.From}
	}
	return out, nil
}
