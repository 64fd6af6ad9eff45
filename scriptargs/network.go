package scriptargs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// ParseNetworkConfiguration reads a network configuration as the AWS CLI
// takes it: JSON in the API's shape
//
//	{"awsvpcConfiguration":{"subnets":["subnet-1"],"securityGroups":["sg-1"],"assignPublicIp":"ENABLED"}}
//
// or the CLI's shorthand
//
//	awsvpcConfiguration={subnets=[subnet-1,subnet-2],securityGroups=[sg-1],assignPublicIp=ENABLED}
func ParseNetworkConfiguration(s string) (*types.NetworkConfiguration, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		return networkFromJSON([]byte(s))
	}
	inner, ok := strings.CutPrefix(s, "awsvpcConfiguration=")
	if !ok || !strings.HasPrefix(inner, "{") || !strings.HasSuffix(inner, "}") {
		return nil, fmt.Errorf("expected JSON ({\"awsvpcConfiguration\":{…}}) or awsvpcConfiguration={subnets=[…],securityGroups=[…],assignPublicIp=ENABLED|DISABLED}")
	}
	inner = inner[1 : len(inner)-1]
	obj := map[string]any{}
	for inner != "" {
		key, rest, ok := strings.Cut(inner, "=")
		if !ok {
			return nil, fmt.Errorf("awsvpcConfiguration: expected key=value, got %q", inner)
		}
		key = strings.TrimSpace(key)
		var val any
		if strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("awsvpcConfiguration: %s: missing ']'", key)
			}
			var list []string
			for _, item := range strings.Split(rest[1:end], ",") {
				if item = strings.TrimSpace(item); item != "" {
					list = append(list, item)
				}
			}
			val, rest = list, rest[end+1:]
		} else {
			end := strings.IndexByte(rest, ',')
			if end < 0 {
				end = len(rest)
			}
			val, rest = strings.TrimSpace(rest[:end]), rest[end:]
		}
		if _, dup := obj[key]; dup {
			return nil, fmt.Errorf("awsvpcConfiguration: %s given twice", key)
		}
		obj[key] = val
		inner = strings.TrimPrefix(strings.TrimSpace(rest), ",")
	}
	data, err := json.Marshal(map[string]any{"awsvpcConfiguration": obj})
	if err != nil {
		return nil, err
	}
	return networkFromJSON(data)
}

// networkFromJSON decodes the API's shape, refusing unknown fields, and
// checks what RunTask needs.
func networkFromJSON(data []byte) (*types.NetworkConfiguration, error) {
	// The SDK's types carry no JSON tags; field names match the API's
	// without regard to case, which is how the CLI's JSON spells them.
	var nc types.NetworkConfiguration
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&nc); err != nil {
		return nil, fmt.Errorf("not a network configuration (%w); expected {\"awsvpcConfiguration\":{\"subnets\":[…],\"securityGroups\":[…],\"assignPublicIp\":\"ENABLED\"}}", err)
	}
	vpc := nc.AwsvpcConfiguration
	if vpc == nil {
		return nil, fmt.Errorf("awsvpcConfiguration is missing")
	}
	if len(vpc.Subnets) == 0 {
		return nil, fmt.Errorf("awsvpcConfiguration.subnets: give at least one subnet")
	}
	if ip := vpc.AssignPublicIp; ip != "" && ip != types.AssignPublicIpEnabled && ip != types.AssignPublicIpDisabled {
		return nil, fmt.Errorf("awsvpcConfiguration.assignPublicIp %q: use ENABLED or DISABLED", ip)
	}
	return &nc, nil
}
