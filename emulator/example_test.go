package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// A test drives the emulator on a manual clock: nothing moves until it
// calls Advance, so the outcome is the same on every run.
func ExampleEmulator_Advance() {
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), DefaultCluster: true})
	defer func() { _ = em.Close() }() // Close stops the emulator's clock
	ctx := context.Background()
	calls := [][2]string{
		{"RegisterTaskDefinition", `{"family":"web","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512","containerDefinitions":[{"name":"web","image":"nginx"}]}`},
		{"CreateService", `{"serviceName":"web","taskDefinition":"web","desiredCount":2,"launchType":"FARGATE","networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"]}}}`},
	}
	for _, c := range calls {
		if _, err := em.InvokeECS(ctx, "us-east-1", c[0], []byte(c[1])); err != nil {
			fmt.Println(err)
			return
		}
	}
	em.Advance(2 * time.Minute)
	out, _ := em.InvokeECS(ctx, "us-east-1", "DescribeServices", []byte(`{"services":["web"]}`))
	var resp struct {
		Services []struct {
			RunningCount int `json:"runningCount"`
			Deployments  []struct {
				RolloutState string `json:"rolloutState"`
			} `json:"deployments"`
			Events []struct {
				Message string `json:"message"`
			} `json:"events"`
		} `json:"services"`
	}
	_ = json.Unmarshal(out, &resp)
	s := resp.Services[0]
	fmt.Println(s.RunningCount, s.Deployments[0].RolloutState)
	fmt.Println(s.Events[0].Message)
	// Output:
	// 2 COMPLETED
	// (service web) has reached a steady state.
}
