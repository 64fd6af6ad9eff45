package taskdef

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// Merge combines changes from a spec file (base) with changes from flags
// (override), flags winning: an image for the same container, a key of the
// same container, an environment file of the same container and ARN, or a
// tag of the same key given in override replaces base's; modes and TagOnly
// given in override replace base's. Everything else is kept from both. Each
// change keeps its origin, so that Validate, run on the result, reports a
// problem where the change that stays was given.
func Merge(base, override Changes) Changes {
	out := Changes{
		TagOnly:     pickPtr(override.TagOnly, base.TagOnly),
		EnvMode:     Mode(pick(string(override.EnvMode), string(base.EnvMode))),
		SecretMode:  Mode(pick(string(override.SecretMode), string(base.SecretMode))),
		EnvFileMode: Mode(pick(string(override.EnvFileMode), string(base.EnvFileMode))),
	}
	imageKey := func(ic ImageChange) string {
		if ic.Container != "" {
			return "c\x00" + ic.Container
		}
		return "i\x00" + ic.Image
	}
	out.Images = mergeBy(base.Images, override.Images, imageKey)
	kvKey := func(kv KeyValueChange) string { return kv.Container + "\x00" + kv.Key }
	out.Env = mergeBy(base.Env, override.Env, kvKey)
	out.Secrets = mergeBy(base.Secrets, override.Secrets, kvKey)
	out.EnvFiles = mergeBy(base.EnvFiles, override.EnvFiles, func(f EnvFileChange) string { return f.Container + "\x00" + f.ARN })
	out.Tags = mergeBy(base.Tags, override.Tags, func(t types.Tag) string { return aws.ToString(t.Key) })
	out.From = mergeOrigins(base, override)
	return out
}

func pick(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func pickPtr[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// mergeBy keeps base's items whose key override does not have, then all of
// override's, so flags come after the file in application order.
func mergeBy[T any](base, override []T, key func(T) string) []T {
	if len(base) == 0 && len(override) == 0 {
		return nil
	}
	over := map[string]bool{}
	for _, o := range override {
		over[key(o)] = true
	}
	var out []T
	for _, b := range base {
		if !over[key(b)] {
			out = append(out, b)
		}
	}
	return append(out, override...)
}

// mergeOrigins keeps the origins of the scalar changes and tags that stay
// after merging: override's where it gives the value, base's otherwise.
func mergeOrigins(base, override Changes) exitcode.Origins {
	var out exitcode.Origins
	keep := func(field string, overridden bool) {
		from := base.From
		if overridden {
			from = override.From
		}
		if o, ok := from[field]; ok {
			out = out.Set(field, o)
		}
	}
	keep("tagOnly", override.TagOnly != nil)
	keep("envMode", override.EnvMode != "")
	keep("secretMode", override.SecretMode != "")
	keep("envFileMode", override.EnvFileMode != "")
	overTag := map[string]bool{}
	for _, t := range override.Tags {
		overTag[aws.ToString(t.Key)] = true
	}
	for _, t := range append(append([]types.Tag(nil), base.Tags...), override.Tags...) {
		key := aws.ToString(t.Key)
		keep("tags."+key, overTag[key])
	}
	return out
}
