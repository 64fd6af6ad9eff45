package cloudformation

import (
	"time"
)

// stack is one stack, live or deleted.
type stack struct {
	ID, Name     string
	Region       string
	Status       string
	Reason       string
	Created      time.Time
	Updated      time.Time
	Description  string
	OnFailure    string // ROLLBACK, DO_NOTHING or DELETE
	Deadline     time.Time
	Capabilities []string
	Tags         []tag

	Template *template
	Params   map[string]string
	// Resources holds the live resources by logical id.
	Resources  map[string]*resource
	Events     []event // oldest first
	ChangeSets map[string]*changeSet

	// The running operation: steps still to do, and what an update or its
	// rollback needs.
	queue    []*step
	prev     *snapshot   // the stack before the update being run
	undo     []*step     // reverts of the update's finished steps, newest first
	garbage  []*resource // physical resources to delete in the cleanup phase
	lastTick time.Time
}

// snapshot is what an update may have to go back to.
type snapshot struct {
	Template  *template
	Params    map[string]string
	Resources map[string]resource
}

type resource struct {
	LogicalID  string
	Type       string
	PhysicalID string
	Attributes map[string]string
	Props      map[string]any // resolved, as last applied
	Status     string
	Updated    time.Time
}

type tag struct{ Key, Value string }

type event struct {
	ID         string
	LogicalID  string
	PhysicalID string
	Type       string
	Status     string
	Reason     string
	Time       time.Time
}

type changeSet struct {
	ID, Name     string
	StackID      string
	Type         string // CREATE or UPDATE
	Status       string
	Reason       string
	Execution    string
	Created      time.Time
	Template     *template
	Params       map[string]string
	Tags         []tag
	Capabilities []string
	Description  string
	Changes      []change
}

type change struct {
	Action      string // Add, Modify, Remove
	LogicalID   string
	PhysicalID  string
	Type        string
	Replacement string // True, False ("" for Add and Remove)
}

// stepKind is what a step does to one resource.
type stepKind int

const (
	stepCreate  stepKind = iota // create the resource
	stepUpdate                  // update it in place (or replace it)
	stepDelete                  // delete it
	stepRestore                 // give back the properties it had before the update
)

// step is one resource operation of a stack operation. A step may need
// several ticks: its call is made on the first, then wait runs on each tick
// until the resource has settled (a service reaching steady state, a
// service draining before its cluster can go).
type step struct {
	Kind      stepKind
	LogicalID string
	Res       *resource // for delete and restore: the resource as it was
	started   bool
	until     time.Time // a scenario delay
	failWith  string    // the scenario's failure, reported when the delay ends
	wait      func(now time.Time) (bool, error)
}
