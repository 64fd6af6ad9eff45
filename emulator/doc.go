// Package emulator is ecsdeploy's local ECS: an in-process emulation of the
// Amazon ECS control plane that speaks the AWS wire protocol and deploys the
// way ECS does — rolling deployments bounded by minimumHealthyPercent and
// maximumPercent, AZ-balanced placement, container health checks, the
// deployment circuit breaker, service events with ECS's wording — on a
// clock that tests control.
//
// # Starting it in a test
//
// Deterministic, virtual time (nothing moves unless the test advances it):
//
//	clock := emulator.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
//	em := emulator.New(emulator.Options{Clock: clock})
//	t.Cleanup(func() { em.Close() })
//	cfg, _ := awsconfig.Load(ctx, awsconfig.Options{Handler: em, Region: "us-east-1"})
//	client := ecs.NewFromConfig(cfg)
//	// ... CreateService ...
//	em.Advance(2 * time.Minute) // runs the scheduler one emulated second at a time
//
// Real time at a speed factor (for code that polls on the wall clock), over
// a real socket:
//
//	em := emulator.New(emulator.Options{Speed: 50})
//	srv := httptest.NewServer(em)
//	t.Cleanup(func() { srv.Close(); em.Close() })
//	cfg, _ := awsconfig.Load(ctx, awsconfig.Options{EndpointURL: srv.URL, Region: "us-east-1",
//		AccessKey: "x", SecretKey: "y"})
//
// Failures are set from Go with SetScenario (or POST /_local/scenario):
//
//	exitCode := 1
//	em.SetScenario(&scenario.Scenario{Images: []scenario.Image{
//		{Match: "*:broken", ExitCode: &exitCode, ExitAfter: scenario.Duration(5 * time.Second)},
//	}})
//
// SaveState and LoadState keep the state in a file between runs (written
// atomically; a damaged file is reported, never replaced).
//
// # Other services
//
// Other packages add AWS services without touching this one:
// RegisterJSONService for JSON 1.1 services (dispatched on the X-Amz-Target
// prefix) and RegisterQueryService for Query services (dispatched on the
// SigV4 signing name); handlers return values or *APIError. InvokeECS calls
// ECS in-process (for an emulated CloudFormation), OnStep reports every
// scheduler step, and ContainerLogs exposes what containers printed.
package emulator
