package stack

import (
	"fmt"
	"strconv"
	"strings"
)

// Parameter is a template parameter: a value known only at deploy time. Its
// default is the spec's value so that the template also works on its own.
type Parameter struct {
	Name        string // template parameter name
	Type        string // CloudFormation parameter type
	Default     string
	Description string
	// Path is the spec field the parameter stands for, e.g.
	// "containers.web.image" or "containers.web.environment.LOG_LEVEL".
	Path string
}

// Paths a spec can mark in `parameters`. NAME is a container name, KEY an
// environment variable of that container.
var ParameterPaths = []string{
	"desiredCount",
	"taskRoleArn",
	"network.subnets",
	"network.securityGroups",
	"containers.NAME.environment.KEY",
}

// ImageParameterName is the parameter holding a container's image.
func ImageParameterName(container string) string { return PascalName(container) + "Image" }

// EnvParameterName is the parameter holding a marked environment value.
func EnvParameterName(container, key string) string {
	return PascalName(container) + "Env" + PascalName(key)
}

// TemplateParameters returns every parameter of the template, in a fixed
// order: container images first (in container order), then the marked
// values in the order they are listed. It assumes a valid spec.
func (s *Spec) TemplateParameters() []Parameter {
	var params []Parameter
	for _, c := range s.Containers {
		params = append(params, Parameter{
			Name: ImageParameterName(c.Name), Type: "String", Default: c.Image,
			Description: "Image of container " + c.Name, Path: "containers." + c.Name + ".image",
		})
	}
	for _, mark := range s.Parameters {
		if p, err := s.markedParameter(mark); err == nil {
			params = append(params, p)
		}
	}
	return params
}

// IsParameter reports whether the spec marked path as a parameter.
func (s *Spec) IsParameter(path string) bool {
	for _, m := range s.Parameters {
		if m == path {
			return true
		}
	}
	return false
}

// markedParameter resolves one entry of `parameters`.
func (s *Spec) markedParameter(mark string) (Parameter, error) {
	switch mark {
	case "desiredCount":
		return Parameter{Name: "DesiredCount", Type: "Number", Default: strconv.Itoa(s.EffectiveDesiredCount()),
			Description: "Number of tasks the service keeps running", Path: mark}, nil
	case "taskRoleArn":
		if s.TaskRoleArn == "" {
			return Parameter{}, fmt.Errorf("taskRoleArn is not set, so it cannot be a parameter")
		}
		return Parameter{Name: "TaskRoleArn", Type: "String", Default: s.TaskRoleArn,
			Description: "Role the task's containers use", Path: mark}, nil
	case "network.subnets":
		return Parameter{Name: "Subnets", Type: "CommaDelimitedList", Default: strings.Join(s.Network.Subnets, ","),
			Description: "Subnets of the service's tasks", Path: mark}, nil
	case "network.securityGroups":
		if len(s.Network.SecurityGroups) == 0 {
			return Parameter{}, fmt.Errorf("network.securityGroups is empty, so it cannot be a parameter")
		}
		return Parameter{Name: "SecurityGroups", Type: "CommaDelimitedList", Default: strings.Join(s.Network.SecurityGroups, ","),
			Description: "Security groups of the service's tasks", Path: mark}, nil
	}
	parts := strings.SplitN(mark, ".", 4)
	if len(parts) == 4 && parts[0] == "containers" && parts[2] == "environment" {
		name, key := parts[1], parts[3]
		for _, c := range s.Containers {
			if c.Name != name {
				continue
			}
			value, ok := c.Environment[key]
			if !ok {
				return Parameter{}, fmt.Errorf("container %q has no environment variable %q", name, key)
			}
			return Parameter{Name: EnvParameterName(name, key), Type: "String", Default: value,
				Description: "Environment variable " + key + " of container " + name, Path: mark}, nil
		}
		return Parameter{}, fmt.Errorf("there is no container named %q", name)
	}
	return Parameter{}, fmt.Errorf("%q cannot be a parameter; use one of %s", mark, strings.Join(ParameterPaths, ", "))
}
