package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// #{ | NowDate} reads the command's clock: on the local ECS's manual
// clock, the emulated date, in a flag and in a spec file alike.
func TestLocalNowDateUsesTheCommandClock(t *testing.T) {
	t.Parallel()
	l := newLocalECS(t, nil)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1})
	l.em.Advance(400 * 24 * time.Hour) // far from the wall clock's date
	want := "registry.example.com/app:" + l.em.Now().UTC().Format("20060102-1504")
	code, _, _ := l.run(t, deployArgs("-i", "app=registry.example.com/app:#{ | NowDateUtc yyyyMMdd-HHmm}")...)
	if got := l.image(t, aws.ToString(l.service(t).TaskDefinition)); code != 0 || got != want {
		t.Fatalf("exit %d, image %s, want %s", code, got, want)
	}
	spec := filepath.Join(t.TempDir(), "deploy.yaml")
	mustWrite(t, spec, `cluster: c
service: web
images: {app: 'registry.example.com/app:#{ | NowDateUtc yyyy | Replace "^(?<century>\d\d)" "c${century}-"}'}
`)
	code, _, stderr := l.run(t, "deploy", "-f", spec, "--output", "json")
	year := l.em.Now().UTC().Format("2006")
	if got := l.image(t, aws.ToString(l.service(t).TaskDefinition)); code != 0 || !strings.HasSuffix(got, ":c"+year[:2]+"-"+year[2:]) {
		t.Fatalf("exit %d, image %s, want the tag c%s-%s\n%s", code, got, year[:2], year[2:], stderr)
	}
}
