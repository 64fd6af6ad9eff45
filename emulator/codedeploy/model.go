package codedeploy

import (
	"encoding/json"
	"time"
)

// state is everything the local CodeDeploy knows; plain data, saved as JSON.
type state struct {
	Apps        map[string]*application      `json:"apps"`        // region + "/" + name
	Configs     map[string]*deploymentConfig `json:"configs"`     // region + "/" + name (custom ones)
	Deployments map[string]*deployment       `json:"deployments"` // by id
	Seq         int64                        `json:"seq"`
}

func newState() *state {
	return &state{Apps: map[string]*application{}, Configs: map[string]*deploymentConfig{}, Deployments: map[string]*deployment{}}
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type application struct {
	ID       string                      `json:"id"`
	Name     string                      `json:"name"`
	Region   string                      `json:"region"`
	Platform string                      `json:"platform"`
	Created  time.Time                   `json:"created"`
	Tags     []tag                       `json:"tags,omitempty"`
	Groups   map[string]*deploymentGroup `json:"groups"`
	Seq      int64                       `json:"seq"`
}

// deploymentGroup keeps the members as given (echoed by GetDeploymentGroup)
// and the parts the engine reads, parsed.
type deploymentGroup struct {
	ID            string                     `json:"id"`
	Name          string                     `json:"name"`
	Config        string                     `json:"config"`
	ServiceRole   string                     `json:"serviceRole"`
	Members       map[string]json.RawMessage `json:"members"`
	BlueGreen     blueGreenConfig            `json:"blueGreen"`
	AutoRollback  autoRollback               `json:"autoRollback"`
	Cluster       string                     `json:"cluster"`
	Service       string                     `json:"service"`
	TargetGroups  []string                   `json:"targetGroups"` // names, as given
	ProdListeners []string                   `json:"prodListeners"`
	TestListeners []string                   `json:"testListeners,omitempty"`
	Alarms        []string                   `json:"alarms,omitempty"` // watched when AlarmsOn
	AlarmsOn      bool                       `json:"alarmsOn,omitempty"`
	LastAttempted string                     `json:"lastAttempted,omitempty"`
	LastSucceeded string                     `json:"lastSucceeded,omitempty"`
	Seq           int64                      `json:"seq"`
}

type blueGreenConfig struct {
	ReadyAction     string `json:"readyAction"` // CONTINUE_DEPLOYMENT or STOP_DEPLOYMENT
	ReadyWait       int    `json:"readyWait"`   // minutes
	TerminateAction string `json:"terminateAction"`
	TerminationWait int    `json:"terminationWait"` // minutes
}

type autoRollback struct {
	Enabled bool     `json:"enabled"`
	Events  []string `json:"events,omitempty"`
}

func (a autoRollback) on(event string) bool {
	if !a.Enabled {
		return false
	}
	for _, e := range a.Events {
		if e == event {
			return true
		}
	}
	return false
}

// deploymentConfig is a predefined or custom ECS deployment configuration.
type deploymentConfig struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Type     string    `json:"type"`     // AllAtOnce, TimeBasedCanary, TimeBasedLinear
	Percent  int       `json:"percent"`  // canary or linear step
	Interval int       `json:"interval"` // minutes
	Created  time.Time `json:"created"`
}

// Lifecycle event and deployment statuses.
const (
	statusPending    = "Pending"
	statusInProgress = "InProgress"
	statusSucceeded  = "Succeeded"
	statusFailed     = "Failed"
	statusSkipped    = "Skipped"
	statusReady      = "Ready"
	statusCreated    = "Created"
	statusStopped    = "Stopped"
)

// ecsEvents are the ECS lifecycle events in the documented order.
var ecsEvents = []string{"BeforeInstall", "Install", "AfterInstall", "AllowTestTraffic",
	"AfterAllowTestTraffic", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"}

// hookEvents are the events an AppSpec may attach a Lambda function to.
var hookEvents = map[string]bool{"BeforeInstall": true, "AfterInstall": true, "AfterAllowTestTraffic": true,
	"BeforeAllowTraffic": true, "AfterAllowTraffic": true}

type lifecycleEvent struct {
	Name   string    `json:"name"`
	Status string    `json:"status"`
	Start  time.Time `json:"start,omitzero"`
	End    time.Time `json:"end,omitzero"`
	// Diagnostic explains a failure (errorCode, message).
	DiagCode    string `json:"diagCode,omitempty"`
	DiagMessage string `json:"diagMessage,omitempty"`
}

// hookRun is one Lambda hook invocation waiting for its status.
type hookRun struct {
	ExecutionID string    `json:"executionId"`
	Function    string    `json:"function"`
	DueAt       time.Time `json:"dueAt"`  // when the scenario's answer arrives
	Result      string    `json:"result"` // the scenario's answer
	Reported    string    `json:"reported,omitempty"`
}

// taskSetInfo is a task set as the deployment target reports it.
type taskSetInfo struct {
	ID             string  `json:"id"`
	Desired        int     `json:"desired"`
	Pending        int     `json:"pending"`
	Running        int     `json:"running"`
	Status         string  `json:"status"`    // PRIMARY, ACTIVE or DRAINING
	Stability      string  `json:"stability"` // STEADY_STATE or STABILIZING
	Weight         float64 `json:"weight"`
	TargetGroup    string  `json:"targetGroup"` // name
	Label          string  `json:"label"`       // Blue or Green
	TargetGroupARN string  `json:"targetGroupArn"`
}

// deployment is one CodeDeploy deployment of an ECS service.
type deployment struct {
	ID          string          `json:"id"`
	Region      string          `json:"region"`
	App         string          `json:"app"`
	Group       string          `json:"group"`
	Config      string          `json:"config"`
	Description string          `json:"description,omitempty"`
	Creator     string          `json:"creator"`
	Status      string          `json:"status"`
	Revision    json.RawMessage `json:"revision,omitempty"`
	Spec        *appSpec        `json:"spec,omitempty"`
	Created     time.Time       `json:"created"`
	Started     time.Time       `json:"started,omitzero"`
	Completed   time.Time       `json:"completed,omitzero"`
	ErrCode     string          `json:"errCode,omitempty"`
	ErrMessage  string          `json:"errMessage,omitempty"`
	Rollback    autoRollback    `json:"rollback"`
	// RollbackID is the deployment that rolled this one back; RollbackOf
	// the one this (rollback) deployment undid.
	RollbackID      string `json:"rollbackId,omitempty"`
	RollbackOf      string `json:"rollbackOf,omitempty"`
	RollbackMessage string `json:"rollbackMessage,omitempty"`
	Seq             int64  `json:"seq"`

	// The engine's progress.
	Events          []lifecycleEvent `json:"events"`
	Stage           int              `json:"stage"` // index into Events; len(Events) once all are done
	Hook            *hookRun         `json:"hook,omitempty"`
	ReadySince      time.Time        `json:"readySince,omitzero"`
	TerminateAt     time.Time        `json:"terminateAt,omitzero"`
	TerminationWait bool             `json:"terminationWait,omitempty"`
	StopRequested   bool             `json:"stopRequested,omitempty"`
	StopRollback    bool             `json:"stopRollback,omitempty"`
	ContinueReady   bool             `json:"continueReady,omitempty"`
	ContinueEnd     bool             `json:"continueEnd,omitempty"`
	TargetStatus    string           `json:"targetStatus"`
	TargetUpdated   time.Time        `json:"targetUpdated"`

	// What the deployment works on.
	Cluster         string          `json:"cluster"`
	Service         string          `json:"service"`
	ServiceARN      string          `json:"serviceArn,omitempty"`
	Original        string          `json:"original,omitempty"`    // task set id
	Replacement     string          `json:"replacement,omitempty"` // task set id
	OriginalTG      string          `json:"originalTg,omitempty"`
	ReplacementTG   string          `json:"replacementTg,omitempty"`
	ProdListeners   []string        `json:"prodListeners,omitempty"`
	TestListeners   []string        `json:"testListeners,omitempty"`
	TestWeights     json.RawMessage `json:"testWeights,omitempty"` // the test listeners' forwards before, to restore
	Shifted         int             `json:"shifted"`               // percent of production traffic on the replacement
	NextShiftAt     time.Time       `json:"nextShiftAt,omitzero"`
	PrimarySwitched bool            `json:"primarySwitched,omitempty"`
	InstallSince    time.Time       `json:"installSince,omitzero"`
	TaskSets        []taskSetInfo   `json:"taskSets,omitempty"`
}

func (d *deployment) done() bool {
	return d.Status == statusSucceeded || d.Status == statusFailed || d.Status == statusStopped
}
