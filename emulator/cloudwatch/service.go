// Package cloudwatch is the local CloudWatch's DescribeAlarms: the alarms
// a scenario names, in the states it gives them over time. ECS deployment
// alarms and the bake time read the same states; this lets a user (or a
// deployment tool) see what the deployment sees.
//
// It answers the protocols AWS's clients use for CloudWatch: Smithy RPC v2
// CBOR (current AWS CLI and SDKs) and AWS JSON 1.0.
package cloudwatch

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// ServiceName is CloudWatch's Smithy service name, the RPC v2 CBOR path
// segment and the AWS JSON 1.0 X-Amz-Target prefix.
const ServiceName = "GraniteServiceVersion20100801"

// Service answers DescribeAlarms from an emulator's scenario.
type Service struct {
	em *emulator.Emulator
}

// Register makes em answer CloudWatch's DescribeAlarms and returns the service.
func Register(em *emulator.Emulator) *Service {
	s := &Service{em: em}
	em.RegisterCBORService(ServiceName, s)
	em.RegisterJSONService(ServiceName, s)
	return s
}

// ServeCBOR implements emulator.CBORHandler.
func (s *Service) ServeCBOR(rc *emulator.RequestContext, op string, in map[string]any) (any, error) {
	return s.serve(rc, op, in)
}

// ServeJSON implements emulator.JSONHandler (AWS JSON 1.0); timestamps are
// epoch seconds.
func (s *Service) ServeJSON(rc *emulator.RequestContext, op string, body []byte) (any, error) {
	in := map[string]any{}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, emulator.Errorf("SerializationException", "could not read the request: %v", err)
		}
	}
	out, err := s.serve(rc, op, in)
	if err != nil {
		return nil, err
	}
	return epochTimes(out), nil
}

func (s *Service) serve(rc *emulator.RequestContext, op string, in map[string]any) (any, error) {
	switch op {
	case "DescribeAlarms":
		return s.describeAlarms(rc, in)
	}
	return nil, &emulator.APIError{Code: "UnknownOperationException", HTTPStatus: http.StatusBadRequest,
		Message: fmt.Sprintf("The local CloudWatch does not support %s; it serves DescribeAlarms (alarm states come from the scenario's alarms).", op)}
}

func invalidParameter(format string, args ...any) error {
	return emulator.Errorf("InvalidParameterValue", format, args...)
}

// members reads the members of a request. The first member of the wrong
// type sets err; reads after it return zero values.
type members struct {
	m   map[string]any
	err error
}

func (r *members) strList(key string) []string {
	v := r.m[key]
	if r.err != nil || v == nil {
		return nil
	}
	arr, ok := v.([]any)
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, isString := x.(string)
		ok = ok && isString
		out = append(out, s)
	}
	if !ok {
		r.err = emulator.Errorf("SerializationException", "%s must be a list of strings", key)
		return nil
	}
	return out
}

func (r *members) str(key string) string {
	v := r.m[key]
	if r.err != nil || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.err = emulator.Errorf("SerializationException", "%s must be a string", key)
	}
	return s
}

func integer(in map[string]any, key string) (int, bool, error) {
	switch v := in[key].(type) {
	case nil:
		return 0, false, nil
	case int64:
		return int(v), true, nil
	case uint64:
		return int(min(v, 1<<31)), true, nil
	case float64:
		if v == float64(int64(v)) {
			return int(v), true, nil
		}
	}
	return 0, true, emulator.Errorf("SerializationException", "%s must be an integer", key)
}

func (s *Service) describeAlarms(rc *emulator.RequestContext, in map[string]any) (any, error) {
	r := members{m: in}
	names, types := r.strList("AlarmNames"), r.strList("AlarmTypes")
	prefix, stateFilter, token, actionPrefix := r.str("AlarmNamePrefix"), r.str("StateValue"), r.str("NextToken"), r.str("ActionPrefix")
	if r.err != nil {
		return nil, r.err
	}
	max, hasMax, err := integer(in, "MaxRecords")
	if err != nil {
		return nil, err
	}
	if !hasMax {
		max = 50
	}
	if max < 1 || max > 100 {
		return nil, invalidParameter("The value %d for parameter MaxRecords is not valid: it must be between 1 and 100.", max)
	}
	if len(names) > 0 && prefix != "" {
		return nil, invalidParameter("AlarmNames and AlarmNamePrefix cannot be given together.")
	}
	if len(names) > 100 {
		return nil, invalidParameter("At most 100 alarm names can be given.")
	}
	switch stateFilter {
	case "", "OK", "ALARM", "INSUFFICIENT_DATA":
	default:
		return nil, invalidParameter("The value %s for parameter StateValue is not valid: use OK, ALARM or INSUFFICIENT_DATA.", stateFilter)
	}
	metric := len(types) == 0
	for _, t := range types {
		switch t {
		case "MetricAlarm":
			metric = true
		case "CompositeAlarm":
		default:
			return nil, invalidParameter("The value %s for parameter AlarmTypes is not valid: use MetricAlarm or CompositeAlarm.", t)
		}
	}
	if len(names) == 0 {
		names = s.em.ScenarioAlarmNames()
	}
	sort.Strings(names)
	var alarms []map[string]any
	for _, n := range names {
		if !metric || !strings.HasPrefix(n, prefix) || actionPrefix != "" {
			continue // scenario alarms have no actions
		}
		st, since, ok := s.em.AlarmState(n)
		if !ok || (stateFilter != "" && st.State != stateFilter) {
			continue
		}
		alarms = append(alarms, s.alarm(rc, st.Name, st.State, st.Reason, since))
	}
	start := 0
	if token != "" {
		if _, err := fmt.Sscanf(token, "alarms-%d", &start); err != nil || start < 0 || start > len(alarms) {
			return nil, emulator.Errorf("InvalidNextToken", "The service cannot find the next token %q.", token)
		}
	}
	end := min(len(alarms), start+max)
	out := map[string]any{"MetricAlarms": nonNil(alarms[start:end]), "CompositeAlarms": []any{}}
	if end < len(alarms) {
		out["NextToken"] = fmt.Sprintf("alarms-%d", end)
	}
	return out, nil
}

func nonNil(ms []map[string]any) []map[string]any {
	if ms == nil {
		return []map[string]any{}
	}
	return ms
}

// alarm is a MetricAlarm. The metric is a stand-in: the state comes from
// the scenario, not from data points.
func (s *Service) alarm(rc *emulator.RequestContext, name, state, reason string, since time.Time) map[string]any {
	configured := s.em.ScenarioSetAt()
	return map[string]any{
		"AlarmName": name, "AlarmArn": fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", rc.Region, rc.AccountID, name),
		"AlarmDescription":                   "Set by the local ECS scenario",
		"AlarmConfigurationUpdatedTimestamp": configured, "ActionsEnabled": false,
		"OKActions": []string{}, "AlarmActions": []string{}, "InsufficientDataActions": []string{},
		"StateValue": state, "StateReason": reason, "StateUpdatedTimestamp": since, "StateTransitionedTimestamp": since,
		"MetricName": name, "Namespace": "ecsdeploy/LocalScenario", "Statistic": "Maximum", "Dimensions": []any{},
		"Period": 60, "EvaluationPeriods": 1, "Threshold": 0.0, "ComparisonOperator": "GreaterThanThreshold",
		"TreatMissingData": "missing",
	}
}

// epochTimes replaces time.Time values with epoch seconds, for JSON.
func epochTimes(v any) any {
	switch x := v.(type) {
	case time.Time:
		return float64(x.UnixMilli()) / 1000
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = epochTimes(e)
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = epochTimes(e)
		}
		return out
	}
	return v
}
