package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// The CA bundle the program took from its environment reaches every
// client: unused over http://, and named when it fails an https call.
func TestCABundleReachesTheClients(t *testing.T) {
	t.Setenv(awsconfig.CABundleEnv, "") // as Main leaves it
	bundle := filepath.Join(t.TempDir(), "bundle.pem")
	if err := os.WriteFile(bundle, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	em := newManualEmulator(emulator.Options{DefaultCluster: true})
	defer func() { _ = em.Close() }()
	plain := httptest.NewServer(em)
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(em)
	defer tlsSrv.Close()

	run := func(endpoint string) (int, string) {
		var out, errOut bytes.Buffer
		d := runOpts{AWS: awsconfig.Options{CABundle: bundle, MaxAttempts: 1}}.deps(&out, &errOut)
		code := execute(context.Background(), d, []string{"status", "-c", "default", "-n", "nope", "--endpoint-url", endpoint})
		return code, errOut.String()
	}
	if code, errOut := run(plain.URL); code != 2 || !strings.Contains(errOut, "not found") || strings.Contains(errOut, "AWS_CA_BUNDLE") {
		t.Fatalf("over http:// the call must reach the server, whatever the bundle: exit %d: %s", code, errOut)
	}
	if code, errOut := run(tlsSrv.URL); code != 2 || !strings.Contains(errOut, "AWS_CA_BUNDLE: "+bundle+" holds no PEM certificate") {
		t.Fatalf("over https the unusable bundle must be named, exit 2: exit %d: %s", code, errOut)
	}
}
