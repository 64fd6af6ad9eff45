package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestSettingFlagsAreFlags: every field the command line names by its flag
// maps to a flag the commands declare, so a hint never names a flag that
// does not exist.
func TestSettingFlagsAreFlags(t *testing.T) {
	t.Parallel()
	declared := map[string]bool{}
	var visit func(*cobra.Command)
	visit = func(cmd *cobra.Command) {
		cmd.Flags().VisitAll(func(f *pflag.Flag) { declared["--"+f.Name] = true })
		for _, c := range cmd.Commands() {
			visit(c)
		}
	}
	visit(NewRootCmd(runOpts{}.deps(io.Discard, io.Discard)))
	for field, flag := range settingFlags {
		if !declared[flag] {
			t.Errorf("settingFlags[%q] = %q, which no command declares", field, flag)
		}
		if got := settingOrigin(field).Name(); got != flag {
			t.Errorf("settingOrigin(%q) names %q, want %q", field, got, flag)
		}
	}
	if got := settingOrigin("nosuch").Name(); got != "nosuch" {
		t.Errorf("a field without a flag is named %q, want its own name", got)
	}
}

// TestLocalStrategyOnCodeDeployServiceNamesCodeDeployFlags: ECS's
// strategies cannot run on a CODE_DEPLOY service; the problem is reported
// where the strategy was given (the flag, or the spec's line) and names the
// flags that deploy through CodeDeploy instead.
func TestLocalStrategyOnCodeDeployServiceNamesCodeDeployFlags(t *testing.T) {
	t.Parallel()
	e := newCodeDeployECS(t, nil)
	const hint = "(its traffic is shifted by CodeDeploy: use --codedeploy-deployment-group, --deployment-config and --hook)"
	code, _, stderr := e.run(t, "deploy", "-c", "c", "-n", "web", "-i", "app=web:2", "--strategy", "canary")
	if code != 2 || !strings.Contains(stderr, "--strategy: service web uses the CODE_DEPLOY deployment controller") || !strings.Contains(stderr, hint) {
		t.Fatalf("--strategy canary: exit %d, %s", code, stderr)
	}
	path := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(path, []byte("cluster: c\nservice: web\nstrategy: canary\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = e.run(t, "deploy", "-f", path, "-i", "app=web:2")
	if code != 2 || !strings.Contains(stderr, path+":3: strategy: service web uses the CODE_DEPLOY deployment controller") || !strings.Contains(stderr, hint) {
		t.Fatalf("strategy: canary in a spec: exit %d, %s", code, stderr)
	}
}
