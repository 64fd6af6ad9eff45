package awsconfig

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// CABundleEnv is the environment variable naming a PEM file of the
// certificate authorities to trust for TLS connections to AWS.
const CABundleEnv = "AWS_CA_BUNDLE"

// TakeCABundleEnv removes AWS_CA_BUNDLE from the process's environment and
// returns its value, to be given to Load as Options.CABundle. The SDK, which
// reads the variable itself, parses every certificate of the bundle while
// loading the configuration, before the first call and even when no TLS
// connection is ever made (an http:// endpoint, the local ECS); Load with
// Options.CABundle parses it on the first TLS connection instead. Call it
// once, first thing in main, before other goroutines read the environment.
// ecsdeploy starts no other programs, so none misses the variable.
func TakeCABundleEnv() string {
	v, ok := os.LookupEnv(CABundleEnv)
	if ok {
		_ = os.Unsetenv(CABundleEnv)
	}
	return v
}

// caBundleClient is the HTTP client of a configuration with a CA bundle: it
// sends requests that make no TLS connection (an http:// endpoint through no
// https:// proxy) with the SDK's default client, and the others with a copy
// whose trusted roots are the bundle's, which it builds on the first such
// request. That copy is what the SDK itself builds for AWS_CA_BUNDLE: the
// bundle's certificates and no others.
type caBundleClient struct {
	path  string
	plain *awshttp.BuildableClient

	once    sync.Once
	withCAs *awshttp.BuildableClient
	err     error
}

func newCABundleClient(path string) *caBundleClient {
	return &caBundleClient{path: path, plain: awshttp.NewBuildableClient()}
}

// Do implements aws.HTTPClient.
func (c *caBundleClient) Do(req *http.Request) (*http.Response, error) {
	if !c.usesTLS(req) {
		return c.plain.Do(req)
	}
	c.once.Do(c.load)
	if c.err != nil {
		return nil, c.err
	}
	return c.withCAs.Do(req)
}

// usesTLS reports whether sending req makes a TLS connection: to an https
// endpoint, or to an https proxy.
func (c *caBundleClient) usesTLS(req *http.Request) bool {
	if req.URL.Scheme != "http" {
		return true
	}
	tr := c.plain.GetTransport()
	if tr.Proxy == nil {
		return false
	}
	proxy, err := tr.Proxy(req)
	return err != nil || (proxy != nil && proxy.Scheme != "http")
}

func (c *caBundleClient) load() {
	pool, err := caBundlePool(c.path)
	if err != nil {
		c.err = err
		return
	}
	c.withCAs = c.plain.WithTransportOptions(func(tr *http.Transport) {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{}
		}
		tr.TLSClientConfig.RootCAs = pool
	})
}

// caBundlePool reads and parses the bundle at path, as the SDK does for
// AWS_CA_BUNDLE: a pool of the bundle's certificates and no others.
func caBundlePool(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, newCABundleError("%s: read the CA bundle: %w", CABundleEnv, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, newCABundleError("%s: %s holds no PEM certificate; point it at a file of PEM \"CERTIFICATE\" blocks, or unset it", CABundleEnv, path)
	}
	return pool, nil
}

// caBundleError is a CA bundle that cannot be used: invalid input (exit 2),
// as when the SDK refused it while loading, and no retry of the call (by
// the SDK or by a wait loop) can mend it.
type caBundleError struct{ err error }

func newCABundleError(format string, args ...any) caBundleError {
	return caBundleError{exitcode.With(exitcode.Invalid, fmt.Errorf(format, args...))}
}

func (e caBundleError) Error() string        { return e.err.Error() }
func (e caBundleError) Unwrap() error        { return e.err }
func (e caBundleError) RetryableError() bool { return false }

// lazyCABundleAllowed reports whether cfg, loaded with a caBundleClient,
// behaves as with the SDK's own client. Each service client adjusts an SDK
// client (*awshttp.BuildableClient) to the defaults mode and, when asked
// for, to the service's read timeout, and leaves any other client alone: so
// when either applies, the bundle is handed back to the SDK.
func lazyCABundleAllowed(cfg aws.Config) bool {
	legacy := cfg.DefaultsMode == "" || cfg.DefaultsMode == aws.DefaultsModeLegacy
	return legacy && os.Getenv("AWS_ENABLE_DEFAULT_SOCKET_TIMEOUT_2026") != "true"
}

// lazyCABundle returns the HTTP client that parses the bundle at path on the
// first TLS connection; an error when the file cannot be opened now.
func lazyCABundle(path string) (aws.HTTPClient, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	_ = f.Close()
	return newCABundleClient(path), nil
}
