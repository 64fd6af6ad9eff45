package taskdef

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/imageref"
)

// MaxEnvFiles is ECS's limit on environment files per container.
const MaxEnvFiles = 10

var (
	// partition and region as they appear in ARNs.
	secretsManagerARN = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+(:[^:]*:[^:]*:[^:]*)?$`)
	})
	ssmParameterARN = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+$`)
	})
	ssmParameterName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$`) })
	s3ObjectARN      = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+\.env$`)
	})
)

// CheckSecretRef reports whether ref can be a secret's valueFrom: a Secrets
// Manager secret ARN (optionally with ":json-key:version-stage:version-id"),
// an SSM parameter ARN, or an SSM parameter name, which ECS accepts when the
// parameter is in the task's region.
func CheckSecretRef(ref string) error {
	switch {
	case ref == "":
		return fmt.Errorf("empty secret reference: give a Secrets Manager or SSM parameter ARN")
	case strings.HasPrefix(ref, "arn:"):
		if secretsManagerARN().MatchString(ref) || ssmParameterARN().MatchString(ref) {
			return nil
		}
		// The reference is not repeated in any message: a secret's value
		// given by mistake where its reference belongs must not end up in a
		// log.
		switch {
		case strings.Contains(ref, ":secretsmanager:"):
			return fmt.Errorf("malformed Secrets Manager ARN (not shown): expected arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME")
		case strings.Contains(ref, ":ssm:"):
			return fmt.Errorf("malformed SSM parameter ARN (not shown): expected arn:aws:ssm:REGION:ACCOUNT:parameter/NAME")
		}
		return fmt.Errorf("an ARN that is neither a Secrets Manager nor an SSM parameter ARN (not shown): expected arn:aws:secretsmanager:… or arn:aws:ssm:…")
	case ssmParameterName().MatchString(ref):
		if err := checkSSMParameterName(ref); err != nil {
			return fmt.Errorf("not a valid SSM parameter name (not shown, in case it is a secret): %w", err)
		}
		return nil
	}
	// The text is not repeated: a secret's value given by mistake where its
	// reference belongs must not end up in a log.
	return fmt.Errorf("the value is not a Secrets Manager ARN, an SSM parameter ARN or an SSM parameter name (not shown, in case it is a secret)")
}

// checkSSMParameterName applies Systems Manager's rules for parameter names
// to a name made of the allowed characters: at most 1011 characters, no
// "aws" or "ssm" prefix, a name with '/' fully qualified (starting with '/'),
// at most 15 levels. A value that only looks like a name is refused here
// rather than accepted and printed later as a reference.
func checkSSMParameterName(name string) error {
	lower := strings.ToLower(strings.TrimPrefix(name, "/"))
	switch {
	case len(name) > 1011:
		return fmt.Errorf("longer than 1011 characters")
	case strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "ssm"):
		return fmt.Errorf("names may not begin with aws or ssm: use an ARN or another name")
	case strings.Contains(name, "/") && !strings.HasPrefix(name, "/"):
		return fmt.Errorf("a name with '/' must be fully qualified, starting with '/' (/path/to/name)")
	case strings.Count(name, "/") > 15:
		return fmt.Errorf("more than 15 levels of hierarchy")
	}
	return nil
}

// CheckEnvFileARN reports whether arn names an S3 object whose name ends in
// ".env", the only kind of environment file ECS reads.
func CheckEnvFileARN(arn string) error {
	if !s3ObjectARN().MatchString(arn) {
		return fmt.Errorf("%q is not an S3 object ARN ending in .env (arn:aws:s3:::BUCKET/PATH.env)", arn)
	}
	return nil
}

// CheckKeyValueMode checks a mode for environment variables and secrets.
func CheckKeyValueMode(m Mode) error {
	if m == "" || m == ModeMerge || m == ModeReplace {
		return nil
	}
	return fmt.Errorf("unknown mode %q: use merge or replace", m)
}

// CheckEnvFileMode checks a mode for environment files.
func CheckEnvFileMode(m Mode) error {
	if m == "" || m == ModeAppend || m == ModeReplace {
		return nil
	}
	return fmt.Errorf("unknown mode %q: use append or replace", m)
}

// CheckTagKV checks one tag against ECS's limits.
func CheckTagKV(key, value string) error {
	switch {
	case key == "":
		return fmt.Errorf("empty tag key")
	case len(key) > 128:
		return fmt.Errorf("tag key %q is longer than 128 characters", key)
	case len(value) > 256:
		return fmt.Errorf("the value of tag %q is longer than 256 characters", key)
	case strings.HasPrefix(strings.ToLower(key), "aws:"):
		return fmt.Errorf("tag key %q: the aws: prefix is reserved for AWS", key)
	}
	return nil
}

// CheckEnvKey checks an environment variable or secret name.
func CheckEnvKey(key string) error {
	if key == "" {
		return fmt.Errorf("empty name")
	}
	if strings.ContainsAny(key, "=\x00") {
		return fmt.Errorf("name %q contains '=' or a NUL byte", key)
	}
	return nil
}

// Validate checks what needs no task definition: images and tags that cannot
// parse, names, duplicate keys (a key set twice, or set and unset; a
// container given two images), malformed secret and environment-file ARNs,
// more than MaxEnvFiles files for one container, and modes. It is the one
// check of changes, whether they came from flags, a file or both: merge
// them first (Merge), then validate, so that a value overridden by a flag
// is not reported. Each problem is reported against the origin of the
// change (its From); a change without one is named after its request field
// ("images[1]", "tagOnly"). Problems that need the task definition (a
// container it lacks) come from Apply.
func (c Changes) Validate() exitcode.Problems {
	var ps exitcode.Problems
	imageAt := map[string]exitcode.Origin{}
	for i, ic := range c.Images {
		at := ic.origin(i)
		if ic.Container != "" {
			if err := checkContainerName(ic.Container); err != nil {
				ps.At(at, "%v", err)
			}
			if first, twice := imageAt[ic.Container]; twice {
				ps.At(at, "container %q is given an image more than once (also at %s)", ic.Container, first)
			} else {
				imageAt[ic.Container] = at
			}
		}
		if _, err := imageref.Parse(ic.Image); err != nil {
			ps.At(at, "%v", err)
		}
	}
	if c.TagOnly != nil {
		if err := CheckTagOnly(*c.TagOnly); err != nil {
			ps.At(c.From.Of("tagOnly"), "%v", err)
		}
	}
	checkKeyValues(&ps, "env", c.Env, nil)
	checkKeyValues(&ps, "secrets", c.Secrets, CheckSecretRef)
	if err := CheckKeyValueMode(c.EnvMode); err != nil {
		ps.At(c.From.Of("envMode"), "%v", err)
	}
	if err := CheckKeyValueMode(c.SecretMode); err != nil {
		ps.At(c.From.Of("secretMode"), "%v", err)
	}
	if err := CheckEnvFileMode(c.EnvFileMode); err != nil {
		ps.At(c.From.Of("envFileMode"), "%v", err)
	}
	perContainer := map[string]int{}
	fileAt := map[string]exitcode.Origin{}
	for i, f := range c.EnvFiles {
		at := f.origin(i)
		if err := checkContainerName(f.Container); err != nil {
			ps.At(at, "%v", err)
		}
		if err := CheckEnvFileARN(f.ARN); err != nil {
			ps.At(at, "%v", err)
		}
		id := f.Container + "\x00" + f.ARN
		if first, twice := fileAt[id]; twice {
			ps.At(at, "the same file is given twice for container %q (also at %s)", f.Container, first)
		} else {
			fileAt[id] = at
		}
		perContainer[f.Container]++
		if perContainer[f.Container] == MaxEnvFiles+1 {
			n := 0
			for _, g := range c.EnvFiles {
				if g.Container == f.Container {
					n++
				}
			}
			ps.At(at, "container %q is given %d environment files; ECS allows at most %d", f.Container, n, MaxEnvFiles)
		}
	}
	seenTag := map[string]bool{}
	for _, t := range c.Tags {
		key, value := aws.ToString(t.Key), aws.ToString(t.Value)
		at := c.From.Of("tags." + key)
		if err := CheckTagKV(key, value); err != nil {
			ps.At(at, "%v", err)
		}
		if seenTag[key] {
			ps.At(at, "tag %q is given more than once", key)
		}
		seenTag[key] = true
	}
	return ps
}

// origin is where ic was given, or its request field.
func (ic ImageChange) origin(i int) exitcode.Origin {
	if !ic.From.IsZero() {
		return ic.From
	}
	return exitcode.FieldOrigin(fmt.Sprintf("images[%d]", i))
}

// origin is where kv was given, or its request field.
func (kv KeyValueChange) origin(field string, i int) exitcode.Origin {
	if !kv.From.IsZero() {
		return kv.From
	}
	return exitcode.FieldOrigin(fmt.Sprintf("%s[%d]", field, i))
}

// origin is where f was given, or its request field.
func (f EnvFileChange) origin(i int) exitcode.Origin {
	if !f.From.IsZero() {
		return f.From
	}
	return exitcode.FieldOrigin(fmt.Sprintf("envFiles[%d]", i))
}

// checkKeyValues checks names and duplicates of environment or secret
// changes (field names the list: env or secrets), and each value with
// checkValue when given.
func checkKeyValues(ps *exitcode.Problems, field string, kvs []KeyValueChange, checkValue func(string) error) {
	seen := map[string]exitcode.Origin{}
	for i, kv := range kvs {
		at := kv.origin(field, i)
		if err := checkContainerName(kv.Container); err != nil {
			ps.At(at, "%v", err)
		}
		if err := CheckEnvKey(kv.Key); err != nil {
			ps.At(at, "%v", err)
		}
		id := kv.Container + "\x00" + kv.Key
		if first, twice := seen[id]; twice {
			ps.At(at, "%s is set or unset more than once for container %q (also at %s)", kv.Key, kv.Container, first)
		} else {
			seen[id] = at
		}
		if !kv.Unset && checkValue != nil {
			if err := checkValue(kv.Value); err != nil {
				ps.At(at, "%v", err)
			}
		}
	}
}

// CheckTagOnly checks the tag of --tag-only (tagOnly in a spec): the one rule
// for both. An empty tag is refused rather than taken as "no change", which
// would redeploy the old image and succeed when a CI variable is unset.
func CheckTagOnly(tag string) error {
	if tag == "" {
		return fmt.Errorf("the tag is empty (is the variable that should give it unset?): give the tag to deploy, such as 1.4.2")
	}
	return imageref.CheckTag(tag)
}
