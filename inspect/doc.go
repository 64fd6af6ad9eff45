// Package inspect reads what is deployed: a snapshot of a service (its
// deployments, tasks by Availability Zone and health, newest events) and the
// revisions of a task-definition family with the services that use them. It
// also prunes a family's old revisions with the rules of rollout.Prune plus
// the revision each service would roll back to. It never prints.
package inspect
