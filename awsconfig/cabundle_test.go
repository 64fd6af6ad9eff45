package awsconfig

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/transient"
)

// isolateCAEnv is isolateEnv with AWS_CA_BUNDLE out of the environment, as
// TakeCABundleEnv leaves it, and static credentials for a real endpoint.
func isolateCAEnv(t *testing.T) {
	t.Helper()
	isolateEnv(t)
	t.Setenv(CABundleEnv, "")
	t.Setenv("AWS_DEFAULTS_MODE", "")
	t.Setenv("AWS_ENABLE_DEFAULT_SOCKET_TIMEOUT_2026", "")
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// certPEM is the PEM of the certificate srv presents (self-signed, so it
// is its own authority).
func certPEM(srv *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

// listClusters calls ListClusters at endpoint with bundle as the CA bundle.
// With a log it keeps the default retries, and logs every attempt;
// without, it makes one attempt (a failed TLS verification is retried).
func listClusters(t *testing.T, bundle, endpoint string, log *strings.Builder) error {
	t.Helper()
	o := Options{Region: "us-east-1", EndpointURL: endpoint, CABundle: bundle, AccessKey: "AKIDTEST", SecretKey: "secret", MaxAttempts: 1}
	if log != nil {
		o.Log, o.MaxAttempts = log, 0
	}
	cfg, err := Load(context.Background(), o)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	_, err = NewClients(cfg).ECS.ListClusters(context.Background(), &ecs.ListClustersInput{})
	return err
}

func TestCABundleIsNotReadForPlainHTTP(t *testing.T) {
	isolateCAEnv(t)
	srv := httptest.NewServer(&fakeECS{})
	defer srv.Close()
	// Not a bundle at all: the SDK would refuse it while loading. Over
	// http:// no TLS connection is made, so it is never parsed.
	bundle := writeFile(t, "bundle.pem", []byte("not a certificate"))
	if err := listClusters(t, bundle, srv.URL, nil); err != nil {
		t.Fatalf("an http:// endpoint must not need the CA bundle: %v", err)
	}
}

func TestCABundleVerifiesHTTPS(t *testing.T) {
	isolateCAEnv(t)
	srv := httptest.NewTLSServer(&fakeECS{})
	defer srv.Close()
	other := httptest.NewTLSServer(http.NotFoundHandler())
	defer other.Close()

	trusted := writeFile(t, "trusted.pem", certPEM(srv))
	if err := listClusters(t, trusted, srv.URL, nil); err != nil {
		t.Fatalf("an endpoint whose authority is in the bundle: %v", err)
	}

	// Only the bundle's authorities are trusted.
	otherCA := writeFile(t, "other.pem", selfSignedCAPEM(t))
	err := listClusters(t, otherCA, srv.URL, nil)
	var verify *tls.CertificateVerificationError
	if !errors.As(err, &verify) {
		t.Fatalf("an endpoint whose authority is not in the bundle must fail verification, got %v", err)
	}
}

// selfSignedCAPEM is a certificate authority of its own, which signed no
// server's certificate.
func selfSignedCAPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "unrelated test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestUnusableCABundleIsInvalidInputAndNotRetried(t *testing.T) {
	isolateCAEnv(t)
	fake := &fakeECS{}
	srv := httptest.NewTLSServer(fake)
	defer srv.Close()
	bundle := writeFile(t, "bundle.pem", []byte("not a certificate"))
	var log strings.Builder
	err := listClusters(t, bundle, srv.URL, &log)
	if err == nil {
		t.Fatal("an https call with an unusable CA bundle must fail")
	}
	if !strings.Contains(err.Error(), "AWS_CA_BUNDLE") || !strings.Contains(err.Error(), bundle) {
		t.Fatalf("the error must name AWS_CA_BUNDLE and the file: %v", err)
	}
	if code := exitcode.Of(err); code != exitcode.Invalid {
		t.Fatalf("exit code %d, want %d (invalid input)", code, exitcode.Invalid)
	}
	if transient.Is(err) {
		t.Fatalf("an unusable CA bundle must not count as transient: %v", err)
	}
	if n := strings.Count(log.String(), "aws: ECS.ListClusters"); n != 1 {
		t.Fatalf("logged %d attempts, want 1 (no retry):\n%s", n, log.String())
	}
	if fake.attempts.Load() != 0 {
		t.Fatal("no request may reach the server")
	}
}

func TestMissingCABundleFailsLoadAsTheSDKDoes(t *testing.T) {
	isolateCAEnv(t)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	_, err := Load(context.Background(), Options{Region: "us-east-1", CABundle: missing})
	if err == nil {
		t.Fatal("a CA bundle that cannot be read must fail the load")
	}
	// The SDK's own error for the same AWS_CA_BUNDLE.
	t.Setenv(CABundleEnv, missing)
	_, sdkErr := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"))
	if sdkErr == nil || err.Error() != "load AWS configuration: "+sdkErr.Error() {
		t.Fatalf("error %q, want the SDK's %v", err, sdkErr)
	}
}

func TestCABundleWithDefaultsModeIsTheSDKs(t *testing.T) {
	isolateCAEnv(t)
	t.Setenv("AWS_DEFAULTS_MODE", "standard")
	srv := httptest.NewTLSServer(&fakeECS{})
	defer srv.Close()
	bundle := writeFile(t, "trusted.pem", certPEM(srv))
	cfg, err := Load(context.Background(), Options{Region: "us-east-1", EndpointURL: srv.URL, CABundle: bundle,
		AccessKey: "AKIDTEST", SecretKey: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.HTTPClient.(*awshttp.BuildableClient); !ok {
		t.Fatalf("with a defaults mode the SDK's client must be kept (it is adjusted per service), got %T", cfg.HTTPClient)
	}
	if _, err := NewClients(cfg).ECS.ListClusters(context.Background(), &ecs.ListClustersInput{}); err != nil {
		t.Fatalf("https with the bundle handed to the SDK: %v", err)
	}
}

// TestSDKLeavesDefaultClientAlone guards lazyCABundleAllowed: in the legacy
// defaults mode the SDK's service clients do not adjust its default client,
// so a client of our own loses nothing. Should an SDK upgrade start
// adjusting it (a read timeout per service, say), this fails.
func TestSDKLeavesDefaultClientAlone(t *testing.T) {
	isolateCAEnv(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	if !lazyCABundleAllowed(cfg) {
		t.Fatalf("defaults mode %q", cfg.DefaultsMode)
	}
	client, ok := ecs.NewFromConfig(cfg).Options().HTTPClient.(*awshttp.BuildableClient)
	if !ok {
		t.Fatal("the ECS client does not hold the SDK's default client")
	}
	if timeout, ok := client.GetReadTimeout(); ok {
		t.Fatalf("the ECS client sets a read timeout of %v", timeout)
	}
	if d := client.GetDialer(); d.Timeout != awshttp.DefaultDialConnectTimeout {
		t.Fatalf("the ECS client sets a connect timeout of %v", d.Timeout)
	}
	if tr := client.GetTransport(); tr.TLSHandshakeTimeout != awshttp.DefaultHTTPTransportTLSHandleshakeTimeout {
		t.Fatalf("the ECS client sets a TLS handshake timeout of %v", tr.TLSHandshakeTimeout)
	}
}

func TestTakeCABundleEnv(t *testing.T) {
	t.Setenv(CABundleEnv, "/some/bundle.pem")
	if got := TakeCABundleEnv(); got != "/some/bundle.pem" {
		t.Fatalf("took %q", got)
	}
	if _, ok := os.LookupEnv(CABundleEnv); ok {
		t.Fatal("AWS_CA_BUNDLE is still in the environment")
	}
	if got := TakeCABundleEnv(); got != "" {
		t.Fatalf("took %q the second time", got)
	}
}

func TestUnsentRequestIsNotAConnectionFault(t *testing.T) {
	err := &smithyhttp.RequestSendError{Err: newCABundleError("AWS_CA_BUNDLE: bad")}
	if transient.Connection(err) {
		t.Fatal("a request that will never be sent is not a connection fault")
	}
	if !transient.Connection(&smithyhttp.RequestSendError{Err: errors.New("dial tcp: connection refused")}) {
		t.Fatal("a failed send is a connection fault")
	}
}

// AWS_CA_BUNDLE comes before a profile's ca_bundle, as in the SDK.
func TestCABundleBeforeProfileCABundle(t *testing.T) {
	isolateCAEnv(t)
	srv := httptest.NewTLSServer(&fakeECS{})
	defer srv.Close()
	profileCA := writeFile(t, "profile.pem", selfSignedCAPEM(t))
	configFile := writeFile(t, "config", []byte("[default]\nca_bundle = "+profileCA+"\n"))
	t.Setenv("AWS_CONFIG_FILE", configFile)
	bundle := writeFile(t, "trusted.pem", certPEM(srv))
	if err := listClusters(t, bundle, srv.URL, nil); err != nil {
		t.Fatalf("the bundle given must be the one trusted: %v", err)
	}
}

// Calls that start together all wait for the one parse of the bundle.
func TestCABundleConcurrentFirstCalls(t *testing.T) {
	isolateCAEnv(t)
	srv := httptest.NewTLSServer(&fakeECS{})
	defer srv.Close()
	bundle := writeFile(t, "trusted.pem", certPEM(srv))
	cfg, err := Load(context.Background(), Options{Region: "us-east-1", EndpointURL: srv.URL, CABundle: bundle,
		AccessKey: "AKIDTEST", SecretKey: "secret", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	client := NewClients(cfg).ECS
	errs := make(chan error, 8)
	for range cap(errs) {
		go func() {
			_, err := client.ListClusters(context.Background(), &ecs.ListClustersInput{})
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
