// Package codedeploy is the local AWS CodeDeploy for the ECS compute
// platform: applications, deployment groups, deployment configurations and
// blue/green deployments of CODE_DEPLOY-controlled ECS services, served over
// CodeDeploy's JSON 1.1 protocol on the local ECS's endpoint.
//
// A deployment walks CodeDeploy's ECS lifecycle in the documented order
// (BeforeInstall, Install, AfterInstall, AllowTestTraffic,
// AfterAllowTestTraffic, BeforeAllowTraffic, AllowTraffic,
// AfterAllowTraffic): Install creates the replacement task set on the
// target group that is not serving production, AllowTestTraffic points the
// test listener at it, AllowTraffic shifts the production listener's
// weights by the deployment configuration's steps, and the original task
// set is removed after the termination wait. Lambda hooks answer as the
// scenario's hooks entries say (by default Succeeded after 5 s), unless
// PutLifecycleEventHookExecutionStatus answers first. A failure or a stop
// with rollback moves traffic back and removes the replacement task set.
//
// The package talks to ECS through the emulator's in-process calls (as the
// CODE_DEPLOY controller) and to the load balancers through Traffic, so it
// can be tested on its own; it moves on the emulator's clock from an
// OnStep hook.
package codedeploy
