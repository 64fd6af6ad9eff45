package cloudwatch

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/internal/awsmodel"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newEmulator(t *testing.T) *emulator.Emulator {
	t.Helper()
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(t0), Seed: 1})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	Register(em)
	s, err := scenario.Parse([]byte(`
alarms:
  - name: web-5xx
    state: ALARM
    after: 1m
    for: 2m
    reason: 5xx above 1%
  - name: web-latency
    state: OK
  - name: "*-canary"
    state: ALARM
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := em.SetScenario(s); err != nil {
		t.Fatal(err)
	}
	return em
}

// TestGoSDKDescribesScenarioAlarms reads alarm states with the Go SDK,
// which speaks RPC v2 CBOR to CloudWatch.
func TestGoSDKDescribesScenarioAlarms(t *testing.T) {
	em := newEmulator(t)
	ctx := context.Background()
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := cw.NewFromConfig(cfg)
	out, err := c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricAlarms) != 2 || aws.ToString(out.MetricAlarms[0].AlarmName) != "web-5xx" || out.MetricAlarms[0].StateValue != cwtypes.StateValueOk {
		t.Fatalf("before the window: %+v", out.MetricAlarms)
	}
	em.Advance(90 * time.Second)
	out, err = c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{StateValue: cwtypes.StateValueAlarm})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricAlarms) != 1 || aws.ToString(out.MetricAlarms[0].StateReason) != "5xx above 1%" ||
		!aws.ToTime(out.MetricAlarms[0].StateUpdatedTimestamp).Equal(t0.Add(time.Minute)) {
		t.Fatalf("in the window: %+v", out.MetricAlarms)
	}
	out, err = c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{"api-canary", "missing"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricAlarms) != 1 || out.MetricAlarms[0].StateValue != cwtypes.StateValueAlarm {
		t.Fatalf("an alarm matched by a glob: %+v", out.MetricAlarms)
	}
	out, err = c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{MaxRecords: aws.Int32(1)})
	if err != nil || len(out.MetricAlarms) != 1 || out.NextToken == nil {
		t.Fatalf("first page: %+v %v", out, err)
	}
	out, err = c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{MaxRecords: aws.Int32(1), NextToken: out.NextToken})
	if err != nil || len(out.MetricAlarms) != 1 || aws.ToString(out.MetricAlarms[0].AlarmName) != "web-latency" || out.NextToken != nil {
		t.Fatalf("second page: %+v %v", out, err)
	}
	_, err = c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{MaxRecords: aws.Int32(500)})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("MaxRecords 500: %v", err)
	}
}

// TestAWSCLIDescribesScenarioAlarms checks the CLI's view and, against
// botocore's model, the shape of the reply.
func TestAWSCLIDescribesScenarioAlarms(t *testing.T) {
	model := awsmodel.Load(t, "cloudwatch")
	testenv.SetFakeAWSEnv(t)
	em := newEmulator(t)
	srv := httptest.NewServer(em)
	t.Cleanup(srv.Close)
	em.Advance(2 * time.Minute)
	out := testenv.RunAWSCLI(t, srv.URL, "cloudwatch", "describe-alarms", "--alarm-names", "web-5xx", "web-latency")
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	alarms := v["MetricAlarms"].([]any)
	if len(alarms) != 2 || alarms[0].(map[string]any)["StateValue"] != "ALARM" || alarms[1].(map[string]any)["StateValue"] != "OK" {
		t.Fatalf("describe-alarms: %s", out)
	}
	// AWS CLI v1 prints timestamps as they came (cli_timestamp_format none): epoch seconds here.
	if ts, _ := alarms[0].(map[string]any)["StateUpdatedTimestamp"].(float64); ts != float64(t0.Add(time.Minute).Unix()) {
		t.Errorf("StateUpdatedTimestamp %v, want %d: %s", alarms[0].(map[string]any)["StateUpdatedTimestamp"], t0.Add(time.Minute).Unix(), out)
	}
	// The same reply over AWS JSON 1.0, checked member by member.
	rc := &emulator.RequestContext{Region: "us-east-1", AccountID: "000000000000", Now: em.Now()}
	res, err := (&Service{em: em}).ServeJSON(rc, "DescribeAlarms", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(res)
	var generic any
	_ = json.Unmarshal(data, &generic)
	for _, p := range model.CheckJSON("DescribeAlarms", generic) {
		t.Error(p)
	}
}
