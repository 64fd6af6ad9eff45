// Package reliability checks ecsdeploy's verdicts under faults: its tests
// run the commands (deploy with and without the circuit breaker and with
// --rollback, rollback, scale, run) against the local ECS served over a
// loopback socket, through a Proxy that loses replies and resets
// connections, while the local ECS throttles and fails calls, for every
// kind of image (healthy, crashing, failing its pulls, unhealthy, dying
// after it ran). Each cell of the matrix states the exit code, the outcome
// and the service's end state (task definition, desired count, ACTIVE
// revisions) that README's exit-code table implies; `go test -v` prints
// the matrix. Other tests kill the command with SIGKILL at three points
// and check that running it again converges.
package reliability
