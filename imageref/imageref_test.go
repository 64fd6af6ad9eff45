package imageref

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	tests := []struct {
		in   string
		want Ref
		name string // expected Name()
		str  string // expected String(); "" means in
	}{
		{"nginx", Ref{Repository: "nginx", Tag: "latest"}, "docker.io/library/nginx", "nginx:latest"},
		{"nginx:1.25", Ref{Repository: "nginx", Tag: "1.25"}, "docker.io/library/nginx", ""},
		{"library/nginx:1.25", Ref{Repository: "library/nginx", Tag: "1.25"}, "docker.io/library/nginx", ""},
		{"docker.io/library/nginx:1", Ref{Repository: "library/nginx", Tag: "1"}, "docker.io/library/nginx", "library/nginx:1"},
		{"docker.io/ghcr.io/app:1", Ref{Repository: "ghcr.io/app", Tag: "1"}, "docker.io/ghcr.io/app", "docker.io/ghcr.io/app:1"},
		{"index.docker.io/localhost/app", Ref{Repository: "localhost/app", Tag: "latest"}, "docker.io/localhost/app", "docker.io/localhost/app:latest"},
		{"index.docker.io/bitnami/redis", Ref{Repository: "bitnami/redis", Tag: "latest"}, "docker.io/bitnami/redis", "bitnami/redis:latest"},
		{"localhost/app", Ref{Registry: "localhost", Repository: "app", Tag: "latest"}, "localhost/app", "localhost/app:latest"},
		{"localhost:5000/app:dev", Ref{Registry: "localhost:5000", Repository: "app", Tag: "dev"}, "localhost:5000/app", ""},
		{"registry.example.com:8443/team/sub/app:v1.2.3", Ref{Registry: "registry.example.com:8443", Repository: "team/sub/app", Tag: "v1.2.3"}, "registry.example.com:8443/team/sub/app", ""},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:2024-01-01_abc",
			Ref{Registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", Repository: "team/api", Tag: "2024-01-01_abc"},
			"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api", ""},
		{"public.ecr.aws/nginx/nginx@" + digest, Ref{Registry: "public.ecr.aws", Repository: "nginx/nginx", Digest: digest}, "public.ecr.aws/nginx/nginx", ""},
		{"ghcr.io/org/app:1.0@" + digest, Ref{Registry: "ghcr.io", Repository: "org/app", Tag: "1.0", Digest: digest}, "ghcr.io/org/app", ""},
		{"[::1]:5000/app:x", Ref{Registry: "[::1]:5000", Repository: "app", Tag: "x"}, "[::1]:5000/app", ""},
		{"127.0.0.1:5000/a/b", Ref{Registry: "127.0.0.1:5000", Repository: "a/b", Tag: "latest"}, "127.0.0.1:5000/a/b", "127.0.0.1:5000/a/b:latest"},
		{"my-org/my_app__x.y-z", Ref{Repository: "my-org/my_app__x.y-z", Tag: "latest"}, "docker.io/my-org/my_app__x.y-z", "my-org/my_app__x.y-z:latest"},
		{"a---b:TAG_1", Ref{Repository: "a---b", Tag: "TAG_1"}, "docker.io/library/a---b", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			if got.Name() != tt.name {
				t.Errorf("Name() = %q, want %q", got.Name(), tt.name)
			}
			wantStr := tt.str
			if wantStr == "" {
				wantStr = tt.in
			}
			if got.String() != wantStr {
				t.Errorf("String() = %q, want %q", got.String(), wantStr)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"", "empty"},
		{" nginx", "spaces"},
		{"Nginx", "lowercase"},
		{"org/App:1", "lowercase"},
		{"nginx:", "empty tag"},
		{"nginx:-x", "must not start"},
		{"nginx:" + strings.Repeat("a", 129), "longer than 128"},
		{"nginx:a/b", "port"}, // the ':' comes before a '/', so "nginx:a" is read as a registry with a bad port
		{"nginx@sha256:abc", "too short"},
		{"nginx@sha256:" + strings.Repeat("A", 64), "hex"},
		{"nginx@sha256:" + strings.Repeat("a", 63), "64 hex"},
		{"nginx@", "digest"},
		{"reg.io:0/app", "port"},
		{"reg.io:99999/app", "port"},
		{"reg.io:/app", "empty port"},
		{"-reg.io/app", "starts or ends"},
		{"reg..io/app", "empty label"},
		{"reg.io/", "empty repository"},
		{"reg.io//app", "empty path"},
		{"a_b_c.d___e", "two '_'"},
		{"app.", "start and end"},
		{"a/.b", "start and end"},
		{"a.-b", "'.' must be followed"},
		{"[::1/app", "unclosed"},
		{"[zz]:1/app", "not an IP"},
		{"reg.io/" + strings.Repeat("a", 250), "longer than 255"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want an error containing %q", tt.in, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Parse(%q) error %q does not contain %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestWithTagDropsDigest(t *testing.T) {
	r, err := Parse("ghcr.io/org/app:1@sha256:" + strings.Repeat("0", 64))
	if err != nil {
		t.Fatal(err)
	}
	got := r.WithTag("2").String()
	if got != "ghcr.io/org/app:2" {
		t.Fatalf("WithTag = %q", got)
	}
}

func TestSameRepository(t *testing.T) {
	same := [][2]string{
		{"nginx", "docker.io/library/nginx:1"},
		{"nginx:1", "index.docker.io/library/nginx@sha256:" + strings.Repeat("1", 64)},
		{"reg.io:5000/a/b:1", "reg.io:5000/a/b:2"},
	}
	different := [][2]string{
		{"reg.io:5000/a/b", "reg.io:5001/a/b"},
		{"reg.io/a/b", "reg.io/a/b/c"},
		{"org/app", "ghcr.io/org/app"},
	}
	for _, p := range same {
		a, b := mustParse(t, p[0]), mustParse(t, p[1])
		if a.Name() != b.Name() {
			t.Errorf("%q and %q should be the same repository: %q vs %q", p[0], p[1], a.Name(), b.Name())
		}
	}
	for _, p := range different {
		a, b := mustParse(t, p[0]), mustParse(t, p[1])
		if a.Name() == b.Name() {
			t.Errorf("%q and %q should be different repositories, both %q", p[0], p[1], a.Name())
		}
	}
}

func mustParse(t *testing.T, s string) Ref {
	t.Helper()
	r, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return r
}

// FuzzParse checks that whatever parses formats back to a reference that
// parses to the same value, and that Name is stable.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"nginx", "nginx:1.25", "docker.io/library/nginx", "localhost:5000/a/b:c",
		"123456789012.dkr.ecr.us-east-1.amazonaws.com/x/y@sha256:" + strings.Repeat("f", 64),
		"[::1]:5000/app:x", "a__b/c---d:e", "reg.io:/x", "@", ":", "/", "a:b:c", "a@b@c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(r.String())
		if err != nil {
			t.Fatalf("Parse(%q) = %#v whose String %q does not parse: %v", s, r, r.String(), err)
		}
		if again != r {
			t.Fatalf("round trip of %q: %#v then %#v", s, r, again)
		}
		if r.Tag == "" && r.Digest == "" {
			t.Fatalf("Parse(%q) has neither tag nor digest", s)
		}
		// A rewrite keeps the registry and path exactly, as written out and
		// read back: what a task definition will hold.
		w, err := Parse(r.WithTag("t").String())
		if err != nil {
			t.Fatalf("WithTag of %q gives %q, which does not parse: %v", s, r.WithTag("t").String(), err)
		}
		if w.Name() != r.Name() || w.Tag != "t" || w.Digest != "" {
			t.Fatalf("WithTag of %q gives %q: name %q, want %q", s, r.WithTag("t").String(), w.Name(), r.Name())
		}
		if again.Name() != r.Name() || again.Digest != r.Digest {
			t.Fatalf("String of %q, %q, names %q@%q, want %q@%q", s, r.String(), again.Name(), again.Digest, r.Name(), r.Digest)
		}
	})
}
