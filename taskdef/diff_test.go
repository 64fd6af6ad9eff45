package taskdef

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestDiffIdenticalAndReordered(t *testing.T) {
	a := sampleInput()
	if d := Diff(a, sampleInput(), DiffOptions{}); d != "" {
		t.Fatalf("identical inputs differ:\n%s", d)
	}
	b := sampleInput()
	// Reverse containers, environment and tags: the same task definition.
	cds := b.ContainerDefinitions
	cds[0], cds[2] = cds[2], cds[0]
	e := cds[2].Environment
	e[0], e[1] = e[1], e[0]
	b.Tags = append([]types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}, b.Tags...)
	a.Tags = append(a.Tags, types.Tag{Key: aws.String("a"), Value: aws.String("1")})
	if d := Diff(a, b, DiffOptions{}); d != "" {
		t.Fatalf("reordered inputs differ:\n%s", d)
	}
}

func TestDiffMasksEnvironmentValues(t *testing.T) {
	old := sampleInput()
	new := sampleInput()
	if _, err := Apply(new, Changes{
		Images: []ImageChange{{Container: "worker", Image: "nginx:2"}},
		Env:    []KeyValueChange{{Container: "web", Key: "MODE", Value: "s3cr3t-new"}, {Container: "web", Key: "ADDED", Value: "visible-if-shown"}},
	}); err != nil {
		t.Fatal(err)
	}
	d := Diff(old, new, DiffOptions{OldName: "web:7", NewName: "web:8 (new)"})
	want := `--- web:7
+++ web:8 (new)
@@ -3,7 +3,8 @@
     image: "envoyproxy/envoy:v1.30@sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
   web:
     environment:
-      MODE: "*** (old value)"
+      ADDED: "***"
+      MODE: "*** (new value)"
       OLD: "***"
     environmentFiles:
       - type: "s3"
@@ -12,7 +13,7 @@
     secrets:
       DB: "arn:aws:ssm:us-east-1:123456789012:parameter/db"
   worker:
-    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:1.0"
+    image: "nginx:2"
 family: "web"
 tags:
   team: "core"
`
	if d != want {
		t.Errorf("diff =\n%s\nwant\n%s", d, want)
	}
	for _, secret := range []string{"s3cr3t-new", "prod", "visible-if-shown"} {
		if strings.Contains(d, secret) {
			t.Fatalf("masked diff shows %q:\n%s", secret, d)
		}
	}
	for _, must := range []string{"--- web:7", "+++ web:8 (new)", `-      MODE: "*** (old value)"`, `+      MODE: "*** (new value)"`,
		`+      ADDED: "***"`, `+    image: "nginx:2"`, `       OLD: "***"`} {
		if !strings.Contains(d, must) {
			t.Errorf("diff lacks %q:\n%s", must, d)
		}
	}
	shown := Diff(old, new, DiffOptions{ShowValues: true})
	for _, must := range []string{`-      MODE: "prod"`, `+      MODE: "s3cr3t-new"`, `+      ADDED: "visible-if-shown"`} {
		if !strings.Contains(shown, must) {
			t.Errorf("diff with values lacks %q:\n%s", must, shown)
		}
	}
	// Secrets' references are shown: they are not the secret.
	withSecret := sampleInput()
	withSecret.ContainerDefinitions[0].Secrets[0].ValueFrom = aws.String("/other")
	if d := Diff(old, withSecret, DiffOptions{}); !strings.Contains(d, `+      DB: "/other"`) {
		t.Errorf("secret reference change not shown:\n%s", d)
	}
}

func TestDiffHunks(t *testing.T) {
	// Hunk headers follow the unified format: 1-based starts, counts, and
	// hunks merged when their context overlaps.
	a := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"}
	b := append([]string{}, a...)
	b[1] = "two"
	b[14] = "fifteen"
	got := unifiedDiff(a, b, "a", "b", 3)
	want := "--- a\n+++ b\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n@@ -12,5 +12,5 @@\n 12\n 13\n 14\n-15\n+fifteen\n 16\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	b2 := append([]string{}, a...)
	b2[1], b2[6] = "two", "seven"
	got = unifiedDiff(a, b2, "a", "b", 2)
	if strings.Count(got, "@@ -") != 1 {
		t.Fatalf("close changes should share a hunk:\n%s", got)
	}
	got = unifiedDiff([]string{}, []string{"x"}, "a", "b", 3)
	if got != "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n" {
		t.Fatalf("insertion into empty: %q", got)
	}
	got = unifiedDiff([]string{"x", "y"}, []string{}, "a", "b", 3)
	if got != "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y\n" {
		t.Fatalf("deletion of all: %q", got)
	}
}

func TestDiffEditScriptIsMinimal(t *testing.T) {
	cases := [][2]string{
		{"abcabba", "cbabac"}, {"", "abc"}, {"abc", ""}, {"same", "same"}, {"kitten", "sitting"},
	}
	for _, c := range cases {
		a, b := strings.Split(c[0], ""), strings.Split(c[1], "")
		if c[0] == "" {
			a = nil
		}
		if c[1] == "" {
			b = nil
		}
		ops := editScript(a, b)
		var ra, rb []string
		edits := 0
		for _, op := range ops {
			if op.kind != '+' {
				ra = append(ra, op.text)
			}
			if op.kind != '-' {
				rb = append(rb, op.text)
			}
			if op.kind != ' ' {
				edits++
			}
		}
		if strings.Join(ra, "") != c[0] || strings.Join(rb, "") != c[1] {
			t.Errorf("%v: script does not rebuild both sides", c)
		}
		if want := len(a) + len(b) - 2*lcs(a, b); edits != want {
			t.Errorf("%v: %d edits, minimal is %d", c, edits, want)
		}
	}
}

func lcs(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				dp[i][j] = dp[i-1][j-1] + 1
			} else {
				dp[i][j] = max(dp[i-1][j], dp[i][j-1])
			}
		}
	}
	return dp[len(a)][len(b)]
}

func TestDiffNilSides(t *testing.T) {
	in := &ecs.RegisterTaskDefinitionInput{Family: aws.String("f")}
	if d := Diff(nil, in, DiffOptions{}); !strings.Contains(d, `+family: "f"`) {
		t.Fatalf("diff from nothing:\n%s", d)
	}
	if d := Diff(in, nil, DiffOptions{}); !strings.Contains(d, `-family: "f"`) {
		t.Fatalf("diff to nothing:\n%s", d)
	}
}

func BenchmarkDiff(b *testing.B) {
	old := sampleInput()
	for i := 0; i < 40; i++ {
		old.ContainerDefinitions[0].Environment = append(old.ContainerDefinitions[0].Environment,
			types.KeyValuePair{Name: aws.String("K" + string(rune('A'+i%26)) + string(rune('a'+i/26))), Value: aws.String("v")})
	}
	new := CloneInput(old)
	new.ContainerDefinitions[1].Image = aws.String("nginx:2")
	b.ReportAllocs()
	for b.Loop() {
		_ = Diff(old, new, DiffOptions{})
	}
}
