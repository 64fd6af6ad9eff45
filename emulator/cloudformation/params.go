package cloudformation

import (
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// memberList reads a Query list: prefix.member.1, prefix.member.2, ...
func memberList(params url.Values, prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := params[prefix+".member."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

// memberStructs reads a Query list of structures: prefix.member.N.Field.
func memberStructs(params url.Values, prefix string) []map[string]string {
	var out []map[string]string
	for i := 1; ; i++ {
		p := prefix + ".member." + strconv.Itoa(i) + "."
		item := map[string]string{}
		for k, v := range params {
			if strings.HasPrefix(k, p) {
				item[strings.TrimPrefix(k, p)] = v[0]
			}
		}
		if len(item) == 0 {
			return out
		}
		out = append(out, item)
	}
}

type paramInput struct {
	Key         string
	Value       string
	UsePrevious bool
}

func parameterInputs(params url.Values) []paramInput {
	var out []paramInput
	for _, m := range memberStructs(params, "Parameters") {
		out = append(out, paramInput{Key: m["ParameterKey"], Value: m["ParameterValue"], UsePrevious: m["UsePreviousValue"] == "true"})
	}
	return out
}

func tagInputs(params url.Values) []tag {
	var out []tag
	for _, m := range memberStructs(params, "Tags") {
		out = append(out, tag{Key: m["Key"], Value: m["Value"]})
	}
	return out
}

// parameterValues gives every template parameter its value: the one given,
// the previous one when asked for, or the default.
func parameterValues(t *template, given []paramInput, previous map[string]string) (map[string]string, error) {
	values := map[string]string{}
	for _, p := range given {
		if _, ok := t.Parameters[p.Key]; !ok {
			return nil, validation("Parameters: [%s] do not exist in the template", p.Key)
		}
		if p.UsePrevious {
			v, ok := previous[p.Key]
			if !ok {
				return nil, validation("Invalid input for parameter key %s. Cannot specify usePreviousValue as true for a parameter key not in the previous template", p.Key)
			}
			values[p.Key] = v
			continue
		}
		values[p.Key] = p.Value
	}
	var missing []string
	for name, decl := range t.Parameters {
		if _, ok := values[name]; ok {
			continue
		}
		if decl.Default != nil {
			values[name] = *decl.Default
			continue
		}
		missing = append(missing, name)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, validation("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	for name, decl := range t.Parameters {
		if decl.Type == "Number" {
			if _, err := strconv.ParseFloat(values[name], 64); err != nil {
				return nil, validation("Parameter '%s' must be a number.", name)
			}
		}
	}
	return values, nil
}

var stackNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`) })

func validation(format string, args ...any) *emulator.APIError {
	return emulator.Errorf("ValidationError", format, args...)
}

func stackMissing(name string) *emulator.APIError {
	return validation("Stack with id %s does not exist", name)
}

// checkCapabilities refuses a template with IAM resources unless the
// caller acknowledged them, as CloudFormation does.
func checkCapabilities(t *template, caps []string) error {
	needs := false
	for _, r := range t.Resources {
		if strings.HasPrefix(r.Type, "AWS::IAM::") {
			needs = true
		}
	}
	if !needs {
		return nil
	}
	for _, c := range caps {
		if c == "CAPABILITY_IAM" || c == "CAPABILITY_NAMED_IAM" {
			return nil
		}
	}
	return emulator.Errorf("InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]")
}

func parseTemplateParam(params url.Values) (*template, error) {
	body := params.Get("TemplateBody")
	if body == "" {
		if params.Get("TemplateURL") != "" {
			return nil, validation("TemplateURL is not supported by the local ECS; pass TemplateBody")
		}
		return nil, validation("Either Template URL or Template Body must be specified.")
	}
	t, err := parseTemplate(body)
	if err != nil {
		return nil, validation("%s", err.Error())
	}
	return t, nil
}
