// Package imageref parses container image references such as
// "nginx", "ghcr.io/org/app:1.2" or
// "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api@sha256:…", following
// the grammar Docker and ECS accept: an optional registry (a host, which may
// carry a port), a repository path of one or more lowercase components, an
// optional tag and an optional digest.
package imageref

import (
	"fmt"
	"strings"
)

// Ref is a parsed image reference.
type Ref struct {
	Registry   string // "" for Docker Hub; otherwise host or host:port
	Repository string // one or more "/"-separated components, e.g. "team/api"
	Tag        string // "latest" when neither tag nor digest was given
	Digest     string // "algorithm:hex", e.g. "sha256:…"; "" when absent
}

// dockerHubHosts are the spellings of Docker Hub's registry; Parse stores
// them as "" so that "nginx" and "docker.io/library/nginx" compare equal.
var dockerHubHosts = map[string]bool{
	"docker.io":            true,
	"index.docker.io":      true,
	"registry-1.docker.io": true,
}

// maxNameLength is Docker's limit on registry plus repository.
const maxNameLength = 255

// Parse parses an image reference. Without a tag and without a digest the tag
// is "latest", as Docker and ECS assume.
func Parse(s string) (Ref, error) {
	if s == "" {
		return Ref{}, fmt.Errorf("empty image reference")
	}
	if strings.TrimSpace(s) != s {
		return Ref{}, fmt.Errorf("image reference %q has leading or trailing spaces", s)
	}
	var r Ref
	rest := s
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		r.Digest = rest[i+1:]
		rest = rest[:i]
		if err := checkDigest(r.Digest); err != nil {
			return Ref{}, fmt.Errorf("image reference %q: %w", s, err)
		}
	}
	// A tag follows the last ':' that comes after the last '/'; a ':' before
	// it belongs to a registry port.
	if i := strings.LastIndexByte(rest, ':'); i > strings.LastIndexByte(rest, '/') {
		r.Tag = rest[i+1:]
		rest = rest[:i]
		if err := checkTag(r.Tag); err != nil {
			return Ref{}, fmt.Errorf("image reference %q: %w", s, err)
		}
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 && looksLikeRegistry(rest[:i]) {
		r.Registry = rest[:i]
		rest = rest[i+1:]
		if err := checkRegistry(r.Registry); err != nil {
			return Ref{}, fmt.Errorf("image reference %q: %w", s, err)
		}
		if dockerHubHosts[r.Registry] {
			r.Registry = ""
		}
	}
	r.Repository = rest
	if err := checkRepository(r.Repository); err != nil {
		return Ref{}, fmt.Errorf("image reference %q: %w", s, err)
	}
	if len(r.Name()) > maxNameLength {
		return Ref{}, fmt.Errorf("image reference %q: name is longer than %d characters", s, maxNameLength)
	}
	if r.Tag == "" && r.Digest == "" {
		r.Tag = "latest"
	}
	return r, nil
}

// String formats the reference as [registry/]repository[:tag][@digest].
// A Docker Hub repository whose first component would read as a registry
// ("docker.io/ghcr.io/app", "docker.io/localhost/app") keeps "docker.io/" in
// front, so that the string names the same repository.
func (r Ref) String() string {
	var b strings.Builder
	first, _, nested := strings.Cut(r.Repository, "/")
	switch {
	case r.Registry != "":
		b.WriteString(r.Registry)
		b.WriteByte('/')
	case nested && looksLikeRegistry(first):
		b.WriteString("docker.io/")
	}
	b.WriteString(r.Repository)
	if r.Tag != "" {
		b.WriteByte(':')
		b.WriteString(r.Tag)
	}
	if r.Digest != "" {
		b.WriteByte('@')
		b.WriteString(r.Digest)
	}
	return b.String()
}

// Name is registry/repository with Docker Hub spelled out in full
// ("docker.io/library/nginx"): two references name the same repository
// exactly when their Names are equal.
func (r Ref) Name() string {
	if r.Registry == "" || dockerHubHosts[r.Registry] {
		repo := r.Repository
		if !strings.Contains(repo, "/") {
			repo = "library/" + repo
		}
		return "docker.io/" + repo
	}
	return r.Registry + "/" + r.Repository
}

// WithTag returns the reference with its tag replaced and its digest
// dropped, since a digest pins the old content.
func (r Ref) WithTag(tag string) Ref {
	r.Tag = tag
	r.Digest = ""
	return r
}

// CheckTag reports whether tag is a valid image tag: up to 128 characters of
// letters, digits, '_', '.' and '-', not starting with '.' or '-'.
func CheckTag(tag string) error { return checkTag(tag) }
