// Package logs is the local ECS's CloudWatch Logs: the few read calls of the
// Logs API (JSON 1.1, target prefix Logs_20140328) that following a task's
// output needs — DescribeLogGroups, DescribeLogStreams, GetLogEvents and
// FilterLogEvents.
//
// It stores nothing itself. Every request reads what the emulator's
// containers have printed so far (Emulator.ContainerLogs: the scenario's
// logs lines for each image) and files the lines of awslogs-configured
// containers the way the awslogs driver does: in the container's
// awslogs-group, in a stream named "<awslogs-stream-prefix>/<container>/<task id>".
// A container without awslogs-stream-prefix is not served: on AWS its
// stream is named after the Docker container id, which ECS does not report.
// Log groups exist as soon as a container logs to them (as with
// awslogs-create-group); nothing is ever deleted or expired.
//
// Plug it into an emulator with Register:
//
//	em := emulator.New(emulator.Options{...})
//	logs.Register(em)
//	// cloudwatchlogs.NewFromConfig(cfg) against em now reads the containers' lines
//
// FilterLogEvents understands the plain term syntax of filter patterns:
// terms that must all appear, "quoted phrases", and -term exclusions; JSON
// and space-delimited patterns are refused with InvalidParameterException.
package logs
