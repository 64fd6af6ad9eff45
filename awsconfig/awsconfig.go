// Package awsconfig is the one place that knows how ecsdeploy reaches AWS:
// the SDK's credential chain, region and profile, an assumed role, a custom
// endpoint (AWS_ENDPOINT_URL or --endpoint-url), the in-process local ECS,
// retries that back off on throttling, and redacted logging of API calls.
package awsconfig

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// LocalEndpoint is the base URL the SDK is given when requests go to the
// in-process local ECS; nothing listens on it, the transport answers in-process.
const LocalEndpoint = "http://local.ecsdeploy.invalid"

// Options says how to reach AWS. The zero value uses the SDK's defaults.
type Options struct {
	Region        string
	Profile       string
	AssumeRoleARN string
	ExternalID    string
	EndpointURL   string // overrides AWS_ENDPOINT_URL when set
	AccessKey     string // discouraged: the environment or a profile is safer
	SecretKey     string
	SessionToken  string

	// Handler, when set, answers every request in-process (the embedded
	// local ECS); no network connection is made.
	Handler http.Handler

	// MaxAttempts bounds the SDK's retries; 0 means the default (8 here,
	// since deploys should ride out throttling storms). Against moto set 1:
	// its 500s are not safe to retry.
	MaxAttempts int

	// Log, when set, receives one line per API call attempt, credentials redacted.
	Log io.Writer

	// Calls, when set, counts the API calls made.
	Calls *CallCounter

	// CABundle is the AWS_CA_BUNDLE the program took out of its environment
	// with TakeCABundleEnv: a PEM file of the certificate authorities to
	// trust, read and parsed on the first TLS connection rather than while
	// loading. Empty: the SDK's own handling of AWS_CA_BUNDLE.
	CABundle string
}

// DefaultMaxAttempts is the retry budget per call: enough to ride out a
// throttling storm with exponential backoff, not so much that a broken
// endpoint stalls a deploy for minutes.
const DefaultMaxAttempts = 8

// Load builds an aws.Config from the options and the SDK's credential chain.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	var loaders []func(*config.LoadOptions) error
	if o.Region != "" {
		loaders = append(loaders, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		loaders = append(loaders, config.WithSharedConfigProfile(o.Profile))
	}
	if o.AccessKey != "" || o.SecretKey != "" {
		if o.AccessKey == "" || o.SecretKey == "" {
			return aws.Config{}, fmt.Errorf("--access-key and --secret-key must be given together")
		}
		loaders = append(loaders, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(o.AccessKey, o.SecretKey, o.SessionToken)))
	}
	attempts := o.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	loaders = append(loaders, config.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = attempts
			so.MaxBackoff = 20 * time.Second
			// Throttling is expected during storms; don't let the client-side
			// retry quota give up on a deploy that is otherwise fine.
			so.RateLimiter = noRateLimit{}
		})
	}))
	if o.Handler != nil {
		if o.AccessKey == "" {
			// The local ECS accepts any signature; don't make users configure credentials for it.
			loaders = append(loaders, config.WithCredentialsProvider(
				credentials.NewStaticCredentialsProvider("LOCAL", "local", "")))
		}
	}
	cfg, err := loadDefaultConfig(ctx, o.CABundle, loaders)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if o.Handler != nil {
		if cfg.Region == "" {
			cfg.Region = "us-east-1"
		}
		cfg.BaseEndpoint = aws.String(LocalEndpoint)
		// Set after loading: the loader would try to apply AWS_CA_BUNDLE to
		// the client's transport, which an in-process transport has no use for.
		cfg.HTTPClient = &http.Client{Transport: HandlerTransport{Handler: o.Handler}}
	} else if o.EndpointURL != "" {
		cfg.BaseEndpoint = aws.String(o.EndpointURL)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("no AWS region: pass --region, set AWS_REGION, or set region in the profile")
	}
	if o.AssumeRoleARN != "" {
		stsClient := sts.NewFromConfig(cfg)
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, o.AssumeRoleARN,
			func(ao *stscreds.AssumeRoleOptions) {
				ao.RoleSessionName = "ecsdeploy"
				if o.ExternalID != "" {
					ao.ExternalID = aws.String(o.ExternalID)
				}
			}))
	}
	if o.Calls != nil {
		cfg.APIOptions = append(cfg.APIOptions, o.Calls.middleware)
	}
	if o.Log != nil {
		cfg.APIOptions = append(cfg.APIOptions, callLogger(o.Log))
	}
	return cfg, nil
}

// loadDefaultConfig is config.LoadDefaultConfig with caBundle, when given,
// trusted as AWS_CA_BUNDLE is (the bundle's certificates and no others,
// before a profile's ca_bundle) but parsed on the first TLS connection.
// Whenever that cannot give the very configuration the SDK would (the file
// cannot be opened, the profile names a ca_bundle of its own, a defaults
// mode adjusts each service's client), the bundle is handed to the SDK as
// it would have read it, so the result and any error are the SDK's.
func loadDefaultConfig(ctx context.Context, caBundle string, loaders []func(*config.LoadOptions) error) (aws.Config, error) {
	if caBundle == "" {
		return config.LoadDefaultConfig(ctx, loaders...)
	}
	if client, err := lazyCABundle(caBundle); err == nil {
		lazy := append(loaders[:len(loaders):len(loaders)], config.WithHTTPClient(client))
		cfg, err := config.LoadDefaultConfig(ctx, lazy...)
		if err == nil && lazyCABundleAllowed(cfg) {
			return cfg, nil
		}
	}
	pem, err := os.ReadFile(caBundle)
	if err != nil {
		return aws.Config{}, err // what the SDK reports for an unreadable AWS_CA_BUNDLE
	}
	eager := append(loaders[:len(loaders):len(loaders)], config.WithCustomCABundle(bytes.NewReader(pem)))
	return config.LoadDefaultConfig(ctx, eager...)
}

// Clients holds one SDK client per service ecsdeploy talks to.
type Clients struct {
	Config         aws.Config
	ECS            *ecs.Client
	CloudFormation *cloudformation.Client
	CodeDeploy     *codedeploy.Client
	ELBv2          *elasticloadbalancingv2.Client
	Logs           *cloudwatchlogs.Client
}

// NewClients builds the service clients from cfg.
func NewClients(cfg aws.Config) *Clients {
	return &Clients{
		Config:         cfg,
		ECS:            ecs.NewFromConfig(cfg),
		CloudFormation: cloudformation.NewFromConfig(cfg),
		CodeDeploy:     codedeploy.NewFromConfig(cfg),
		ELBv2:          elasticloadbalancingv2.NewFromConfig(cfg),
		Logs:           cloudwatchlogs.NewFromConfig(cfg),
	}
}

// HandlerTransport is an http.RoundTripper that serves requests with an
// in-process handler, so the SDK's full wire path (serialisation, signing,
// retries, deserialisation) runs without a socket.
type HandlerTransport struct {
	Handler http.Handler
}

// RoundTrip implements http.RoundTripper.
func (t HandlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	t.Handler.ServeHTTP(rec, req)
	resp := rec.Result()
	if resp.Header.Get(droppedConnectionHeader) != "" {
		// The local ECS dropped the connection (a scenario fault). Over a
		// socket the client reads EOF; give the SDK the same error here, so
		// that the same fault is retried, and ends, the same way in-process.
		return nil, fmt.Errorf("the local ECS closed the connection without a reply: %w", io.EOF)
	}
	resp.Request = req
	return resp, nil
}

// droppedConnectionHeader is emulator.DroppedConnectionHeader: the mark of
// an in-process reply standing for a dropped connection. (The emulator is
// not imported here; a test keeps the two equal.)
const droppedConnectionHeader = "X-Ecsdeploy-Dropped-Connection"

type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRateLimit) AddTokens(uint) error { return nil }

// EnvEndpoint reports the endpoint the SDK will use from the environment, for messages.
func EnvEndpoint() string {
	return strings.TrimSpace(os.Getenv("AWS_ENDPOINT_URL"))
}
