package fleet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

func noEnv(string) (string, bool) { return "", false }

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadFleetFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "api.yaml", `
service: api
images:
  app: "repo/app:#{Tag}"
env:
  app:
    ENV: "#{Env}"
desiredCount: 2
`)
	path := writeFile(t, dir, "fleet.yaml", `
vars:
  Tag: "1.4"
defaults:
  cluster: prod
  region: eu-west-1
targets:
  migrate:
    run:
      taskDefinition: migrate
      command: ["app=bin/migrate"]
  api:
    spec: api.yaml
    vars:
      Env: production
    desiredCount: 4
  worker:
    region: us-east-1
    tagOnly: "#{Tag}"
  cron:
    service: cron-svc
    images:
      app: "repo/app:#{Tag}-cron"
waves:
  - [migrate]
  - [api, worker]
`)
	f, err := Load(path, vars.Resolver{Vars: map[string]string{"Tag": "1.5"}, LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	waves := f.Plan()
	var got []string
	for _, w := range waves {
		var names []string
		for _, tg := range w {
			names = append(names, tg.Name)
		}
		got = append(got, strings.Join(names, ","))
	}
	if strings.Join(got, " | ") != "migrate | api,worker | cron" {
		t.Fatalf("waves %v: the file's waves, then the targets named nowhere", got)
	}
	byName := map[string]Target{}
	for _, tg := range f.Targets {
		byName[tg.Name] = tg
	}
	api := byName["api"]
	if api.Deploy == nil || api.Deploy.Cluster != "prod" || api.Deploy.Service != "api" || api.Region != "eu-west-1" {
		t.Fatalf("api: defaults fill cluster and region: %+v", api)
	}
	if *api.Deploy.DesiredCount != 4 {
		t.Fatalf("the target's own settings win over its spec file: desiredCount %d", *api.Deploy.DesiredCount)
	}
	if img := api.Deploy.Images; len(img) != 1 || img[0] != (taskdef.ImageChange{Container: "app", Image: "repo/app:1.5"}) {
		t.Fatalf("the command line's Tag wins over the file's: %+v", img)
	}
	if v := api.Deploy.Env["app"]["ENV"]; v != "production" {
		t.Fatalf("the target's vars fill its spec file: %q", v)
	}
	if w := byName["worker"]; w.Region != "us-east-1" || w.Deploy.Service != "worker" || *w.Deploy.TagOnly != "1.5" {
		t.Fatalf("worker: its own region; the service defaults to the target's name: %+v", w)
	}
	if c := byName["cron"]; c.Deploy.Service != "cron-svc" {
		t.Fatalf("cron: %+v", c.Deploy)
	}
	if m := byName["migrate"]; m.Run == nil || m.Run.Cluster != "prod" || m.Deploy != nil {
		t.Fatalf("migrate is a run step with the default cluster: %+v", m)
	}
}

func TestLoadFleetFileProblems(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"unknown field", "targets:\n  api: {cluster: c}\nwavez: []\n", []string{"wavez"}},
		{"unknown target field", "targets:\n  api: {cluster: c, imagez: {}}\n", []string{"imagez"}},
		{"unknown wave member", "targets:\n  api: {cluster: c}\nwaves: [[api, nope]]\n", []string{`"nope" is not a target`}},
		{"target in two waves", "targets:\n  api: {cluster: c}\nwaves: [[api], [api]]\n", []string{"already in wave 1"}},
		{"duplicate target", "targets:\n  api: {cluster: c}\n  api: {cluster: d}\n", []string{"api"}},
		{"no targets", "waves: []\n", []string{"at least one target"}},
		{"run and deploy", "targets:\n  m: {cluster: c, tagOnly: x, run: {cluster: c, taskDefinition: t}}\n", []string{"not both"}},
		{"run without source", "targets:\n  m: {run: {cluster: c}}\n", []string{"exactly one of taskDefinition and service"}},
		{"bad policy", "targets:\n  api: {cluster: c}\nonFailure: panic\n", []string{"onFailure"}},
		{"unresolved variable", "targets:\n  api: {cluster: c, tagOnly: \"#{Tag}\"}\n", []string{"Tag"}},
		{"missing spec file", "targets:\n  api: {cluster: c, spec: nope.yaml}\n", []string{"nope.yaml"}},
		{"syntax", "targets:\n  api: {cluster: c\n", []string{"line"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "fleet.yaml", c.text)
			_, err := Load(path, vars.Resolver{LookupEnv: noEnv})
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestLoadFleetFileDefaultCluster: a target that names no cluster, with no
// defaults.cluster, is in ECS's default cluster, as for every command; one
// that names an empty cluster (an unset variable) is refused.
func TestLoadFleetFileDefaultCluster(t *testing.T) {
	dir := t.TempDir()
	empty := writeFile(t, dir, "empty.yaml", "targets:\n  web: {cluster: \"#{Cluster}\"}\n")
	if _, err := Load(empty, vars.Resolver{Vars: map[string]string{"Cluster": ""}, LookupEnv: noEnv}); err == nil || !strings.Contains(err.Error(), "targets.web.cluster: empty") {
		t.Fatalf("an empty cluster: %v", err)
	}
	path := writeFile(t, dir, "fleet.yaml", "targets:\n  api: {service: x}\n  job: {run: {taskDefinition: job}}\n")
	f, err := Load(path, vars.Resolver{LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tg := range f.Targets {
		if tg.Run != nil {
			got[tg.Name] = tg.Run.Cluster
		} else {
			got[tg.Name] = tg.Deploy.Cluster
		}
	}
	if got["api"] != "default" || got["job"] != "default" {
		t.Fatalf("clusters %v, want api and job in default", got)
	}
}

func TestCheckSize(t *testing.T) {
	// The limit is named where the caller says to give it: a flag, or the
	// file's key.
	if err := CheckSize(501, 0, exitcode.FlagOrigin("--max-parallel")); err == nil || !strings.Contains(err.Error(), "give --max-parallel N") {
		t.Fatalf("501 targets without a limit: %v", err)
	}
	if err := CheckSize(501, 0, exitcode.FieldOrigin("maxParallel")); err == nil || !strings.Contains(err.Error(), "give maxParallel N") {
		t.Fatalf("501 targets without a limit, no flag: %v", err)
	}
	none := exitcode.FieldOrigin("maxParallel")
	if CheckSize(501, 20, none) != nil || CheckSize(500, 0, none) != nil {
		t.Fatal("a limit, or 500 targets, is fine")
	}
}
