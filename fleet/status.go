package fleet

import (
	"context"
	"fmt"
	"strings"

	"github.com/ecsdeploy/ecsdeploy/bluegreen"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/inspect"
	"github.com/ecsdeploy/ecsdeploy/watch"
)

// StatusTarget is one service of a fleet snapshot and the clients that
// read it (a fleet's shared, batched ones).
type StatusTarget struct {
	Name             string
	Cluster, Service string
	ECS              watch.ECSAPI
	BlueGreen        bluegreen.APIs
}

// ServiceSnapshot is one target's part of a fleet snapshot: its status,
// or the error that kept it from being read.
type ServiceSnapshot struct {
	Status *inspect.ServiceStatus
	Err    error
}

// Snapshot reads every target at once (inspect.Snapshot each, with its
// latest events), ReadParallel at a time: over a fleet's batched clients,
// their DescribeServices calls merge. A target that cannot be read has
// its error in its place; the others are read all the same.
func Snapshot(ctx context.Context, targets []StatusTarget, events int) []ServiceSnapshot {
	out := make([]ServiceSnapshot, len(targets))
	for i, err := range AtOnce(len(targets), func(i int) error {
		t := targets[i]
		st, err := inspect.Snapshot(ctx, t.ECS, t.BlueGreen, t.Cluster, t.Service, events)
		out[i].Status = st
		return err
	}) {
		out[i].Err = err
	}
	return out
}

// SnapshotError is the error of a snapshot with targets that could not be
// read: every such target named, with the first one's error and its exit
// code. Nil when every target was read.
func SnapshotError(targets []StatusTarget, snaps []ServiceSnapshot) error {
	var failed []string
	var first error
	for i, s := range snaps {
		if s.Err != nil {
			failed = append(failed, targets[i].Name)
			if first == nil {
				first = s.Err
			}
		}
	}
	if first == nil {
		return nil
	}
	return exitcode.With(exitcode.Of(first), fmt.Errorf("could not read %s: %w", strings.Join(failed, ", "), first))
}
